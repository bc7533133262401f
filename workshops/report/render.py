"""Renderers of a report draft: Markdown, HTML, PDF (WeasyPrint) and DOCX (python-docx).

Section text is Markdown written by the builder or by staff. It is turned into
HTML and sanitised with nh3 before it is shown or exported. Charts are placed
where a section holds a ``{{chart:key}}`` line: SVG in HTML and PDF, PNG in Word.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import markdown as md
import nh3
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import override

from workshops.analysis.rollup import Rollup
from workshops.models import ReportDraft
from workshops.report import charts, context
from workshops.validators import remove_unsafe_characters

CHART_LINE = re.compile(r"^\{\{chart:([a-z-]+)\}\}$")
CHART_PARAGRAPH = re.compile(r"<p>\{\{chart:([a-z-]+)\}\}</p>")
TITLE_PAGE = "title-page"
ALLOWED_TAGS = {
    "p", "br", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "ul", "ol", "li",
    "blockquote", "code", "pre", "hr", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def markdown_to_html(text: str) -> str:
    html = md.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def safe_markdown(text: str) -> SafeString:
    """Sanitised HTML of a section, chart marks left as text (for the editor)."""
    return mark_safe(markdown_to_html(text))  # noqa: S308 - cleaned by nh3 just above


@dataclass
class Part:
    key: str
    title: str
    body: str


def parts(draft: ReportDraft) -> list[Part]:
    """The sections as every format renders them: without characters XML cannot hold."""
    clean = remove_unsafe_characters
    return [Part(s.key, clean(s.title), clean(s.body)) for s in draft.sections.all()]


# --- Markdown ------------------------------------------------------------------------


def escape_raw_html(text: str) -> str:
    """Markdown passes raw HTML through to whoever renders the file: a ``<`` from a
    contribution or a section becomes ``&lt;``, so ``<script>`` is shown, never run.
    Markdown itself (``**``, ``>`` quotes, tables) is kept."""
    return text.replace("<", "&lt;")


def to_markdown(draft: ReportDraft) -> str:
    chunks = []
    for part in parts(draft):
        body = escape_raw_html(
            "\n".join(line for line in part.body.splitlines() if not CHART_LINE.match(line.strip()))
        )
        title = escape_raw_html(part.title)
        chunks.append(body if part.key == TITLE_PAGE else f"## {title}\n\n{body}")
    return "\n\n".join(chunks).strip() + "\n"


# --- HTML and PDF ----------------------------------------------------------------------


def _section_html(part: Part, rollup: Rollup | None, figure_cache: dict) -> SafeString:
    html = markdown_to_html(part.body)

    def chart(match: re.Match) -> str:
        key = match.group(1)
        if rollup is None:
            return ""
        if key in context.CONTEXT_CHARTS:
            return _context_figure(key, rollup, figure_cache)
        if key not in charts.CHART_TITLES:
            return ""
        if key not in figure_cache:
            figure_cache[key] = charts.chart_uri(rollup, key)
        uri = figure_cache[key]
        if uri is None:
            return ""
        alt = charts.chart_title(key, rollup.language)
        return f'<figure class="chart"><img src="{uri}" alt="{alt}"></figure>'

    return mark_safe(CHART_PARAGRAPH.sub(chart, html))  # noqa: S308 - nh3-cleaned + our images


def _context_figure(key: str, rollup: Rollup, figure_cache: dict) -> str:
    """An ACLED context chart as an SVG image (drawn once per export)."""
    if "context" not in figure_cache:
        figure_cache["context"] = context.context_chart_images(
            rollup.workshop, rollup.language, image_format="svg"
        )
    svg = figure_cache["context"].get(key)
    if not svg:
        return ""
    alt = context.chart_title(key, rollup.language)
    return f'<figure class="chart"><img src="{charts.svg_data_uri(svg)}" alt="{alt}"></figure>'


def html_sections(draft: ReportDraft, rollup: Rollup | None) -> list[dict]:
    cache: dict = {}
    return [
        {"key": p.key, "title": p.title, "html": _section_html(p, rollup, cache)}
        for p in parts(draft)
    ]


def to_html(draft: ReportDraft, rollup: Rollup | None, *, for_pdf: bool = False) -> str:
    with override(draft.language):
        return render_to_string(
            "workshops/report/export.html",
            {
                "draft": draft,
                "workshop": draft.workshop,
                "sections": html_sections(draft, rollup),
                "for_pdf": for_pdf,
                "print_css": "" if for_pdf else PRINT_CSS,
                "language": draft.language,
            },
        )


PRINT_CSS = """
@page { size: A4; margin: 2cm 2cm 2.2cm 2cm;
  @bottom-center { content: counter(page); font-size: 9pt; color: #555; } }
@page :first { @bottom-center { content: none; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; line-height: 1.45; color: #222;
  max-width: 48rem; margin: 0 auto; }
h1 { font-size: 22pt; color: #1f5f8b; margin: 0 0 .5em; }
h2 { font-size: 15pt; color: #1f5f8b; border-bottom: 1px solid #cfd8e0; padding-bottom: .2em;
  margin-top: 1.6em; break-after: avoid; }
h3 { font-size: 12pt; margin-top: 1.2em; break-after: avoid; }
.title-page { break-after: page; padding-top: 6cm; }
.title-page p { font-size: 12pt; }
blockquote { margin: .6em 0 .6em 1em; padding-left: .8em; border-left: 3px solid #e07b39;
  font-style: italic; color: #444; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: .6em 0;
  break-inside: auto; }
th, td { border: 1px solid #cfd8e0; padding: 3px 5px; text-align: left; vertical-align: top; }
th { background: #eef3f7; }
tr { break-inside: avoid; }
figure.chart { margin: .8em 0; break-inside: avoid; }
figure.chart img { width: 100%; height: auto; }
"""


def to_pdf(draft: ReportDraft, rollup: Rollup | None) -> bytes:
    from weasyprint import CSS, HTML  # noqa: PLC0415 - slow: only when a PDF is asked for

    html = to_html(draft, rollup, for_pdf=True)
    return HTML(string=html, base_url=".").write_pdf(stylesheets=[CSS(string=PRINT_CSS)])


# --- DOCX ------------------------------------------------------------------------------

INLINE_BOLD = re.compile(r"\*\*(.+?)\*\*")


def _add_runs(paragraph, text: str) -> None:
    position = 0
    for match in INLINE_BOLD.finditer(text):
        if match.start() > position:
            paragraph.add_run(text[position : match.start()])
        paragraph.add_run(match.group(1)).bold = True
        position = match.end()
    if position < len(text):
        paragraph.add_run(text[position:])


def _add_table(document, rows: list[list[str]]) -> None:
    if not rows:
        return
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            table.cell(i, j).text = cell
            if i == 0:
                for run in table.cell(i, j).paragraphs[0].runs:
                    run.bold = True


def _table_cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _add_markdown(document, text: str, rollup: Rollup | None, images: dict) -> None:
    from docx.shared import Cm  # noqa: PLC0415 - python-docx only when a DOCX is asked for

    table_rows: list[list[str]] = []
    for raw in [*text.splitlines(), ""]:
        line = raw.strip()
        if line.startswith("|"):
            if not re.fullmatch(r"\|?(\s*:?-+:?\s*\|)+\s*", line):
                table_rows.append(_table_cells(line))
            continue
        if table_rows:
            _add_table(document, table_rows)
            table_rows = []
        if not line:
            continue
        if chart := CHART_LINE.match(line):
            key = chart.group(1)
            if rollup is not None and key in context.CONTEXT_CHARTS:
                if "context" not in images:
                    images["context"] = context.context_chart_images(
                        rollup.workshop, rollup.language, image_format="png"
                    )
                if png := images["context"].get(key):
                    document.add_picture(io.BytesIO(png), width=Cm(16))
                continue
            if rollup is None or key not in charts.CHART_TITLES:
                continue
            if key not in images:
                figure = charts.build_figure(rollup, key)
                images[key] = charts.png(figure) if figure else None
            if images[key]:
                document.add_picture(io.BytesIO(images[key]), width=Cm(16))
        elif line.startswith("# "):
            document.add_heading(line[2:], level=0)
        elif line.startswith("### "):
            document.add_heading(line[4:], level=2)
        elif line.startswith("## "):
            document.add_heading(line[3:], level=2)
        elif line.startswith(("- ", "* ")):
            _add_runs(document.add_paragraph(style="List Bullet"), line[2:])
        elif re.match(r"^\d+\. ", line):
            _add_runs(document.add_paragraph(style="List Number"), line.split(". ", 1)[1])
        elif line.startswith(">"):
            _add_runs(document.add_paragraph(style="Quote"), line.lstrip("> ").strip())
        else:
            _add_runs(document.add_paragraph(), line)


def to_docx(draft: ReportDraft, rollup: Rollup | None) -> bytes:
    from docx import Document  # noqa: PLC0415 - python-docx only when a DOCX is asked for
    from docx.enum.text import WD_BREAK  # noqa: PLC0415 - python-docx only when a DOCX is asked for
    from docx.shared import Pt  # noqa: PLC0415 - python-docx only when a DOCX is asked for

    document = Document()
    style = document.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(10)
    with override(draft.language):
        document.core_properties.title = remove_unsafe_characters(draft.workshop.title)
        document.core_properties.language = draft.language
        document.core_properties.author = _("Peace Exchange")
    images: dict = {}
    for part in parts(draft):
        if part.key != TITLE_PAGE:
            document.add_heading(part.title, level=1)
        _add_markdown(document, part.body, rollup, images)
        if part.key == TITLE_PAGE:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
