"""Deleting personal data once a workshop's retention date has passed.

What identifies a person goes: participants' display names, roles, organisations
(their kind is kept), device tokens; interview notes and interviewers' names;
uploaded survey files; the history rows of withdrawn contributions. What the
analysis needs stays: contributions with their zone, region and gender snapshot,
and the link to an anonymous participant so that distinct-participant counts do
not change. Running it again changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q

from workshops.models import Contribution, ImportUpload, Interview, Participant, Workshop


@dataclass(frozen=True)
class Purge:
    workshop: Workshop
    participants: int
    interviews: int
    uploads: int
    history: int = 0


def expired_workshops(*, today: dt.date | None = None):
    today = today or dt.date.today()
    return Workshop.objects.filter(retention_until__lt=today).order_by("retention_until", "pk")


def anonymise_participant(participant: Participant) -> None:
    """Keep what the analysis needs (region, gender, kind of organisation), drop the rest.

    The name, role and organisation go, and the phone is unlinked. What the participant
    said and voted stays, under an anonymous participant.
    """
    if participant.organisation_id and not participant.organisation_kind:
        participant.organisation_kind = participant.organisation.kind
    participant.display_name = ""
    participant.role = ""
    participant.organisation = None
    participant.token_hash = None
    participant.save(
        update_fields=[
            "display_name",
            "role",
            "organisation",
            "organisation_kind",
            "token_hash",
            "updated_at",
        ]
    )


def _identifying_participants(workshop: Workshop):
    return Participant.objects.filter(workshop=workshop).filter(
        ~Q(display_name="")
        | ~Q(role="")
        | Q(organisation__isnull=False)
        | Q(token_hash__isnull=False)
    )


def purge_workshop(*, workshop: Workshop, dry_run: bool = False) -> Purge:
    with transaction.atomic():
        participants = _identifying_participants(workshop)
        interviews = Interview.objects.filter(workshop=workshop).filter(
            ~Q(notes="") | ~Q(interviewer="")
        )
        uploads = ImportUpload.objects.filter(workshop=workshop)
        # History rows of contributions that are gone (withdrawn): who changed what, when.
        # They hold no words (models/history.py) but nothing needs them after retention.
        history = Contribution.history.model.objects.filter(workshop=workshop).exclude(
            id__in=Contribution.objects.filter(workshop=workshop).values("pk")
        )
        result = Purge(
            workshop=workshop,
            participants=participants.count(),
            interviews=interviews.count(),
            uploads=uploads.count(),
            history=history.count(),
        )
        if dry_run:
            return result
        for participant in participants.select_related("organisation"):
            anonymise_participant(participant)
        interviews.update(notes="", interviewer="")
        uploads.delete()
        history.delete()
    return result


def purge_expired(*, today: dt.date | None = None, dry_run: bool = False) -> list[Purge]:
    return [
        purge_workshop(workshop=workshop, dry_run=dry_run)
        for workshop in expired_workshops(today=today)
    ]
