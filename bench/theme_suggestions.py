"""Benchmark of theme suggestions (issue 14, item 3): accuracy and speed.

Run: ``.venv/bin/python bench/theme_suggestions.py``. No database: the themes come from
``fixtures/themes.json``, the labelled contributions from
``workshops/tests/data/theme_suggestions.csv``. The evaluation never teaches the
suggester the theme of a text it is scored on:

- library only: names and descriptions of the library, nothing else;
- cross-validated: 5 folds; the workshop's tagged examples are the other four folds.

The baseline, measured in the same run, is a word TF-IDF over the names only with no
normalisation (what a first try would give).
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peaceexchange.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402

from workshops.analysis.suggest import Suggester  # noqa: E402
from workshops.queries import PAGE_SIZE  # noqa: E402

FOLDS = 5


def load():
    rows = json.loads((ROOT / "fixtures" / "themes.json").read_text(encoding="utf-8"))
    themes = {row["fields"]["slug"]: row["fields"] for row in rows}
    path = ROOT / "workshops" / "tests" / "data" / "theme_suggestions.csv"
    with path.open(encoding="utf-8", newline="") as f:
        labelled = [(row["theme"], row["language"], row["text"]) for row in csv.DictReader(f)]
    return themes, labelled


def wording(fields) -> str:
    return " ".join(p for p in (fields["name"], fields["name_fr"], fields["description"]) if p)


def without_descriptions(themes):
    return {slug: {**fields, "description": ""} for slug, fields in themes.items()}


def score(found, truth):
    top1 = sum(row[0] == t for row, t in zip(found, truth, strict=True))
    top3 = sum(t in row[:3] for row, t in zip(found, truth, strict=True))
    return top1 / len(truth), top3 / len(truth)


def baseline(themes, texts):
    slugs = list(themes)
    names = [f"{themes[s]['name']} {themes[s]['name_fr']}" for s in slugs]
    vectoriser = TfidfVectorizer().fit(names + texts)
    sims = (vectoriser.transform(texts) @ vectoriser.transform(names).T).toarray()
    order = np.argsort(-sims, axis=1, kind="stable")[:, :3]
    return [[slugs[j] for j in row] for row in order]


def suggest(themes, texts, examples=()):
    slugs = list(themes)
    ids = {s: i for i, s in enumerate(slugs)}
    suggester = Suggester(
        [(ids[s], wording(themes[s])) for s in slugs], [(ids[s], t) for s, t in examples]
    )
    return [[slugs[s.theme_id] for s in row] for row in suggester.suggest(texts)]


def cross_validated(themes, labelled):
    found = [None] * len(labelled)
    for fold in range(FOLDS):
        held = [i for i in range(len(labelled)) if i % FOLDS == fold]
        taught = [
            (labelled[i][0], labelled[i][2]) for i in range(len(labelled)) if i % FOLDS != fold
        ]
        for i, row in zip(
            held, suggest(themes, [labelled[i][2] for i in held], taught), strict=True
        ):
            found[i] = row
    return found


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def main():
    themes, labelled = load()
    texts = [t for _, _, t in labelled]
    truth = [s for s, _, _ in labelled]
    french = [i for i, row in enumerate(labelled) if row[1] == "fr"]
    english = [i for i, row in enumerate(labelled) if row[1] == "en"]
    print(
        f"{len(labelled)} labelled contributions ({len(french)} FR, {len(english)} EN), "
        f"{len(themes)} library themes"
    )
    print(f"{'method':<44}{'top-1':>8}{'top-3':>8}{'FR top-3':>10}{'EN top-3':>10}")
    print("-" * 80)
    runs = {
        "baseline: names only, word TF-IDF": baseline(themes, texts),
        "library only (names + descriptions)": suggest(themes, texts),
        f"library + tagged examples ({FOLDS}-fold CV)": cross_validated(themes, labelled),
        "names only, normalised": suggest(without_descriptions(themes), texts),
        f"names only + tagged examples ({FOLDS}-fold CV)": cross_validated(
            without_descriptions(themes), labelled
        ),
    }
    for name, found in runs.items():
        top1, top3 = score(found, truth)
        fr3 = score([found[i] for i in french], [truth[i] for i in french])[1]
        en3 = score([found[i] for i in english], [truth[i] for i in english])[1]
        print(f"{name:<44}{top1:>8.1%}{top3:>8.1%}{fr3:>10.1%}{en3:>10.1%}")

    n = 1000
    batch = [texts[i % len(texts)] + f" {i}" for i in range(n)]
    examples = [(s, t) for s, _, t in labelled]
    print()
    print(f"{'speed, ' + str(n) + ' contributions':<44}{'seconds':>10}")
    print("-" * 54)
    _, seconds = timed(lambda: baseline(themes, batch))
    print(f"{'baseline: names only':<44}{seconds:>10.3f}")
    _, seconds = timed(lambda: suggest(themes, batch))
    print(f"{'library only':<44}{seconds:>10.3f}")
    _, seconds = timed(lambda: suggest(themes, batch, examples))
    print(f"{f'library + {len(examples)} tagged examples':<44}{seconds:>10.3f}")
    many = examples * 11  # about MAX_EXAMPLES, the most a busy workshop teaches it
    _, seconds = timed(lambda: suggest(themes, batch, many))
    print(f"{f'library + {len(many)} tagged examples':<44}{seconds:>10.3f}")
    page = batch[:PAGE_SIZE]
    slugs = list(themes)
    ids = {s: i for i, s in enumerate(slugs)}
    fitted = Suggester(
        [(ids[s], wording(themes[s])) for s in slugs], [(ids[s], t) for s, t in many]
    )
    _, seconds = timed(lambda: fitted.suggest(page))
    print(f"{f'board page ({PAGE_SIZE}), {len(many)} examples, first':<44}{seconds:>10.3f}")
    _, seconds = timed(lambda: fitted.suggest(page))
    print(f"{'the same, suggester already fitted (a poll)':<44}{seconds:>10.3f}")


if __name__ == "__main__":
    main()
