"""Storing what a user imports: survey answers, ACLED events and region spellings.

The files are read by the parsers in ``workshops.sources`` (no database writes
there); these functions store the result, each in one transaction, all or nothing.
Uploaded survey files wait in ``ImportUpload`` between the upload and the mapping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from workshops import changes
from workshops.choices import Source, VoiceKind
from workshops.models import (
    AcledEvent,
    Contribution,
    ImportUpload,
    Participant,
    Region,
    RegionAlias,
    SurveyMapping,
    Workshop,
)
from workshops.models.core import generate_public_id
from workshops.models.sources import normalise_place
from workshops.services.bulk import insert_rows
from workshops.services.contributions import initial_status
from workshops.sources import acled, kobo
from workshops.sources.regions import RegionMatcher
from workshops.validators import fold

UPLOAD_KEEP = dt.timedelta(days=1)
EXTERNAL_ID_MAX = Participant._meta.get_field("external_id").max_length


# --- Uploaded survey files --------------------------------------------------------------


@transaction.atomic
def store_upload(
    *, workshop: Workshop, filename: str, data: bytes, user, xlsform: bytes | None = None
) -> ImportUpload:
    """Keep an uploaded survey file (and its form) until it is mapped; drops the
    workshop's stale ones."""
    ImportUpload.objects.filter(
        workshop=workshop, created_at__lt=timezone.now() - UPLOAD_KEEP
    ).delete()
    return ImportUpload.objects.create(
        workshop=workshop, filename=filename[:200], data=data, xlsform=xlsform, created_by=user
    )


def discard_upload(*, upload: ImportUpload) -> None:
    upload.delete()


# --- Survey answers -----------------------------------------------------------------------


@dataclass
class ImportCounts:
    """What every import reports: rows created, rows already there, and whether it was a trial."""

    created: int = 0
    unchanged: int = 0
    dry_run: bool = False


@dataclass
class SurveyImportResult(ImportCounts):
    submissions: int = 0
    respondents: int = 0  # new voices: submissions not imported before
    conflicts: int = 0
    empty: int = 0
    without_id: int = 0
    unknown_regions: list[str] = field(default_factory=list)
    unknown_rows: dict[str, int] = field(default_factory=dict)  # spelling -> submissions
    aliases_added: int = 0


def import_survey(
    *,
    workshop: Workshop,
    survey: kobo.Survey,
    mapping: kobo.Mapping,
    user=None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> SurveyImportResult:
    """Store every mapped answer as one survey contribution, all or nothing.

    Each submission is one voice (a respondent, keyed on its uuid in ``external_id``)
    with the region, gender and kind of organisation of the mapped columns; its
    answers are that voice's contributions. A submission imported before keeps its
    stored voice and demographics, as its stored answers keep their text.
    ``progress(answers stored, answers to store)`` is called as they are stored.
    """
    kobo.check_mapping(survey, mapping)
    result = SurveyImportResult(submissions=len(survey.submissions), dry_run=dry_run)
    matcher = RegionMatcher.for_workshop(workshop)
    regions_by_name = {
        normalise_place(r.name): r for r in Region.objects.filter(country_id=workshop.country_id)
    }
    spellings: dict[str, Region] = {}
    for spelling, region_name in mapping.region_values.items():
        region = regions_by_name.get(normalise_place(region_name))
        if region is not None:
            spellings[spelling] = region
            matcher.learn(spelling, region)
    result.unknown_regions = kobo.unknown_region_values(survey, mapping, matcher)
    result.unknown_rows = kobo.unknown_region_counts(survey, mapping, result.unknown_regions)
    main_columns = [key for key in mapping.text_columns if not survey.column(key).repeat]
    repeat_columns = [key for key in mapping.text_columns if survey.column(key).repeat]
    details = {key: mapping.details_of(key) for key in mapping.text_columns}

    with transaction.atomic():
        result.aliases_added = save_aliases(workshop=workshop, spellings=spellings)
        stored_answers = {
            answer.client_id: answer
            for answer in Contribution.objects.filter(
                workshop=workshop, client_id__startswith="kobo:"
            ).only("client_id", "text", "category", "horizon", "audience", "session_id", "author")
        }
        # voice id -> (pk, None before it is stored; region id; gender)
        voices = {
            external_id: (pk, region_id, gender)
            for external_id, pk, region_id, gender in Participant.objects.filter(
                workshop=workshop, kind=VoiceKind.RESPONDENT
            )
            .exclude(external_id="")
            .values_list("external_id", "pk", "region_id", "gender")
        }
        # Plain tuples, not model instances: 50,000 answers are inserted by insert_rows
        # (services/bulk.py), and the values that are the same for every row go once.
        new_voices: list[tuple] = []
        new_answers: list[list] = []  # ANSWER_FIELDS, then the voice id
        new_by_client_id: dict[str, list] = {}
        for submission in survey.submissions:
            if not submission.uuid:
                result.without_id += 1
                continue
            values = submission.values
            voice_id = submission.uuid[:EXTERNAL_ID_MAX]
            voice = voices.get(voice_id)
            if voice is None:
                respondent = kobo.respondent_of(values, mapping, matcher)
                region_id = respondent.region.pk if respondent.region is not None else None
                voice = voices[voice_id] = (None, region_id, respondent.gender)
                new_voices.append(
                    (
                        generate_public_id(),
                        voice_id,
                        region_id,
                        respondent.gender,
                        respondent.organisation_kind,
                    )
                )
            author_id, region_id, gender = voice
            zone_id = workshop.zone_id_of(region_id)  # the author's snapshot
            answers = [(key, values.get(key, ""), None) for key in main_columns]
            for number, repeat in enumerate(submission.repeats, start=1):
                answers += [(key, repeat.get(key, ""), number) for key in repeat_columns]
            for key, text, item in answers:
                text = text.strip()
                if not text:
                    result.empty += 1
                    continue
                client_id = kobo.client_id_for(submission.uuid, key, item)
                horizon, audience = details[key]
                row = [client_id, text, fold(text), mapping.columns[key], horizon, audience]
                row += [author_id, zone_id, region_id, gender, voice_id]
                known = stored_answers.get(client_id)
                if known is None and client_id in new_by_client_id:  # earlier in this file
                    known = _answer(new_by_client_id[client_id])
                if known is not None:
                    same = known.same_content_as(_answer(row))
                    result.unchanged += same
                    result.conflicts += not same
                    continue
                new_by_client_id[client_id] = row
                new_answers.append(row)
        try:
            with transaction.atomic():
                insert_rows(
                    Participant,
                    fields=VOICE_FIELDS,
                    rows=new_voices,
                    constants={
                        "workshop_id": workshop.pk,
                        "kind": VoiceKind.RESPONDENT,
                        "language": mapping.language,
                    },
                )
                if new_voices:  # their ids, for their answers
                    stored_voices = dict(
                        Participant.objects.filter(
                            workshop=workshop, kind=VoiceKind.RESPONDENT
                        ).values_list("external_id", "pk")
                    )
                    for row in new_answers:
                        if row[AUTHOR] is None:
                            row[AUTHOR] = stored_voices[row[-1]]
                # Like a phone's send, a new answer has no history row until it is
                # first changed (models/history.py).
                insert_rows(
                    Contribution,
                    fields=ANSWER_FIELDS,
                    rows=(row[:-1] for row in new_answers),
                    constants={
                        "workshop_id": workshop.pk,
                        "source": Source.SURVEY,
                        "language": mapping.language,
                        "created_by_id": user.pk if user is not None else None,
                        "status": initial_status(workshop, Source.SURVEY),
                    },
                    progress=progress and (lambda done: progress(done, len(new_answers))),
                )
        except IntegrityError:
            # The same answers were stored meanwhile (the file imported twice at
            # once): nothing of this import is kept; importing again adds the rest.
            raise kobo.SurveyFileError(
                _("This survey was being imported at the same time. Import it again.")
            ) from None
        changes.bump(workshop.pk)  # bulk_create sends no signal
        result.created = len(new_answers)
        result.respondents = len(new_voices)
        remember_mapping(workshop=workshop, survey=survey, mapping=mapping)
        if dry_run:
            transaction.set_rollback(True)
    return result


VOICE_FIELDS = ("public_id", "external_id", "region_id", "gender", "organisation_kind")
ANSWER_FIELDS = (
    "client_id",
    "text",
    "search_text",
    "category",
    "horizon",
    "audience",
    "author_id",
    "zone_id",
    "region_id",
    "gender",
)
AUTHOR = ANSWER_FIELDS.index("author_id")


def _answer(row: list) -> Contribution:
    """An answer row as a contribution, to compare it with one stored before."""
    return Contribution(**dict(zip(ANSWER_FIELDS, row, strict=False)))


def remember_mapping(*, workshop: Workshop, survey: kobo.Survey, mapping: kobo.Mapping) -> None:
    """Keep the mapping for this form: the next export of it is mapped the same way."""
    key, versions = kobo.form_key(survey), kobo.form_versions(survey)
    stored = SurveyMapping.objects.filter(workshop=workshop, form_key=key)
    if not stored.update(versions=versions, mapping=mapping.to_json(), updated_at=timezone.now()):
        SurveyMapping.objects.create(
            workshop=workshop, form_key=key, versions=versions, mapping=mapping.to_json()
        )


# --- Region spellings ---------------------------------------------------------------------


def save_aliases(*, workshop: Workshop, spellings: dict[str, Region]) -> int:
    """Store new spellings of regions for this workshop; returns how many were added."""
    added = 0
    for spelling, region in spellings.items():
        key = normalise_place(spelling)
        if not key or region is None:
            continue
        _alias, created = RegionAlias.objects.update_or_create(
            workshop=workshop, key=key, defaults={"alias": spelling[:100], "region": region}
        )
        added += created
    return added


@transaction.atomic
def add_alias(*, workshop: Workshop, spelling: str, region: Region) -> int:
    """Store one spelling and match the ACLED events again; returns how many moved."""
    save_aliases(workshop=workshop, spellings={spelling: region})
    return remap_regions(workshop=workshop)


@transaction.atomic
def delete_alias(*, alias: RegionAlias) -> int:
    """Forget one spelling and match the ACLED events again; returns how many moved."""
    workshop = alias.workshop
    alias.delete()
    return remap_regions(workshop=workshop)


# --- ACLED events -------------------------------------------------------------------------


@dataclass
class AcledResult(ImportCounts):
    events: int = 0
    updated: int = 0
    other_country: int = 0
    unknown_admin1: list[str] = field(default_factory=list)
    unknown_rows: dict[str, int] = field(default_factory=dict)  # spelling -> events


def import_acled(
    *,
    workshop: Workshop,
    parsed: acled.AcledFile,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> AcledResult:
    """Upsert the events on ``event_id_cnty``; a newer ``timestamp`` wins. All or nothing.
    ``progress(events stored, events to store)`` is called as they are stored."""
    result = AcledResult(events=len(parsed.rows), dry_run=dry_run)
    matcher = RegionMatcher.for_workshop(workshop)
    country = normalise_place(workshop.country.name)
    unknown: dict[str, str] = {}
    latest: dict[str, acled.AcledRow] = {}
    for row in parsed.rows:
        if row.values["country"] and normalise_place(row.values["country"]) != country:
            result.other_country += 1
            continue
        kept = latest.get(row.event_id_cnty)
        if kept is None or row.values["timestamp"] > kept.values["timestamp"]:
            latest[row.event_id_cnty] = row
    date_value = connection.ops.adapt_datefield_value  # as bulk_create prepares a date
    with transaction.atomic():
        ids = list(latest)
        stored = {
            event.event_id_cnty: event
            # In chunks: SQLite builds allow as few as 32,766 values in one query.
            for start in range(0, len(ids), ID_CHUNK)
            for event in AcledEvent.objects.filter(
                workshop=workshop, event_id_cnty__in=ids[start : start + ID_CHUNK]
            )
        }
        # New events as plain tuples of EVENT_FIELDS for insert_rows (services/bulk.py):
        # no model instance per event, the workshop prepared once.
        new: list[tuple] = []
        changed = []
        for event_id, row in latest.items():
            region = matcher.match(row.values["admin1"])
            if region is None and row.values["admin1"]:
                spelling = unknown.setdefault(
                    normalise_place(row.values["admin1"]), row.values["admin1"]
                )
                result.unknown_rows[spelling] = result.unknown_rows.get(spelling, 0) + 1
            event = stored.get(event_id)
            if event is None:
                values = row.values
                region_id = region.pk if region is not None else None
                new.append(
                    (
                        event_id,
                        date_value(values["event_date"]),
                        *(values[name] for name in acled.VALUES),
                        region_id,
                        workshop.zone_id_of(region_id),
                    )
                )
            elif row.values["timestamp"] > event.timestamp:
                values = {**row.values, "region": region, "zone": workshop.zone_of(region)}
                for name, value in values.items():
                    setattr(event, name, value)
                changed.append(event)
            else:
                result.unchanged += 1
        total = len(new) + len(changed)
        try:
            with transaction.atomic():
                insert_rows(
                    AcledEvent,
                    fields=EVENT_FIELDS,
                    rows=new,
                    constants={"workshop_id": workshop.pk},
                    progress=progress and (lambda done: progress(done, total)),
                )
        except IntegrityError:
            ids = [row[0] for row in new]
            stored_meanwhile = any(
                AcledEvent.objects.filter(
                    workshop=workshop, event_id_cnty__in=ids[start : start + ID_CHUNK]
                ).exists()
                for start in range(0, len(ids), ID_CHUNK)
            )
            if not stored_meanwhile:
                raise  # another constraint: a bug, not the user's file
            # The same events were stored meanwhile (the file imported twice at once):
            # nothing of this import is kept; importing again updates them.
            raise acled.AcledFileError(
                _("These events were being imported at the same time. Import the file again.")
            ) from None
        AcledEvent.objects.bulk_update(changed, acled.UPDATE_FIELDS, batch_size=500)
        if progress is not None and changed:
            progress(total, total)
        result.created, result.updated = len(new), len(changed)
        if dry_run:
            transaction.set_rollback(True)
    result.unknown_admin1 = sorted(unknown.values(), key=str.casefold)
    return result


ID_CHUNK = 10_000
EVENT_FIELDS = ("event_id_cnty", "event_date", *acled.VALUES, "region_id", "zone_id")


def with_counts(spellings: list[str], counts: dict[str, int]) -> str:
    """``Tinbouctou (15), Mopti-Nord (2)``: the unmatched names and how many rows have each."""
    return ", ".join(f"{name} ({grouped(counts.get(name, 0))})" for name in spellings)


def grouped(count: int) -> str:
    """A row count as the active language writes it: ``12,345`` in English, ``12 345``
    in French (a no-break space). Grouped whatever ``USE_THOUSAND_SEPARATOR`` (off: it
    would also change the numbers in forms and exports)."""
    return formats.number_format(count, force_grouping=True)


def remap_regions(*, workshop: Workshop) -> int:
    """Match events again after the region spellings changed; returns how many moved."""
    matcher = RegionMatcher.for_workshop(workshop)
    changed = []
    for event in AcledEvent.objects.filter(workshop=workshop).only("pk", "admin1", "region_id"):
        region = matcher.match(event.admin1)
        if (region.pk if region else None) != event.region_id:
            event.region, event.zone = region, workshop.zone_of(region)
            changed.append(event)
    AcledEvent.objects.bulk_update(changed, ["region", "zone"], batch_size=500)
    return len(changed)
