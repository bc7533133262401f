"""Charts drawn on the server with matplotlib: SVG for pages and PDF, PNG for Word.

The one home of charts: the roll-up's and the ACLED context's. No chart library is
sent to browsers. Counts of 1 to 4 people get no bar, only a "<5" label, and hidden
shares are not drawn (the small-cell rule holds in charts).

matplotlib is imported inside the functions that draw (it takes ~0.3 s to load, and
most processes never draw), and its settings are applied with ``rc_context`` around
each drawing: the global ``rcParams`` are never changed.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import textwrap
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import override

from workshops.analysis.rollup import Rollup, Table
from workshops.analysis.suppression import is_small, shown

if TYPE_CHECKING:
    from matplotlib.figure import Figure

STYLE = {
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
PALETTE = ["#1f5f8b", "#e07b39", "#5b9a5b", "#8a5fb0", "#b8463f"]
MAX_BARS = 10


def _wrap(label: str, width: int = 34) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


WIDTH_IN = 7.2


def _figure(bars: int) -> tuple[Figure, object]:
    from matplotlib.figure import Figure  # noqa: PLC0415

    height = max(2.0, 0.42 * bars + 0.9)
    figure = Figure(figsize=(WIDTH_IN, height))
    return figure, figure.subplots()


@functools.cache
def _measure():
    """A renderer at 72 dpi (1 pixel = 1 point) that only measures text: one per process,
    so the fonts it loads stay loaded."""
    from matplotlib.backends.backend_agg import RendererAgg  # noqa: PLC0415

    return RendererAgg(1, 1, 72)


def _text_size(text: str, *, bold: bool = False, scale: float = 1.0) -> tuple[float, float]:
    """Width and height of ``text`` in points at the chart's font size (``STYLE``) times
    ``scale`` (a title is "large": 1.2)."""
    from matplotlib.font_manager import FontProperties  # noqa: PLC0415

    prop = FontProperties(family=STYLE["font.family"], size=STYLE["font.size"] * scale)
    if bold:
        prop.set_weight("bold")
    sizes = [
        _measure().get_text_width_height_descent(line, prop, False) for line in text.split("\n")
    ]
    lines = [h for _w, h, _d in sizes]
    return max(w for w, _h, _d in sizes), sum(lines) + 0.2 * max(lines) * (len(lines) - 1)


def _fit(figure: Figure, labels: list[str]) -> None:
    """Margins from the sizes of the bars' labels, the title and the axis label, measured
    once: what ``layout="constrained"`` finds by drawing the whole chart a second time."""
    width, height = WIDTH_IN * 72, figure.get_figheight() * 72
    label = max((_text_size(text)[0] for text in labels), default=0)
    title = _text_size("Ag", bold=True, scale=1.2)[1]
    line = _text_size("Ag")[1]
    tick = 3.5 + 3.5  # the tick's length and its label's pad (matplotlib's defaults)
    edge = 3.0
    last_tick = _text_size("100")[0] / 2  # the last number under the axis overhangs it
    figure.subplots_adjust(
        left=(edge + label + tick) / width,
        right=1 - (edge + last_tick) / width,
        top=1 - (edge + title + 6) / height,  # the title's pad is 6 points
        bottom=(edge + line + tick + line + 4) / height,  # tick labels, the axis label
    )


def _counts(title: str, labels: list[str], values: list[int], xlabel: str) -> Figure:
    figure, ax = _figure(len(labels))
    positions = list(range(len(labels)))[::-1]
    drawn = [0 if is_small(v) else v for v in values]
    ax.barh(positions, drawn, color=PALETTE[0])
    for y, value in zip(positions, values, strict=True):
        text = shown(value)
        ax.annotate(
            text,
            (0 if is_small(value) else value, y),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
        )
    wrapped = [_wrap(label) for label in labels]
    ax.set_yticks(positions, wrapped)
    ax.set_xlabel(xlabel)
    ax.set_title(title, loc="left", fontweight="bold")
    ax.margins(x=0.12)
    _fit(figure, wrapped)
    return figure


def _shares(title: str, table: Table, rollup: Rollup) -> Figure | None:
    """Shares of each group raising the most raised themes; a share is drawn only where
    the table prints both its count and the group's size."""
    groups = list(range(len(table.groups)))
    rows = [row for row in table.rows if any(s is not None for s in row.shares)][:8]
    if not groups or not rows:
        return None  # nothing printed exactly enough to draw a share
    figure, ax = _figure(len(rows) * max(1, len(groups)) // 2 + 1)
    height = 0.8 / len(groups)
    for position, j in enumerate(groups):
        ys = [
            len(rows) - 1 - i + (len(groups) / 2 - position - 0.5) * height
            for i in range(len(rows))
        ]
        shares = [row.shares[j] for row in rows]
        ax.barh(
            ys,
            [100 * s if s is not None else 0 for s in shares],
            height=height,
            color=PALETTE[position % len(PALETTE)],
            label=table.groups[j].label,
        )
        for y, row, share in zip(ys, rows, shares, strict=True):
            if share is None:
                ax.annotate(
                    row.cells[j],
                    (0, y),
                    xytext=(3, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=7,
                )
    wrapped = [_wrap(row.theme.label(rollup.language)) for row in rows]
    ax.set_yticks([len(rows) - 1 - i for i in range(len(rows))], wrapped)
    ax.set_xlim(0, 100)
    ax.set_xlabel(_("Share of the group's people raising it (%)"))
    ax.set_title(title, loc="left", fontweight="bold")
    ax.legend(loc="lower right", frameon=False)
    _fit(figure, wrapped)
    return figure


def chart_data(rollup: Rollup, key: str):
    """What a chart draws, or None when it would be empty (then no figure is placed)."""
    if key == "categories":
        return rollup.by_category or None
    if key == "drivers":
        return rollup.themes_by_category.get("driver", [])[:MAX_BARS] or None
    if key in ("zones", "genders"):
        table = rollup.zones if key == "zones" else rollup.genders
        rows = [row for row in table.rows if any(s is not None for s in row.shares)][:8]
        return table if table.groups and rows else None
    if key == "recommendations":
        items = [r for ranked in rollup.recommendations.values() for r in ranked if r.votes]
        return sorted(items, key=lambda r: -r.votes)[:12] or None
    return None


def _recommendation_label(item) -> str:
    return textwrap.shorten(" ".join(item.text.split()), 60, placeholder="…")


def build_figure(rollup: Rollup, key: str, items=None) -> Figure | None:
    """The chart ``key``; ``items`` is its ``chart_data`` when the caller has it already
    (the roll-up computes its tables on each access)."""
    import matplotlib  # noqa: PLC0415

    items = chart_data(rollup, key) if items is None else items
    if items is None:
        return None
    with matplotlib.rc_context(STYLE), override(rollup.language):
        if key == "categories":
            return _counts(
                _("Contributions by category"),
                [c.label for c in items],
                [c.contributions for c in items],
                _("Contributions"),
            )
        if key == "drivers":
            return _counts(
                _("Drivers of conflict most raised"),
                [t.theme.label(rollup.language) for t in items],
                [t.people for t in items],
                _("People"),
            )
        if key == "zones":
            return _shares(_("Drivers by zone"), items, rollup)
        if key == "genders":
            return _shares(_("Drivers by gender"), items, rollup)
        if key == "recommendations":
            return _counts(
                _("Recommendations by votes"),
                [_recommendation_label(r) for r in items],
                [r.votes for r in items],
                _("Votes"),
            )
    return None


def chart_alt(rollup: Rollup | None, key: str, items=None, limit: int = 5) -> str:
    """Alt text of a chart: its title and the first values it draws, "<5" kept."""
    title = chart_title(key, rollup.language if rollup else "en")
    if items is None and rollup is not None:
        items = chart_data(rollup, key)
    if items is None:
        return title
    with override(rollup.language):
        if key == "categories":
            pairs = [(c.label, shown(c.contributions)) for c in items]
        elif key == "drivers":
            pairs = [(t.theme.label(rollup.language), shown(t.people)) for t in items]
        elif key == "recommendations":
            pairs = [(_recommendation_label(r), shown(r.votes)) for r in items]
        else:
            pairs = [
                (row.theme.label(rollup.language), ", ".join(row.cells))
                for row in items.rows
                if any(s is not None for s in row.shares)
            ]
            groups = ", ".join(g.label for g in items.groups)
            title = f"{title} ({groups})"
        values = "; ".join(f"{label}: {value}" for label, value in pairs[:limit])
        return f"{title}. {values}." if values else title


def svg(figure: Figure) -> str:
    import matplotlib  # noqa: PLC0415

    buffer = io.StringIO()
    with matplotlib.rc_context(STYLE):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def png(figure: Figure, dpi: int = 150) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def fingerprint(rollup: Rollup) -> str:
    """What the charts draw, hashed: same numbers, same pictures."""
    tables = [
        (t.sizes, [(row.theme.pk, row.total, row.cells) for row in t.rows])
        for t in (rollup.zones, rollup.genders)
    ]
    data = (
        rollup.language,
        [(c.key, c.contributions) for c in rollup.by_category],
        [(t.theme.pk, t.people) for t in rollup.themes_by_category.get("driver", [])],
        tables,
        [
            (a, [(r.pk, r.text, r.votes) for r in items])
            for a, items in rollup.recommendations.items()
        ],
    )
    return hashlib.sha256(repr(data).encode()).hexdigest()[:32]


def chart_uri(
    rollup: Rollup,
    key: str,
    print_key: str | None = None,
    items=None,
    *,
    redraw_every: int = 0,
) -> str | None:
    """The chart as an SVG data URI, cached by what it draws (drawing takes ~0.1-0.5 s).

    ``redraw_every`` (seconds; the live roll-up page): while the numbers keep changing,
    the workshop's last drawing of this chart is shown until it is that old, so a page
    reloaded every few seconds in a live room draws each chart once per period, not on
    every reload. Reports and exports leave it at 0: always the exact numbers."""
    cache_key = f"report-chart:{key}:{print_key or fingerprint(rollup)}"
    latest_key = f"report-chart-latest:{rollup.workshop.pk}:{rollup.language}:{rollup.scope}:{key}"
    if redraw_every:
        found = cache.get_many([cache_key, latest_key])
        uri = found.get(cache_key, found.get(latest_key))
    else:
        uri = cache.get(cache_key)
    if uri is None:
        figure = build_figure(rollup, key, items)
        uri = svg_data_uri(svg(figure)) if figure is not None else ""
        cache.set(cache_key, uri, 60 * 60)
        if redraw_every:
            cache.set(latest_key, uri, redraw_every)
    return uri or None


def chart_png(rollup: Rollup, key: str, print_key: str, items=None) -> bytes | None:
    """The chart as PNG (for Word and the Markdown archive), cached by what it draws like
    ``chart_uri``: a second export of the same numbers draws nothing."""
    cache_key = f"report-chart-png:{key}:{print_key}"
    image = cache.get(cache_key)
    if image is None:
        figure = build_figure(rollup, key, items)
        image = png(figure) if figure is not None else b""
        cache.set(cache_key, image, 60 * 60)
    return image or None


def svg_data_uri(svg_text: str) -> str:
    """For an <img>: the page's strict CSP forbids inline SVG's own styles, and an image
    cannot run scripts."""
    encoded = base64.b64encode(svg_text.encode()).decode()
    return f"data:image/svg+xml;base64,{encoded}"


CHART_TITLES = {
    "categories": "Contributions by category",
    "drivers": "Drivers of conflict most raised",
    "zones": "Drivers by zone",
    "genders": "Drivers by gender",
    "recommendations": "Recommendations by votes",
}


def chart_title(key: str, language: str) -> str:
    with override(language):
        return _(CHART_TITLES[key])


# --- The ACLED context's charts --------------------------------------------------------

ACLED_STYLE = {"svg.fonttype": "none", "font.family": "DejaVu Sans"}
ACLED_COLOURS = ["#1f5f8b", "#e07b39", "#4c9a2a", "#8e44ad", "#7f8c8d"]


def _acled_figures(summary: dict) -> dict[str, Figure]:
    from matplotlib.figure import Figure  # noqa: PLC0415
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    years = summary["years"]
    zones = summary["zones"]
    colours = ACLED_COLOURS

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
    return {"by_zone_year": zone_figure, "by_event_type": type_figure}


def acled_charts(summary: dict, *, image_format: str = "svg") -> dict[str, bytes | str]:
    """Two charts of ``queries.context_summary``: events and fatalities by zone and year
    (``by_zone_year``); events by event type (``by_event_type``).

    SVG text (default) for the web and PDF; ``image_format="png"`` gives PNG bytes for DOCX.
    """
    import matplotlib  # noqa: PLC0415

    with matplotlib.rc_context(ACLED_STYLE):
        figures = _acled_figures(summary)
        return {name: _acled_image(figure, image_format) for name, figure in figures.items()}


def _acled_image(figure: Figure, image_format: str) -> bytes | str:
    if image_format == "png":
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
    else:
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", bbox_inches="tight")
    return buffer.getvalue()


def acled_chart_uris(summary: dict, language: str) -> dict[str, str]:
    """The ACLED charts as image URIs, cached by what they draw (drawing takes ~0.3 s)."""
    key = "context-charts:" + hashlib.sha256(repr((language, summary)).encode()).hexdigest()[:32]
    uris = cache.get(key)
    if uris is None:
        with override(language):
            uris = {name: svg_data_uri(text) for name, text in acled_charts(summary).items()}
        cache.set(key, uris, 60 * 60)
    return uris
