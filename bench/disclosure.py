"""Benchmark of the whole-release disclosure control (workshops.analysis.disclosure).

Synthetic voice-level data (no database): 300 voices, each with a scope
(workshop, survey, interview), a zone (3, or not stated) and a gender (3, or not
stated); contributions spread over the 10 facets and 37 themes (a few popular
themes, a long tail), and dots on the recommendations. The release is the one the
roll-up publishes, built by ``workshop_release``. Times the release build,
protect() and a fresh audit() (median of 3) for the second workshop (the fixture
workshops/tests/second_workshop.py when present, else its shape: 30 participants
in 3 zones of 10, 14 women and 16 men, 36 respondents, 3 interviewees) and at
1,000 and 10,000 contributions, against the baseline measured in the same run:
the per-table ``workshops.analysis.suppression.protect`` on the same theme ×
group tables. Goals: < 1 s for the second workshop, ≤ 2 s at 10,000.

    .venv/bin/python bench/disclosure.py [--repeat 3]
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


def second_workshop():
    """The second workshop's voices and votes: from its fixture, else its shape."""
    from workshops.analysis.disclosure import Voice

    try:
        from workshops.tests import second_workshop as fixture
    except ImportError:
        fixture = None
    if fixture is not None:
        voices, mentions = fixture.read_voices_and_mentions()
        raised: dict = {}
        votes = dict.fromkeys(
            (m.key for m in mentions if m.key and m.category == "recommendation"), 0
        )
        for ballot in fixture._read_json(fixture.PLAN_FILE)["votes"]:
            for key in ballot["contributions"]:
                votes[key] += 1
        for m in mentions:
            qualifier = {"driver": m.horizon, "recommendation": m.audience}.get(m.category)
            facet = f"{m.category}:{qualifier}" if qualifier else m.category
            if m.voice is not None:
                raised.setdefault(m.voice.key, set()).update((facet, t) for t in m.themes)
        return (
            "second workshop (fixture)",
            [Voice(v.source, v.zone, v.gender, frozenset(raised.get(v.key, ()))) for v in voices],
            sorted(votes.items(), key=lambda kv: -kv[1]),
        )
    rng = random.Random(2026)
    people = [("workshop", ZONES[k // 10], "woman" if k % 15 < 7 else "man") for k in range(30)]
    people += [("survey", rng.choice(ZONES), rng.choice(GENDERS[:2])) for _ in range(36)]
    people += [("interview", zone, rng.choice(GENDERS[:2])) for zone in ZONES]
    facets = list(FACETS)
    voices = []
    for scope, zone, gender in people:
        raised = set()
        for _ in range(rng.randint(2, 6)):
            facet = rng.choice(facets)
            n = THEMES[FACETS[facet][0]]
            raised.add((facet, f"{FACETS[facet][0]}-{min(int(rng.paretovariate(1.2)) - 1, n - 1)}"))
        voices.append(Voice(scope, zone, gender, frozenset(raised)))
    votes = sorted(((f"rec-{k}", rng.randint(0, 8)) for k in range(20)), key=lambda kv: -kv[1])
    return "second workshop (shape)", voices, votes


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


def changed(voices, count: int, seed: int = 7):
    """The same voices after ``count`` new contributions (each a theme raised again)."""
    from workshops.analysis.disclosure import Voice

    rng = random.Random(seed)
    voices = list(voices)
    topics = sorted({topic for v in voices for topic in v.raised})
    for _ in range(count):
        k = rng.randrange(len(voices))
        v = voices[k]
        voices[k] = Voice(v.scope, v.zone, v.gender, v.raised | {rng.choice(topics)})
    return voices


def previous_protect(revision: str):
    """``protect`` as it was at ``revision`` (git), for a comparison in the same run."""
    import subprocess
    import types

    path = "workshops/analysis/disclosure/control.py"
    source = subprocess.run(
        ["git", "show", f"{revision}:{path}"],  # noqa: S607 - a developer tool, git from PATH
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    module = types.ModuleType("workshops.analysis.disclosure._previous")
    module.__package__ = "workshops.analysis.disclosure"
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, f"{revision}:{path}", "exec"), module.__dict__)  # noqa: S102 - our own file
    return module.protect


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--voices", type=int, default=300)
    parser.add_argument("--changes", type=int, default=10, help="new contributions, warm rows")
    parser.add_argument("--compare", help="a git revision whose protect() is timed too")
    args = parser.parse_args()
    import django

    django.setup()
    from workshops.analysis.disclosure import (
        audit,
        control,
        primary_only,
        protect,
        workshop_release,
    )

    before = previous_protect(args.compare) if args.compare else None
    rows = []
    cases = [(*second_workshop(), None)]
    for contributions in (1_000, 10_000):
        voices, votes = make_data(contributions, args.voices)
        label = f"{contributions:,} contributions, {args.voices} voices"
        cases.append((label, voices, votes, None))
        cases.append(
            (
                f"{label} + {args.changes} new, after the release above",
                changed(voices, args.changes),
                votes,
                workshop_release(voices=voices, votes=votes).release,
            )
        )
    for label, voices, votes, previous in cases:
        build, guard, cpu, check, base, old = [], [], [], [], [], []
        for _ in range(args.repeat):
            if previous is None:
                control._GROUP_AUDITS.clear()  # cold: no group audited before
            else:
                control._GROUP_AUDITS.clear()
                protect(previous)  # the group audits the previous release left in the process
            start = time.perf_counter()
            published = workshop_release(voices=voices, votes=votes)
            built = time.perf_counter()
            clock = time.process_time()
            protected = protect(published.release)
            cpu.append(time.process_time() - clock)
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
            if before is not None and previous is None:
                clock = time.process_time()
                old_protected = before(published.release)
                old.append(time.process_time() - clock)
        release = published.release
        naive = audit(primary_only(release))
        escalated = sum(1 for c in result.cells if protected.status(c.key) == "secondary")
        published_rows = sum(
            1
            for key in release.keys
            if key[0] == "theme" and protected.status(key) != "unpublished"
        )
        rows.append(
            (
                label,
                f"{len(release):,}",
                f"{release.relation_count:,}",
                f"{published_rows:,}",
                f"{len(protected.primary):,}",
                f"{len(protected.secondary):,}",
                f"{escalated:,}",
                f"{len(naive.failures):,}",
                f"{len(result.failures):,}",
                f"{result.solves:,}",
                f"{median(base):.3f}",
                f"{median(old):.3f} ({len(old_protected.secondary)} ×)" if old else "–",
                f"{median(build):.3f}",
                f"{median(guard):.3f}",
                f"{median(cpu):.3f}",
                f"{median(check):.3f}",
                f"{median([a + b + c for a, b, c in zip(build, guard, check, strict=True)]):.3f}",
            )
        )
        print(label, "|", result.summary(), flush=True)
    header = (
        "| release | cells | relations | rows published | <5 | × | escalated "
        "| narrowable, primary only | narrowable after protect | audit solves "
        "| baseline suppression.protect (s) | previous protect, CPU (s) "
        "| release build (s) | protect (s) | protect, CPU (s) | audit (s) | total (s) |"
    )
    lines = [header, "|" + "---|" * 17, *("| " + " | ".join(row) + " |" for row in rows)]
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    compared = f" Previous protect: {args.compare}." if args.compare else ""
    text = (
        f"# Disclosure benchmark\n\n{date.today().isoformat()}, load average {load} "
        f"({os.cpu_count()} CPUs, shared), median of {args.repeat}. Synthetic releases: "
        "37 themes, 3 zones, 3 genders, 3 scopes. Rows (a theme total and its cells) "
        "under 5 and scopes under 10 voices are not published. "
        '"Narrowable, primary only": "<5" cells the exact audit narrows when only '
        'primary suppression is applied. "Escalated": "<5" cells hidden as "×". '
        f'"After the release above": {args.changes} new contributions, protected with the '
        "group audits the previous release's protection left in the process, as in a live "
        "workshop (the pattern is the one a fresh protection gives)."
        + compared
        + "\n\n"
        + "\n".join(lines)
        + "\n"
    )
    print(text)
    out = ROOT / "bench" / "results" / "disclosure.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text)


if __name__ == "__main__":
    main()
