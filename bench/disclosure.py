"""Benchmark of the whole-release disclosure control (workshops.analysis.disclosure).

Synthetic voice-level data (no database): 300 voices, each with a scope
(workshop, survey, interview), a zone (3, or not stated) and a gender (3, or not
stated); contributions spread over the 10 facets and 37 themes (a few popular
themes, a long tail), and dots on the recommendations. The release is the one the
roll-up publishes, built by ``workshop_release``. Times the release build,
protect() and a fresh audit() (median of 5) at 1,000 and 10,000 contributions,
against the baseline measured in the same run: the per-table
``workshops.analysis.suppression.protect`` on the same theme × group tables.
Goal: ≤ 2 s in total at 10,000 contributions.

    .venv/bin/python bench/disclosure.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peaceexchange.settings")

THEMES = {"driver": 14, "strength": 4, "challenge": 5, "opportunity": 6, "recommendation": 8}
FACETS = {  # facet -> (category, weight)
    "driver:long_term": ("driver", 0.15),
    "driver:dynamic": ("driver", 0.15),
    "driver": ("driver", 0.10),
    "strength": ("strength", 0.12),
    "challenge": ("challenge", 0.15),
    "opportunity": ("opportunity", 0.08),
    "recommendation:national": ("recommendation", 0.07),
    "recommendation:international": ("recommendation", 0.05),
    "recommendation:communities": ("recommendation", 0.08),
    "recommendation": ("recommendation", 0.05),
}
ZONES = ("north", "centre", "south")
GENDERS = ("woman", "man", "other")
SCOPES = ("workshop", "survey", "interview")


def make_data(contributions: int, voices: int, seed: int = 2018):
    """Voices and the (recommendation, dots) ranking."""
    from workshops.analysis.disclosure import Voice

    rng = random.Random(seed)

    def maybe(values):
        return None if rng.random() < 0.05 else rng.choice(values)

    people = [
        (rng.choices(SCOPES, [0.5, 0.35, 0.15])[0], maybe(ZONES), maybe(GENDERS))
        for _ in range(voices)
    ]
    raised: list[set] = [set() for _ in range(voices)]
    recommendations = 0
    facets, weights = list(FACETS), [w for _c, w in FACETS.values()]
    for _ in range(contributions):
        who = rng.randrange(voices)
        facet = rng.choices(facets, weights)[0]
        n = THEMES[FACETS[facet][0]]
        theme = min(int(rng.paretovariate(1.2)) - 1, n - 1)
        raised[who].add((facet, f"{FACETS[facet][0]}-{theme}"))
        recommendations += facet.startswith("recommendation")
    dots = [0] * recommendations
    for _ in range(voices):  # three dots each, on the recommendations read out first
        for k in rng.sample(range(min(40, recommendations)), 3):
            dots[k] += 1
    votes = sorted(enumerate(dots), key=lambda kv: -kv[1])
    return [
        Voice(s, z, g, frozenset(r)) for (s, z, g), r in zip(people, raised, strict=True)
    ], votes


def theme_tables(published):
    """The baseline's input: per scope, facet and dimension, theme × group with totals."""
    release, tables = published.release, {}
    for key in release.keys:
        if key[0] == "cell" and key[5] is not None:
            _c, scope, facet, theme, dimension, group = key
            rows = tables.setdefault((scope, facet, dimension), {})
            rows.setdefault(theme, {})[group] = release.value(key)
    out = []
    for (scope, facet, dimension), rows in tables.items():
        groups = published.groups[dimension]
        themes = sorted(rows)
        cells = [[rows[t].get(g, 0) for g in groups] for t in themes]
        totals = [release.value(("theme", scope, facet, t)) for t in themes]
        out.append((cells, totals))
    return out


def baseline(tables):
    from workshops.analysis.suppression import protect

    for cells, totals in tables:
        protect(cells, row_totals=totals, keep_totals=True)


def median(times):
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--voices", type=int, default=300)
    args = parser.parse_args()
    import django

    django.setup()
    from workshops.analysis.disclosure import audit, primary_only, protect, workshop_release

    rows = []
    for contributions in (1_000, 10_000):
        voices, votes = make_data(contributions, args.voices)
        build, guard, check, base = [], [], [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            published = workshop_release(voices=voices, votes=votes)
            built = time.perf_counter()
            protected = protect(published.release)
            protected_at = time.perf_counter()
            result = audit(protected)
            done = time.perf_counter()
            build.append(built - start)
            guard.append(protected_at - built)
            check.append(done - protected_at)
            tables = theme_tables(published)
            start = time.perf_counter()
            baseline(tables)
            base.append(time.perf_counter() - start)
        release = published.release
        naive = audit(primary_only(release))
        escalated = sum(1 for c in result.cells if protected.status(c.key) == "secondary")
        rows.append(
            (
                f"{contributions:,}",
                f"{len(release):,}",
                f"{release.relation_count:,}",
                f"{len(protected.primary):,}",
                f"{len(protected.secondary):,} ({escalated} escalated)",
                f"{len(naive.failures):,}",
                f"{len(result.failures):,}",
                f"{result.solves:,}",
                f"{median(base):.3f}",
                f"{median(build):.3f}",
                f"{median(guard):.3f}",
                f"{median(check):.3f}",
                f"{median([a + b + c for a, b, c in zip(build, guard, check, strict=True)]):.3f}",
            )
        )
        print(result.summary(), flush=True)
    header = (
        "| contributions | cells | relations | <5 | × | narrowable, primary only "
        "| narrowable after protect | audit solves | baseline suppression.protect (s) "
        "| release build (s) | protect (s) | audit (s) | total (s) |"
    )
    lines = [header, "|" + "---|" * 13, *("| " + " | ".join(row) + " |" for row in rows)]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    text = (
        f"# Disclosure benchmark\n\n{date.today().isoformat()}, load average {load} "
        f"({os.cpu_count()} CPUs, shared), {args.voices} voices, 37 themes, 3 zones, "
        f'3 genders, 3 scopes, median of {args.repeat}. "Narrowable, primary only": '
        '"<5" cells the exact audit narrows when only primary suppression is applied.\n\n'
        + "\n".join(lines)
        + "\n"
    )
    print(text)
    out = ROOT / "bench" / "results" / "disclosure.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text)


if __name__ == "__main__":
    main()
