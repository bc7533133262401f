"""The roll-up finds what a workshop said, with distinct participants and fixed queries."""

import pytest

from workshops.analysis.rollup import build_rollup
from workshops.analysis.stats import compare, is_notable, two_proportion_p_value
from workshops.choices import Audience, Category, Horizon, Source
from workshops.tests.report_factories import (
    INTERNATIONAL,
    NATIONAL,
    make_mali_like_workshop,
    one_contribution,
)


@pytest.fixture
def mali(workshop, regions):
    return make_mali_like_workshop(workshop, regions)


def _notable_slugs(table, group_label):
    j = next(j for j, g in enumerate(table.groups) if g.label == group_label)
    return {table.themes[i].slug for i, _ in table.notable_for_group(j)}


def test_two_proportion_test_matches_a_textbook_value():
    # 9/11 vs 2/7: z ≈ 2.25, one-sided p ≈ 0.012
    assert two_proportion_p_value(9, 11, 2, 7) == pytest.approx(0.0122, abs=0.001)
    assert two_proportion_p_value(2, 7, 9, 11) > 0.9


def test_notable_rule_needs_five_people_a_ratio_and_significance():
    assert is_notable(compare(9, 11, 2, 7))
    assert not is_notable(compare(4, 5, 0, 20))  # fewer than five people
    assert not is_notable(compare(10, 20, 9, 20))  # ratio below 1.5
    assert not is_notable(compare(5, 6, 3, 6))  # not significant


def test_rollup_finds_zone_and_gender_differences_by_itself(mali, workshop):
    rollup = build_rollup(workshop)
    assert _notable_slugs(rollup.zones, "North") >= {"impunity", "economic-insecurity"}
    assert _notable_slugs(rollup.zones, "Centre") >= {"ethnic-tensions", "land-conflict"}
    assert _notable_slugs(rollup.zones, "South") >= {"corruption"}
    assert _notable_slugs(rollup.genders, "Woman") == {"sgbv", "security-force-abuse"}


def test_crosstab_counts_a_loud_voice_once(mali, workshop):
    rollup = build_rollup(workshop)
    i = next(i for i, t in enumerate(rollup.zones.themes) if t.slug == "impunity")
    j = next(j for j, g in enumerate(rollup.zones.groups) if g.label == "North")
    assert rollup.zones.cells[i][j] == 9
    assert rollup.zones.group_sizes[j] == 12


def test_crosstab_shows_small_cells_as_under_five(mali, workshop):
    rollup = build_rollup(workshop)
    i = next(i for i, t in enumerate(rollup.zones.themes) if t.slug == "armed-groups")
    j = next(j for j, g in enumerate(rollup.zones.groups) if g.label == "South")
    assert rollup.zones.cells[i][j] == 1
    assert rollup.zones.cell(i, j) == "<5"
    assert rollup.zones.share(i, j) is None


def test_rollup_ranks_recommendations_by_votes(mali, workshop):
    rollup = build_rollup(workshop)
    assert [r.theme.slug for r in rollup.recommendations[Audience.NATIONAL]] == NATIONAL
    assert [r.theme.slug for r in rollup.recommendations[Audience.INTERNATIONAL]] == INTERNATIONAL
    assert rollup.recommendations[Audience.NATIONAL][0].votes == 30


def test_rollup_counts_horizons_and_main_dynamic_driver(mali, workshop):
    rollup = build_rollup(workshop)
    assert rollup.themes_by_horizon[Horizon.DYNAMIC][0].theme.slug == "radical-ideologies"
    long_term = [t.theme.slug for t in rollup.themes_by_horizon[Horizon.LONG_TERM][:3]]
    assert long_term == ["state-absence", "governance-justice", "poverty-youth-unemployment"]
    assert {c.key for c in rollup.by_category} >= {Category.DRIVER, Category.RECOMMENDATION}


def test_rollup_filters_by_source(mali, workshop):
    everything = build_rollup(workshop)
    notes = build_rollup(workshop, sources=[Source.NOTE])
    assert 0 < notes.contributions < everything.contributions
    assert {c.key for c in notes.by_source} == {Source.NOTE}


def test_rollup_quotes_only_quotable_contributions(mali, workshop):
    rollup = build_rollup(workshop)
    texts = [q.text for quotes in rollup.quotes.values() for q in quotes]
    assert texts
    assert all(t.startswith(("Quote about", "Recommendation")) for t in texts)


def test_rollup_query_count_does_not_grow_with_contributions(
    workshop, regions, django_assert_num_queries
):
    one_contribution(workshop, regions)
    with django_assert_num_queries(19):
        build_rollup(workshop)
    make_mali_like_workshop(workshop, regions)
    with django_assert_num_queries(19):
        build_rollup(workshop)
