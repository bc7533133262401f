"""Charts drawn on the server with matplotlib: SVG for pages and PDF, PNG for Word.

No chart library is sent to browsers. Counts of 1 to 4 people get no bar, only a
"<5" label, and hidden shares are not drawn (the small-cell rule holds in charts).
"""

from __future__ import annotations

import base64
import hashlib
import io
import textwrap

import matplotlib
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import override
from matplotlib.figure import Figure

from workshops.analysis.rollup import CrossTab, Rollup
from workshops.analysis.suppression import PRIMARY, is_small

matplotlib.use("Agg")

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


def _figure(bars: int) -> tuple[Figure, object]:
    height = max(2.0, 0.42 * bars + 0.9)
    figure = Figure(figsize=(7.2, height), layout="constrained")
    return figure, figure.subplots()


def _counts(title: str, labels: list[str], values: list[int], xlabel: str) -> Figure:
    figure, ax = _figure(len(labels))
    positions = list(range(len(labels)))[::-1]
    drawn = [0 if is_small(v) else v for v in values]
    ax.barh(positions, drawn, color=PALETTE[0])
    for y, value in zip(positions, values, strict=True):
        text = PRIMARY if is_small(value) else str(value)
        ax.annotate(
            text,
            (0 if is_small(value) else value, y),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
        )
    ax.set_yticks(positions, [_wrap(label) for label in labels])
    ax.set_xlabel(xlabel)
    ax.set_title(title, loc="left", fontweight="bold")
    ax.margins(x=0.12)
    return figure


def _shares(title: str, table: CrossTab, rollup: Rollup) -> Figure | None:
    groups = [j for j in range(len(table.groups)) if table.group_sizes[j]]
    themes = list(range(min(len(table.themes), 8)))
    if not groups or not themes:
        return None
    figure, ax = _figure(len(themes) * max(1, len(groups)) // 2 + 1)
    height = 0.8 / len(groups)
    for position, j in enumerate(groups):
        ys = [len(themes) - 1 - i + (len(groups) / 2 - position - 0.5) * height for i in themes]
        shares = [table.share(i, j) for i in themes]
        ax.barh(
            ys,
            [100 * s if s is not None else 0 for s in shares],
            height=height,
            color=PALETTE[position % len(PALETTE)],
            label=table.groups[j].label,
        )
        for y, i, share in zip(ys, themes, shares, strict=True):
            if share is None:
                ax.annotate(
                    table.cell(i, j),
                    (0, y),
                    xytext=(3, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=7,
                )
    ax.set_yticks(
        [len(themes) - 1 - i for i in themes],
        [_wrap(table.themes[i].label(rollup.language)) for i in themes],
    )
    ax.set_xlim(0, 100)
    ax.set_xlabel(_("Share of the group's participants raising it (%)"))
    ax.set_title(title, loc="left", fontweight="bold")
    ax.legend(loc="lower right", frameon=False)
    return figure


def build_figure(rollup: Rollup, key: str) -> Figure | None:
    with matplotlib.rc_context(STYLE), override(rollup.language):
        if key == "categories":
            items = rollup.by_category
            if not items:
                return None
            return _counts(
                _("Contributions by category"),
                [c.label for c in items],
                [c.contributions for c in items],
                _("Contributions"),
            )
        if key == "drivers":
            items = rollup.themes_by_category.get("driver", [])[:MAX_BARS]
            if not items:
                return None
            return _counts(
                _("Drivers of conflict most raised"),
                [t.theme.label(rollup.language) for t in items],
                [t.participants for t in items],
                _("Participants"),
            )
        if key == "zones":
            return _shares(_("Drivers by zone"), rollup.zones, rollup)
        if key == "genders":
            return _shares(_("Drivers by gender"), rollup.genders, rollup)
        if key == "recommendations":
            items = [r for ranked in rollup.recommendations.values() for r in ranked][:12]
            if not items:
                return None
            return _counts(
                _("Recommendations by votes"),
                [r.theme.label(rollup.language) for r in items],
                [r.votes for r in items],
                _("Votes"),
            )
    return None


def svg(figure: Figure) -> str:
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
        (t.cells, t.group_sizes, sorted(t.protected.hidden), [x.pk for x in t.themes])
        for t in (rollup.zones, rollup.genders)
    ]
    data = (
        rollup.language,
        [(c.key, c.contributions) for c in rollup.by_category],
        [(t.theme.pk, t.participants) for t in rollup.themes_by_category.get("driver", [])],
        tables,
        [
            (a, [(r.theme.pk, r.votes) for r in items])
            for a, items in rollup.recommendations.items()
        ],
    )
    return hashlib.sha256(repr(data).encode()).hexdigest()[:32]


def chart_uri(rollup: Rollup, key: str, print_key: str | None = None) -> str | None:
    """The chart as an SVG data URI, cached by what it draws (drawing takes ~0.1-0.5 s)."""
    cache_key = f"report-chart:{key}:{print_key or fingerprint(rollup)}"
    uri = cache.get(cache_key)
    if uri is None:
        figure = build_figure(rollup, key)
        uri = svg_data_uri(figure) if figure is not None else ""
        cache.set(cache_key, uri, 60 * 60)
    return uri or None


def svg_data_uri(figure: Figure) -> str:
    """For an <img>: the page's strict CSP forbids inline SVG's own styles, not images."""
    encoded = base64.b64encode(svg(figure).encode()).decode()
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
