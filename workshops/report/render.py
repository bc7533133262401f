"""Renderers of a report draft: Markdown (and a .zip with its charts), HTML, PDF
(WeasyPrint), DOCX (python-docx) and XLSX (openpyxl).

Every format renders the one document model of ``document.py``, built once from the
draft's Markdown; no format reads another's output. Charts are SVG in HTML and PDF
(vectors), PNG in Word and in the Markdown archive.
"""

from __future__ import annotations

import io
import re
import zipfile
from html import escape

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import override, pgettext

from workshops.analysis.rollup import Rollup
from workshops.models import ReportDraft
from workshops.report import document as doc

TITLE_PAGE = doc.TITLE_PAGE
TEXT_WIDTH_CM = 17.0  # A4 with 2 cm margins
SHORT_TABLE = 15  # rows: a table this short is kept on one page


def build(draft: ReportDraft, rollup: Rollup | None) -> doc.Document:
    return doc.build_document(draft, rollup)


def _document(source, rollup: Rollup | None) -> doc.Document:
    return source if isinstance(source, doc.Document) else build(source, rollup)


def table_label() -> str:
    # Translators: the word before a table's number in captions ("Table 3").
    return pgettext("caption", "Table")


def figure_label() -> str:
    # Translators: the word before a figure's number in captions ("Figure 2").
    return pgettext("caption", "Figure")


def caption_separator() -> str:
    # Translators: between "Table 3" and its title. French: a no-break space, then ": ".
    return pgettext("caption separator", ": ")


def _caption(label: str, number: int, caption: str) -> str:
    return f"{label} {number}" + (caption_separator() + caption if caption else "")


def table_caption(table: doc.Table) -> str:
    return _caption(table_label(), table.number, table.caption)


def figure_caption(figure: doc.Figure) -> str:
    return _caption(figure_label(), figure.number, figure.caption)


# --- Markdown ------------------------------------------------------------------------

MD_SPECIAL = re.compile(r"([\\`*_\[\]|])")


def escape_raw_html(text: str) -> str:
    """Markdown passes raw HTML through to whoever renders the file: a ``<`` from a
    contribution or a section becomes ``&lt;``, so ``<script>`` is shown, never run."""
    return text.replace("<", "&lt;")


def _md_text(text: str) -> str:
    return escape_raw_html(MD_SPECIAL.sub(r"\\\1", text))


def md_runs(runs: list[doc.Run]) -> str:
    out = []
    for run in runs:
        if run.text == "\n":
            out.append("  \n")
            continue
        if run.code:
            text = "`" + run.text.replace("`", "'") + "`"
        else:
            text = _md_text(run.text)
            core = text.strip()
            if core and (run.bold or run.italic):
                mark = ("**" if run.bold else "") + ("*" if run.italic else "")
                lead = text[: len(text) - len(text.lstrip())]
                trail = text[len(text.rstrip()) :]
                text = f"{lead}{mark}{core}{mark[::-1]}{trail}"
        if run.href:
            text = f"[{text}](<{run.href.replace('>', '%3E').replace('<', '%3C')}>)"
        out.append(text)
    return "".join(out)


def _md_list(block: doc.ListBlock, indent: str = "") -> list[str]:
    lines = []
    for k, item in enumerate(block.items):
        marker = f"{block.start + k}. " if block.ordered else "- "
        text = md_runs(item.runs).replace("\n", "\n" + indent + "    ")
        lines.append(f"{indent}{marker}{text}")
        for child in item.children:
            lines += _md_list(child, indent + "    ")
    return lines


def _md_table(table: doc.Table) -> list[str]:
    numeric = table.numeric_columns()
    width = len(table.header)

    def row(cells: list[doc.Cell]) -> str:
        texts = [md_runs(c.runs).replace("\n", " ") for c in cells]
        texts += [""] * (width - len(texts))
        return "| " + " | ".join(texts[:width]) + " |"

    rule = "|" + "|".join("---:" if n else "---" for n in numeric) + "|"
    return [f"*{_md_text(table_caption(table))}*", "", row(table.header), rule] + [
        row(r) for r in table.rows
    ]


def figure_path(figure: doc.Figure) -> str:
    return f"charts/figure-{figure.number}-{figure.key}.png"


def md_blocks(blocks: list, *, title_page: bool = False, images: bool = True) -> list[str]:
    chunks = []
    for block in blocks:
        if isinstance(block, doc.Heading):
            level = 1 if title_page else block.level + 1
            chunks.append("#" * level + " " + md_runs(block.runs))
        elif isinstance(block, doc.Paragraph):
            chunks.append(md_runs(block.runs))
        elif isinstance(block, doc.Note):
            chunks.append("*" + md_runs(block.runs) + "*")
        elif isinstance(block, doc.Quote):
            chunks.append("\n>\n".join("> " + md_runs(p.runs) for p in block.blocks))
        elif isinstance(block, doc.ListBlock):
            chunks.append("\n".join(_md_list(block)))
        elif isinstance(block, doc.Table):
            chunks.append("\n".join(_md_table(block)))
        elif isinstance(block, doc.Figure) and images:
            alt = _md_text(block.alt).replace("\n", " ")
            chunks.append(f"![{alt}]({figure_path(block)})\n\n*{_md_text(figure_caption(block))}*")
    return chunks


def to_markdown(draft, rollup: Rollup | None = None, *, images: bool = False) -> str:
    """The draft as Markdown. With ``images`` (the .zip), each chart is an image
    reference to its ``charts/…png`` file; a lone .md file leaves charts out, so that
    no reference points at nothing."""
    document = _document(draft, rollup)
    chunks = []
    with override(document.language):
        for section in document.sections:
            blocks = md_blocks(section.blocks, title_page=section.is_title_page, images=images)
            body = "\n\n".join(blocks)
            if section.is_title_page:
                chunks.append(body)
            else:
                chunks.append(f"## {_md_text(section.title)}\n\n{body}".strip())
    return "\n\n".join(c for c in chunks if c).strip() + "\n"


def to_markdown_zip(draft, rollup: Rollup | None, name: str = "report") -> bytes:
    """A .zip of the Markdown and the PNG of each chart it refers to."""
    document = _document(draft, rollup)
    text = to_markdown(document, images=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{name}.md", text.encode())
        for figure in document.blocks(doc.Figure):
            image = document.images.png(figure.key)
            if image:
                archive.writestr(figure_path(figure), image)
    return buffer.getvalue()


# --- HTML and PDF ----------------------------------------------------------------------


def html_runs(runs: list[doc.Run]) -> str:
    out = []
    for run in runs:
        if run.text == "\n":
            out.append("<br>")
            continue
        text = escape(run.text, quote=False).replace("\n", "<br>")
        if run.code:
            text = f"<code>{text}</code>"
        if run.italic:
            text = f"<em>{text}</em>"
        if run.bold:
            text = f"<strong>{text}</strong>"
        if run.href:
            text = f'<a href="{escape(run.href)}" rel="noopener noreferrer nofollow">{text}</a>'
        out.append(text)
    return "".join(out)


def _html_list(block: doc.ListBlock) -> str:
    tag = "ol" if block.ordered else "ul"
    start = f' start="{block.start}"' if block.ordered and block.start != 1 else ""
    items = "".join(
        f"<li>{html_runs(item.runs)}{''.join(_html_list(c) for c in item.children)}</li>"
        for item in block.items
    )
    return f"<{tag}{start}>{items}</{tag}>"


def _html_table(table: doc.Table) -> str:
    numeric = table.numeric_columns()

    def cls(j: int) -> str:
        return ' class="num"' if j < len(numeric) and numeric[j] else ""

    head = "".join(
        f'<th scope="col"{cls(j)}>{html_runs(c.runs)}</th>' for j, c in enumerate(table.header)
    )
    rows = "".join(
        "<tr>" + "".join(f"<td{cls(j)}>{html_runs(c.runs)}</td>" for j, c in enumerate(r)) + "</tr>"
        for r in table.rows
    )
    caption = escape(table_caption(table))
    return (
        f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def html_blocks(blocks: list, images: doc.Images | None, *, title_page: bool = False) -> str:
    out = []
    for block in blocks:
        if isinstance(block, doc.Heading):
            tag = "h1" if title_page else f"h{block.level + 1}"
            out.append(f"<{tag}>{html_runs(block.runs)}</{tag}>")
        elif isinstance(block, doc.Paragraph):
            out.append(f"<p>{html_runs(block.runs)}</p>")
        elif isinstance(block, doc.Note):
            out.append(f'<p class="note">{html_runs(block.runs)}</p>')
        elif isinstance(block, doc.Quote):
            inner = "".join(f"<p>{html_runs(p.runs)}</p>" for p in block.blocks)
            out.append(f"<blockquote>{inner}</blockquote>")
        elif isinstance(block, doc.ListBlock):
            out.append(_html_list(block))
        elif isinstance(block, doc.Table):
            out.append(_html_table(block))
        elif isinstance(block, doc.Figure) and images is not None:
            uri = images.svg_uri(block.key)
            if uri:
                out.append(
                    f'<figure class="chart"><img src="{uri}" alt="{escape(block.alt)}">'
                    f"<figcaption>{escape(figure_caption(block))}</figcaption></figure>"
                )
    return "".join(out)


def safe_markdown(text: str) -> SafeString:
    """A section's Markdown as HTML for the editor, through the same document model;
    chart marks stay as text."""
    blocks = doc.section_blocks(
        text, doc.Images(None), "en", {"table": 0, "figure": 0}, keep_marks=True
    )
    return mark_safe(html_blocks(blocks, None))  # noqa: S308 - every text escaped above


def html_sections(draft, rollup: Rollup | None) -> list[dict]:
    document = _document(draft, rollup)
    with override(document.language):
        return [
            {
                "key": s.key,
                "title": s.title,
                "html": mark_safe(  # noqa: S308 - every text is escaped by html_blocks
                    html_blocks(s.blocks, document.images, title_page=s.is_title_page)
                ),
            }
            for s in document.sections
        ]


def to_html(draft, rollup: Rollup | None, *, for_pdf: bool = False) -> str:
    document = _document(draft, rollup)
    with override(document.language):
        return render_to_string(
            "workshops/report/export.html",
            {
                "title": document.title,
                "sections": html_sections(document, rollup),
                "for_pdf": for_pdf,
                "print_css": "" if for_pdf else PRINT_CSS,
                "language": document.language,
            },
        )


# The body's font, and the running header's and footer's: WeasyPrint's margin boxes
# inherit from the page, not from the body, and fell back to a serif font.
SANS = '"DejaVu Sans", sans-serif'

PRINT_CSS = """
@page { size: A4; margin: 2cm 2cm 2.2cm 2cm; font-family: SANS;
  @top-right { content: string(title); font-size: 8pt; color: #777; }
  @bottom-center { content: counter(page); font-size: 9pt; color: #555; } }
@page :first { @top-right { content: none; } @bottom-center { content: none; } }
body { font-family: SANS; font-size: 10pt; line-height: 1.45; color: #222;
  max-width: 48rem; margin: 0 auto; }
.title-page h1 { string-set: title content(); }
h1 { font-size: 22pt; color: #1f5f8b; margin: 0 0 .5em; }
h2 { font-size: 15pt; color: #1f5f8b; border-bottom: 1px solid #cfd8e0; padding-bottom: .2em;
  margin-top: 1.6em; break-after: avoid; }
h3 { font-size: 12pt; margin-top: 1.2em; break-after: avoid; }
h4 { font-size: 10.5pt; margin-top: 1em; break-after: avoid; }
.title-page { break-after: page; padding-top: 6cm; }
.title-page p { font-size: 12pt; }
blockquote { margin: .6em 0 .6em 1em; padding-left: .8em; border-left: 3px solid #e07b39;
  font-style: italic; color: #444; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: .6em 0;
  break-inside: auto; }
caption { caption-side: top; text-align: left; font-weight: bold; font-size: 9pt;
  padding-bottom: .3em; break-after: avoid; }
thead { display: table-header-group; break-inside: avoid; break-after: avoid; }
th, td { border: 1px solid #cfd8e0; padding: 3px 5px; text-align: left; vertical-align: top; }
th { background: #eef3f7; }
td.num, th.num { text-align: right; white-space: nowrap; }
tr { break-inside: avoid; }
p.note { font-size: 8pt; font-style: italic; color: #555; margin-top: .2em; }
figure.chart { margin: .8em 0; break-inside: avoid; }
figure.chart img { width: 100%; height: auto; }
figcaption { font-size: 8.5pt; font-style: italic; color: #444; }
""".replace("SANS", SANS)


def to_pdf(draft, rollup: Rollup | None) -> bytes:
    from weasyprint import CSS, HTML  # noqa: PLC0415 - slow: only when a PDF is asked for

    html = to_html(draft, rollup, for_pdf=True)
    return HTML(string=html, base_url=".").write_pdf(stylesheets=[CSS(string=PRINT_CSS)])


# --- DOCX ------------------------------------------------------------------------------


def _field_char(kind: str):
    from docx.oxml import OxmlElement  # noqa: PLC0415 - python-docx only for a DOCX
    from docx.oxml.ns import qn  # noqa: PLC0415 - python-docx only for a DOCX

    run = OxmlElement("w:r")
    mark = OxmlElement("w:fldChar")
    mark.set(qn("w:fldCharType"), kind)
    if kind == "begin":
        mark.set(qn("w:dirty"), "true")
    run.append(mark)
    return run


def _field_end(paragraph) -> None:
    paragraph._p.append(_field_char("end"))


def _docx_field(paragraph, instruction: str, shown: str = "", *, end: bool = True) -> None:
    """A complex field (PAGE, TOC, SEQ …) with ``shown`` as its last computed text;
    ``end=False`` leaves it open, to be closed by ``_field_end`` in a later paragraph."""
    from docx.oxml import OxmlElement  # noqa: PLC0415 - python-docx only for a DOCX
    from docx.oxml.ns import qn  # noqa: PLC0415 - python-docx only for a DOCX

    code = OxmlElement("w:r")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    code.append(text)
    paragraph._p.append(_field_char("begin"))
    paragraph._p.append(code)
    paragraph._p.append(_field_char("separate"))
    result = OxmlElement("w:r")
    value = OxmlElement("w:t")
    value.set(qn("xml:space"), "preserve")
    value.text = shown
    result.append(value)
    paragraph._p.append(result)
    if end:
        _field_end(paragraph)


def _docx_runs(paragraph, runs: list[doc.Run]) -> None:
    from docx.enum.text import WD_BREAK  # noqa: PLC0415 - python-docx only for a DOCX
    from docx.oxml import OxmlElement  # noqa: PLC0415 - python-docx only for a DOCX
    from docx.oxml.ns import qn  # noqa: PLC0415 - python-docx only for a DOCX
    from docx.shared import RGBColor  # noqa: PLC0415 - python-docx only for a DOCX

    for item in runs:
        if item.text == "\n":
            paragraph.add_run().add_break(WD_BREAK.LINE)
            continue
        run = paragraph.add_run(item.text)
        run.bold = item.bold or None
        run.italic = item.italic or None
        if item.code:
            run.font.name = "DejaVu Sans Mono"
        if item.href:
            run.font.underline = True
            run.font.color.rgb = RGBColor(0x1F, 0x5F, 0x8B)
            relationship = paragraph.part.relate_to(
                item.href,
                "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
                is_external=True,
            )
            link = OxmlElement("w:hyperlink")
            link.set(qn("r:id"), relationship)
            run._r.addprevious(link)
            link.append(run._r)


class _Word:
    """One DOCX being written: numbering, captions and pictures kept per document."""

    def __init__(self, document: doc.Document, template: bytes | None = None):
        from docx import Document  # noqa: PLC0415 - python-docx only for a DOCX
        from docx.oxml.ns import qn  # noqa: PLC0415 - python-docx only for a DOCX

        self.model = document
        self.reference = template is not None
        if template is None:
            self.docx = Document()
        else:
            # A network's reference document: its styles, page, header and footer (logo)
            # are kept; its body (sample text) is not.
            self.docx = Document(io.BytesIO(template))
            body = self.docx.element.body
            for child in list(body):
                if child.tag != qn("w:sectPr"):
                    body.remove(child)
        self.numbering = self.docx.part.numbering_part.element
        # Style names to ids, read once: python-docx looks a name up by scanning every
        # style, and the default one, at each paragraph (half a DOCX's time).
        self.styles = {style.name: style.style_id for style in self.docx.styles}

    def style(self, name: str, fallback: str | None = None) -> str | None:
        """``name`` when the document has that style (a reference document may not)."""
        if name in self.styles:
            return name
        return fallback if fallback in self.styles else None

    def paragraph(self, text: str = "", style: str | None = None, fallback: str | None = None):
        paragraph = self.docx.add_paragraph(text)
        name = self.style(style, fallback) if style else None
        if name is not None:
            paragraph._p.style = self.styles[name]  # what ``paragraph.style = name`` writes
        return paragraph

    # Lists: every ordered list gets its own w:num, so it restarts at its own start.
    def _numbered(self, style_name: str, start: int) -> int | None:
        if style_name not in self.styles:
            return None
        properties = self.docx.styles[style_name].element.pPr
        if properties is None or properties.numPr is None or properties.numPr.numId is None:
            return None
        base = self.numbering.num_having_numId(properties.numPr.numId.val)
        num = self.numbering.add_num(base.abstractNumId.val)
        num.add_lvlOverride(ilvl=0).add_startOverride(start)
        return num.numId

    def list(self, block: doc.ListBlock, depth: int = 1) -> None:
        from docx.oxml import OxmlElement  # noqa: PLC0415 - python-docx only for a DOCX
        from docx.oxml.ns import qn  # noqa: PLC0415 - python-docx only for a DOCX

        suffix = "" if depth == 1 else f" {min(depth, 3)}"
        style = ("List Number" if block.ordered else "List Bullet") + suffix
        num_id = self._numbered(style, block.start) if block.ordered else None
        for k, item in enumerate(block.items):
            paragraph = self.paragraph(style=style, fallback="List Paragraph")
            if style not in self.styles:  # a reference document without list styles
                paragraph.add_run(f"{block.start + k}. " if block.ordered else "• ")
            elif num_id is not None:
                properties = paragraph._p.get_or_add_pPr()
                numbering = OxmlElement("w:numPr")
                level = OxmlElement("w:ilvl")
                level.set(qn("w:val"), "0")
                number = OxmlElement("w:numId")
                number.set(qn("w:val"), str(num_id))
                numbering.append(level)
                numbering.append(number)
                properties.append(numbering)
            _docx_runs(paragraph, item.runs)
            for child in item.children:
                self.list(child, depth + 1)

    def caption(self, label: str, seq: str, number: int, caption: str, *, keep_with_next: bool):
        paragraph = self.paragraph(style="Caption")
        paragraph.add_run(label + " ")
        _docx_field(paragraph, f"SEQ {seq} \\* ARABIC", str(number))
        if caption:
            paragraph.add_run(caption_separator() + caption)
        paragraph.paragraph_format.keep_with_next = keep_with_next
        return paragraph

    def table(self, table: doc.Table) -> None:
        from docx.enum.table import WD_TABLE_ALIGNMENT  # noqa: PLC0415 - only for a DOCX
        from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415 - only for a DOCX
        from docx.oxml import OxmlElement  # noqa: PLC0415 - python-docx only for a DOCX
        from docx.shared import Cm, Pt  # noqa: PLC0415 - python-docx only for a DOCX

        self.caption(table_label(), "Table", table.number, table.caption, keep_with_next=True)
        width = (
            max(len(table.header), *(len(r) for r in table.rows))
            if table.rows
            else len(table.header)
        )
        grid = self.docx.add_table(rows=1 + len(table.rows), cols=width)
        grid.style = self.style("Table Grid")
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        grid.autofit = False
        numeric = table.numeric_columns() + [False] * width
        widths = column_widths(table, width)
        keep = len(table.rows) if len(table.rows) <= SHORT_TABLE else 3
        for j, column in enumerate(grid.columns):
            column.width = Cm(widths[j])
        # Rows and cells read once each: python-docx rebuilds the list at every index.
        for i, (cells, row) in enumerate(zip([table.header, *table.rows], grid.rows, strict=True)):
            properties = row._tr.get_or_add_trPr()
            properties.append(OxmlElement("w:cantSplit"))
            if i == 0:
                properties.append(OxmlElement("w:tblHeader"))
            row_cells = row.cells
            for j in range(width):
                cell = row_cells[j]
                cell.width = Cm(widths[j])
                paragraph = cell.paragraphs[0]
                paragraph.paragraph_format.space_after = Pt(0)
                if j < len(cells):
                    _docx_runs(paragraph, cells[j].runs)
                if i == 0:
                    for run in paragraph.runs:
                        run.bold = True
                if i < keep:
                    # The header row stays with the first rows (a short table stays whole).
                    paragraph.paragraph_format.keep_with_next = True
                if numeric[j] and i > 0:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                for run in paragraph.runs:
                    run.font.size = Pt(8.5)

    def figure(self, figure: doc.Figure) -> None:
        from docx.shared import Cm  # noqa: PLC0415 - python-docx only for a DOCX

        image = self.model.images.png(figure.key)
        if not image:
            return
        self.docx.add_picture(io.BytesIO(image), width=Cm(16))
        picture = self.docx.paragraphs[-1]
        picture.paragraph_format.keep_with_next = True
        shape = self.docx.inline_shapes[-1]
        shape._inline.docPr.set("descr", figure.alt)
        shape._inline.docPr.set("title", figure.caption)
        self.caption(figure_label(), "Figure", figure.number, figure.caption, keep_with_next=False)

    def blocks(self, blocks: list, *, title_page: bool) -> None:
        from docx.shared import Pt  # noqa: PLC0415 - python-docx only for a DOCX

        for block in blocks:
            if isinstance(block, doc.Heading):
                if title_page:
                    paragraph = self.paragraph(style="Title", fallback="Heading 1")
                else:
                    paragraph = self.paragraph(style=f"Heading {block.level}")
                _docx_runs(paragraph, block.runs)
            elif isinstance(block, doc.Paragraph):
                _docx_runs(self.docx.add_paragraph(), block.runs)
            elif isinstance(block, doc.Note):
                paragraph = self.docx.add_paragraph()
                _docx_runs(paragraph, block.runs)
                for run in paragraph.runs:
                    run.italic = True
                    run.font.size = Pt(8)
            elif isinstance(block, doc.Quote):
                for p in block.blocks:
                    _docx_runs(self.paragraph(style="Quote"), p.runs)
            elif isinstance(block, doc.ListBlock):
                self.list(block)
            elif isinstance(block, doc.Table):
                self.table(block)
            elif isinstance(block, doc.Figure):
                self.figure(block)

    def page_setup(self) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH  # noqa: PLC0415 - only for a DOCX
        from docx.oxml.ns import qn  # noqa: PLC0415 - python-docx only for a DOCX
        from docx.shared import Cm, Pt  # noqa: PLC0415 - python-docx only for a DOCX

        section = self.docx.sections[0]
        section.different_first_page_header_footer = True
        if not self.reference:
            section.page_width, section.page_height = Cm(21), Cm(29.7)
            for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
                setattr(section, side, Cm(2))
        # A reference document's own header and footer (its logo) are kept; the title
        # and the page number are added where it has none.
        header = section.header
        has_content = header._element.find(".//" + qn("w:drawing")) is not None or any(
            p.text for p in header.paragraphs
        )
        if header.is_linked_to_previous or not has_content:
            line = header.paragraphs[0]
            line.add_run(self.model.title).font.size = Pt(8)
            line.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        footer = section.footer
        if "PAGE" not in " ".join(
            node.text or "" for node in footer._element.iter(qn("w:instrText"))
        ):
            line = footer.add_paragraph() if self.reference else footer.paragraphs[0]
            line.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _docx_field(line, "PAGE", "1")

    def contents(self) -> None:
        """A table-of-contents field over several paragraphs, pre-filled with the section
        titles: Word replaces them all when it updates the field (``w:updateFields`` asks
        it to on opening) and adds the page numbers; LibreOffice shows them as they are."""
        from docx.oxml import OxmlElement  # noqa: PLC0415 - python-docx only for a DOCX
        from docx.oxml.ns import qn  # noqa: PLC0415 - python-docx only for a DOCX
        from docx.shared import Pt  # noqa: PLC0415 - python-docx only for a DOCX

        self.paragraph(_("Contents"), style="TOC Heading", fallback="Heading 1")
        titles = [s.title for s in self.model.sections if not s.is_title_page and s.title]
        lines = [self.docx.add_paragraph() for _title in titles or [""]]
        for line in lines:
            line.paragraph_format.space_after = Pt(2)
        _docx_field(lines[0], 'TOC \\o "1-2" \\h \\z \\u', titles[0] if titles else "", end=False)
        for line, title in zip(lines[1:], titles[1:], strict=True):
            line.add_run(title)
        _field_end(lines[-1])
        settings = self.docx.settings.element
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.append(update)

    def write(self) -> bytes:
        from docx.enum.text import WD_BREAK  # noqa: PLC0415 - python-docx only for a DOCX
        from docx.shared import Pt  # noqa: PLC0415 - python-docx only for a DOCX

        if not self.reference:  # a reference document's own fonts win
            style = self.docx.styles["Normal"]
            style.font.name = "DejaVu Sans"
            style.font.size = Pt(10)
        properties = self.docx.core_properties
        properties.title = self.model.title
        properties.language = self.model.language
        properties.author = _("Peace Exchange")
        self.page_setup()
        for section in self.model.sections:
            if section.is_title_page:
                self.blocks(section.blocks, title_page=True)
                self.docx.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
                self.contents()
                self.docx.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
                continue
            self.paragraph(section.title, style="Heading 1")
            self.blocks(section.blocks, title_page=False)
        buffer = io.BytesIO()
        self.docx.save(buffer)
        return buffer.getvalue()


def column_widths(table: doc.Table, width: int, total: float = TEXT_WIDTH_CM) -> list[float]:
    """Widths in cm that add up to the text width: every column at least as wide as its
    longest word (so "Votes" never breaks as "Vot-es"), a number column as wide as its
    longest number and no wider, the room left shared among text columns by their
    typical length."""
    numeric = table.numeric_columns() + [False] * width
    minimums, weights = [], []
    for j in range(width):
        texts = [r[j].text for r in [table.header, *table.rows] if j < len(r)]
        longest_word = max((len(w) for t in texts for w in t.split()), default=3)
        if numeric[j]:  # a number such as "10 (83 %)" is never broken over two lines
            longest_word = max([longest_word, *(len(t) for t in texts[1:])])
        minimums.append(0.21 * longest_word + 0.45)  # 8.5 pt bold, with the cell's padding
        typical = sum(min(len(t), 80) for t in texts) / max(1, len(texts))
        weights.append(0.0 if numeric[j] else typical)
    spare = total - sum(minimums)
    if spare <= 0:
        return [round(m * total / sum(minimums), 2) for m in minimums]
    if not any(weights):
        weights = [1.0] * width
    share = sum(weights)
    return [round(m + spare * w / share, 2) for m, w in zip(minimums, weights, strict=True)]


def to_docx(draft, rollup: Rollup | None, template: bytes | None = None) -> bytes:
    document = _document(draft, rollup)
    with override(document.language):
        return _Word(document, template).write()


# --- XLSX: one sheet per table ---------------------------------------------------------


def to_xlsx(draft, rollup: Rollup | None = None) -> bytes:
    """Every table of the draft on its own sheet: numbers numeric, shares as numbers in
    a % format, "<5" and "×" as text with a note under the table, header row frozen."""
    from openpyxl import Workbook  # noqa: PLC0415 - openpyxl only when an XLSX is asked for
    from openpyxl.styles import Alignment, Font  # noqa: PLC0415 - only for an XLSX
    from openpyxl.utils import get_column_letter  # noqa: PLC0415 - only for an XLSX

    from workshops.report.exports import neutralise  # noqa: PLC0415 - exports imports render

    document = _document(draft, rollup)
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    with override(document.language):
        share_label = _("share")
        for table in document.blocks(doc.Table):
            sheet = workbook.create_sheet(sheet_title(table))
            sheet.append([neutralise(table_caption(table))])
            sheet["A1"].font = Font(bold=True, size=12)
            shares = table.share_columns()
            header = []
            for j, cell in enumerate(table.header):
                header.append(neutralise(cell.text))
                if shares[j]:
                    header.append(neutralise(f"{cell.text} — {share_label}"))
            sheet.append(header)
            for cell in sheet[2]:
                cell.font = bold
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            percent_columns = set()
            for cells in table.rows:
                values: list = []
                for j, cell in enumerate(cells):
                    if cell.kind == "number":
                        values.append(cell.value)
                    else:
                        text = cell.text if cell.kind == "text" else cell.text.split(" (")[0]
                        values.append(neutralise(text))
                    if j < len(shares) and shares[j]:
                        percent_columns.add(len(values) + 1)
                        values.append(cell.share)
                sheet.append(values)
            for column in percent_columns:
                for row in sheet.iter_rows(min_row=3, min_col=column, max_col=column):
                    row[0].number_format = "0%"
            if table.has_small:
                sheet.append([])
                sheet.append([neutralise(doc.small_numbers_note())])
                sheet.cell(sheet.max_row, 1).font = Font(italic=True)
            sheet.freeze_panes = "A3"
            for index, column in enumerate(sheet.iter_cols(min_row=2), start=1):
                longest = max((len(str(c.value)) for c in column if c.value is not None), default=8)
                letter = get_column_letter(index)
                sheet.column_dimensions[letter].width = min(60, max(8, longest + 2))
        if not workbook.sheetnames:
            sheet = workbook.create_sheet(_("Tables")[:31])
            sheet.append([_("This draft has no table.")])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def sheet_title(table: doc.Table) -> str:
    """ "3 Drivers by zone…": unique by its number, at most 31 characters, no []:*?/\\."""
    title = re.sub(r"[\[\]:*?/\\]", " ", f"{table.number} {table.caption or ''}").strip()
    return " ".join(title.split())[:31]
