"""Benchmark of big imports: a 20 MB ACLED export and a 10,000-submission survey export.

Each case runs in its own process (a throw-away SQLite database unless DATABASE_URL
is set) so that its peak memory (``resource.getrusage`` max RSS) is its own. Files
are generated as the tools write them (``workshops/tests/export_factories.py``).
The baseline, measured in the same run, is a plain ``csv.reader`` pass over the same
bytes (the floor of any parse) and the process's memory before reading the file.
CPU is this process's CPU time for parse + import: on a shared machine it moves less
than the wall time (on PostgreSQL it leaves out the server's work).
Goals (issue 13): ≤ 15 s and ≤ 500 MB for a 20 MB export.

``--compare REV`` runs every case a second time with the code of git revision ``REV``
(``git archive`` into a temporary directory, this script's setup and files), in the
same run, as the baseline of a change.

    .venv/bin/python bench/imports.py [--compare REV]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pe_bench .venv/bin/python bench/imports.py
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = ["acled", "survey"]


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _setup():
    tmp = tempfile.mkdtemp(prefix="pe-bench-imports-")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peaceexchange.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, os.environ.get("BENCH_CODE", str(ROOT)))
    import django  # noqa: PLC0415 - set up only in the child process

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    from workshops.models import (  # noqa: PLC0415
        Country,
        Organisation,
        Region,
        Workshop,
        Zone,
        ZoneRegion,
    )

    call_command("migrate", verbosity=0)
    # get_or_create: the cases share a DATABASE_URL database when one is given.
    country, _new = Country.objects.get_or_create(code="ML", defaults={"name": "Mali"})
    workshop = Workshop.objects.create(
        title="Bench",
        slug=f"bench-{uuid.uuid4().hex[:6]}",
        country=country,
        organiser=Organisation.objects.create(name=f"WANEP Mali {uuid.uuid4().hex[:6]}"),
        start_date=dt.date(2026, 11, 28),
        end_date=dt.date(2026, 11, 29),
    )
    zones = [
        Zone.objects.create(workshop=workshop, name=name, order=i)
        for i, name in enumerate(["North", "Centre", "South"])
    ]
    regions = {"Tombouctou": 0, "Gao": 0, "Kidal": 0, "Ménaka": 0, "Mopti": 1, "Ségou": 1}
    regions |= {"Bamako": 2, "Sikasso": 2}
    for name, zone in regions.items():
        region = Region.objects.get_or_create(country=country, name=name)[0]
        ZoneRegion.objects.create(workshop=workshop, zone=zones[zone], region=region)
    return workshop


def _floor(data: bytes, delimiter: str) -> float:
    start = time.perf_counter()
    for _row in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=delimiter):
        pass
    return time.perf_counter() - start


def run_case(case: str) -> dict:
    workshop = _setup()
    from workshops.services.imports import import_acled, import_survey  # noqa: PLC0415
    from workshops.sources.acled import parse_acled  # noqa: PLC0415
    from workshops.sources.kobo import guess_mapping, parse_survey  # noqa: PLC0415
    from workshops.tests import export_factories as exports  # noqa: PLC0415

    if case == "acled":
        data = exports.acled_csv(50_000)
        rows, delimiter = 50_000, ","
    else:
        questions = exports.peace_survey(10_000)
        for question in questions[4:9]:  # the free-text answers, longer as real ones are
            question.answers = [
                f"{answer} ({i}). " + "Les habitants en parlent souvent au marché. " * 5
                for i, answer in enumerate(question.answers)
            ]
        data = exports.kobo_csv(questions)
        rows, delimiter = 10_000, ";"
    before = _peak_mb()
    floor = _floor(data, delimiter)
    start, cpu = time.perf_counter(), _cpu_s()
    if case == "acled":
        parsed = parse_acled(data)
        parse = time.perf_counter() - start
        result = import_acled(workshop=workshop, parsed=parsed)
        stored = result.created
    else:
        survey = parse_survey(data, "export.csv")
        parse = time.perf_counter() - start
        result = import_survey(workshop=workshop, survey=survey, mapping=guess_mapping(survey))
        stored = result.created
    total, cpu = time.perf_counter() - start, _cpu_s() - cpu
    return {
        "case": case,
        "megabytes": round(len(data) / 1024 / 1024, 1),
        "rows": rows,
        "stored": stored,
        "floor_s": round(floor, 2),
        "parse_s": round(parse, 2),
        "total_s": round(total, 2),
        "cpu_s": round(cpu, 2),
        "rss_before_mb": round(before),
        "rss_peak_mb": round(_peak_mb()),
    }


def _code_of(revision: str) -> str:
    """The project's code at ``revision``, extracted into a temporary directory."""
    sys.path.insert(0, str(ROOT))  # run as a script: bench/ is on the path, not the project
    from bench.baseline import code_of  # noqa: PLC0415 - after sys.path

    return str(code_of(revision))


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--case":
        print(json.dumps(run_case(sys.argv[2])))
        return
    codes = [("this", str(ROOT))]
    if len(sys.argv) == 3 and sys.argv[1] == "--compare":
        codes.append((sys.argv[2][:10], _code_of(sys.argv[2])))
    url = os.environ.get("DATABASE_URL", "")
    database = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(
        f"{'case':8} {'code':>10} {'DB':>10} {'MB':>5} {'rows':>7} {'stored':>7} "
        f"{'csv floor':>10} {'parse':>7} {'parse+import':>13} {'CPU':>7} {'RSS before':>11} "
        f"{'RSS peak':>9}"
    )
    for case in CASES:
        for name, code in codes:
            out = subprocess.run(
                [sys.executable, __file__, "--case", case],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "BENCH_CODE": code},
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"{r['case']:8} {name:>10} {database:>10} {r['megabytes']:>5} {r['rows']:>7} "
                f"{r['stored']:>7} {r['floor_s']:>9}s {r['parse_s']:>6}s {r['total_s']:>12}s "
                f"{r['cpu_s']:>6}s "
                f"{r['rss_before_mb']:>8} MB {r['rss_peak_mb']:>6} MB"
            )


if __name__ == "__main__":
    main()
