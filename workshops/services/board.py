"""What live boards, results and the projector read, in a fixed number of queries.

A board polls every two seconds. ``board_version`` answers "did anything change?"
with one query derived from the database (counts and latest update times), so
any app server process gives the same answer and none keeps state.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

from django.db.models import Count, IntegerField, Max, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from workshops.choices import Audience, Category, ModerationStatus
from workshops.models import BreakoutSession, Contribution, Theme, Vote, Workshop

PAGE_SIZE = 50
# How often open boards and the projector ask "anything new?". A new contribution
# shows after half an interval on average and a whole one at worst (plus the
# request): 1 s keeps the p95 well under the 2 s goal (see bench/results/facilitator.md),
# and an unchanged poll costs one small query answered with 204.
POLL_EVERY = "1s"


def _scalar(queryset, field: str, aggregate):
    return Subquery(
        queryset.order_by().values(field).annotate(v=aggregate).values("v")[:1],
    )


def board_version(workshop: Workshop, session: BreakoutSession | None = None) -> str:
    """A short token that changes whenever anything a board or projector shows changes."""
    contributions = Contribution.objects.filter(workshop=OuterRef("pk"))
    votes = Vote.objects.filter(contribution__workshop=OuterRef("pk"))
    sessions = BreakoutSession.objects.filter(workshop=OuterRef("pk"))
    if session is not None:
        contributions = contributions.filter(session_id=session.pk)
        votes = votes.filter(contribution__session_id=session.pk)
        sessions = sessions.filter(pk=session.pk)
    row = (
        Workshop.objects.filter(pk=workshop.pk)
        .annotate(
            n=Coalesce(_scalar(contributions, "workshop", Count("pk")), 0),
            last=_scalar(contributions, "workshop", Max("updated_at")),
            votes=Coalesce(
                _scalar(votes, "contribution__workshop", Count("pk")),
                0,
                output_field=IntegerField(),
            ),
            last_vote=_scalar(votes, "contribution__workshop", Max("pk")),
            session_change=_scalar(sessions, "workshop", Max("updated_at")),
        )
        .values_list("n", "last", "votes", "last_vote", "session_change", "updated_at")
        .first()
    )
    raw = "|".join(str(value) for value in row or ())
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def themes_for(workshop: Workshop):
    """Library themes and the workshop's own, for pickers and filters."""
    return Theme.objects.filter(Q(workshop=None) | Q(workshop=workshop)).order_by(
        "workshop_id", "name"
    )


def board_contributions(workshop: Workshop, session: BreakoutSession | None = None):
    contributions = Contribution.objects.filter(workshop=workshop)
    if session is not None:
        contributions = contributions.filter(session=session)
    return (
        contributions.select_related("session", "zone", "merged_into")
        .prefetch_related(Prefetch("themes", queryset=Theme.objects.all(), to_attr="theme_list"))
        .annotate(vote_count=Count("votes", distinct=True))
        .order_by("-created_at", "-pk")
    )


def counts(workshop: Workshop, session: BreakoutSession | None = None) -> dict[str, int]:
    contributions = Contribution.objects.filter(workshop=workshop)
    if session is not None:
        contributions = contributions.filter(session=session)
    return contributions.aggregate(
        total=Count("pk"),
        published=Count("pk", filter=Q(status=ModerationStatus.PUBLISHED)),
        pending=Count("pk", filter=Q(status=ModerationStatus.PENDING)),
        hidden=Count("pk", filter=Q(status=ModerationStatus.HIDDEN)),
    )


def voting_results(
    workshop: Workshop, session: BreakoutSession | None = None, *, limit: int = 20
) -> OrderedDict:
    """Contributions ranked by dots: recommendations per audience, then the rest."""
    contributions = Contribution.objects.filter(workshop=workshop).countable()
    if session is not None:
        contributions = contributions.filter(session=session)
    ranked = list(
        contributions.annotate(dots=Count("votes"))
        .filter(dots__gt=0)
        .order_by("-dots", "created_at")
        .only("pk", "text", "category", "audience", "status")[:500]
    )
    groups: OrderedDict = OrderedDict()
    for audience, label in Audience.choices:
        groups[label] = [
            c for c in ranked if c.category == Category.RECOMMENDATION and c.audience == audience
        ][:limit]
    groups[Category.RECOMMENDATION.label] = [
        c for c in ranked if c.category == Category.RECOMMENDATION and not c.audience
    ][:limit]
    groups[gettext("Other contributions")] = [
        c for c in ranked if c.category != Category.RECOMMENDATION
    ][:limit]
    return OrderedDict((label, items) for label, items in groups.items() if items)
