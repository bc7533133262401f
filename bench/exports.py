"""Benchmark of the report exports (issue 15): DOCX, PDF, Markdown (.md and .zip) and
XLSX of a draft built from 10,000 contributions, new code against the code before the
change, measured in the same run on the same draft.

The code before the change is ``workshops/report/render.py`` as it was at the merge
base with ``main`` (read with ``git show``) and loaded as a module beside the new one;
it had no .zip and no draft XLSX, so those rows compare with nothing. Each export runs
``--repeat`` times (old and new in turn, the chart cache cleared before each run) and
the table gives the median. Goal: each export ≤ 2 s.

    .venv/bin/python bench/exports.py [--contributions 10000] [--participants 300]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.report import make_workshop, setup_django  # noqa: E402 - after sys.path


def old_render(base: str):
    """The renderers as they were at ``base`` (a commit), loaded under another name."""
    source = subprocess.run(
        ["git", "show", f"{base}:workshops/report/render.py"],  # noqa: S607 - git on PATH
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp(prefix="pe-old-render-")) / "old_render.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("old_render", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_render"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def merge_base() -> str:
    return subprocess.run(
        ["git", "merge-base", "HEAD", "main"],  # noqa: S607 - git on PATH
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def median_time(fn, repeat: int, before=None) -> float:
    times = []
    for _ in range(repeat):
        if before:
            before()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contributions", type=int, default=10_000)
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--language", default="fr")
    parser.add_argument("--base", default="", help="commit of the old code (merge base)")
    args = parser.parse_args()
    setup_django()
    import logging
    import os

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    from django.core.cache import cache
    from django.db import connection

    from workshops.analysis.rollup import build_rollup
    from workshops.report import render
    from workshops.services.report import build_draft

    base = args.base or merge_base()
    old = old_render(base)
    workshop = make_workshop(args.contributions, args.participants)
    draft = build_draft(workshop=workshop, language=args.language)
    rollup = build_rollup(workshop, language=args.language)
    repeat = args.repeat

    def new(fn):
        # The new path as an export runs it: the document read once, then rendered.
        return lambda: fn(render.build(draft, rollup))

    rows = [
        (
            "DOCX",
            lambda: old.to_docx(draft, rollup),
            new(lambda d: render.to_docx(d, rollup)),
        ),
        ("PDF", lambda: old.to_pdf(draft, rollup), new(lambda d: render.to_pdf(d, rollup))),
        (
            "Markdown (.md)",
            lambda: old.to_markdown(draft),
            lambda: render.to_markdown(render.build(draft, None)),
        ),
        ("Markdown + charts (.zip)", None, new(lambda d: render.to_markdown_zip(d, rollup))),
        ("XLSX (the draft's tables)", None, new(render.to_xlsx)),
        ("HTML", lambda: old.to_html(draft, rollup), new(lambda d: render.to_html(d, rollup))),
    ]
    results = []
    for label, before_fn, after_fn in rows:
        cold = [
            median_time(fn, repeat, cache.clear) if fn else None for fn in (before_fn, after_fn)
        ]
        warm = []
        for fn in (before_fn, after_fn):
            if fn:
                fn()  # the charts of these numbers are now in the cache
            warm.append(median_time(fn, repeat) if fn else None)
        results.append((label, *cold, *warm))

    load = os.getloadavg()[0]
    print(
        f"\nExport benchmark: {args.contributions} contributions, {args.participants} "
        f"participants, draft in {args.language}, {connection.vendor}, median of {repeat}, "
        f"old code = render.py at {base[:10]}, load average {load:.1f}\n"
    )
    print(
        "| export | before, cold | after, cold | before, warm | after, warm | goal ≤ 2 s "
        "(cold / warm) |"
    )
    print("|---|---:|---:|---:|---:|---|")

    def cell(value):
        return "—" if value is None else f"{value:.3f}"

    def verdict(value):
        return "met" if value <= 2 else "NOT met"

    for label, was_cold, now_cold, was_warm, now_warm in results:
        print(
            f"| {label} | {cell(was_cold)} | {cell(now_cold)} | {cell(was_warm)} | "
            f"{cell(now_warm)} | {verdict(now_cold)} / {verdict(now_warm)} |"
        )
    print(
        "\ncold: the chart cache cleared before each run (charts drawn); warm: the same "
        "numbers' charts already cached (a second export, or the draft page seen first)"
    )


if __name__ == "__main__":
    main()
