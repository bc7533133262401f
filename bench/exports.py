"""Benchmark of the report exports (issue 15): DOCX, PDF, Markdown (.md and .zip), XLSX
and HTML of a draft built from 10,000 contributions, the code before the change against
the code now, measured in the same run on the same draft.

Each side is a whole tree: "before" is the base commit (``--base``, by default the merge
base with ``main``) written out with ``git archive``, "after" this working tree. Each runs
in a process of its own, started once, that times ``exports.export_draft`` — what a
download or a background job runs: the roll-up read from the database, the document, the
file — on the same draft in the same database. The two processes take turns, format by
format and run by run, so both meet the same load. Goal: each export ≤ 2 s.

Cold: the chart cache cleared before the run (every chart drawn); warm: the same numbers'
charts already cached (a second export, or the draft page seen first). One untimed export
of each format comes first in each process (imports, fonts). Wall time is what a person
waits for; CPU time (the process's own) shows the work done whatever the load.

Then the direct export link (GET, the whole Django stack) of PDF and DOCX on both
sides, with and without a file prepared since the draft's last change.

    .venv/bin/python bench/exports.py [--contributions 10000] [--participants 300]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMATS = [
    ("docx", "DOCX"),
    ("pdf", "PDF"),
    ("md", "Markdown (.md)"),
    ("zip", "Markdown + charts (.zip)"),
    ("xlsx", "XLSX (the draft's tables)"),
    ("html", "HTML"),
]
PREPARED = ["pdf", "docx"]  # settings.REPORT_PREPARED_EXPORTS in production


# --- One side: a process that times exports of one tree --------------------------------


def child(tree: str, draft_pk: int, user_pk: int) -> None:
    """Read "fmt cold|warm" lines, answer each with the export's wall and CPU seconds."""
    sys.path.insert(0, tree)
    os.chdir(tree)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peaceexchange.settings")
    import logging  # noqa: PLC0415 - after the tree is on sys.path

    import django  # noqa: PLC0415

    django.setup()
    logging.disable(logging.WARNING)
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.core.cache import cache  # noqa: PLC0415

    from workshops.models import ReportDraft  # noqa: PLC0415
    from workshops.report import exports  # noqa: PLC0415

    user = get_user_model().objects.get(pk=user_pk)

    def export(fmt: str) -> None:
        draft = ReportDraft.objects.select_related("workshop").get(pk=draft_pk)
        exports.export_draft(report=draft, fmt=fmt, user=user)

    for fmt, _label in FORMATS:
        export(fmt)  # imports, fonts, the first drawing of each kind
    print("ready", flush=True)

    def download_prepared(fmt: str) -> None:
        """What a person waits for when the file was prepared: the start of the job (the
        draft's fingerprint now: roll-up and document; the stored file copied), then the
        download of the job's file."""
        from workshops.models import Job  # noqa: PLC0415
        from workshops.services import jobs  # noqa: PLC0415

        draft = ReportDraft.objects.select_related("workshop").get(pk=draft_pk)
        job = jobs.start_draft_export(draft=draft, fmt=fmt, user=user)
        assert "copy_of" in job.params, "the prepared file was not used"
        bytes(Job.objects.filter(pk=job.pk).values_list("data", flat=True).get())

    def get_export(fmt: str, prepared: bool) -> tuple[float, float]:
        """The direct export link (``report:export``), through the whole Django stack (the
        test client: middleware, session, access, view), logged in as an organiser. The
        draft's files of ``fmt`` prepared first, or none at all; the chart cache cleared.
        A redirect to a job's page (the draft changed since: a job makes the file) is
        followed to the job's page and its file, as a browser would."""
        from django.conf import settings  # noqa: PLC0415
        from django.test import Client  # noqa: PLC0415
        from django.urls import reverse  # noqa: PLC0415

        from workshops.models import Job, JobKind  # noqa: PLC0415
        from workshops.services import jobs  # noqa: PLC0415

        settings.REPORT_PREPARED_EXPORTS = [fmt]  # the tasks run at once, here
        draft = ReportDraft.objects.select_related("workshop").get(pk=draft_pk)
        Job.objects.filter(kind=JobKind.DRAFT_EXPORT).delete()
        if prepared:
            jobs.prepare_draft_exports(draft=draft, user=user)
        cache.clear()
        client = Client()
        client.force_login(user)
        url = reverse("report:export", args=[draft.workshop.slug, draft.language, fmt])
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        if response.status_code == 302:
            page = response["Location"]
            assert client.get(page).status_code == 200
            response = client.get(page + "download/")
        body = response.content
        spent = time.perf_counter() - wall, time.process_time() - cpu
        assert response.status_code == 200 and body, response.status_code
        return spent

    for line in sys.stdin:
        fmt, mode = line.split()
        if mode in ("get", "get-prepared"):
            print(json.dumps(get_export(fmt, mode == "get-prepared")), flush=True)
            continue
        if mode == "cold":
            cache.clear()
        if mode == "prepared":
            from django.conf import settings  # noqa: PLC0415

            from workshops.services import jobs  # noqa: PLC0415

            settings.REPORT_PREPARED_EXPORTS = [fmt]  # the tasks run at once, here
            draft = ReportDraft.objects.select_related("workshop").get(pk=draft_pk)
            jobs.prepare_draft_exports(draft=draft, user=user)  # what a change starts
            cache.clear()  # the download draws nothing: it needs no chart
            wall, cpu = time.perf_counter(), time.process_time()
            download_prepared(fmt)
            print(
                json.dumps([time.perf_counter() - wall, time.process_time() - cpu]),
                flush=True,
            )
            continue
        wall, cpu = time.perf_counter(), time.process_time()
        export(fmt)
        print(json.dumps([time.perf_counter() - wall, time.process_time() - cpu]), flush=True)


class Side:
    def __init__(self, tree: Path, draft_pk: int, user_pk: int):
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--child", str(tree), str(draft_pk), str(user_pk)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(tree)},
        )
        self.wait_for("ready")

    def wait_for(self, word: str) -> str:
        while True:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("the benchmark process stopped")
            if line.startswith(word) or word == "":
                return line

    def time(self, fmt: str, mode: str) -> tuple[float, float]:
        self.process.stdin.write(f"{fmt} {mode}\n")
        self.process.stdin.flush()
        while True:
            line = self.wait_for("")
            if line.startswith("["):
                return tuple(json.loads(line))

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


# --- The run ---------------------------------------------------------------------------


def git(*args: str) -> str:
    return subprocess.run(
        ["git", *args],  # noqa: S607 - git on PATH
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def base_tree(base: str) -> Path:
    """The base commit's files with its catalogue compiled, so that both sides write the
    draft in its language (the same work)."""
    sys.path.insert(0, str(ROOT))  # run as a script: bench/ is on the path, not the project
    from bench.baseline import code_of  # noqa: PLC0415 - after sys.path

    return code_of(base, catalogue=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contributions", type=int, default=10_000)
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--language", default="fr")
    parser.add_argument("--base", default="", help="commit of the old code (merge base)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench.report import make_workshop, setup_django  # noqa: PLC0415 - after sys.path

    setup_django()  # a throw-away SQLite database in DATABASE_URL, which the sides read
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415

    from workshops.choices import StaffRole  # noqa: PLC0415
    from workshops.models import WorkshopMembership  # noqa: PLC0415
    from workshops.services.report import build_draft  # noqa: PLC0415

    base = args.base or git("merge-base", "HEAD", "main")
    workshop = make_workshop(args.contributions, args.participants)
    draft = build_draft(workshop=workshop, language=args.language)
    user = get_user_model().objects.create_user(username=f"bench-{workshop.slug}")
    WorkshopMembership.objects.create(workshop=workshop, user=user, role=StaffRole.ORGANISER)
    vendor = connection.vendor
    connection.close()
    sides = {
        "before": Side(base_tree(base), draft.pk, user.pk),
        "after": Side(ROOT, draft.pk, user.pk),
    }
    times: dict = {}
    for fmt, _label in FORMATS:
        for mode in ("cold", "warm"):
            for _ in range(args.repeat):
                for name, side in sides.items():  # in turn: the same load for both
                    times.setdefault((fmt, mode, name), []).append(side.time(fmt, mode))
    prepared = [
        (fmt, [sides["after"].time(fmt, "prepared") for _ in range(args.repeat)])
        for fmt in PREPARED
    ]
    for fmt in PREPARED:
        for mode in ("get", "get-prepared"):
            for _ in range(args.repeat):
                for name, side in sides.items():
                    times.setdefault((fmt, mode, name), []).append(side.time(fmt, mode))
    for side in sides.values():
        side.close()

    def median(fmt, mode, name, which):
        return statistics.median(t[which] for t in times[(fmt, mode, name)])

    load = os.getloadavg()[0]
    print(
        f"\nExport benchmark: {args.contributions} contributions, {args.participants} "
        f"participants, draft in {args.language}, {vendor}, median of {args.repeat}, "
        f"before = {base[:10]}, after = {git('rev-parse', '--short=10', 'HEAD')} "
        f"(+ working tree), load average {load:.1f} at the end\n"
    )
    print("Wall time, seconds (what a person waits for):\n")
    print(
        "| export | before, cold | after, cold | before, warm | after, warm | goal ≤ 2 s "
        "(cold / warm) |"
    )
    print("|---|---:|---:|---:|---:|---|")

    def verdict(value):
        return "met" if value <= 2 else "NOT met"

    for fmt, label in FORMATS:
        cells = [median(fmt, m, n, 0) for m in ("cold", "warm") for n in ("before", "after")]
        print(
            f"| {label} | {cells[0]:.3f} | {cells[1]:.3f} | {cells[2]:.3f} | {cells[3]:.3f} "
            f"| {verdict(cells[1])} / {verdict(cells[3])} |"
        )
    print("\nCPU time of the exporting process, seconds (the work, whatever the load):\n")
    print("| export | before, cold | after, cold | before, warm | after, warm |")
    print("|---|---:|---:|---:|---:|")
    for fmt, label in FORMATS:
        cells = [median(fmt, m, n, 1) for m in ("cold", "warm") for n in ("before", "after")]
        print(f"| {label} | " + " | ".join(f"{c:.3f}" for c in cells) + " |")
    print(
        "\nAfter, with the file prepared in the background when the draft changed "
        "(services.jobs.prepare_draft_exports): time from the click to the file, "
        "seconds — the job started (fingerprint: roll-up and document), the stored file "
        "copied and downloaded. The preparation itself takes the cold time above.\n"
    )
    print("| export | wall | CPU | goal ≤ 2 s |")
    print("|---|---:|---:|---|")
    for fmt, runs in prepared:
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        label = dict(FORMATS)[fmt]
        print(f"| {label}, prepared | {wall:.3f} | {cpu:.3f} | {verdict(wall)} |")
    print(
        "\nThe direct export link (GET report:export, the whole Django stack, logged in as "
        "an organiser), chart cache cleared: 'not prepared' — no file stored for the draft "
        "(before: made in the request; after: a job makes it, the browser follows the job's "
        "page to its file); 'prepared' — the draft's file prepared since its last change "
        "(before: made in the request all the same; after: the stored copy).\n"
    )
    print(
        "| GET export | before, wall | after, wall | before, CPU | after, CPU | "
        "goal ≤ 2 s (after, wall) |"
    )
    print("|---|---:|---:|---:|---:|---|")
    for fmt in PREPARED:
        for mode, what in (("get", "not prepared"), ("get-prepared", "prepared")):
            cells = [median(fmt, mode, n, w) for w in (0, 1) for n in ("before", "after")]
            print(
                f"| {dict(FORMATS)[fmt]}, {what} | "
                + " | ".join(f"{c:.3f}" for c in cells)
                + f" | {verdict(cells[1])} |"
            )
    print(
        "\nEach export is exports.export_draft: the roll-up read, the document built, the "
        "file written, the download recorded in the audit log."
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        main()
