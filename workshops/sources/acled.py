"""ACLED conflict events: the user's own export, upserted, summarised and charted.

ACLED's licence requires each user to download the data with their own account:
we never ship ACLED data, we read what the user uploads. Both the current
31-column layout and the older one (``data_id``, ``iso3``, ``event_id_no_cnty``
and numeric actor codes) are read; dates come as ``2023-01-31``, ``16 May 2025``
or ``31-01-2023``. Events are upserted on ``event_id_cnty``: a newer
``timestamp`` wins. ``admin1`` is matched to the workshop's regions (and so
zones) by name or by the workshop's editable spellings.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from workshops.models import AcledEvent, Workshop
from workshops.models.sources import normalise_place
from workshops.sources.regions import RegionMatcher

MAX_BYTES = 20 * 1024 * 1024
REQUIRED = {"event_id_cnty", "event_date", "event_type", "admin1", "fatalities"}
DATE_FORMATS = ["%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d-%m-%Y", "%d/%m/%Y", "%d-%B-%Y"]
# ACLED's own name and address stay as they are; the rest is translated.
ACLED_CITATION = "Armed Conflict Location & Event Data (ACLED); www.acleddata.com."


def attribution() -> str:
    """The attribution line the ACLED licence asks for, in the current language."""
    return f"{ACLED_CITATION} " + _("Data downloaded by the user under the ACLED terms of use.")


# Numeric actor codes of the older layout.
INTER_CODES = {
    "0": "",
    "1": "State forces",
    "2": "Rebel group",
    "3": "Political militia",
    "4": "Identity militia",
    "5": "Rioters",
    "6": "Protesters",
    "7": "Civilians",
    "8": "External/Other forces",
}
TEXT_FIELDS = {
    "disorder_type": 80,
    "event_type": 80,
    "sub_event_type": 80,
    "actor1": 200,
    "actor2": 200,
    "country": 80,
    "admin1": 100,
    "admin2": 100,
    "location": 150,
}
UPDATE_FIELDS = [
    "event_date",
    "year",
    *TEXT_FIELDS,
    "inter1",
    "inter2",
    "interaction",
    "civilian_targeting",
    "fatalities",
    "timestamp",
    "region",
    "zone",
]


class AcledFileError(Exception):
    """The file cannot be read as an ACLED export; the message says why."""


def parse_date(value: str) -> dt.date | None:
    value = value.strip()
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _inter(value: str) -> str:
    value = value.strip()
    return INTER_CODES.get(value, value)[:60]


def _interaction(value: str) -> str:
    """Old numeric codes (e.g. 12, 17) become ``State forces-Rebel group``."""
    value = value.strip()
    if value.isdigit() and 1 <= len(value) <= 2:
        parts = [INTER_CODES.get(ch, ch) for ch in value.zfill(2)]
        return "-".join(part for part in parts if part)[:120] or value
    return value[:120]


def _int(value: str, default: int = 0) -> int:
    try:
        return int(float(value.strip() or default))
    except ValueError:
        return default


@dataclass
class AcledRow:
    event_id_cnty: str
    values: dict


@dataclass
class AcledFile:
    layout: str  # "current" or "old"
    rows: list[AcledRow]
    errors: list[str] = field(default_factory=list)


def parse_acled(data: bytes) -> AcledFile:
    if len(data) > MAX_BYTES:
        raise AcledFileError(
            _("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // (1024 * 1024)}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AcledFileError(_("The file is not UTF-8 text. Export it again as CSV.")) from None
    text = text.replace("\x00", "")
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = {name.strip().casefold() for name in (reader.fieldnames or []) if name}
    missing = REQUIRED - header
    if missing:
        raise AcledFileError(
            _("This is not an ACLED export: the columns %(columns)s are missing.")
            % {"columns": ", ".join(sorted(missing))}
        )
    layout = "old" if {"data_id", "event_id_no_cnty"} & header else "current"
    parsed = AcledFile(layout, [])
    try:
        for number, raw in enumerate(reader, start=2):
            row = {
                (key or "").strip().casefold(): (value or "").strip()
                for key, value in raw.items()
                if isinstance(value, str)
            }
            event_id = row.get("event_id_cnty", "")[:30]
            date = parse_date(row.get("event_date", ""))
            if not event_id or date is None:
                parsed.errors.append(
                    _("Line %(line)d: no event id or an unreadable date.") % {"line": number}
                )
                continue
            values = {name: row.get(name, "")[:size] for name, size in TEXT_FIELDS.items()}
            values.update(
                event_date=date,
                year=_int(row.get("year", ""), date.year) or date.year,
                inter1=_inter(row.get("inter1", "")),
                inter2=_inter(row.get("inter2", "")),
                interaction=_interaction(row.get("interaction", "")),
                civilian_targeting=bool(row.get("civilian_targeting", "")),
                fatalities=max(_int(row.get("fatalities", "")), 0),
                timestamp=_int(row.get("timestamp", "")),
            )
            parsed.rows.append(AcledRow(event_id, values))
    except csv.Error:
        raise AcledFileError(_("The file is not a readable CSV file.")) from None
    if not parsed.rows:
        raise AcledFileError(_("The file has no events."))
    return parsed


@dataclass
class AcledResult:
    events: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    other_country: int = 0
    unknown_admin1: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dry_run: bool = False


def import_acled(*, workshop: Workshop, parsed: AcledFile, dry_run: bool = False) -> AcledResult:
    """Upsert the events on ``event_id_cnty``; a newer ``timestamp`` wins. All or nothing."""
    result = AcledResult(events=len(parsed.rows), errors=parsed.errors, dry_run=dry_run)
    matcher = RegionMatcher.for_workshop(workshop)
    country = normalise_place(workshop.country.name)
    unknown: dict[str, str] = {}
    latest: dict[str, AcledRow] = {}
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
                unknown.setdefault(normalise_place(row.values["admin1"]), row.values["admin1"])
            values = {**row.values, "region": region, "zone": region.zone if region else None}
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
        AcledEvent.objects.bulk_update(changed, UPDATE_FIELDS, batch_size=500)
        result.created, result.updated = len(new), len(changed)
        if dry_run:
            transaction.set_rollback(True)
    result.unknown_admin1 = sorted(unknown.values(), key=str.casefold)
    return result


def remap_regions(*, workshop: Workshop) -> int:
    """Match events again after the region spellings changed; returns how many moved."""
    matcher = RegionMatcher.for_workshop(workshop)
    changed = []
    for event in AcledEvent.objects.filter(workshop=workshop).only("pk", "admin1", "region_id"):
        region = matcher.match(event.admin1)
        if (region.pk if region else None) != event.region_id:
            event.region, event.zone = region, region.zone if region else None
            changed.append(event)
    AcledEvent.objects.bulk_update(changed, ["region", "zone"], batch_size=500)
    return len(changed)


# --- Context for the roll-up and the report ------------------------------------------


def context_summary(workshop: Workshop) -> dict | None:
    """Events and fatalities by zone and year, and by event type; None without events.

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
    zones = {zone.pk: zone for zone in workshop.country.zones.all()}
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


def _figure_svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    return buffer.getvalue()


def context_charts(summary: dict, *, image_format: str = "svg") -> dict[str, bytes | str]:
    """Two charts: events and fatalities by zone and year; events by event type.

    SVG text (default) for the web and PDF; ``image_format="png"`` gives PNG bytes for DOCX.
    """
    import matplotlib  # noqa: PLC0415 - matplotlib only when a chart is drawn

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # noqa: PLC0415 - matplotlib only when a chart is drawn
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415 - matplotlib only when a chart is drawn

    matplotlib.rcParams["svg.fonttype"] = "none"
    matplotlib.rcParams["font.family"] = "DejaVu Sans"
    years = summary["years"]
    zones = summary["zones"]
    colours = ["#1f5f8b", "#e07b39", "#4c9a2a", "#8e44ad", "#7f8c8d"]

    zone_figure = Figure(figsize=(7, 3.4))
    events_axes, deaths_axes = zone_figure.subplots(1, 2)
    width = 0.8 / max(len(zones), 1)
    for index, zone in enumerate(zones):
        positions = [year_index + index * width for year_index in range(len(years))]
        events = [zone["by_year"].get(year, {}).get("events", 0) for year in years]
        deaths = [zone["by_year"].get(year, {}).get("fatalities", 0) for year in years]
        colour = colours[index % len(colours)]
        events_axes.bar(positions, events, width, label=zone["zone"], color=colour)
        deaths_axes.bar(positions, deaths, width, color=colour)
    for axes, title in ((events_axes, _("Events")), (deaths_axes, _("Fatalities"))):
        axes.set_title(title)
        axes.set_xticks([i + 0.4 - width / 2 for i in range(len(years))], [str(y) for y in years])
        axes.spines[["top", "right"]].set_visible(False)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    zone_figure.legend(loc="lower center", ncol=max(len(zones), 1), frameon=False)
    zone_figure.subplots_adjust(bottom=0.22, wspace=0.3)

    types = summary["event_types"][:8]
    type_figure = Figure(figsize=(5, 0.8 + 0.4 * max(len(types), 1)))
    axes = type_figure.subplots()
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    labels = [item["event_type"] for item in types][::-1]
    axes.barh(labels, [item["events"] for item in types][::-1], color=colours[0])
    axes.set_xlabel(_("Events"))
    axes.spines[["top", "right"]].set_visible(False)

    if image_format == "png":
        charts = {}
        for name, figure in (("by_zone_year", zone_figure), ("by_event_type", type_figure)):
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
            charts[name] = buffer.getvalue()
        return charts
    return {"by_zone_year": _figure_svg(zone_figure), "by_event_type": _figure_svg(type_figure)}


def svg_data_uri(svg: str) -> str:
    """An ``<img src>`` for a chart: an image cannot run scripts and needs no inline style."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
