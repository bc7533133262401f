"""A second workshop unlike the Bamako demo, and the numbers its report must show.

"Atelier Peace Exchange — Mopti 2026" (``data/second_workshop/``): 30 participants in
three zones of unequal gender make-up (3 women from the North), 2 of whom never say
anything; three sessions; a 36-respondent KoboToolbox survey; 3 interviews; 12 notes
from unnamed speakers. Its findings differ by zone and by gender in several
categories, and some of its input has no theme.

- ``load_second_workshop()`` builds it in the test database through the current
  services (the contribution write path, the survey import, interview coding,
  theme tagging, voting) and returns a ``SecondWorkshop`` handle. Every voice is a
  ``Participant``: the 30 in the room, one respondent per survey submission (made by
  the import), one interviewee per interview (its ``voice``); each is the author of
  what it said. The unnamed speakers' notes have no author.
- ``expected()`` counts straight from the data files with plain Python, never through
  the app's analysis: distinct voices (a workshop participant, a survey respondent, an
  interviewee; an unnamed speaker is nobody) per category × theme, by zone and by
  gender, per source and for all sources; group sizes; untagged contributions; votes.

Zones are keyed by their English name ("North"), genders by their stored value
("woman"); ``None`` is "not known" (a survey respondent who gave no region).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from workshops.choices import Source, StaffRole, VoiceKind, WorkshopStatus
from workshops.models import (
    BreakoutSession,
    Contribution,
    Interview,
    Organisation,
    Participant,
    Workshop,
    WorkshopMembership,
)
from workshops.reference import country as reference_country
from workshops.services.contributions import submit_contribution
from workshops.services.demo import load_reference_data, organisation_from_spec
from workshops.services.imports import SurveyImportResult, import_survey
from workshops.services.interviews import code_passage, sync_voice
from workshops.services.moderation import tag_themes
from workshops.services.participants import cast_votes
from workshops.services.zones import start_zones
from workshops.sources.kobo import Mapping, client_id_for, parse_survey

DATA = Path(__file__).parent / "data" / "second_workshop"
PLAN_FILE = DATA / "workshop.json"
SURVEY_FILE = DATA / "survey_mopti.csv"
CODING_FILE = DATA / "survey_coding.json"

WORKSHOP = "workshop"
SURVEY = "survey"
INTERVIEW = "interview"
UNATTRIBUTED = "unattributed"  # notes from unnamed speakers: contributions, never people
ALL = "all"
SOURCES = (WORKSHOP, SURVEY, INTERVIEW)
CATEGORIES = ("driver", "strength", "challenge", "opportunity", "recommendation")

# username → role in the workshop
STAFF = {
    "mopti-organiser": StaffRole.ORGANISER,
    "mopti-facilitator": StaffRole.FACILITATOR,
    "mopti-notetaker": StaffRole.NOTE_TAKER,
    "mopti-viewer": StaffRole.VIEWER,
}


def _read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


# --- Loading into the test database ---------------------------------------------------


@dataclass
class SecondWorkshop:
    workshop: Workshop
    participants: dict[str, Participant]  # people in the room, by key ("p01")
    respondents: dict[str, Participant]  # survey respondents, by submission uuid
    sessions: dict[str, BreakoutSession]  # by session key ("s1")
    contributions: dict[str, Contribution]  # workshop contributions by key ("c001")
    survey: SurveyImportResult
    survey_answers: dict[tuple[str, str], Contribution]  # by (submission uuid, column)
    interviews: dict[str, Interview]  # by interview key ("i1")
    passages: dict[str, list[Contribution]]  # coded passages by interview key
    staff: dict[str, object]  # users by role


def load_second_workshop() -> SecondWorkshop:
    """Build the workshop of ``data/second_workshop`` (needs the ``db`` fixture), once
    per test: its slug is unique. Reference data and staff accounts are matched on
    natural keys, so the conftest personas and regions may exist beside it."""
    plan = _read_json(PLAN_FILE)
    with transaction.atomic():
        return _Loader(plan).load()


class _Loader:
    def __init__(self, plan: dict):
        self.plan = plan
        self.ref = load_reference_data()

    def load(self) -> SecondWorkshop:
        self.workshop = self._workshop()
        self.staff = self._staff()
        self.participants = self._participants()
        self.sessions = self._sessions()
        self.contributions = self._contributions()
        self._votes()
        survey, answers = self._survey()
        interviews, passages = self._interviews()
        respondents = Participant.objects.filter(
            workshop=self.workshop, kind=VoiceKind.RESPONDENT
        ).select_related("region")
        return SecondWorkshop(
            workshop=self.workshop,
            participants=self.participants,
            respondents={voice.external_id: voice for voice in respondents},
            sessions=self.sessions,
            contributions=self.contributions,
            survey=survey,
            survey_answers=answers,
            interviews=interviews,
            passages=passages,
            staff=self.staff,
        )

    def _organisation(self, spec: dict) -> Organisation:
        return organisation_from_spec(spec, self.ref.regions)

    def _workshop(self) -> Workshop:
        spec = self.plan["workshop"]
        workshop = Workshop.objects.create(
            title=spec["title"],
            slug=spec["slug"],
            location=spec["location"],
            country=self.ref.countries[spec["country"]],
            languages=spec["languages"],
            status=WorkshopStatus.LIVE,
            start_date=dt.date.fromisoformat(spec["start_date"]),
            end_date=dt.date.fromisoformat(spec["end_date"]),
            organiser=self._organisation(spec["organiser"]),
            dots_per_participant=spec["dots_per_participant"],
        )
        start_zones(workshop=workshop)  # Mali's suggested North / Centre / South
        return workshop

    def _staff(self) -> dict:
        User = get_user_model()
        users = {}
        for username, role in STAFF.items():
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            WorkshopMembership.objects.create(workshop=self.workshop, user=user, role=role)
            users[role] = user
        return users

    def _at(self, value: str) -> dt.datetime:
        return timezone.make_aware(dt.datetime.fromisoformat(value))

    def _participants(self) -> dict[str, Participant]:
        organisations = {
            spec["key"]: self._organisation(spec) for spec in self.plan["organisations"]
        }
        self.workshop.organisations.set(organisations.values())
        consent_at = self._at(self.plan["sessions"][0]["starts"]) - dt.timedelta(minutes=30)
        specs = self.plan["participants"]
        people = Participant.objects.bulk_create(
            [
                Participant(
                    workshop=self.workshop,
                    display_name=spec["display_name"],
                    region=self.ref.regions[spec["region"]],
                    gender=spec["gender"],
                    organisation=organisations[spec["organisation"]],
                    organisation_kind=organisations[spec["organisation"]].kind,
                    language=spec["language"],
                    consent_at=consent_at,
                )
                for spec in specs
            ]
        )
        return {spec["key"]: person for spec, person in zip(specs, people, strict=True)}

    def _sessions(self) -> dict[str, BreakoutSession]:
        sessions = {}
        for order, spec in enumerate(self.plan["sessions"], start=1):
            session = BreakoutSession.objects.create(
                workshop=self.workshop,
                title=spec["title"],
                guiding_question=spec["guiding_question"],
                focus=spec["focus"],
                order=order,
                status=spec["status"],
                starts_at=self._at(spec["starts"]),
                ends_at=self._at(spec["ends"]),
            )
            session.participants.set(self.participants.values())
            session.staff.set([self.staff[StaffRole.FACILITATOR], self.staff[StaffRole.NOTE_TAKER]])
            sessions[spec["key"]] = session
        return sessions

    def _contributions(self) -> dict[str, Contribution]:
        made = {}
        notetaker = self.staff[StaffRole.NOTE_TAKER]
        for spec in self.plan["contributions"]:
            author = self.participants[spec["author"]] if spec["author"] else None
            region = self.ref.regions[spec["region"]] if spec.get("region") else None
            session = self.sessions[spec["session"]]
            contribution = submit_contribution(
                workshop=self.workshop,
                session=session,
                client_id=f"mopti-{spec['key']}",
                text=spec["text"],
                category=spec["category"],
                horizon=spec["horizon"],
                audience=spec["audience"],
                language=spec["language"],
                source=spec["source"],
                author=author,
                created_by=None if spec["source"] == Source.PHONE else notetaker,
                region=region,
                gender=spec.get("gender", ""),
                themes=[self.ref.themes[spec["theme"]]] if spec["theme"] else [],
            ).contribution
            contribution.created_at = session.starts_at + dt.timedelta(seconds=20 * spec["minute"])
            made[spec["key"]] = contribution
        Contribution.objects.bulk_update(made.values(), ["created_at"])
        return made

    def _votes(self) -> None:
        session = self.sessions["s3"]
        for ballot in self.plan["votes"]:
            cast_votes(
                participant=self.participants[ballot["voter"]],
                session=session,
                contributions=[self.contributions[key] for key in ballot["contributions"]],
            )

    def _survey(self) -> tuple[SurveyImportResult, dict]:
        coding = _read_json(CODING_FILE)
        survey = parse_survey(SURVEY_FILE.read_bytes(), SURVEY_FILE.name)
        result = import_survey(
            workshop=self.workshop,
            survey=survey,
            mapping=Mapping.from_json(coding["mapping"]),
            user=self.staff[StaffRole.FACILITATOR],
        )
        stored = {
            c.client_id: c
            for c in Contribution.objects.filter(workshop=self.workshop, source=Source.SURVEY)
        }
        answers, by_theme = {}, defaultdict(list)
        for uuid, columns in coding["themes"].items():
            for column, slugs in columns.items():
                answer = stored.get(client_id_for(uuid, column))
                if answer is None:  # an empty answer: nothing imported
                    continue
                answers[(uuid, column)] = answer
                for slug in slugs:
                    by_theme[slug].append(answer)
        for slug, tagged in by_theme.items():  # staff code the answers on the board
            tag_themes(workshop=self.workshop, contributions=tagged, themes=[self.ref.themes[slug]])
        return result, answers

    def _interviews(self) -> tuple[dict, dict]:
        interviews, passages = {}, {}
        notetaker = self.staff[StaffRole.NOTE_TAKER]
        for spec in self.plan["interviews"]:
            interview = Interview.objects.create(
                workshop=self.workshop,
                date=dt.date.fromisoformat(spec["date"]),
                pseudonym=spec["pseudonym"],
                region=self.ref.regions[spec["region"]],
                gender=spec["gender"],
                organisation_kind=spec["organisation_kind"],
                interviewer=spec["interviewer"],
                consent_noted=spec["consent_noted"],
                notes=spec["notes"],
                created_by=notetaker,
            )
            sync_voice(interview=interview)  # as the interview form does
            interviews[spec["key"]] = interview
            passages[spec["key"]] = [
                code_passage(
                    interview=interview,
                    user=notetaker,
                    passage=passage["text"],
                    category=passage["category"],
                    horizon=passage["horizon"],
                    audience=passage["audience"],
                    themes=[self.ref.themes[slug] for slug in passage["themes"]],
                    quotable=passage["quotable"],
                ).contribution
                for passage in spec["passages"]
            ]
        return interviews, passages


# --- Expected numbers, counted from the files ------------------------------------------


@dataclass(frozen=True)
class Voice:
    """One person heard: a workshop participant, a survey respondent or an interviewee."""

    source: str
    key: str  # participant key, submission uuid or interview key
    zone: str | None
    gender: str | None
    organisation_kind: str | None


@dataclass(frozen=True)
class Mention:
    """One contribution: who said it (None: an unnamed speaker) and how it is coded."""

    source: str
    voice: Voice | None
    category: str
    themes: tuple[str, ...]
    horizon: str = ""
    audience: str = ""
    key: str = ""  # the workshop contribution's key, "" for the other sources


@dataclass(frozen=True)
class Tally:
    """Distinct voices: in all, per zone and per gender (every group of the source, 0s too)."""

    total: int
    zone: dict[str | None, int]
    gender: dict[str | None, int]


@dataclass(frozen=True)
class Groups:
    total: int
    zone: dict[str | None, int]
    gender: dict[str | None, int]
    organisation_kind: dict[str | None, int]


@dataclass
class Expected:
    """Every number below is keyed by source: WORKSHOP, SURVEY, INTERVIEW or ALL
    (UNATTRIBUTED too for contribution counts)."""

    sources: dict[str, int]
    sources_sentence: str
    group_sizes: dict[str, Groups]  # registered voices
    contributing: dict[str, Groups]  # voices with at least one contribution
    themes: dict[tuple[str, str, str], Tally]  # (source, category, theme slug)
    horizons: dict[tuple[str, str, str], Tally]  # (source, horizon, slug), drivers
    audiences: dict[tuple[str, str, str], Tally]  # (source, audience, slug), recommendations
    categories: dict[tuple[str, str], Tally]  # (source, category): anyone, tagged or not
    contributions: dict[tuple[str, str], int]  # (source, category)
    untagged: dict[tuple[str, str], int]  # (source, category): contributions without a theme
    votes: dict[str, int]  # dots per workshop recommendation key (0s too)
    untagged_recommendations: list[str] = field(default_factory=list)  # keys, most dots first


def _place_key(value: str) -> str:
    plain = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.casefold() if ch.isalnum())


def _zones_of_regions() -> dict[str, str]:
    """Region name (English or French) → zone, from Mali's suggested grouping."""
    mali = reference_country("ML")
    names = {row["code"]: (row["name_en"], row["name_fr"]) for row in mali["regions"]}
    return {
        name: zone["name_en"]
        for zone in mali["zones"]
        for code in zone["regions"]
        for name in names[code]
    }


# The values this survey's respondents picked, read by hand.
SURVEY_GENDERS = {"femme": "woman", "f": "woman", "homme": "man", "h": "man", "nsp": "undisclosed"}
SURVEY_KINDS = {
    "Organisation de femmes": "women_led",
    "Association de jeunes": "youth_led",
    "OSC de base": "grassroots",
    "Organisation confessionnelle": "faith_based",
    "Réseau": "network",
    "Service de l'État": "government",
}


def _survey_rows() -> list[dict[str, str]]:
    text = SURVEY_FILE.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    header, body = rows[0], rows[2:]  # rows[1] is the HXL row
    assert rows[1][2].startswith("#"), "the second row of a Kobo export with HXL holds tags"
    return [dict(zip(header, row, strict=True)) for row in body if any(row)]


def read_voices_and_mentions() -> tuple[list[Voice], list[Mention]]:
    """Everyone heard and everything said, from the data files alone."""
    plan = _read_json(PLAN_FILE)
    coding = _read_json(CODING_FILE)
    zone_of = _zones_of_regions()
    voices: list[Voice] = []
    mentions: list[Mention] = []

    kinds = {o["key"]: o["kind"] for o in plan["organisations"]}
    people = {}
    for p in plan["participants"]:
        people[p["key"]] = Voice(
            WORKSHOP, p["key"], zone_of[p["region"]], p["gender"], kinds[p["organisation"]]
        )
        voices.append(people[p["key"]])
    for c in plan["contributions"]:
        voice = people[c["author"]] if c["author"] else None
        mentions.append(
            Mention(
                WORKSHOP if voice else UNATTRIBUTED,
                voice,
                c["category"],
                (c["theme"],) if c["theme"] else (),
                c["horizon"],
                c["audience"],
                c["key"],
            )
        )

    mapping = coding["mapping"]
    regions = {_place_key(name): zone for name, zone in zone_of.items()}
    for spelling, name in mapping["region_values"].items():
        regions[_place_key(spelling)] = zone_of[name]
    text_columns = [k for k, v in mapping["columns"].items() if v != "ignore"]
    for row in _survey_rows():
        uuid = row["meta/rootUuid"].removeprefix("uuid:") or row["_uuid"]
        place = row[mapping["region"]].strip()
        gender = row[mapping["gender"]].strip()
        kind = row[mapping["organisation_kind"]].strip()
        voice = Voice(
            SURVEY,
            uuid,
            regions[_place_key(place)] if place else None,
            SURVEY_GENDERS[gender.casefold()] if gender else None,
            SURVEY_KINDS[kind] if kind else None,
        )
        voices.append(voice)
        for column in text_columns:
            if row[column].strip():
                themes = tuple(coding["themes"][uuid][column])
                mentions.append(Mention(SURVEY, voice, mapping["columns"][column], themes))

    for interview in plan["interviews"]:
        voice = Voice(
            INTERVIEW,
            interview["key"],
            zone_of[interview["region"]],
            interview["gender"],
            interview["organisation_kind"],
        )
        voices.append(voice)
        for p in interview["passages"]:
            mentions.append(
                Mention(
                    INTERVIEW,
                    voice,
                    p["category"],
                    tuple(p["themes"]),
                    p["horizon"],
                    p["audience"],
                )
            )
    return voices, mentions


def _groups(voices) -> Groups:
    voices = list(voices)
    return Groups(
        total=len(voices),
        zone=dict(Counter(v.zone for v in voices)),
        gender=dict(Counter(v.gender for v in voices)),
        organisation_kind=dict(Counter(v.organisation_kind for v in voices)),
    )


def count(voices: list[Voice], mentions: list[Mention]) -> Expected:
    """The expected numbers from any list of voices and mentions (pure Python)."""
    in_source = {s: [v for v in voices if v.source == s] for s in SOURCES}
    in_source[ALL] = list(voices)
    group_sizes = {s: _groups(vs) for s, vs in in_source.items()}

    def tally(source: str, heard: set[Voice]) -> Tally:
        groups = group_sizes[source]
        return Tally(
            total=len(heard),
            zone={z: sum(v.zone == z for v in heard) for z in groups.zone},
            gender={g: sum(v.gender == g for v in heard) for g in groups.gender},
        )

    def tallies(key_of) -> dict:
        heard: dict[tuple, set[Voice]] = defaultdict(set)
        for m in mentions:
            if m.voice is None:
                continue
            for key in key_of(m):
                heard[(m.source, *key)].add(m.voice)
                heard[(ALL, *key)].add(m.voice)
        return {key: tally(key[0], vs) for key, vs in sorted(heard.items(), key=_sort_key)}

    said = {m.voice for m in mentions if m.voice is not None}
    contributing = {s: _groups(v for v in vs if v in said) for s, vs in in_source.items()}
    every = [(s, c) for s in (*SOURCES, UNATTRIBUTED, ALL) for c in CATEGORIES]
    contributions = dict.fromkeys(every, 0)
    untagged = dict.fromkeys(every, 0)
    for m in mentions:
        for source in (m.source, ALL):
            contributions[(source, m.category)] += 1
            untagged[(source, m.category)] += not m.themes

    plan = _read_json(PLAN_FILE)
    votes = {c["key"]: 0 for c in plan["contributions"] if c["category"] == "recommendation"}
    for ballot in plan["votes"]:
        for key in ballot["contributions"]:
            votes[key] += 1
    untagged_recs = sorted(
        (m.key for m in mentions if m.key in votes and not m.themes),
        key=lambda key: (-votes[key], key),
    )

    voters = {ballot["voter"] for ballot in plan["votes"]}
    sources = {
        "participants": group_sizes[WORKSHOP].total,
        "contributed": contributing[WORKSHOP].total,
        "contributed_or_voted": sum(v in said or v.key in voters for v in in_source[WORKSHOP]),
        "respondents": group_sizes[SURVEY].total,
        "interviewees": group_sizes[INTERVIEW].total,
        "unattributed_notes": sum(m.source == UNATTRIBUTED for m in mentions),
    }
    sentence = (
        "workshop participants ({participants} joined; {contributed_or_voted} contributed "
        "or voted), "
        "{respondents} survey respondents, {interviewees} interviewees, "
        "{unattributed_notes} notes from unnamed speakers"
    ).format(**sources)
    return Expected(
        sources=sources,
        sources_sentence=sentence,
        group_sizes=group_sizes,
        contributing=contributing,
        themes=tallies(lambda m: [(m.category, t) for t in m.themes]),
        horizons=tallies(lambda m: [(m.horizon, t) for t in m.themes if m.category == "driver"]),
        audiences=tallies(
            lambda m: [(m.audience, t) for t in m.themes if m.category == "recommendation"]
        ),
        categories=tallies(lambda m: [(m.category,)]),
        contributions=contributions,
        untagged=untagged,
        votes=votes,
        untagged_recommendations=untagged_recs,
    )


def _sort_key(item):
    return tuple(str(part) for part in item[0])


def expected() -> Expected:
    """The numbers the report of the second workshop must show, from the files alone."""
    return count(*read_voices_and_mentions())
