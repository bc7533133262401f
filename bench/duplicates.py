"""Benchmark of the duplicate suggestions (workshops.analysis.duplicates).

Accuracy on the labelled pairs of workshops/tests/data/duplicate_pairs.json (every
pair in one pool, as on a board) at several thresholds, with and without the
English→French glossary; then the time to fit a pool of 1,000 contributions and
find the candidates of one board page (50), against the theme suggester on the
same 50 texts in the same run.

    .venv/bin/python bench/duplicates.py
"""

from __future__ import annotations

import json
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

VOCABULARY = (
    "groupes armés routes nord jeunes chômage corruption autorités femmes exclues justice "
    "éleveurs agriculteurs terres climat pâturages radio paix dialogue milices armes "
    "armed groups roads youth unemployment women excluded farmers herders land climate"
)
WORDS = VOCABULARY.split()


def accuracy(matcher_class, pairs, thresholds):
    pool = []
    for k, (a, b, category, _same) in enumerate(pairs):
        pool += [(2 * k, category, a), (2 * k + 1, category, b)]
    found = matcher_class(pool).candidates([p[0] for p in pool], threshold=0, top=len(pool))
    scores = [
        (next((c.score for c in found.get(2 * k, []) if c.contribution_id == 2 * k + 1), 0), same)
        for k, (_a, _b, _c, same) in enumerate(pairs)
    ]
    rows = []
    same = sum(1 for _s, label in scores if label)
    for threshold in thresholds:
        hits = sum(1 for s, label in scores if label and s >= threshold)
        wrong = sum(1 for s, label in scores if not label and s >= threshold)
        precision = hits / (hits + wrong) if hits + wrong else 1.0
        rows.append((threshold, hits / same, precision, hits, wrong))
    return rows


def main() -> None:
    import django

    django.setup()
    from workshops.analysis import duplicates, suggest
    from workshops.analysis.duplicates import Matcher

    data = json.loads((ROOT / "workshops/tests/data/duplicate_pairs.json").read_text())
    pairs = data["pairs"]
    thresholds = (0.45, 0.5, 0.55, 0.6, 0.65)
    with_glossary = accuracy(Matcher, pairs, thresholds)
    glossary, duplicates.GLOSSARY = duplicates.GLOSSARY, {}
    without = accuracy(Matcher, pairs, thresholds)
    duplicates.GLOSSARY = glossary

    rng = random.Random(14)
    pool = [
        (k, rng.choice(["driver", "challenge"]), " ".join(rng.sample(WORDS, 6)))
        for k in range(1000)
    ]
    page = [pk for pk, _c, _t in pool[:50]]
    fit, query, base = [], [], []
    themes = [(k, w) for k, w in enumerate(WORDS)]
    for _ in range(5):
        start = time.perf_counter()
        matcher = Matcher(pool)
        fitted = time.perf_counter()
        matcher.candidates(page)
        done = time.perf_counter()
        fit.append(fitted - start)
        query.append(done - fitted)
        start = time.perf_counter()
        suggest.Suggester(themes).suggest([t for _k, _c, t in pool[:50]])
        base.append(time.perf_counter() - start)
    same = sum(1 for *_x, label in pairs if label)
    lines = [
        "| threshold | recall, glossary | precision, glossary | recall, no glossary "
        "| precision, no glossary |",
        "|---|---|---|---|---|",
    ]
    for (t, r, p, h, w), (_t, r0, p0, h0, w0) in zip(with_glossary, without, strict=True):
        lines.append(
            f"| {t:.2f}{' (used)' if t == duplicates.THRESHOLD else ''} | {r:.0%} ({h}/{same}) "
            f"| {p:.0%} ({w} wrong) | {r0:.0%} ({h0}/{same}) | {p0:.0%} ({w0} wrong) |"
        )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    text = (
        f"# Duplicate suggestions\n\n{date.today().isoformat()}, load average {load} "
        f"({os.cpu_count()} CPUs, shared). Labelled set: {len(pairs)} pairs ({same} that say "
        f"the same thing, {len(pairs) - same} that share words but not the point), about half "
        "French, some across French and English.\n\n"
        + "\n".join(lines)
        + "\n\n| pool | fit (s) | candidates of 50 (s) | baseline: theme suggestions of "
        "the same 50, fit included (s) |\n|---|---|---|---|\n"
        f"| 1,000 | {statistics.median(fit):.3f} | {statistics.median(query):.3f} "
        f"| {statistics.median(base):.3f} |\n\nMedian of 5. The fit is done once per state of "
        "the pool and reused by board polls while nothing changes.\n"
    )
    print(text)
    (ROOT / "bench" / "results" / "duplicates.md").write_text(text)


if __name__ == "__main__":
    main()
