"""The roll-up finds what a workshop said, with distinct voices, one audited release and
fixed queries."""

import pytest
from django.urls import reverse
from django.utils.translation import override
from model_bakery import baker

from workshops.analysis import findings
from workshops.analysis.disclosure import GENDER, ZONE, control
from workshops.analysis.findings import Row, candidates, p_value, printed_bounds
from workshops.analysis.rollup import build_rollup, facets_of
from workshops.choices import Audience, Category, Horizon, ModerationStatus, VoiceKind
from workshops.models import Participant, Vote
from workshops.tests.participant_factories import contribution_of
from workshops.tests.report_factories import (
    INTERNATIONAL,
    NATIONAL,
    make_mali_like_workshop,
    one_contribution,
)


@pytest.fixture
def mali(workshop, regions):
    return make_mali_like_workshop(workshop, regions)


def _notable_slugs(rollup, dimension, group_label):
    return {
        rollup.themes[c.theme].slug
        for c in rollup.findings_for(dimension)
        if rollup.group_label(dimension, c.group) == group_label
    }


def _row(rollup, slug, facet=Category.DRIVER, dimension=ZONE):
    table = rollup.table(facet, dimension)
    row = next(r for r in table.rows if r.theme.slug == slug)
    return dict(zip([g.label for g in table.groups], row.cells, strict=True)), row


def test_exact_test_matches_fisher_and_is_never_weaker():
    # 9/11 vs 2/7: Fisher's one-sided p is 0.0198; Boschloo's is smaller.
    assert p_value(9, 11, 2, 7) < 0.0198
    assert p_value(9, 11, 2, 7) > 0.001
    assert p_value(2, 7, 9, 11) > 0.9


def test_a_small_count_is_tested_at_its_least_favourable_value():
    assert printed_bounds("<5") == (1, 4)
    assert printed_bounds("7") == (7, 7)
    assert printed_bounds("×") is None and printed_bounds(None) is None
    row = Row("all", "driver", 1, ZONE, [("N", "8", "10"), ("S", "<5", "10")])
    (found,) = candidates(row)
    assert (found.raised, found.other_high) == (8, 4)
    assert found.p_value == pytest.approx(p_value(8, 10, 4, 10))


def test_the_rule_needs_five_people_a_ratio_and_never_compares_with_a_hidden_group():
    assert not candidates(Row("all", "driver", 1, ZONE, [("N", "<5", "5"), ("S", "0", "20")]))
    assert not candidates(Row("all", "driver", 1, ZONE, [("N", "10", "20"), ("S", "9", "20")]))
    assert not candidates(Row("all", "driver", 1, ZONE, [("N", "9", "10"), ("S", "×", "10")]))
    assert not candidates(Row("all", "driver", 1, ZONE, [("N", "9", "10"), ("S", "0", "×")]))
    assert candidates(Row("all", "driver", 1, ZONE, [("N", "9", "10"), ("S", "0", "10")]))


def test_benjamini_hochberg_counts_every_comparison_made():
    strong = Row("all", "driver", 1, ZONE, [("N", "9", "10"), ("S", "0", "10")])
    weak = Row("all", "driver", 2, ZONE, [("N", "7", "10"), ("S", "<5", "10")])
    alone = findings.tested([strong])
    together = findings.tested([strong, *[weak] * 20])
    assert alone[0].notable and alone[0].q_value == pytest.approx(alone[0].p_value)
    assert len(together) == 21
    assert together[0].q_value > alone[0].q_value
    assert not any(c.notable for c in together if c.theme == 2)


def test_a_contribution_counts_under_its_category_and_its_horizon_or_audience():
    assert facets_of("driver", "long_term", "") == ["driver", "driver:long_term"]
    assert facets_of("recommendation", "", "national") == [
        "recommendation",
        "recommendation:national",
    ]
    assert facets_of("challenge", "", "") == ["challenge"]
    assert facets_of("observation", "", "") == []


def test_rollup_finds_zone_differences_by_itself(mali, workshop):
    rollup = build_rollup(workshop)
    assert rollup.audit.ok
    assert _notable_slugs(rollup, ZONE, "North") >= {"impunity", "economic-insecurity"}
    assert _notable_slugs(rollup, ZONE, "Centre") >= {"ethnic-tensions", "land-conflict"}
    assert _notable_slugs(rollup, ZONE, "South") >= {"corruption", "economic-insecurity"}
    assert "armed-groups" not in _notable_slugs(rollup, ZONE, "South")


def test_rollup_counts_a_loud_voice_once(mali, workshop):
    rollup = build_rollup(workshop)
    cells, _ = _row(rollup, "impunity")
    assert cells["North"] == "9"
    assert {g.label: size for g, size in rollup.group_sizes(ZONE)}["North"] == "12"


def test_rollup_shows_small_cells_as_under_five_without_a_share(mali, workshop):
    rollup = build_rollup(workshop)
    cells, row = _row(rollup, "armed-groups")
    assert cells["South"] == "<5"
    assert row.shares[2] is None
    assert row.shares[0] == pytest.approx(10 / 12)


def test_rollup_ranks_recommendations_by_votes(mali, workshop):
    rollup = build_rollup(workshop)
    national = rollup.recommendations[Audience.NATIONAL]
    assert [r.themes[0].slug for r in national] == NATIONAL
    assert [r.themes[0].slug for r in rollup.recommendations[Audience.INTERNATIONAL]] == (
        INTERNATIONAL
    )
    assert national[0].votes == 30 and national[0].votes_shown == "30"


def test_rollup_counts_horizons_and_main_dynamic_driver(mali, workshop):
    rollup = build_rollup(workshop)
    assert rollup.themes_by_horizon[Horizon.DYNAMIC][0].theme.slug == "radical-ideologies"
    long_term = [t.theme.slug for t in rollup.themes_by_horizon[Horizon.LONG_TERM][:3]]
    assert long_term == ["state-absence", "governance-justice", "poverty-youth-unemployment"]
    assert {c.key for c in rollup.by_category} >= {Category.DRIVER, Category.RECOMMENDATION}


def test_a_scope_without_tables_reads_all_voices(mali, workshop):
    everything = build_rollup(workshop)
    survey = build_rollup(workshop, scope="survey")
    assert survey.scope == "all"
    assert survey.contributions == everything.contributions
    assert everything.release.tables == ("all",)


def test_rollup_quotes_only_quotable_contributions(mali, workshop):
    rollup = build_rollup(workshop)
    texts = [q.text for quotes in rollup.quotes.values() for q in quotes]
    assert texts
    assert all(t.startswith(("Quote about", "Recommendation")) for t in texts)


def test_every_category_has_tables_by_zone_and_gender(mali, workshop):
    rollup = build_rollup(workshop)
    facets = {facet for facet, _dimension in rollup.tables}
    assert {"driver", "driver:long_term", "driver:dynamic"} <= facets
    assert {dimension for _facet, dimension in rollup.tables} == {ZONE, GENDER}


def test_the_rollups_driver_views_are_computed_once_and_read_no_database(
    mali, workshop, regions, django_assert_num_queries
):
    """``zones``, ``genders`` and ``themes_by_category`` are the same object at every
    read of one roll-up (its release never changes), equal to what the roll-up's own
    ``table`` and ``themes_of`` compute, and a roll-up built after new contributions
    has its own."""
    rollup = build_rollup(workshop)
    with django_assert_num_queries(0):
        zones, genders, themes = rollup.zones, rollup.genders, rollup.themes_by_category
        assert rollup.zones is zones
        assert rollup.genders is genders
        assert rollup.themes_by_category is themes
    assert zones == rollup.table(Category.DRIVER, ZONE)
    assert genders == rollup.table(Category.DRIVER, GENDER)
    assert themes == {c: rollup.themes_of(c) for c in themes}
    for _ in range(30):
        one_contribution(workshop, regions)
    later = build_rollup(workshop)
    assert later.zones is not zones
    assert later.zones == later.table(Category.DRIVER, ZONE)


def test_rollup_query_count_does_not_grow_with_contributions(
    workshop, regions, django_assert_num_queries
):
    """Nine queries whatever the size (with recommendations and quotes to read; a workshop
    with nothing to quote or rank skips those)."""
    make_mali_like_workshop(workshop, regions)
    with django_assert_num_queries(9):
        build_rollup(workshop)
    for _ in range(30):
        one_contribution(workshop, regions)
    with django_assert_num_queries(9):
        build_rollup(workshop)


def test_a_new_contribution_gets_the_pattern_a_fresh_protection_gives(mali, workshop, regions):
    """Group audits left by the previous release speed it up, never change it."""
    build_rollup(workshop)
    one_contribution(workshop, regions)

    second = build_rollup(workshop)

    control._GROUP_AUDITS.clear()
    fresh = control.protect(second.release.release)
    assert (second.release.protected.primary, second.release.protected.secondary) == (
        fresh.primary,
        fresh.secondary,
    )
    assert second.audit.ok


def test_the_room_is_counted_as_joined_apart_from_those_who_contributed_or_voted(
    workshop, session, participant
):
    """Phones that only joined (lost answers, a script minting participants) are not
    people heard: "5 joined; 3 contributed or voted"."""
    voter, idle = baker.make(Participant, workshop=workshop, _quantity=2)
    baker.make(Participant, workshop=workshop, _quantity=2)  # only joined
    item = contribution_of(participant, session)
    item.category = Category.RECOMMENDATION
    item.save()
    Vote.objects.create(participant=voter, contribution=item)
    withdrawn = contribution_of(idle, session, text="Gone.")
    withdrawn.status = ModerationStatus.HIDDEN  # not countable: not heard
    withdrawn.save()
    survey = baker.make(Participant, workshop=workshop, kind=VoiceKind.RESPONDENT)
    contribution_of(survey, session, text="From the survey.")
    rollup = build_rollup(workshop)
    assert (rollup.registered, rollup.took_part) == (5, 2)
    assert rollup.participation == "5 joined; 2 contributed or voted"
    french = build_rollup(workshop, language="fr")
    with override("fr"):
        assert french.participation == "5 ont rejoint l’atelier ; 2 ont contribué ou voté"


def test_the_rollup_page_says_how_many_joined_and_how_many_took_part(
    client_for, viewer, workshop, session, participant
):
    baker.make(Participant, workshop=workshop, _quantity=6)  # joined, nothing more
    contribution_of(participant, session)
    page = client_for(viewer).get(reverse("report:rollup", args=[workshop.slug]))
    assert page.status_code == 200
    assert "7 joined; 1 contributed or voted" in page.content.decode()
