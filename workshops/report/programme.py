"""The programme view's chart, PDF and XLSX: a small render of its own (the workshop report's
renderer is ``render``). Every number comes from the audited programme release as printed."""

from __future__ import annotations

import hashlib
import io

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from workshops.analysis.programme import COUNTRY, YEAR, Programme
from workshops.analysis.rollup import printed_value
from workshops.choices import Category
from workshops.models import FollowUpStatus
from workshops.report import charts

MAX_BARS = charts.MAX_BARS
# The programme's own print style (the workshop report's lives in ``render``).
PRINT_CSS = """
@page { size: A4; margin: 2cm 1.8cm; @bottom-center { content: counter(page); font-size: 8pt; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; line-height: 1.4; color: #222; }
h1 { font-size: 20pt; color: #1f5f8b; margin: 0 0 .4em; }
h2 { font-size: 14pt; color: #1f5f8b; border-bottom: 1px solid #cfd8e0; margin-top: 1.4em;
  break-after: avoid; }
h3 { font-size: 11pt; margin-top: 1em; break-after: avoid; }
table { border-collapse: collapse; width: 100%; font-size: 8pt; margin: .5em 0; }
th, td { border: 1px solid #cfd8e0; padding: 2px 4px; text-align: left; vertical-align: top; }
th { background: #eef3f7; }
tr { break-inside: avoid; }
img.chart { width: 100%; height: auto; }
.muted { color: #666; }
"""


def chart_uri(programme: Programme, category: str = Category.DRIVER) -> str | None:
    """The themes of ``category`` most raised across the programme, as an SVG data URI.

    Drawn from the printed totals only (a "<5" gets no bar), cached by what it draws."""
    items = programme.themes_of(category)[:MAX_BARS] if programme.has_tables else []
    if not items:
        return None
    labels = [t.theme.label(programme.language) for t in items]
    values = [t.people for t in items]
    key = hashlib.sha256(repr((programme.language, category, labels, values)).encode())
    cache_key = f"programme-chart:{key.hexdigest()[:32]}"
    uri = cache.get(cache_key)
    if uri is None:
        figure = charts._counts(
            str(Category(category).label),
            labels,
            values,
            _("People"),
        )
        uri = charts.svg_data_uri(charts.svg(figure))
        cache.set(cache_key, uri, 60 * 60)
    return uri


def to_pdf(context: dict) -> bytes:
    from weasyprint import CSS, HTML  # noqa: PLC0415 - slow: only when a PDF is asked for

    html = render_to_string("workshops/programme/print.html", context)
    return HTML(string=html, base_url=".").write_pdf(stylesheets=[CSS(string=PRINT_CSS)])


def to_xlsx(context: dict) -> bytes:
    """One sheet per part of the page, numbers as printed ("<5" stays text)."""
    from openpyxl import Workbook  # noqa: PLC0415 - openpyxl only when an XLSX is asked for
    from openpyxl.styles import Font  # noqa: PLC0415

    programme: Programme = context["programme"]
    book = Workbook()
    bold = Font(bold=True)

    def sheet(title, header, rows, first=False):
        ws = book.active if first else book.create_sheet()
        ws.title = title[:31]
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append([_number(v) for v in row])
        return ws

    sheet(
        _("Workshops"),
        [_("Workshop"), _("Country"), _("Year"), _("Voices")],
        [(pw.workshop.title, pw.country, pw.year, pw.voices) for pw in programme.workshops],
        first=True,
    )
    for dimension, title in ((COUNTRY, _("By country")), (YEAR, _("By year"))):
        rows = []
        for category, table in programme.tables(dimension).items():
            for row in table.rows:
                rows.append(
                    (
                        str(Category(category).label),
                        row.theme.label(programme.language),
                        *row.cells,
                        row.total,
                    )
                )
        groups = programme.groups[dimension]
        sheet(
            title,
            [_("Category"), _("Theme"), *[g.label for g in groups], _("Total")],
            rows,
        )
    movements = context.get("movements") or []
    sheet(
        _("Movements"),
        [_("Category"), _("Theme"), _("Direction"), _("Earlier"), _("Later"), _("q-value")],
        [
            (
                str(Category(m.category).label),
                m.theme.label(programme.language),
                _("rising") if m.rising else _("falling"),
                context["pair"][0].workshop.title,
                context["pair"][1].workshop.title,
                round(m.comparison.q_value, 4),
            )
            for m in movements
        ],
    )
    sheet(
        _("Recommendations"),
        [_("Workshop"), _("Recommendation"), _("Addressed to"), _("Status")],
        [
            (
                r.workshop.title,
                r.text,
                r.tracking.get_addressee_display() if r.tracking else "",
                r.tracking.get_status_display() if r.tracking else FollowUpStatus.NOT_STARTED.label,
            )
            for r in context["recommendations"]
        ],
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _number(value):
    """A printed count as a number where it is exact; "<5" and "×" stay text."""
    if isinstance(value, int | float):
        return value
    value = str(value)  # a translated label
    exact = printed_value(value)
    return exact if exact is not None else value
