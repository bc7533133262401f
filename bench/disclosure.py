"""Benchmark of the whole-release disclosure control (workshops.analysis.disclosure).

Synthetic voice-level data (no database): contributions from voices, each with a
zone (3), a gender (3) and a source (3); 37 themes in 5 categories. The release:
theme × zone and theme × gender for each category, for each source and for all
sources, with theme totals (shared by both tables), group sizes, the category
count, participants per zone, and the dots of 40 recommendations. Times building
the release + protect() + a fresh audit() (median of 5), against the baseline
measured in the same run: the existing per-table workshops.analysis.suppression.
Goal: ≤ 2 s at 10,000 contributions and 300 voices.

    .venv/bin/python bench/disclosure.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peaceexchange.settings")

CATEGORIES = {"driver": 14, "strength": 4, "challenge": 5, "opportunity": 6, "recommendation": 8}
WEIGHTS = [0.45, 0.12, 0.15, 0.08, 0.20]
ZONES = ("north", "centre", "south")
GENDERS = ("woman", "man", "other")
SOURCES = ("phone", "note", "survey")
SCOPES = (*SOURCES, "all")


def make_data(contributions: int, voices: int, seed: int = 2018):
    rng = random.Random(seed)
    people = [(rng.choice(ZONES), rng.choice(GENDERS), rng.choice(SOURCES)) for _ in range(voices)]
    raised: dict[tuple, set[int]] = defaultdict(set)  # (category, theme) -> voices
    for _ in range(contributions):
        who = rng.randrange(voices)
        category = rng.choices(list(CATEGORIES), WEIGHTS)[0]
        n = CATEGORIES[category]
        theme = min(int(rng.paretovariate(1.2)) - 1, n - 1)  # a few popular themes, a long tail
        raised[category, theme].add(who)
    dots = [0] * 40
    for _ in range(voices):
        for k in rng.sample(range(40), 5):
            dots[k] += 1 if rng.random() < 0.3 else 0
    return people, raised, dots


def tables(people, raised):
    """(category, scope, dimension) -> (cells, theme totals, group sizes, everyone)."""
    out = {}
    for category, n in CATEGORIES.items():
        for scope in SCOPES:

            def member(v, scope=scope):
                return scope == "all" or people[v][2] == scope

            everyone = {v for t in range(n) for v in raised[category, t] if member(v)}
            totals = [sum(1 for v in raised[category, t] if member(v)) for t in range(n)]
            for dimension, groups, d in (("zone", ZONES, 0), ("gender", GENDERS, 1)):
                cells = [
                    [
                        sum(1 for v in raised[category, t] if member(v) and people[v][d] == g)
                        for g in groups
                    ]
                    for t in range(n)
                ]
                sizes = [sum(1 for v in everyone if people[v][d] == g) for g in groups]
                out[category, scope, dimension] = (cells, totals, sizes, len(everyone))
    return out


def build_release(people, dots, crosstabs):
    from workshops.analysis.disclosure import Release, Rule

    release = Release()
    for scope in SCOPES:
        members = [p for p in people if scope == "all" or p[2] == scope]
        zone_people = [
            release.cell((scope, "people", z), sum(1 for p in members if p[0] == z)) for z in ZONES
        ]
        total = release.cell((scope, "people", "total"), len(members))
        release.sum(total, zone_people)
        for category, n in CATEGORIES.items():
            themes = [f"{category}-{t}" for t in range(n)]
            shared = {}
            for dimension, groups in (("zone", ZONES), ("gender", GENDERS)):
                cells, totals, sizes, everyone = crosstabs[category, scope, dimension]
                keys = release.table(
                    (scope, category, dimension),
                    themes,
                    groups,
                    cells,
                    row_totals=totals,
                    col_totals=sizes,
                    grand=everyone,
                    row_rule=Rule.SUM,  # one zone (gender) per voice
                    col_rule=Rule.UNION,  # a voice may raise several themes
                    **shared,
                )
                shared = {"row_total_keys": keys.row_totals, "grand_key": keys.grand}
                if dimension == "zone":
                    for key, person in zip(keys.col_totals, zone_people, strict=True):
                        release.at_most(key, person)
                    release.at_most(keys.grand, total)
    for key in release.keys:  # every all-sources number is the sum of its per-source ones
        scope = key[0][0] if isinstance(key[0], tuple) else key[0]
        if scope == "all":
            release.sum(key, [in_scope(key, s) for s in SOURCES])
    votes = [release.cell(("votes", k), v) for k, v in enumerate(dots)]
    release.sum(release.cell(("votes", "total"), sum(dots)), votes)
    return release


def in_scope(key, scope):
    if isinstance(key[0], tuple):  # a table cell: ((scope, category, dimension), row, col)
        return ((scope, *key[0][1:]), *key[1:])
    return (scope, *key[1:])


def baseline(crosstabs):
    from workshops.analysis.suppression import protect, protect_vector

    for cells, totals, sizes, everyone in crosstabs.values():
        protect(cells, row_totals=totals, keep_totals=True)
        protect_vector(sizes, total=everyone)


def median_time(fn, repeat):
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--voices", type=int, default=300)
    parser.add_argument("--floor", type=int, default=1, help="what × reveals (see protect)")
    args = parser.parse_args()
    import django

    django.setup()
    from workshops.analysis.disclosure import audit, primary_only, protect

    rows = []
    for contributions in (1_000, 10_000):
        people, raised, dots = make_data(contributions, args.voices)
        crosstabs = tables(people, raised)

        def run(people=people, dots=dots, crosstabs=crosstabs):
            protected = protect(build_release(people, dots, crosstabs), floor=args.floor)
            return protected, audit(protected)

        seconds, (protected, result) = median_time(run, args.repeat)
        base, _ = median_time(lambda crosstabs=crosstabs: baseline(crosstabs), args.repeat)
        release = protected.release
        naive = audit(primary_only(release))
        rows.append(
            (
                contributions,
                len(release),
                release.relation_count,
                len(protected.primary),
                len(protected.secondary),
                len(naive.failures),
                len(result.failures),
                result.components,
                base,
                seconds,
            )
        )
        print(result.summary())
    header = (
        "| contributions | cells | relations | <5 | × | narrowed before | narrowed after "
        "| components | baseline: suppression.protect (s) | release + protect + audit (s) |"
    )
    lines = [header, "|" + "---|" * 10]
    for row in rows:
        *counts, base, seconds = row
        lines.append(
            "| " + " | ".join(f"{c:,}" for c in counts) + f" | {base:.3f} | {seconds:.3f} |"
        )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    text = (
        f"# Disclosure benchmark\n\n{date.today().isoformat()}, load average {load}, "
        f"{args.voices} voices, floor {args.floor}, median of {args.repeat}. "
        '"Narrowed before": "<5" cells an '
        "exact audit narrows when only primary suppression is applied.\n\n"
        + "\n".join(lines)
        + "\n"
    )
    print(text)
    out = ROOT / "bench" / "results" / "disclosure.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text)


if __name__ == "__main__":
    main()
