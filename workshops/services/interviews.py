"""Interview records and the passages coded from their notes as contributions."""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.db.models import Count

from workshops.choices import Source
from workshops.models import Contribution, Interview, Workshop
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
    return interview


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
        return submit_contribution(
            workshop=interview.workshop,
            client_id=passage_client_id(interview, passage),
            text=passage,
            category=category,
            horizon=horizon,
            audience=audience,
            source=Source.INTERVIEW,
            region=interview.region,
            gender=interview.gender,
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
