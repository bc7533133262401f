"""Writes on the follow-up of recommendations: tracking, dated updates, the sharing link.

Every change is recorded in ``FollowUpChange`` (the follow-up log on the workshop's
follow-up page), never with an update's text.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workshops.models import (
    Contribution,
    FollowUpChange,
    FollowUpShare,
    FollowUpUpdate,
    RecommendationFollowUp,
    Workshop,
)

Action = FollowUpChange.Action


def _log(workshop, actor, action, *, recommendation=None, detail=""):
    FollowUpChange.objects.create(
        workshop=workshop,
        recommendation=recommendation,
        actor=actor,
        action=action,
        detail=detail[:300],
    )


def _name(recommendation: Contribution) -> str:
    return _("recommendation %(number)d") % {"number": recommendation.pk}


@transaction.atomic
def save_followup(
    *, recommendation: Contribution, addressee: str, followed_by, status: str, actor
) -> RecommendationFollowUp:
    """Set to whom ``recommendation`` is addressed, who follows it and where it stands."""
    followup, _created = RecommendationFollowUp.objects.select_for_update().get_or_create(
        recommendation=recommendation
    )
    before = (followup.addressee, followup.followed_by_id, followup.status)
    followup.addressee = addressee
    followup.followed_by = followed_by
    followup.status = status
    followup.full_clean()
    followup.save()
    if before != (addressee, followed_by.pk if followed_by else None, status):
        parts = [followup.get_status_display()]
        if addressee:
            parts.append(followup.get_addressee_display())
        if followed_by is not None:
            parts.append(followed_by.get_username())
        _log(
            recommendation.workshop,
            actor,
            Action.FOLLOW_UP_CHANGED,
            recommendation=recommendation,
            detail=f"{_name(recommendation)}: {', '.join(parts)}",
        )
    return followup


@transaction.atomic
def add_update(
    *, recommendation: Contribution, date: dt.date, text: str, evidence: list[str], actor
) -> FollowUpUpdate:
    """A dated note with evidence links on ``recommendation``'s follow-up."""
    followup, _created = RecommendationFollowUp.objects.get_or_create(recommendation=recommendation)
    update = FollowUpUpdate(
        followup=followup, date=date, text=text, evidence=evidence, created_by=actor
    )
    update.full_clean()
    update.save()
    _log(
        recommendation.workshop,
        actor,
        Action.UPDATE_ADDED,
        recommendation=recommendation,
        detail=f"{_name(recommendation)}: {date.isoformat()}",
    )
    return update


@transaction.atomic
def share(*, workshop: Workshop, actor) -> FollowUpShare:
    """A new sharing link for ``workshop``'s follow-up; the one before stops working."""
    revoked = FollowUpShare.objects.filter(workshop=workshop, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    link = FollowUpShare.objects.create(workshop=workshop)
    _log(workshop, actor, Action.LINK_REPLACED if revoked else Action.LINK_CREATED)
    return link


@transaction.atomic
def revoke_share(*, workshop: Workshop, actor) -> bool:
    """Stop the sharing link; False when there was none."""
    revoked = FollowUpShare.objects.filter(workshop=workshop, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    if revoked:
        _log(workshop, actor, Action.LINK_REVOKED)
    return bool(revoked)
