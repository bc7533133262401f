"""The one document model of a report draft, built once and rendered by every format.

A draft is stored as Markdown sections (written by the builder, edited by staff). This
module reads that Markdown once, with Python-Markdown's own tree (no second parser),
into plain blocks: headings of three levels, paragraphs of runs (bold, italic, code,
links), lists that carry their own numbering, tables with a header row and typed cells,
figures with a caption and alt text, quotes and notes. Markdown, HTML/PDF, DOCX and
XLSX render these blocks (``render.py``); none of them reads another's output.

Raw HTML in a section is kept as the text it is, never as markup; links keep only
http, https and mailto addresses.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import markdown as md
from django.utils.translation import gettext as _
from django.utils.translation import override

from workshops.report import charts, context
from workshops.validators import remove_unsafe_characters

if TYPE_CHECKING:
    from workshops.analysis.rollup import Rollup
    from workshops.models import ReportDraft

TITLE_PAGE = "title-page"
CHART_TEXT = re.compile(r"^\{\{chart:([a-z-]+)\}\}$")
PLACEHOLDER = re.compile("\x02wzxhzdk:(\\d+)\x03")
LINK_SCHEMES = ("http://", "https://", "mailto:")
SMALL = "<5"
HIDDEN = "×"
SPACES = re.compile(r"[\s\u00a0\u202f]")
NUMBER = r"\d{1,3}(?:[\s\u00a0\u202f,]\d{3})+|\d+"
CELL = re.compile(rf"^(?P<n>{NUMBER}|<5|×)(?:\s*\((?P<p>\d+(?:[.,]\d+)?)[\s\u00a0\u202f]*%\))?$")


# --- Blocks --------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """A piece of inline text; ``text`` "\\n" is a line break."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    href: str = ""


@dataclass
class Heading:
    level: int  # 1 (a section) to 3
    runs: list[Run]


@dataclass
class Paragraph:
    runs: list[Run]


@dataclass
class Note:
    """A remark on the block before it (a table's small numbers, for instance)."""

    runs: list[Run]


@dataclass
class Quote:
    blocks: list[Paragraph]


@dataclass
class ListItem:
    runs: list[Run]
    children: list = field(default_factory=list)  # nested lists


@dataclass
class ListBlock:
    """A list; an ordered list numbers from ``start``, whatever list came before it."""

    ordered: bool
    start: int
    items: list[ListItem]


@dataclass
class Cell:
    """A table cell: its text as printed, and the number it holds if any.

    ``kind`` is "number" (``value`` people or votes, ``share`` of the group when printed),
    "small" (a "<5"), "hidden" (a "×") or "text"."""

    runs: list[Run]
    kind: str = "text"
    value: int | None = None
    share: float | None = None

    @property
    def text(self) -> str:
        return plain(self.runs)


@dataclass
class Table:
    header: list[Cell]
    rows: list[list[Cell]]
    caption: str = ""
    number: int = 0

    @property
    def has_small(self) -> bool:
        return any(cell.kind in ("small", "hidden") for row in self.rows for cell in row)

    def numeric_columns(self) -> list[bool]:
        """Columns whose every filled cell is a number, "<5" or "×"."""
        columns = []
        for j in range(len(self.header)):
            cells = [row[j] for row in self.rows if j < len(row) and row[j].text]
            columns.append(bool(cells) and all(c.kind != "text" for c in cells))
        return columns

    def share_columns(self) -> list[bool]:
        return [
            any(j < len(row) and row[j].share is not None for row in self.rows)
            for j in range(len(self.header))
        ]


@dataclass
class Figure:
    key: str
    caption: str
    alt: str
    number: int = 0


@dataclass
class Section:
    key: str
    title: str
    blocks: list

    @property
    def is_title_page(self) -> bool:
        return self.key == TITLE_PAGE


@dataclass
class Document:
    title: str
    language: str
    sections: list[Section]
    images: Images

    def blocks(self, kind: type) -> list:
        """Every block of ``kind`` in reading order, lists' nested blocks aside."""
        return [b for s in self.sections for b in s.blocks if isinstance(b, kind)]


def plain(runs: list[Run]) -> str:
    return "".join(run.text for run in runs)


# --- Images: drawn once per export, in the format each renderer needs ------------------


class Images:
    """The charts of one export, drawn when a renderer first asks for them.

    What each chart draws is read from the roll-up once per export: the roll-up
    computes its tables on every access."""

    def __init__(self, rollup: Rollup | None):
        self.rollup = rollup
        self._data: dict = {}
        self._context: dict[str, dict] = {}
        self._print_key: str | None = None

    def data(self, key: str):
        if key not in self._data:
            self._data[key] = charts.chart_data(self.rollup, key)
        return self._data[key]

    def available(self, key: str) -> bool:
        if self.rollup is None:
            return False
        if key in context.CONTEXT_CHARTS:
            return True  # the context section exists only when there are events
        return key in charts.CHART_TITLES and self.data(key) is not None

    def alt(self, key: str) -> str:
        return charts.chart_alt(self.rollup, key, self.data(key))

    def _context_image(self, key: str, image_format: str):
        if image_format not in self._context:
            self._context[image_format] = context.context_chart_images(
                self.rollup.workshop, self.rollup.language, image_format=image_format
            )
        return self._context[image_format].get(key)

    def svg_uri(self, key: str) -> str | None:
        """For pages: the roll-up's charts come from the shared chart cache."""
        if not self.available(key):
            return None
        if key in context.CONTEXT_CHARTS:
            image = self._context_image(key, "svg")
            return charts.svg_data_uri(image) if image else None
        return charts.chart_uri(self.rollup, key, self.print_key(), self.data(key))

    def print_key(self) -> str:
        if self._print_key is None:
            self._print_key = charts.fingerprint(self.rollup)
        return self._print_key

    def png(self, key: str) -> bytes | None:
        if not self.available(key):
            return None
        if key in context.CONTEXT_CHARTS:
            return self._context_image(key, "png")
        return charts.chart_png(self.rollup, key, self.print_key(), self.data(key))


# --- Reading the Markdown -----------------------------------------------------------


class _Keep(md.treeprocessors.Treeprocessor):
    def run(self, root):
        self.md.kept_tree = root


class _KeepTree(md.extensions.Extension):
    def extendMarkdown(self, markdown):
        # After the inline patterns and the unescaping of backslash escapes (priority 0).
        markdown.treeprocessors.register(_Keep(markdown), "keep-tree", -10)


def _parser() -> md.Markdown:
    return md.Markdown(extensions=["tables", "sane_lists", _KeepTree()])


def markdown_tree(text: str, parser: md.Markdown | None = None) -> tuple[ET.Element, list[str]]:
    """The element tree Python-Markdown builds, and its stash of raw HTML."""
    if not (text or "").strip():
        return ET.Element("div"), []  # Python-Markdown builds no tree for blank text
    parser = parser.reset() if parser is not None else _parser()
    parser.convert(text)
    stash = [str(item) for item in parser.htmlStash.rawHtmlBlocks]
    return parser.kept_tree, stash


class _Reader:
    def __init__(self, stash: list[str], images: Images, language: str, keep_marks: bool):
        self.keep_marks = keep_marks
        self.stash = stash
        self.images = images
        self.language = language

    def text(self, value: str | None) -> str:
        """Raw HTML and entities, stashed by the parser, come back as the text they are."""
        if not value:
            return ""
        return PLACEHOLDER.sub(lambda m: html.unescape(self.stash[int(m.group(1))]), value)

    def runs(self, element: ET.Element, style: dict | None = None) -> list[Run]:
        style = dict(style or {})
        out: list[Run] = []
        if element.text:
            out.append(Run(self.text(element.text), **style))
        for child in element:
            tag = child.tag
            inner = dict(style)
            if tag in ("strong", "b"):
                inner["bold"] = True
            elif tag in ("em", "i"):
                inner["italic"] = True
            elif tag == "code":
                inner["code"] = True
            elif tag == "a":
                href = (child.get("href") or "").strip()
                if href.lower().startswith(LINK_SCHEMES):
                    inner["href"] = href
            if tag == "br":
                out.append(Run("\n", **style))
            elif tag == "img":
                out.append(Run(self.text(child.get("alt") or ""), **inner))
            elif tag not in ("ul", "ol", "p"):
                out += self.runs(child, inner)
            if child.tail:
                out.append(Run(self.text(child.tail), **style))
        return _merge(out)

    def blocks(self, root: ET.Element, shift: int) -> list:
        blocks: list = []
        for element in root:
            tag = element.tag
            if tag == "p":
                runs = _strip(self.runs(element))
                text = plain(runs).strip()
                if chart := CHART_TEXT.match(text):
                    if self.images.available(chart.group(1)):
                        blocks.append(self.figure(chart.group(1)))
                    elif self.keep_marks:
                        blocks.append(Paragraph(runs))
                elif text:
                    blocks.append(Paragraph(runs))
            elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                level = min(3, max(2, int(tag[1]) - shift))
                blocks.append(Heading(level, _strip(self.runs(element))))
            elif tag in ("ul", "ol"):
                blocks.append(self.list(element))
            elif tag == "blockquote":
                inner = [b for b in self.blocks(element, shift) if isinstance(b, Paragraph)]
                blocks.append(Quote(inner))
            elif tag == "table":
                blocks.append(self.table(element))
            elif tag == "pre":
                blocks.append(Paragraph([Run(self.text("".join(element.itertext())), code=True)]))
            elif tag == "div":
                blocks += self.blocks(element, shift)
        return blocks

    def list(self, element: ET.Element) -> ListBlock:
        items = []
        for li in element.findall("li"):
            runs = self.runs(li)
            for p in li.findall("p"):
                if runs:
                    runs.append(Run("\n"))
                runs += self.runs(p)
            children = [self.list(child) for child in li if child.tag in ("ul", "ol")]
            items.append(ListItem(_strip(runs), children))
        start = int(element.get("start") or 1) if element.tag == "ol" else 1
        return ListBlock(element.tag == "ol", start, items)

    def table(self, element: ET.Element) -> Table:
        rows = element.iter("tr")
        header = [self.cell(c, header=True) for c in next(rows, [])]
        body = [[self.cell(c) for c in tr] for tr in rows]
        return Table(header, body)

    def cell(self, element: ET.Element, *, header: bool = False) -> Cell:
        runs = _strip(self.runs(element))
        if header:
            return Cell(runs)
        return typed_cell(runs)

    def figure(self, key: str) -> Figure:
        if key in context.CONTEXT_CHARTS:
            title = context.chart_title(key, self.language)
        else:
            title = charts.chart_title(key, self.language)
        alt = self.images.alt(key) if key in charts.CHART_TITLES else title
        return Figure(key, title, alt)


def typed_cell(runs: list[Run]) -> Cell:
    text = plain(runs).strip()
    match = CELL.match(text)
    if not match:
        return Cell(runs)
    number, share = match.group("n"), match.group("p")
    share_value = float(share.replace(",", ".")) / 100 if share else None
    if number == SMALL:
        return Cell(runs, "small", share=share_value)
    if number == HIDDEN:
        return Cell(runs, "hidden", share=share_value)
    return Cell(runs, "number", int(SPACES.sub("", number).replace(",", "")), share_value)


def _merge(runs: list[Run]) -> list[Run]:
    merged: list[Run] = []
    for run in runs:
        if not run.text:
            continue
        last = merged[-1] if merged else None
        if last and (last.bold, last.italic, last.code, last.href) == (
            run.bold,
            run.italic,
            run.code,
            run.href,
        ):
            merged[-1] = Run(last.text + run.text, run.bold, run.italic, run.code, run.href)
        else:
            merged.append(run)
    return merged


def _strip(runs: list[Run]) -> list[Run]:
    runs = [r for r in runs if r.text]
    if runs:
        first, last = runs[0], runs[-1]
        runs[0] = Run(first.text.lstrip(), first.bold, first.italic, first.code, first.href)
        last = runs[-1]
        runs[-1] = Run(last.text.rstrip(), last.bold, last.italic, last.code, last.href)
    return [r for r in runs if r.text]


def _shift(tree: ET.Element) -> int:
    """Body headings start at level 2 below the section's title, whatever level the text
    used: "###" alone is level 2, "##" then "###" are levels 2 and 3."""
    levels = [int(e.tag[1]) for e in tree if e.tag in ("h1", "h2", "h3", "h4", "h5", "h6")]
    return min(levels) - 2 if levels else 0


def _captions(blocks: list, counter: dict) -> list:
    """A heading just before a table becomes the table's caption; tables and figures
    are numbered through the whole document; a table with small numbers gets a note."""
    out: list = []
    for block in blocks:
        if isinstance(block, Table):
            if out and isinstance(out[-1], Heading) and out[-1].level > 1:
                block.caption = plain(out.pop().runs)
            counter["table"] += 1
            block.number = counter["table"]
            out.append(block)
            if block.has_small:
                out.append(Note([Run(small_numbers_note())]))
            continue
        if isinstance(block, Figure):
            counter["figure"] += 1
            block.number = counter["figure"]
        out.append(block)
    return out


def small_numbers_note() -> str:
    return _(
        "“<5”: fewer than 5 people; “×”: a number hidden so that no “<5” can be worked out "
        "from the others."
    )


def section_blocks(
    text: str,
    images: Images,
    language: str,
    counter: dict,
    *,
    keep_marks: bool = False,
    parser: md.Markdown | None = None,
) -> list:
    """The blocks of one section's Markdown; ``keep_marks`` keeps a chart mark as text
    (for the editor) instead of dropping a chart that cannot be drawn."""
    tree, stash = markdown_tree(text, parser)
    reader = _Reader(stash, images, language, keep_marks)
    return _captions(reader.blocks(tree, _shift(tree)), counter)


def build_document(draft: ReportDraft, rollup: Rollup | None) -> Document:
    """The draft as blocks, in the draft's language; each section's Markdown read once."""
    images = Images(rollup)
    counter = {"table": 0, "figure": 0}
    parser = _parser()  # one parser, reset for each section
    sections = []
    with override(draft.language):
        for s in draft.sections.all():
            title = remove_unsafe_characters(s.title)
            body = remove_unsafe_characters(s.body)
            blocks = section_blocks(body, images, draft.language, counter, parser=parser)
            sections.append(Section(s.key, title, blocks))
        title = remove_unsafe_characters(draft.workshop.title)
    return Document(title, draft.language, sections, images)
