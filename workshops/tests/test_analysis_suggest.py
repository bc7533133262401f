"""Theme suggestions (analysis/suggest.py): normalisation, ranking, the labelled set."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest
from model_bakery import baker

from workshops.analysis.suggest import Suggester, for_contributions, normalise, theme_wording
from workshops.models import Theme
from workshops.tests.facilitator_factories import make_contribution

ROOT = Path(__file__).resolve().parents[2]
LABELLED = Path(__file__).parent / "data" / "theme_suggestions.csv"


def library_fields():
    rows = json.loads((ROOT / "fixtures" / "themes.json").read_text(encoding="utf-8"))
    return [row["fields"] for row in rows]


def labelled():
    with LABELLED.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_normalise_folds_case_accents_apostrophes_and_sms_spellings():
    assert normalise("Le GVT ds l'État, pr Bcp qd…") == (
        "le gouvernement dans l etat pour beaucoup quand"
    )
    assert normalise("Élections") == normalise("elections")


def test_suggester_ranks_the_nearest_theme_first_in_french_and_english():
    suggester = Suggester(
        [
            (1, "Land conflict Conflits fonciers herders farmers fields éleveurs champs"),
            (2, "Elections Élections votes ballot urnes campagne"),
            (3, "Funding Financement donors bailleurs grants subventions"),
        ]
    )
    found = suggester.suggest(["les eleveurs ds nos champs", "ballot boxes were stuffed"])
    assert [row[0].theme_id for row in found] == [1, 2]
    assert len(found[0]) == 3
    assert found[0][0].score > found[0][1].score >= 0


def test_tagged_examples_teach_a_theme_its_wording_lacks():
    themes = [(1, "Logistics Logistique vehicles véhicules"), (2, "Workshop theme: Kidal")]
    text = ["la transhumance vers le nord passe par la vallée"]
    assert Suggester(themes).suggest(text)[0][0].theme_id != 2
    examples = [(2, "transhumance vers le nord bloquée"), (2, "la vallée et la transhumance")]
    assert Suggester(themes, examples).suggest(text)[0][0].theme_id == 2


def test_no_text_or_no_theme_gives_no_suggestion():
    assert Suggester([(1, "x")]).suggest([]) == []
    assert Suggester([]).suggest(["a text"]) == [[]]


def test_the_labelled_set_is_varied_enough_to_measure_with():
    rows = labelled()
    slugs = {fields["slug"] for fields in library_fields()}
    assert len(rows) >= 150
    assert 0.55 <= sum(row["language"] == "fr" for row in rows) / len(rows) <= 0.65
    per_theme = Counter(row["theme"] for row in rows)
    assert set(per_theme) == slugs and min(per_theme.values()) >= 2
    names = {f["slug"]: (normalise(f["name"]), normalise(f["name_fr"])) for f in library_fields()}
    repeating = [
        row["text"] for row in rows if any(n in normalise(row["text"]) for n in names[row["theme"]])
    ]
    assert repeating == []


def test_library_wording_puts_the_right_theme_in_the_top_three_for_most_of_the_set():
    """A floor, not the benchmark (bench/theme_suggestions.py): it fails if the wording or
    the normalisation is lost (names alone give about a third)."""
    fields = library_fields()
    suggester = Suggester([(i, theme_wording(Theme(**f))) for i, f in enumerate(fields)])
    rows = labelled()
    found = suggester.suggest([row["text"] for row in rows])
    slug_of = [f["slug"] for f in fields]
    top3 = sum(
        row["theme"] in {slug_of[s.theme_id] for s in best}
        for row, best in zip(rows, found, strict=True)
    )
    assert top3 / len(rows) >= 0.8


@pytest.mark.django_db
def test_for_contributions_learns_from_this_workshop_only_in_one_query(
    workshop, other_workshop, session, django_assert_num_queries
):
    kidal = baker.make(Theme, workshop=workshop, slug="kidal", name="Kidal", name_fr="Kidal")
    other = baker.make(Theme, workshop=None, slug="other", name="Other", name_fr="Autre")
    make_contribution(workshop, session, text="la transhumance bloquée", themes=[kidal])
    make_contribution(other_workshop, None, text="la transhumance encore", themes=[other])
    untagged = make_contribution(workshop, session, text="transhumance vers le nord")
    with django_assert_num_queries(1):
        found = for_contributions(workshop, [untagged], [kidal, other])
    assert found[untagged.pk][0][0] == kidal
    assert for_contributions(workshop, [], [kidal]) == {}
