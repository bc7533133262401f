"""The second-workshop fixture: the loader builds what the files say, and the expected
numbers hold together and carry the findings the workshop was made to show."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from workshops.choices import Category, Source, VoiceKind
from workshops.models import Contribution, Interview, Participant, Vote
from workshops.tests.second_workshop import (
    ALL,
    CATEGORIES,
    INTERVIEW,
    SOURCES,
    SURVEY,
    UNATTRIBUTED,
    WORKSHOP,
    Mention,
    Voice,
    count,
    expected,
    load_second_workshop,
    read_voices_and_mentions,
)


@pytest.fixture
def loaded(db):
    return load_second_workshop()


@pytest.fixture(scope="module")
def numbers():
    return expected()


# The source of a voice, by its kind; and the sources its contributions may have.
SOURCE_OF_KIND = {
    VoiceKind.PARTICIPANT: WORKSHOP,
    VoiceKind.RESPONDENT: SURVEY,
    VoiceKind.INTERVIEWEE: INTERVIEW,
}
STORED_SOURCES = {
    WORKSHOP: {Source.PHONE, Source.NOTE},
    SURVEY: {Source.SURVEY},
    INTERVIEW: {Source.INTERVIEW},
    UNATTRIBUTED: {Source.NOTE},
}


def _mentions_in_db(loaded) -> tuple[list[Voice], list[Mention]]:
    """Voices and mentions read back from the database (not through the analysis).

    A voice is a participant row of any kind, keyed like the files key it (participant
    key, submission uuid, interview key); a contribution is its author's, or an
    unnamed speaker's when it has none."""
    workshop = loaded.workshop
    key_of_participant = {p.pk: key for key, p in loaded.participants.items()}
    key_of_interviewee = {i.voice_id: key for key, i in loaded.interviews.items()}
    voices: dict[int, Voice] = {}
    for p in Participant.objects.filter(workshop=workshop).select_related("region"):
        source = SOURCE_OF_KIND[p.kind]
        key = {
            WORKSHOP: key_of_participant.get(p.pk),
            SURVEY: p.external_id,
            INTERVIEW: key_of_interviewee.get(p.pk),
        }[source]
        voices[p.pk] = Voice(
            source,
            key,
            workshop.zone_of(p.region).name if p.region else None,
            p.gender or None,
            p.organisation_kind or None,
        )
    key_of_contribution = {c.pk: key for key, c in loaded.contributions.items()}
    mentions = []
    contributions = (
        Contribution.objects.filter(workshop=workshop).countable().prefetch_related("themes")
    )
    for c in contributions:
        voice = voices[c.author_id] if c.author_id else None
        source = voice.source if voice else UNATTRIBUTED
        assert c.source in STORED_SOURCES[source], (c.client_id, source)
        mentions.append(
            Mention(
                source,
                voice,
                c.category,
                tuple(sorted(t.slug for t in c.themes.all())),
                c.horizon,
                c.audience,
                key_of_contribution.get(c.pk, ""),
            )
        )
    return list(voices.values()), mentions


# --- The loader -----------------------------------------------------------------------


def test_loader_builds_every_source(loaded, numbers):
    workshop = loaded.workshop
    assert workshop.participants.in_the_room().count() == 30
    kinds = Counter(workshop.participants.values_list("kind", flat=True))
    assert kinds == {VoiceKind.PARTICIPANT: 30, VoiceKind.RESPONDENT: 36, VoiceKind.INTERVIEWEE: 3}
    assert loaded.survey.respondents == len(loaded.respondents) == 36
    assert all(i.voice.kind == VoiceKind.INTERVIEWEE for i in loaded.interviews.values())
    assert workshop.sessions.count() == 3
    assert workshop.organisations.count() == 12
    assert Interview.objects.filter(workshop=workshop).count() == 3
    by_source = Counter(
        Contribution.objects.filter(workshop=workshop).values_list("source", flat=True)
    )
    assert by_source[Source.SURVEY] == sum(
        numbers.contributions[(SURVEY, category)] for category in CATEGORIES
    )
    assert by_source[Source.INTERVIEW] == 14
    assert by_source[Source.PHONE] + by_source[Source.NOTE] == len(loaded.contributions) == 220
    assert loaded.survey.submissions == 36
    assert loaded.survey.created == by_source[Source.SURVEY]
    assert loaded.survey.unknown_regions == []


def test_loader_keeps_two_participants_silent_and_notes_anonymous(loaded):
    workshop = loaded.workshop
    authors = set(
        Contribution.objects.filter(
            workshop=workshop, author__kind=VoiceKind.PARTICIPANT
        ).values_list("author", flat=True)
    )
    assert len(authors) == 28
    silent = {key for key, p in loaded.participants.items() if p.pk not in authors}
    assert silent == {"p20", "p26"}
    anonymous = Contribution.objects.filter(
        workshop=workshop, source=Source.NOTE, author__isnull=True
    )
    assert anonymous.count() == 12
    assert anonymous.exclude(region=None).count() == 7  # a note-taker's pick, still nobody


def test_loader_stores_the_votes_and_the_untagged_recommendations(loaded, numbers):
    votes = Counter(
        Vote.objects.filter(contribution__workshop=loaded.workshop).values_list(
            "contribution", flat=True
        )
    )
    for key, dots in numbers.votes.items():
        assert votes[loaded.contributions[key].pk] == dots, key
    untagged = [loaded.contributions[key] for key in numbers.untagged_recommendations]
    assert [c.themes.count() for c in untagged] == [0, 0, 0]
    assert [votes[c.pk] for c in untagged] == [2, 1, 1]


def test_loader_snapshots_survey_respondents_demographics(loaded):
    answers = Contribution.objects.filter(workshop=loaded.workshop, source=Source.SURVEY)
    assert not answers.exclude(author__kind=VoiceKind.RESPONDENT).exists()
    for answer in answers.select_related("author"):
        assert (answer.region_id, answer.gender) == (answer.author.region_id, answer.author.gender)
    passages = Contribution.objects.filter(workshop=loaded.workshop, source=Source.INTERVIEW)
    for key, interview in loaded.interviews.items():
        assert {c.author_id for c in loaded.passages[key]} == {interview.voice_id}
    assert not passages.exclude(author__kind=VoiceKind.INTERVIEWEE).exists()
    assert answers.filter(zone=None).count() == 2  # one respondent gave no region
    assert answers.filter(gender="undisclosed").values("client_id").count() >= 2
    assert answers.filter(category=Category.CHALLENGE).count() == 36


def test_database_holds_exactly_what_the_files_say(loaded, numbers):
    from_db = count(*_mentions_in_db(loaded))
    assert from_db.sources == numbers.sources
    assert from_db.sources_sentence == numbers.sources_sentence
    assert from_db.group_sizes == numbers.group_sizes  # respondents who said nothing too
    assert from_db.contributing == numbers.contributing
    assert from_db.themes == numbers.themes
    assert from_db.horizons == numbers.horizons
    assert from_db.audiences == numbers.audiences
    assert from_db.categories == numbers.categories
    assert from_db.contributions == numbers.contributions
    assert from_db.untagged == numbers.untagged
    assert from_db.votes == numbers.votes
    assert from_db.untagged_recommendations == numbers.untagged_recommendations


def test_loader_is_fast(db, django_assert_max_num_queries):
    """About 1,430 queries (one write path per contribution) and about 1 s on SQLite."""
    started = time.perf_counter()
    with django_assert_max_num_queries(2000):
        load_second_workshop()
    elapsed = time.perf_counter() - started
    assert elapsed < 10, f"{elapsed:.2f} s (the goal is under 2 s on SQLite)"


def test_loader_lives_beside_the_conftest_workshop(workshop, organiser, regions):
    loaded = load_second_workshop()
    assert loaded.workshop.country_id == workshop.country_id
    assert loaded.participants["p01"].region_id == regions["Gao"].pk
    assert workshop.contributions.count() == 0


# --- The expected numbers -------------------------------------------------------------


def test_sources_sentence(numbers):
    assert numbers.sources_sentence == (
        "workshop participants (30 joined; 28 contributed or voted), 36 survey respondents, "
        "3 interviewees, 12 notes from unnamed speakers"
    )


def test_group_sizes_include_a_three_person_cell(numbers):
    workshop = numbers.group_sizes[WORKSHOP]
    assert workshop.zone == {"North": 10, "Centre": 10, "South": 10}
    assert workshop.gender == {"woman": 14, "man": 16}
    north_women = [
        v
        for v in read_voices_and_mentions()[0]
        if v.source == WORKSHOP and v.zone == "North" and v.gender == "woman"
    ]
    assert len(north_women) == 3
    assert numbers.contributing[WORKSHOP].zone == {"North": 10, "Centre": 9, "South": 9}
    assert numbers.group_sizes[SURVEY].zone == {"North": 8, "Centre": 15, "South": 12, None: 1}
    assert numbers.group_sizes[SURVEY].gender == {"woman": 19, "man": 15, "undisclosed": 2}
    assert numbers.group_sizes[INTERVIEW].total == 3
    assert numbers.group_sizes[ALL].total == 30 + 36 + 3


@pytest.mark.parametrize("table", ["themes", "horizons", "audiences", "categories"])
def test_zone_and_gender_columns_sum_to_the_total(numbers, table):
    for key, tally in getattr(numbers, table).items():
        assert sum(tally.zone.values()) == tally.total, key
        assert sum(tally.gender.values()) == tally.total, key
        groups = numbers.group_sizes[key[0]]
        for zone, n in tally.zone.items():
            assert n <= groups.zone[zone], key
        for gender, n in tally.gender.items():
            assert n <= groups.gender[gender], key


@pytest.mark.parametrize("table", ["themes", "horizons", "audiences", "categories"])
def test_all_sources_are_the_sum_of_the_sources(numbers, table):
    """A voice belongs to one source, so the all-sources table adds up."""
    rows = getattr(numbers, table)
    for key, tally in rows.items():
        if key[0] != ALL:
            continue
        parts = [rows[(s, *key[1:])] for s in SOURCES if (s, *key[1:]) in rows]
        assert tally.total == sum(p.total for p in parts), key
        for zone, n in tally.zone.items():
            assert n == sum(p.zone.get(zone, 0) for p in parts), key


def test_a_theme_never_has_more_voices_than_its_category(numbers):
    for (source, category, theme), tally in numbers.themes.items():
        assert tally.total <= numbers.categories[(source, category)].total, theme


def test_contributions_and_untagged_counts(numbers):
    for category in CATEGORIES:
        parts = sum(numbers.contributions.get((s, category), 0) for s in (*SOURCES, UNATTRIBUTED))
        assert numbers.contributions[(ALL, category)] == parts
        assert numbers.untagged[(ALL, category)] <= numbers.contributions[(ALL, category)]
    assert numbers.untagged[(WORKSHOP, "recommendation")] == 3
    assert numbers.untagged[(WORKSHOP, "challenge")] == 4
    assert numbers.untagged[(SURVEY, "challenge")] == 9
    assert numbers.untagged[(ALL, "challenge")] == 15
    assert numbers.contributions[(SURVEY, "challenge")] == 36
    assert sum(numbers.contributions[(UNATTRIBUTED, c)] for c in CATEGORIES) == 12


def test_findings_differ_by_zone_and_gender(numbers):
    themes = numbers.themes
    distrust = themes[(WORKSHOP, "challenge", "distrust")]
    assert distrust.zone == {"North": 1, "Centre": 3, "South": 8}
    assert themes[(WORKSHOP, "challenge", "logistics")].zone == {
        "North": 7,
        "Centre": 4,
        "South": 0,
    }
    legitimacy = themes[(WORKSHOP, "strength", "local-legitimacy")]
    assert legitimacy.gender == {"woman": 11, "man": 2}
    assert themes[(WORKSHOP, "driver", "radical-ideologies")].zone["Centre"] == 8
    assert themes[(WORKSHOP, "driver", "land-conflict")].zone == {
        "North": 0,
        "Centre": 2,
        "South": 7,
    }
    assert themes[(WORKSHOP, "driver", "poverty-youth-unemployment")].gender == {
        "woman": 2,
        "man": 10,
    }
    assert themes[(WORKSHOP, "opportunity", "dialogue-frameworks")].zone["North"] == 6
    assert themes[(WORKSHOP, "recommendation", "youth-employment")].zone["South"] == 5
    # The survey has findings of its own.
    assert themes[(SURVEY, "challenge", "physical-threats")].zone == {
        "North": 5,
        "Centre": 0,
        "South": 0,
        None: 0,
    }
    assert themes[(SURVEY, "challenge", "funding")].gender == {
        "woman": 12,
        "man": 3,
        "undisclosed": 0,
    }
    # All three northern women, and one man from the South: a small cell.
    assert themes[(WORKSHOP, "strength", "rapid-response")].zone == {
        "North": 3,
        "Centre": 0,
        "South": 1,
    }


def test_repeating_oneself_and_unnamed_speakers_add_no_voices(numbers):
    _voices, mentions = read_voices_and_mentions()
    said = Counter(
        (m.voice.key, m.category, m.themes)
        for m in mentions
        if m.voice is not None and m.source == WORKSHOP and m.themes
    )
    assert sum(n > 1 for n in said.values()) == 3
    unnamed = [m for m in mentions if m.source == UNATTRIBUTED]
    assert len(unnamed) == 12 and all(m.voice is None for m in unnamed)
    distrust = [m for m in unnamed if m.themes == ("distrust",)]
    assert len(distrust) == 2  # two notes from the South, not two Southerners
    assert numbers.themes[(ALL, "challenge", "distrust")].total == sum(
        numbers.themes[(s, "challenge", "distrust")].total for s in SOURCES
    )


def test_drivers_have_horizons_and_recommendations_audiences(numbers):
    assert numbers.horizons[(WORKSHOP, "long_term", "land-conflict")].total == 9
    assert numbers.horizons[(WORKSHOP, "dynamic", "migration")].zone["North"] == 6
    assert numbers.audiences[(WORKSHOP, "national", "women-youth-participation")].gender == {
        "woman": 5,
        "man": 0,
    }
    # Survey recommendations have no audience.
    assert numbers.audiences[(SURVEY, "", "youth-employment")].total > 0


def test_votes_rank_untagged_recommendations_among_the_others(numbers):
    assert [numbers.votes[k] for k in numbers.untagged_recommendations] == [2, 1, 1]
    ranked = sorted(numbers.votes.values(), reverse=True)
    assert ranked[:5] == [7, 6, 5, 4, 3]
    assert sum(numbers.votes.values()) == 37
