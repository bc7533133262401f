"""Contributions as CSV or XLSX: aggregated for everyone, one row each for organisers.

Aggregated tables count distinct participants per category and theme, with the
small-cell rule applied ("<5", and "×" for complementary cells). Row-level tables
carry no name, no author id, no organisation and no device data; views record
every export in the data access log (``ExportAuditLog.record``).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import override

from workshops.analysis.disclosure import GENDER, ZONE
from workshops.analysis.rollup import Rollup, build_rollup, contributions_of
from workshops.choices import Audience, Category, Gender, Horizon, Source
from workshops.models import (
    Contribution,
    ExportAuditLog,
    ReportDraft,
    Theme,
    Vote,
    Workshop,
    Zone,
)
from workshops.models.report import ExportKind
from workshops.report import document
from workshops.validators import remove_unsafe_characters

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """Text that a spreadsheet can hold (no control characters) and will not run as a
    formula (CSV injection)."""
    text = "" if value is None else remove_unsafe_characters(str(value))
    return "'" + text if text.startswith(FORMULA_START) else text


def aggregated_rows(rollup: Rollup) -> list[list[str]]:
    """Every table of the scope read, long format (one row per theme, breakdown and group,
    then the theme's total), exactly as the release prints it: "<5" and "×" included."""
    with override(rollup.language):
        header = [
            _("Category"),
            _("Horizon or audience"),
            _("Theme"),
            _("Breakdown"),
            _("Group"),
            _("People"),
            _("People in the group"),
        ]
        rows = [header]
        categories = dict(Category.choices)
        details = {**dict(Horizon.choices), **dict(Audience.choices)}
        breakdowns = {ZONE: _("Zone"), GENDER: _("Gender")}
        for (_facet, dimension), table in rollup.tables.items():
            category = str(categories.get(table.category, table.category))
            detail = str(details.get(table.detail, table.detail)) if table.detail else ""
            for row in table.rows:
                theme = row.theme.label(rollup.language)
                for group, size, cell in zip(table.groups, table.sizes, row.cells, strict=True):
                    rows.append(
                        [category, detail, theme, breakdowns[dimension], group.label, cell, size]
                    )
                rows.append(
                    [
                        category,
                        detail,
                        theme,
                        breakdowns[dimension],
                        _("Total"),
                        row.total,
                        str(rollup.participants),
                    ]
                )
    return rows


def row_level_rows(workshop: Workshop, sources=(), language: str = "en") -> list[list[str]]:
    """One row per counted contribution; three queries whatever the size."""
    vote_count = (
        Vote.objects.filter(contribution=OuterRef("pk"))
        .values("contribution")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = contributions_of(workshop, sources)
    rows_data = list(
        qs.annotate(n_votes=Coalesce(Subquery(vote_count), 0))
        .order_by("created_at", "pk")
        .values(
            "pk", "created_at", "session__title", "category", "horizon", "audience", "source",
            "zone_id", "gender", "language", "quotable", "n_votes", "text",
        )
    )  # fmt: skip
    themes_of: dict[int, list[int]] = {}
    for contribution_id, theme_id in Contribution.themes.through.objects.filter(
        contribution__in=qs
    ).values_list("contribution_id", "theme_id"):
        themes_of.setdefault(contribution_id, []).append(theme_id)
    with override(language):
        theme_names = {t.pk: t.label(language) for t in Theme.objects.for_workshop(workshop)}
        zone_names = {z.pk: z.label(language) for z in Zone.objects.filter(workshop=workshop)}
        labels = {
            field: {value: str(label) for value, label in choices}
            for field, choices in (
                ("category", Category.choices),
                ("horizon", Horizon.choices),
                ("audience", Audience.choices),
                ("source", Source.choices),
                ("gender", Gender.choices),
            )
        }
        yes, no = _("yes"), _("no")
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
    rows = [header]
    for number, c in enumerate(rows_data, start=1):
        rows.append(
            [
                str(number),
                c["created_at"].isoformat(timespec="minutes"),
                c["session__title"] or "",
                labels["category"].get(c["category"], c["category"]),
                labels["horizon"].get(c["horizon"], ""),
                labels["audience"].get(c["audience"], ""),
                labels["source"].get(c["source"], c["source"]),
                zone_names.get(c["zone_id"], ""),
                labels["gender"].get(c["gender"], ""),
                "; ".join(theme_names.get(t, "") for t in themes_of.get(c["pk"], [])),
                c["language"],
                yes if c["quotable"] else no,
                str(c["n_votes"]),
                c["text"],
            ]
        )
    return rows


def to_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([[neutralise(cell) for cell in row] for row in rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel reads it as UTF-8


def to_xlsx(rows: list[list[str]], title: str) -> bytes:
    """The rows on one sheet: a column of counts holds numbers (SUM and pivot tables
    work), "<5" and "×" stay text with a note under the table; header row frozen."""
    from openpyxl import Workbook  # noqa: PLC0415 - openpyxl only when an XLSX is asked for
    from openpyxl.styles import Font  # noqa: PLC0415 - openpyxl only when an XLSX is asked for
    from openpyxl.utils import get_column_letter  # noqa: PLC0415 - only for an XLSX

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    numeric = [
        all(document.typed_cell([document.Run(str(r[j]))]).kind != "text" for r in body if r[j])
        and any(r[j] for r in body)
        for j in range(len(header))
    ]
    sheet.append([neutralise(cell) for cell in header])
    small = False
    for row in body:
        values = []
        for j, cell in enumerate(row):
            typed = document.typed_cell([document.Run(str(cell))]) if numeric[j] else None
            if typed is not None and typed.kind == "number":
                values.append(typed.value)
            else:
                small = small or (typed is not None and typed.kind != "text")
                values.append(neutralise(cell))
        sheet.append(values)
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    sheet.freeze_panes = "A2"
    for j, name in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(j)].width = min(60, max(10, len(str(name)) + 2))
    if small:
        sheet.append([])
        sheet.append([document.small_numbers_note()])  # in the language of the request
        sheet.cell(sheet.max_row, 1).font = Font(italic=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Report drafts (web and API exports) ------------------------------------------------

DRAFT_FORMATS = {
    "docx": (
        ExportKind.DOCX,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "pdf": (ExportKind.PDF, "application/pdf"),
    "md": (ExportKind.MARKDOWN, "text/markdown; charset=utf-8"),
    "html": (ExportKind.HTML, "text/html; charset=utf-8"),
    # Markdown with its charts as PNG files beside it.
    "zip": (ExportKind.MARKDOWN, "application/zip"),
    # The draft's tables, one sheet each: aggregated numbers only.
    "xlsx": (
        ExportKind.XLSX_AGGREGATED,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


@dataclass(frozen=True)
class DraftFile:
    body: bytes
    content_type: str
    filename: str
    fingerprint: str = ""  # of what the file shows (``draft_fingerprint``)


def reference_document(workshop: Workshop) -> bytes | None:
    """The reference .docx of the network that organises the workshop, if it has one."""
    organiser = workshop.organiser
    network = organiser.member_of if organiser is not None else None
    if network is None or not network.reference_document:
        return None
    with network.reference_document.open("rb") as file:
        return file.read()


def _draft_inputs(report: ReportDraft, fmt: str):
    """What the file of ``report`` in ``fmt`` is made of: the roll-up (None for a lone .md,
    which has no charts), the document read once, and the network's reference .docx."""
    from workshops.report import render  # noqa: PLC0415 - matplotlib only when asked

    workshop = report.workshop
    data = (
        None
        if fmt == "md"
        else build_rollup(workshop, language=report.language, sources=report.sources)
    )
    template = reference_document(workshop) if fmt == "docx" else None
    return data, render.build(report, data), template


_ROOT = Path(__file__).resolve().parents[2]
_RENDERER_FILES = ("workshops/report/*.py", "templates/workshops/report/*", "locale/*/*/django.po")


@functools.cache
def renderer_version() -> str:
    """A hash of the code, templates and translations that draw a file: a file prepared
    before a deploy that changed any of them is not served after it."""
    digest = hashlib.sha256()
    for pattern in _RENDERER_FILES:
        for path in sorted(_ROOT.glob(pattern)):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


def draft_fingerprint(
    fmt: str, built: document.Document, data: Rollup | None, template: bytes | None
) -> str:
    """What a file shows, hashed: the document's every block, the numbers its charts draw
    (the roll-up's, and the ACLED context's when it has that section), the reference .docx
    and the format. The same fingerprint, the same file; any edit or new number, another."""
    from workshops import queries  # noqa: PLC0415 - only for a draft's file
    from workshops.report import charts, context  # noqa: PLC0415 - matplotlib when drawn

    figures = {f.key for f in built.blocks(document.Figure)}
    numbers = charts.fingerprint(data) if data is not None and figures else ""
    events = (
        repr(queries.context_summary(data.workshop))
        if data is not None and figures & set(context.CONTEXT_CHARTS)
        else ""
    )
    parts = (
        renderer_version(),
        fmt,
        built.language,
        built.title,
        repr(built.sections),
        numbers,
        events,
        hashlib.sha256(template).hexdigest() if template else "",
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def current_fingerprint(*, report: ReportDraft, fmt: str) -> str:
    """The fingerprint the file of ``report`` in ``fmt`` would have now (no file made)."""
    data, built, template = _draft_inputs(report, fmt)
    with override(report.language):
        return draft_fingerprint(fmt, built, data, template)


def export_draft(*, report: ReportDraft, fmt: str, user, record: bool = True) -> DraftFile:
    """The draft in ``fmt`` (a key of ``DRAFT_FORMATS``), recorded in the audit log as read
    by ``user`` unless ``record`` is False (a file prepared before anyone asked for it:
    ``services.jobs`` records the read of each person it is given to)."""
    from workshops.report import render  # noqa: PLC0415 - matplotlib only when asked

    kind, content_type = DRAFT_FORMATS[fmt]
    workshop = report.workshop
    data, built, template = _draft_inputs(report, fmt)
    name = f"{slugify(workshop.slug)}-report-{report.language}"
    if fmt == "docx":
        body = render.to_docx(built, data, template=template)
    elif fmt == "pdf":
        body = render.to_pdf(built, data)
    elif fmt == "md":
        body = render.to_markdown(built).encode()
    elif fmt == "zip":
        body = render.to_markdown_zip(built, data, name=name)
    elif fmt == "xlsx":
        body = render.to_xlsx(built)
    else:
        body = render.to_html(built, data).encode()
    if record:
        ExportAuditLog.record(workshop=workshop, user=user, kind=kind, language=report.language)
    with override(report.language):
        fingerprint = draft_fingerprint(fmt, built, data, template)
    return DraftFile(body, content_type, f"{name}.{fmt}", fingerprint)
