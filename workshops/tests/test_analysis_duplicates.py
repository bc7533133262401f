"""Duplicate suggestions on the board: near-same wording offered as a merge, in and across
French and English, measured on a labelled set; one query whatever the board's size."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction import text as sklearn_text
from sklearn.feature_extraction.text import TfidfVectorizer

from workshops.analysis import duplicates
from workshops.analysis.duplicates import Matcher
from workshops.choices import ModerationStatus
from workshops.models import Contribution
from workshops.tests.facilitator_factories import board_url, make_contribution

PAIRS = json.loads((Path(__file__).parent / "data" / "duplicate_pairs.json").read_text())["pairs"]


def _scores():
    """Each labelled pair's similarity, with every pair in one pool (as on a board)."""
    pool = []
    for k, (a, b, category, _same) in enumerate(PAIRS):
        pool += [(2 * k, category, a), (2 * k + 1, category, b)]
    found = Matcher(pool).candidates([pk for pk, _c, _t in pool], threshold=0, top=len(pool))
    return [
        (next((c.score for c in found.get(2 * k, []) if c.contribution_id == 2 * k + 1), 0), same)
        for k, (_a, _b, _c, same) in enumerate(PAIRS)
    ]


def test_labelled_pairs_are_told_apart_at_the_threshold():
    scores = _scores()
    same = [s for s, label in scores if label]
    different = [s for s, label in scores if not label]
    found = sum(s >= duplicates.THRESHOLD for s in same)
    wrong = sum(s >= duplicates.THRESHOLD for s in different)
    assert len(same) >= 25 and len(different) >= 20
    assert found / len(same) >= 0.85  # recall
    assert found / (found + wrong) >= 0.85  # precision


def test_french_and_english_meet_where_the_wording_allows():
    pool = [
        (1, "driver", "Prolifération des armes légères"),
        (2, "driver", "proliferation of small arms"),
        (3, "driver", "Les jeunes participent aux comités de paix"),
        (4, "challenge", "Corruption des autorités locales"),
        (5, "challenge", "corruption of local authorities"),
        (6, "challenge", "Conflicts between herders and farmers over land"),
    ]
    found = Matcher(pool).candidates([1, 4])
    assert [c.contribution_id for c in found[1]] == [2]
    assert [c.contribution_id for c in found[4]] == [5]


def test_only_the_same_category_is_offered():
    pool = [(1, "driver", "Corruption des autorités"), (2, "challenge", "Corruption des autorités")]
    assert Matcher(pool).candidates([1, 2]) == {}


def test_an_empty_or_single_pool_offers_nothing():
    assert Matcher([]).candidates([1]) == {}
    assert Matcher([(1, "driver", "Corruption")]).candidates([1]) == {}


@pytest.mark.django_db
def test_board_offers_a_merge_and_the_merge_keeps_the_earliest(
    client_for, facilitator, workshop, session
):
    first = make_contribution(workshop, session, text="Les groupes armés contrôlent les routes")
    second = make_contribution(workshop, session, text="groupes armes qui controlent les routes")
    other = make_contribution(workshop, session, text="Les femmes animent les associations")
    client = client_for(facilitator)

    page = client.get(board_url(workshop)).text

    item = page.split(f'id="c{second.pk}"')[1].split("</li>")[0]
    assert "Says nearly the same as" in item and f'href="#c{first.pk}"' in item
    assert "duplicate" not in page.split(f'id="c{other.pk}"')[1].split("</li>")[0]
    response = client.post(
        f"/w/{workshop.slug}/moderate/",
        {"action": "merge", "ids": [second.pk, first.pk], "next": board_url(workshop)},
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == ModerationStatus.MERGED and second.merged_into_id == first.pk
    page = client.get(board_url(workshop)).text
    assert "Says nearly the same as" not in page  # merged ones are not offered again


@pytest.mark.django_db
def test_a_viewer_sees_no_merge_offer(client_for, viewer, workshop, session):
    make_contribution(workshop, session, text="Corruption des autorités locales")
    make_contribution(workshop, session, text="corruption des autorites locales")
    page = client_for(viewer).get(board_url(workshop)).text
    assert "Says nearly the same as" not in page


@pytest.mark.django_db
def test_the_pool_is_one_query_and_bounded(
    workshop, session, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr(duplicates, "POOL", 30)
    for k in range(60):
        make_contribution(workshop, session, text=f"armed groups on motorbikes near village {k}")
    shown = list(Contribution.objects.filter(workshop=workshop).order_by("-created_at")[:10])
    with django_assert_num_queries(1):
        found = duplicates.for_contributions(workshop, shown)
    assert found and all(len(row) <= duplicates.TOP for row in found.values())
    newest = set(
        Contribution.objects.filter(workshop=workshop)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)[:30]
    )
    assert {other.pk for row in found.values() for other, _score in row} <= newest


def _sklearn_similarities(texts):
    """What the Matcher computed before its counts were kept: scikit-learn's own fit."""
    vectors = TfidfVectorizer(
        preprocessor=duplicates.bilingual,
        analyzer="char_wb",
        ngram_range=(3, 5),
        sublinear_tf=True,
    ).fit_transform(texts)
    return (vectors @ vectors.T).toarray()


def test_kept_counts_weigh_exactly_as_scikit_learns_tfidf():
    texts = [text for a, b, _c, _s in PAIRS for text in (a, b)]
    texts += ["", "??", "a", "Les éleveurs et les agriculteurs se disputent les terres."]
    matcher = Matcher([(k, "driver", text) for k, text in enumerate(texts)])
    ours = (matcher._vectors @ matcher._vectors.T).toarray()
    assert np.allclose(ours, _sklearn_similarities(texts), atol=1e-9)


def test_a_pool_that_grows_counts_only_its_new_texts(monkeypatch):
    texts = [a for a, _b, _c, _s in PAIRS]
    Matcher([(k, "driver", text) for k, text in enumerate(texts)])
    counted = []

    real = sklearn_text.HashingVectorizer.transform

    def transform(self, documents):
        counted.extend(documents)
        return real(self, documents)

    monkeypatch.setattr(sklearn_text.HashingVectorizer, "transform", transform)
    grown = [*texts, "A brand new contribution about cattle corridors"]
    matcher = Matcher([(k, "driver", text) for k, text in enumerate(grown)])
    assert counted == ["A brand new contribution about cattle corridors"]
    ours = (matcher._vectors @ matcher._vectors.T).toarray()
    assert np.allclose(ours, _sklearn_similarities(grown), atol=1e-9)
