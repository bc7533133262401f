"""Read-only queries: what boards, results, the projector and the ACLED context read.

Each answers in a fixed number of queries, whatever the number of rows.

A board polls every second (``POLL_EVERY``); "did anything change?" is answered from the
workshop's change counter in the shared cache (``workshops/changes.py``,
``workshops/views/polls.py``), without a query.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from operator import attrgetter

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils.translation import gettext

from workshops.choices import Audience, Category, ModerationStatus
from workshops.models import (
    AcledEvent,
    BreakoutSession,
    Contribution,
    SurveyMapping,
    Theme,
    Workshop,
)
from workshops.sources import kobo, xlsform
from workshops.sources.acled import attribution
from workshops.validators import fold

PAGE_SIZE = 50
# How often open boards and the projector ask "anything new?". A new contribution
# shows after half an interval on average and a whole one at worst (plus the
# request): 1 s keeps the p95 well under the 2 s goal (see bench/results/facilitator.md),
# and an unchanged poll costs one cache read answered with 204 (bench/results/polls.md).
POLL_EVERY = "1s"


def phone_states(workshop_id: int) -> tuple[str, str]:
    """What phones follow, as compact JSON and its ETag: the workshop's status and each
    session's (open, voting, closed). Two small queries, nothing personal."""
    status = Workshop.objects.filter(pk=workshop_id).values_list("status", flat=True).first()
    sessions = BreakoutSession.objects.filter(workshop_id=workshop_id).values_list("pk", "status")
    states = {"workshop": status, "sessions": {str(pk): state for pk, state in sessions}}
    body = json.dumps(states, separators=(",", ":"), sort_keys=True)
    return body, '"' + hashlib.sha256(body.encode()).hexdigest()[:16] + '"'


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


# The grouped view shows the newest GROUP_SIZE items of each theme ("show all N" pages
# through one group, PAGE_SIZE at a time); the projector shows fewer, larger.
GROUP_SIZE = 10
PROJECTOR_GROUP_SIZE = 5
UNTAGGED = "none"  # the key of the "Untagged" group in URLs and forms


@dataclass
class ThemeGroup:
    """One group of the grouped view: a theme (None: untagged), its count, the items shown."""

    key: str
    theme: Theme | None
    count: int
    items: list = field(default_factory=list)


def theme_groups(
    workshop: Workshop,
    session: BreakoutSession | None = None,
    *,
    themes,
    per_group: int = GROUP_SIZE,
    published_only: bool = False,
) -> list[ThemeGroup]:
    """The contributions grouped by theme, "Untagged" first, then one group per theme.

    A contribution with several themes is in each of their groups. Merged contributions
    are left out (their kept one stands for them). Each group holds its newest
    ``per_group`` items; six queries whatever the number of contributions.
    """
    contributions = Contribution.objects.filter(workshop=workshop).exclude(
        status=ModerationStatus.MERGED
    )
    if session is not None:
        contributions = contributions.filter(session=session)
    if published_only:
        contributions = contributions.published()
    links = Contribution.themes.through.objects.filter(contribution__in=contributions)
    per_theme = dict(
        links.order_by().values("theme_id").annotate(n=Count("pk")).values_list("theme_id", "n")
    )
    untagged = contributions.filter(
        ~Exists(Contribution.themes.through.objects.filter(contribution_id=OuterRef("pk")))
    )
    newest = [F("contribution__created_at").desc(), F("contribution_id").desc()]
    shown = list(
        links.annotate(rank=Window(RowNumber(), partition_by=[F("theme_id")], order_by=newest))
        .filter(rank__lte=per_group)
        .values_list("theme_id", "contribution_id")
    )
    untagged_ids = list(
        untagged.order_by("-created_at", "-pk").values_list("pk", flat=True)[:per_group]
    )
    items = {
        c.pk: c
        for c in board_contributions(workshop, session).filter(
            pk__in={cid for _, cid in shown} | set(untagged_ids)
        )
    }  # two queries: the items and their themes
    # (an item gone between two queries, erased by retention, is simply not shown)
    first = [items[i] for i in untagged_ids if i in items]
    groups = [ThemeGroup(UNTAGGED, None, untagged.count(), first)]
    by_theme = defaultdict(list)
    for theme_id, cid in shown:
        if cid in items:
            by_theme[theme_id].append(items[cid])
    newest_first = attrgetter("created_at", "pk")
    for theme in sorted(themes, key=lambda t: fold(t.label())):  # "État" among the e's
        found = sorted(by_theme.get(theme.pk, []), key=newest_first, reverse=True)
        groups.append(ThemeGroup(str(theme.pk), theme, per_theme.get(theme.pk, 0), found))
    return groups


def theme_group_items(workshop: Workshop, session: BreakoutSession | None, *, theme: Theme | None):
    """Every item of one group (``theme`` None: the untagged ones), newest first."""
    contributions = board_contributions(workshop, session).exclude(status=ModerationStatus.MERGED)
    if theme is None:
        return contributions.filter(themes=None)
    return contributions.filter(themes=theme)


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


def context_summary(workshop: Workshop) -> dict | None:
    """ACLED events and fatalities by zone and year, and by event type; None without events.

    Shape (the report helper relies on it)::

        {"events": int, "fatalities": int, "first_date": date, "last_date": date,
         "years": [2023, 2024],
         "zones": [{"zone": "North", "events": int, "fatalities": int,
                    "by_year": {2023: {"events": int, "fatalities": int}},
                    "cells": [{"events": int, "fatalities": int}, ...]}],  # one per year
         "event_types": [{"event_type": str, "events": int, "fatalities": int}],
         "unmapped_events": int, "attribution": str}
    """
    events = AcledEvent.objects.filter(workshop=workshop)
    totals = events.aggregate(
        events=Count("pk"),
        fatalities=Sum("fatalities"),
    )
    if not totals["events"]:
        return None
    dates = events.order_by("event_date").values_list("event_date", flat=True)
    first_date, last_date = dates.first(), dates.last()
    by_zone_year = (
        events.values("zone_id", "year")
        .annotate(events=Count("pk"), fatalities=Sum("fatalities"))
        .order_by()
    )
    zones = {zone.pk: zone for zone in workshop.zones.all()}
    years: set[int] = set()
    rows: dict[int | None, dict] = {}
    for item in by_zone_year:
        years.add(item["year"])
        zone_row = rows.setdefault(
            item["zone_id"], {"events": 0, "fatalities": 0, "by_year": defaultdict(dict)}
        )
        zone_row["events"] += item["events"]
        zone_row["fatalities"] += item["fatalities"] or 0
        zone_row["by_year"][item["year"]] = {
            "events": item["events"],
            "fatalities": item["fatalities"] or 0,
        }
    zone_list = []
    for zone in zones.values():
        data = rows.get(zone.pk, {"events": 0, "fatalities": 0, "by_year": {}})
        zone_list.append(
            {
                "zone": zone.label(),
                "zone_id": zone.pk,
                "events": data["events"],
                "fatalities": data["fatalities"],
                "by_year": dict(data["by_year"]),
                "cells": [
                    data["by_year"].get(year, {"events": 0, "fatalities": 0})
                    for year in sorted(years)
                ],
            }
        )
    by_type = (
        events.values("event_type")
        .annotate(events=Count("pk"), fatalities=Sum("fatalities"))
        .order_by("-events", "event_type")
    )
    return {
        "events": totals["events"],
        "fatalities": totals["fatalities"] or 0,
        "first_date": first_date,
        "last_date": last_date,
        "years": sorted(years),
        "zones": zone_list,
        "event_types": [
            {
                "event_type": item["event_type"],
                "events": item["events"],
                "fatalities": item["fatalities"] or 0,
            }
            for item in by_type
        ],
        "unmapped_events": rows.get(None, {}).get("events", 0),
        "attribution": attribution(),
    }


def survey_mapping_for(
    workshop: Workshop, survey: kobo.Survey, form: xlsform.XLSForm | None = None
) -> kobo.Mapping:
    """The guess for the file, or the mapping chosen last time for the same form.

    The same form is the same set of columns, or a form version seen before. The
    workshop's own mapping comes first; else one chosen in another workshop of its
    network (its organiser's). One or two queries, whatever the number of mappings.
    """
    guess = kobo.guess_mapping(survey, form)
    key, versions = kobo.form_key(survey), set(kobo.form_versions(survey))
    scope = (
        SurveyMapping.objects.filter(
            Q(workshop=workshop)
            | Q(workshop__organiser__member_of__organisations=workshop.organiser_id)
        )
        .select_related("workshop")
        .order_by("-updated_at")
    )
    same_key = sorted(scope.filter(form_key=key), key=lambda m: m.workshop_id != workshop.pk)
    found = same_key[0] if same_key else None
    if found is None or found.workshop_id != workshop.pk:
        # This workshop's own mapping first, by columns then by version; then the network's.
        same_version = [m for m in scope.exclude(form_key=key)[:100] if versions & set(m.versions)]
        own = next((m for m in same_version if m.workshop_id == workshop.pk), None)
        found = own or found or next(iter(same_version), None)
    if found is None:
        return guess
    reason = None
    if found.workshop_id != workshop.pk:
        reason = gettext("as chosen for this form in %(workshop)s, of the same network") % {
            "workshop": found.workshop.title
        }
    return kobo.remembered_mapping(survey, guess, found.mapping, reason=reason)
