"""Storing what a user imports: survey answers, ACLED events and region spellings.

The files are read by the parsers in ``workshops.sources`` (no database writes
there); these functions store the result, each in one transaction, all or nothing.
Uploaded survey files wait in ``ImportUpload`` between the upload and the mapping.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
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
from workshops.models.sources import normalise_place
from workshops.services.contributions import initial_status
from workshops.sources import acled, kobo
from workshops.sources.regions import RegionMatcher

IMPORT_BATCH = 500
UPLOAD_KEEP = dt.timedelta(days=1)
EXTERNAL_ID_MAX = Participant._meta.get_field("external_id").max_length


# --- Uploaded survey files --------------------------------------------------------------


@transaction.atomic
def store_upload(*, workshop: Workshop, filename: str, data: bytes, user) -> ImportUpload:
    """Keep an uploaded survey file until it is mapped; drops the workshop's stale ones."""
    ImportUpload.objects.filter(
        workshop=workshop, created_at__lt=timezone.now() - UPLOAD_KEEP
    ).delete()
    return ImportUpload.objects.create(
        workshop=workshop, filename=filename[:200], data=data, created_by=user
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
) -> SurveyImportResult:
    """Store every mapped answer as one survey contribution, all or nothing.

    Each submission is one voice (a respondent, keyed on its uuid in ``external_id``)
    with the region, gender and kind of organisation of the mapped columns; its
    answers are that voice's contributions. A submission imported before keeps its
    stored voice and demographics, as its stored answers keep their text.
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
            ).only("client_id", "text", "category", "horizon", "audience", "session_id")
        }
        voices = {
            voice.external_id: voice
            for voice in Participant.objects.filter(workshop=workshop, kind=VoiceKind.RESPONDENT)
            .exclude(external_id="")
            .select_related("region")
        }
        new_voices: list[Participant] = []
        new_answers: list[Contribution] = []
        status = initial_status(workshop, Source.SURVEY)
        for submission in survey.submissions:
            if not submission.uuid:
                result.without_id += 1
                continue
            values = submission.values
            voice_id = submission.uuid[:EXTERNAL_ID_MAX]
            voice = voices.get(voice_id)
            if voice is None:
                respondent = kobo.respondent_of(values, mapping, matcher)
                voice = Participant(
                    workshop=workshop,
                    kind=VoiceKind.RESPONDENT,
                    external_id=voice_id,
                    region=respondent.region,
                    gender=respondent.gender,
                    organisation_kind=respondent.organisation_kind,
                    language=mapping.language,
                )
                voices[voice_id] = voice
                new_voices.append(voice)
            answers = [(key, values.get(key, ""), None) for key in main_columns]
            for number, repeat in enumerate(submission.repeats, start=1):
                answers += [(key, repeat.get(key, ""), number) for key in repeat_columns]
            for key, text, item in answers:
                if not text.strip():
                    result.empty += 1
                    continue
                client_id = kobo.client_id_for(submission.uuid, key, item)
                horizon, audience = details[key]
                answer = Contribution(
                    workshop=workshop,
                    client_id=client_id,
                    text=text.strip(),
                    category=mapping.columns[key],
                    horizon=horizon,
                    audience=audience,
                    source=Source.SURVEY,
                    language=mapping.language,
                    author=voice,
                    created_by=user,
                    status=status,
                )
                answer.snapshot_author()
                answer.refresh_search_text()  # bulk_create below does not call save()
                known = stored_answers.get(client_id)
                if known is not None:  # stored before, or earlier in this file
                    same = known.same_content_as(answer)
                    result.unchanged += same
                    result.conflicts += not same
                    continue
                stored_answers[client_id] = answer
                new_answers.append(answer)
        # One INSERT per batch instead of one per answer. Like a phone's send, a new
        # answer has no history row until it is first changed (models/history.py).
        try:
            with transaction.atomic():
                Participant.objects.bulk_create(new_voices, batch_size=IMPORT_BATCH)
                Contribution.objects.bulk_create(new_answers, batch_size=IMPORT_BATCH)
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
    *, workshop: Workshop, parsed: acled.AcledFile, dry_run: bool = False
) -> AcledResult:
    """Upsert the events on ``event_id_cnty``; a newer ``timestamp`` wins. All or nothing."""
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
    with transaction.atomic():
        stored = {
            event.event_id_cnty: event
            for event in AcledEvent.objects.filter(
                workshop=workshop, event_id_cnty__in=list(latest)
            )
        }
        new, changed = [], []
        for event_id, row in latest.items():
            region = matcher.match(row.values["admin1"])
            if region is None and row.values["admin1"]:
                spelling = unknown.setdefault(
                    normalise_place(row.values["admin1"]), row.values["admin1"]
                )
                result.unknown_rows[spelling] = result.unknown_rows.get(spelling, 0) + 1
            values = {**row.values, "region": region, "zone": workshop.zone_of(region)}
            event = stored.get(event_id)
            if event is None:
                new.append(AcledEvent(workshop=workshop, event_id_cnty=event_id, **values))
            elif values["timestamp"] > event.timestamp:
                for name, value in values.items():
                    setattr(event, name, value)
                changed.append(event)
            else:
                result.unchanged += 1
        AcledEvent.objects.bulk_create(new, batch_size=500)
        AcledEvent.objects.bulk_update(changed, acled.UPDATE_FIELDS, batch_size=500)
        result.created, result.updated = len(new), len(changed)
        if dry_run:
            transaction.set_rollback(True)
    result.unknown_admin1 = sorted(unknown.values(), key=str.casefold)
    return result


def with_counts(spellings: list[str], counts: dict[str, int]) -> str:
    """``Tinbouctou (15), Mopti-Nord (2)``: the unmatched names and how many rows have each."""
    return ", ".join(f"{name} ({counts.get(name, 0)})" for name in spellings)


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
