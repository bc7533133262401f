"""The report's "Context" section: ACLED conflict events around the workshop (issue 6).

The section appears only when the workshop has ACLED events (imported from the
user's own export). Its numbers come from ``workshops.queries.context_summary``
and its attribution line from ``acled.attribution`` (the wording the licence asks for,
the same as the sources context page). Its two charts are placed with ``{{chart:…}}``
marks like the other charts: SVG in HTML and PDF, PNG in Word.
"""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from workshops import queries
from workshops.models import Workshop
from workshops.report import charts

# Chart key in the draft -> name of the chart in ``charts.acled_charts``.
CONTEXT_CHARTS = {
    "context-zones": "by_zone_year",
    "context-types": "by_event_type",
}
CHART_TITLES = {
    "context-zones": "Events and fatalities by zone and year",
    "context-types": "Events by type",
}


def chart_title(key: str, language: str) -> str:
    with override(language):
        return _(CHART_TITLES[key])


def _number(value: int) -> str:
    return formats.number_format(value, force_grouping=True)


def _cell(text: str) -> str:
    """Text from an imported file, kept from breaking the Markdown table."""
    return " ".join(str(text).replace("|", "/").split())


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows]
    return lines


def context_markdown(workshop: Workshop, language: str) -> str | None:
    """Markdown describing the conflict context of the workshop, or None when there is none."""
    with override(language):
        summary = queries.context_summary(workshop)
        if summary is None:
            return None
        lines = [
            _(
                "ACLED recorded %(events)s conflict events and %(fatalities)s reported "
                "fatalities in the workshop's country between %(first)s and %(last)s."
            )
            % {
                "events": _number(summary["events"]),
                "fatalities": _number(summary["fatalities"]),
                "first": formats.date_format(summary["first_date"], "j F Y"),
                "last": formats.date_format(summary["last_date"], "j F Y"),
            },
            "",
        ]
        if summary["unmapped_events"]:
            unmapped = summary["unmapped_events"]
            lines += [
                ngettext(
                    "%(counter)s event is in no region of the workshop.",
                    "%(counter)s events are in no region of the workshop.",
                    unmapped,
                )
                % {"counter": _number(unmapped)},
                "",
            ]
        years = [str(year) for year in summary["years"]]
        lines += [f"### {_(CHART_TITLES['context-zones'])}", ""]
        lines += _table(
            [_("Zone"), *years, _("Total")],
            [
                [
                    zone["zone"],
                    *(
                        f"{_number(c['events'])} ({_number(c['fatalities'])}†)"
                        for c in zone["cells"]
                    ),
                    f"**{_number(zone['events'])}** ({_number(zone['fatalities'])}†)",
                ]
                for zone in summary["zones"]
            ],
        )
        lines += ["", _("Events (fatalities †)."), "", "{{chart:context-zones}}", ""]
        lines += [f"### {_(CHART_TITLES['context-types'])}", ""]
        lines += _table(
            [_("Event type"), _("Events"), _("Fatalities")],
            [
                [row["event_type"], _number(row["events"]), _number(row["fatalities"])]
                for row in summary["event_types"]
            ],
        )
        lines += ["", "{{chart:context-types}}", "", _("Source:") + " " + summary["attribution"]]
        return "\n".join(lines)


def context_chart_images(workshop: Workshop, language: str, *, image_format: str) -> dict:
    """The context charts by draft chart key (SVG text or PNG bytes); empty without events."""
    with override(language):
        summary = queries.context_summary(workshop)
        if summary is None:
            return {}
        images = charts.acled_charts(summary, image_format=image_format)
    return {key: images[name] for key, name in CONTEXT_CHARTS.items()}
