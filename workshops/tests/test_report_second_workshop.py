"""The second workshop (Mopti 2026, not the demo) read through the app: the draft states
its sources, finds differences in several categories, counts what has no theme yet and
ranks untagged recommendations by their dots, in French and English; and the four
attacks on hidden numbers that worked before the release was audited now fail."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import override
from rest_framework.test import APIClient

from workshops.analysis.disclosure import ALL, SECONDARY, primary_mark, primary_only
from workshops.analysis.disclosure import workshop as disclosure_workshop
from workshops.analysis.rollup import build_rollup
from workshops.choices import StaffRole
from workshops.models import Theme
from workshops.report.builder import generate
from workshops.tests.second_workshop import expected, load_second_workshop

SMALL = primary_mark()

SOURCES = {
    "en": "workshop participants (30 joined; 28 contributed or voted), 36 survey respondents, "
    "3 interviewees and 12 notes from unnamed speakers",
    "fr": "participants (30 ont rejoint l’atelier ; 28 ont contribué ou voté), 36 répondants "
    "à l’enquête, 3 personnes interrogées et 12 notes de personnes non nommées",
}


@pytest.fixture
def second(db):
    cache.clear()
    return load_second_workshop()


def _sections(workshop, language):
    rollup = build_rollup(workshop, language=language)
    with override(language):
        return rollup, {s.key: s.markdown for s in generate(rollup)}


def _label(slug, language):
    return Theme.objects.get(slug=slug, workshop=None).label(language)


FINDINGS = {
    "en": [
        (
            "perceptions-zone",
            "5 of the 8 survey respondents from the North raised “{physical-threats}” as a "
            "challenge, against none of the 15 from the Centre.",
        ),
        (
            "perceptions-gender",
            "11 of the 13 women among workshop participants raised “{local-legitimacy}” as a "
            "strength, against fewer than 5 of the 15 men.",
        ),
        (
            "perceptions-gender",
            "10 of the 30 men raised “{poverty-youth-unemployment}” as a long-term driver of "
            "conflict, against fewer than 5 of the 32 women.",
        ),
    ],
    "fr": [
        (
            "perceptions-zone",
            "5 des 8 répondants à l’enquête de la zone Nord ont évoqué « {physical-threats} » "
            "comme défi, contre aucun des 15 de la zone Centre.",
        ),
        (
            "perceptions-gender",
            "11 des 13 femmes parmi les participants à l’atelier ont évoqué "
            "« {local-legitimacy} » comme force, contre moins de 5 des 15 hommes.",
        ),
        (
            "perceptions-gender",
            "10 des 30 hommes ont évoqué « {poverty-youth-unemployment} » comme facteur de "
            "conflit de long terme, contre moins de 5 des 32 femmes.",
        ),
    ],
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_draft_states_sources_findings_untagged_input_and_ranked_votes(second, language):
    rollup, sections = _sections(second.workshop, language)
    assert rollup.audit.ok
    assert SOURCES[language] in sections["method"]
    assert SOURCES[language] in sections["executive-summary"]
    # Notable differences in three categories (a challenge, a strength, a driver),
    # by zone and by gender, from the survey and from the room.
    for key, template in FINDINGS[language]:
        sentence = re.sub(r"\{([a-z-]+)\}", lambda m: _label(m.group(1), language), template)
        assert sentence in sections[key], (key, sentence)
    assert {c.facet.partition(":")[0] for c in rollup.notable} >= {
        "challenge",
        "strength",
        "driver",
    }
    # Nothing dropped in silence: what has no theme is counted where it would have been.
    numbers = expected()
    untagged = numbers.untagged[(ALL, "challenge")]
    challenge = {
        "en": f"{untagged} challenges have no theme yet.",
        "fr": f"{untagged} défis n’ont pas encore de thème.",
    }
    assert challenge[language] in sections["challenges"]
    assert challenge[language] in sections["method"]
    # The three untagged recommendations, dot-voted 2, 1 and 1, take their place in the
    # ranking among the tagged ones, marked as having no theme yet.
    ranked = [item for items in rollup.recommendations.values() for item in items]
    by_pk = {c.pk: key for key, c in second.contributions.items()}
    untagged_ranked = [
        item for item in ranked if by_pk.get(item.pk) in numbers.untagged_recommendations
    ]
    assert [item.votes for item in untagged_ranked] == [2, 1, 1]
    assert all(not item.themes and item.votes_shown == SMALL for item in untagged_ranked)
    national = sections["recommendations-national"]
    lines = [line for line in national.splitlines() if re.match(r"^\d+\. ", line)]
    no_theme = {"en": "no theme yet", "fr": "pas encore de thème"}[language]
    assert sum(no_theme in line for line in lines) >= 2
    first_untagged = next(k for k, line in enumerate(lines) if no_theme in line)
    assert "7 vote" in lines[0] or "7 votes" in lines[0]
    assert first_untagged > 0
    # No "×" reaches a sentence; every count in prose is exact or "fewer than 5".
    for key in ("executive-summary", "perceptions-zone", "perceptions-gender", "challenges"):
        assert SECONDARY not in sections[key], key


def test_the_draft_and_the_api_print_no_people_count_per_category(second):
    """Attack 2: a category total of people minus the printed theme totals gave a hidden
    theme's count (14 − 11 = 3). No such total is printed anywhere."""
    _rollup, sections = _sections(second.workshop, "en")
    annex = sections["annex"]
    header = next(line for line in annex.splitlines() if line.startswith("| Category"))
    assert "Participants" not in header and "People" not in header
    client = APIClient()
    client.force_authenticate(second.staff[StaffRole.VIEWER])
    body = client.get(f"/api/v1/workshops/{second.workshop.slug}/rollup/?language=en").json()
    assert all(
        set(item) == {"key", "label", "contributions", "untagged"} for item in body["by_category"]
    )


def _span(printed: str) -> tuple[int, float]:
    if printed == SMALL:
        return 1, 4
    if printed == SECONDARY:
        return 0, float("inf")
    return int(printed), int(printed)


def test_no_small_cell_is_pinned_by_its_row_and_total(second):
    """Attack 1: "8 + <5 + <5 = 10" made both "<5" exact. For every printed row, each "<5"
    must still reach 1 and 4 given the others' spans, the total and the unstated rest."""
    rollup = build_rollup(second.workshop, language="en")
    checked = 0
    for scope in rollup.table_scopes:
        for (facet, dimension), _table in rollup.tables.items():
            table = rollup.table(facet, dimension, scope)
            sizes = [_span(s) for s in table.sizes]
            voices = rollup.participants if scope == ALL else int(rollup.display(("voices", scope)))
            rest_high = voices - sum(low for low, _high in sizes)
            for row in table.rows:
                if not row.total.isdigit():
                    continue
                spans = [_span(c) for c in row.cells]
                for k, cell in enumerate(row.cells):
                    if cell != SMALL:
                        continue
                    others = [s for j, s in enumerate(spans) if j != k]
                    low = int(row.total) - sum(h for _l, h in others) - rest_high
                    high = int(row.total) - sum(lo for lo, _h in others)
                    assert low <= 1 and high >= 4, (scope, facet, dimension, row.theme.slug)
                    checked += 1
    assert checked > 20


def test_a_source_filter_reads_the_same_release_and_pins_nothing(second):
    """Attack 3: the roll-up with and without a source filter differed by a hidden group.
    Every scope is read from one release, and all voices minus the other sources never
    makes a source's "<5" exact."""
    everything = build_rollup(second.workshop, language="en")
    survey = build_rollup(second.workshop, language="en", scope="survey")
    assert survey.release.release.fingerprint() == everything.release.release.fingerprint()
    sources = [s for s in everything.table_scopes if s != ALL]
    assert len(sources) == 2
    checked = 0
    for facet, dimension in everything.tables:
        whole = everything.table(facet, dimension, ALL)
        parts = {s: everything.table(facet, dimension, s) for s in sources}
        for row in whole.rows:
            if not row.total.isdigit():
                continue
            for j, cell in enumerate(row.cells):
                if not cell.isdigit():
                    continue
                printed = {}
                for s, table in parts.items():
                    mine = next((r for r in table.rows if r.theme.pk == row.theme.pk), None)
                    printed[s] = mine.cells[j] if mine else None
                for s, value in printed.items():
                    if value != SMALL:
                        continue
                    checked += 1
                    (other,) = [v for t, v in printed.items() if t != s]
                    # ALL printed and the other source printed would give this "<5" exactly.
                    assert other is None or not other.isdigit(), (
                        facet,
                        dimension,
                        row.theme.slug,
                    )
    assert checked > 0


@pytest.mark.parametrize("role", [StaffRole.VIEWER, StaffRole.NOTE_TAKER, StaffRole.FACILITATOR])
def test_a_filtered_list_count_is_row_level_data(second, role):
    """Attack 4: ``?theme=…&zone=…`` on the contribution list returned ``count: 3`` to any
    staff role; the roll-up refuses filters it was not audited for."""
    client = APIClient()
    client.force_authenticate(second.staff[role])
    base = f"/api/v1/workshops/{second.workshop.slug}/"
    listed = client.get(base + "contributions/?theme=distrust&zone=1&purpose=check")
    assert listed.status_code == 403
    assert "count" not in listed.json()
    assert client.get(base + "rollup/?theme=distrust&zone=1").status_code == 400


def test_a_release_that_fails_its_audit_prints_no_number_of_people(second, client_for, monkeypatch):
    """Fail closed: if secondary suppression ever left a small cell narrowable, the page
    says so and shows no table, finding or vote; the draft compares nothing."""
    monkeypatch.setattr(
        disclosure_workshop, "protect_cached", lambda release, *a, **k: primary_only(release)
    )
    rollup = build_rollup(second.workshop, language="en")
    assert not rollup.audit.ok
    assert rollup.tables == {} and rollup.notable == [] and rollup.recommendations == {}
    assert rollup.themes_of("challenge") == []
    assert rollup.participants == 67  # voices are counts of sources, not of groups
    with override("en"):
        sections = {s.key: s.markdown for s in generate(rollup)}
    assert "disclosure check of these numbers failed" in sections["perceptions-zone"]
    url = reverse("report:rollup", kwargs={"slug": second.workshop.slug})
    page = client_for(second.staff[StaffRole.VIEWER]).get(url)
    assert page.status_code == 200
    assert "alert-danger" in page.content.decode()
    assert "can be narrowed" in page.content.decode()
