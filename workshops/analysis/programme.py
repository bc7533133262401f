"""A network's programme across its workshops, and the recommendations of workshops with their
follow-up. The queries are a fixed handful, whatever the number of workshops."""

from __future__ import annotations

from django.db.models import Count, Max, QuerySet

from workshops.choices import Category
from workshops.models import Contribution


def recommendations_with_followup(workshops) -> QuerySet:
    """The agreed (counted) recommendations of ``workshops``, most voted first in each
    workshop, with ``followup`` joined, ``n_votes`` (for the order only: pages print no
    number of dots here) and ``last_update`` (the date of the newest update)."""
    return (
        Contribution.objects.countable()
        .filter(category=Category.RECOMMENDATION, workshop__in=workshops)
        .select_related("followup", "followup__followed_by", "workshop")
        .annotate(n_votes=Count("votes", distinct=True), last_update=Max("followup__updates__date"))
        .order_by("workshop__start_date", "workshop_id", "-n_votes", "pk")
    )


def followup_of(recommendation: Contribution):
    """The recommendation's follow-up, or None when nothing was recorded yet."""
    return getattr(recommendation, "followup", None)
