"""Contributions as CSV or XLSX: aggregated for everyone, one row each for organisers.

Aggregated tables count distinct participants per category and theme, with the
small-cell rule applied ("<5", and "×" for complementary cells). Row-level tables
carry no name, no author id, no organisation and no device data; views record
every export in the audit log.
"""

from __future__ import annotations

import csv
import io

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import override

from workshops.analysis.rollup import Rollup, contributions_of
from workshops.analysis.suppression import protect
from workshops.choices import Audience, Category, Horizon
from workshops.models import ExportAuditLog, Workshop

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """Text that a spreadsheet will not run as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def aggregated_rows(rollup: Rollup) -> list[list[str]]:
    with override(rollup.language):
        header = [_("Category"), _("Theme"), _("Contributions"), _("Participants")]
        rows = [header]
        labels = dict(Category.choices)
        for category, items in rollup.themes_by_category.items():
            if not items:
                continue
            table = protect([[i.contributions, i.participants] for i in items])
            for k, item in enumerate(items):
                rows.append(
                    [
                        str(labels.get(category, category)),
                        item.theme.label(rollup.language),
                        table.cell(k, 0),
                        table.cell(k, 1),
                    ]
                )
    return rows


def row_level_rows(workshop: Workshop, sources=(), language: str = "en") -> list[list[str]]:
    qs = (
        contributions_of(workshop, sources)
        .select_related("session", "zone")
        .prefetch_related("themes")
        .annotate(n_votes=Count("votes", distinct=True))
        .order_by("created_at", "pk")
    )
    with override(language):
        header = [
            _("Number"),
            _("Created"),
            _("Session"),
            _("Category"),
            _("Horizon"),
            _("Audience"),
            _("Source"),
            _("Zone"),
            _("Gender"),
            _("Themes"),
            _("Language"),
            _("Quotable"),
            _("Votes"),
            _("Text"),
        ]
        categories, horizons, audiences = (
            dict(Category.choices),
            dict(Horizon.choices),
            dict(Audience.choices),
        )
        rows = [header]
        for number, c in enumerate(qs, start=1):
            rows.append(
                [
                    str(number),
                    c.created_at.isoformat(timespec="minutes"),
                    neutralise(c.session.title if c.session else ""),
                    str(categories.get(c.category, c.category)),
                    str(horizons.get(c.horizon, "")),
                    str(audiences.get(c.audience, "")),
                    c.get_source_display(),
                    c.zone.label(language) if c.zone else "",
                    c.get_gender_display() if c.gender else "",
                    neutralise("; ".join(t.label(language) for t in c.themes.all())),
                    c.language,
                    _("yes") if c.quotable else _("no"),
                    str(c.n_votes),
                    neutralise(c.text),
                ]
            )
    return rows


def to_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([[neutralise(cell) for cell in row] for row in rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel reads it as UTF-8


def to_xlsx(rows: list[list[str]], title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    for row in rows:
        sheet.append([neutralise(cell) for cell in row])
    for cell in sheet[1]:
        cell.font = cell.font.copy(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def record_export(*, workshop: Workshop, user, kind: str, language: str = "") -> ExportAuditLog:
    return ExportAuditLog.objects.create(
        workshop=workshop,
        user=user if getattr(user, "is_authenticated", False) else None,
        kind=kind,
        language=language,
    )
