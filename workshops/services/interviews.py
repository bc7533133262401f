"""Interview records and the passages coded from their notes as contributions.

The person interviewed is one voice (a ``Participant`` of kind interviewee, the
interview's ``voice``), kept in sync with the interview's region, gender and kind
of organisation; every passage coded from the notes is that voice's contribution.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.db.models import Count

from workshops.choices import Source, VoiceKind
from workshops.models import Contribution, Interview, Participant, Workshop
from workshops.services.contributions import Submission, submit_contribution

PREFIX = "interview:"


def passage_client_id(interview: Interview, passage: str) -> str:
    digest = hashlib.sha256(" ".join(passage.split()).encode()).hexdigest()[:24]
    return f"{PREFIX}{interview.pk}:{digest}"


@transaction.atomic
def save_interview(*, workshop: Workshop, form, user) -> Interview:
    interview = form.save(commit=False)
    interview.workshop = workshop
    if interview.created_by_id is None:
        interview.created_by = user
    interview.save()
    sync_voice(interview=interview)
    return interview


VOICE_FIELDS = {"region": "region_id", "gender": "gender", "organisation_kind": "organisation_kind"}


def sync_voice(*, interview: Interview) -> Participant:
    """The interviewee's voice, created if missing, with the interview's demographics."""
    values = {name: getattr(interview, name) for name in VOICE_FIELDS}
    voice = interview.voice
    if voice is None:
        voice = Participant.objects.create(
            workshop_id=interview.workshop_id, kind=VoiceKind.INTERVIEWEE, **values
        )
        interview.voice = voice
        interview.save(update_fields=["voice", "updated_at"])
        return voice
    changed = [
        name
        for name, attname in VOICE_FIELDS.items()
        if getattr(voice, attname) != getattr(interview, attname)
    ]
    for name, value in values.items():  # the region too: no query for the snapshot
        setattr(voice, name, value)
    if changed:
        voice.save(update_fields=[*changed, "updated_at"])
    return voice


def code_passage(
    *,
    interview: Interview,
    user,
    passage: str,
    category: str,
    horizon: str = "",
    audience: str = "",
    themes=(),
    quotable: bool = False,
) -> Submission:
    """One highlighted passage becomes one interview contribution (exactly once)."""
    with transaction.atomic():
        voice = sync_voice(interview=interview)
        return submit_contribution(
            workshop=interview.workshop,
            client_id=passage_client_id(interview, passage),
            text=passage,
            category=category,
            horizon=horizon,
            audience=audience,
            source=Source.INTERVIEW,
            author=voice,
            themes=list(themes),
            quotable=quotable and interview.consent_noted,
            created_by=user,
            interview=interview,
        )


def coded_contributions(*, interview: Interview):
    return interview.contributions.prefetch_related("themes").order_by("created_at", "pk")


def coded_counts(*, workshop: Workshop) -> dict[int, int]:
    """How many passages each interview of the workshop has coded, in one query."""
    rows = (
        Contribution.objects.filter(workshop=workshop, interview__isnull=False)
        .values("interview")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["interview"]: row["n"] for row in rows}
