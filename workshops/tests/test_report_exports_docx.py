"""The Word export read back with python-docx and its XML: styles, numbering that
restarts per list, table header rows that repeat and stay with the first row, widths,
captions, the table of contents, page numbers and the workshop title in the header."""

from __future__ import annotations

import io

import pytest
from docx import Document
from docx.oxml.ns import qn

from workshops.analysis.rollup import build_rollup
from workshops.report import render
from workshops.services.report import build_draft, save_section
from workshops.tests.report_factories import make_mali_like_workshop

pytestmark = pytest.mark.render


@pytest.fixture
def mali(workshop, regions):
    make_mali_like_workshop(workshop, regions)
    return workshop


@pytest.fixture
def word(mali, organiser):
    draft = build_draft(workshop=mali, language="en")
    save_section(
        section=draft.sections.get(key="method"),
        body="## Two parts\n\n1. first\n2. second\n\n### Detail\n\nText *in italics* and "
        "[WANEP](https://wanep.org).\n\n1. again one\n2. again two",
        user=organiser,
    )
    data = render.to_docx(draft, build_rollup(mali, language="en"))
    return Document(io.BytesIO(data))


def numbering_of(paragraph) -> str | None:
    properties = paragraph._p.pPr
    if properties is None or properties.numPr is None:
        return None
    return properties.numPr.numId.val


def start_of(document, num_id) -> int | None:
    numbering = document.part.numbering_part.element
    num = numbering.num_having_numId(num_id)
    override = num.find(qn("w:lvlOverride"))
    if override is None:
        return None
    return int(override.find(qn("w:startOverride")).get(qn("w:val")))


def paragraphs_of_section(document, title: str, next_style: str = "Heading 1") -> list:
    inside, found = False, []
    for paragraph in document.paragraphs:
        if paragraph.style.name == next_style and inside:
            break
        if paragraph.text == title and paragraph.style.name == "Heading 1":
            inside = True
            continue
        if inside:
            found.append(paragraph)
    return found


def test_headings_use_the_three_word_heading_styles(word, mali):
    by_style = [(p.style.name, p.text) for p in word.paragraphs]
    assert ("Title", mali.title) in by_style
    assert ("Heading 1", "Method") in by_style
    assert ("Heading 2", "Two parts") in by_style and ("Heading 3", "Detail") in by_style
    assert ("Heading 2", "How notable differences are found") in by_style


def test_every_numbered_list_restarts_at_one(word):
    national = [
        p
        for p in paragraphs_of_section(word, "Recommendations for national actors")
        if p.style.name == "List Number"
    ]
    international = [
        p
        for p in paragraphs_of_section(word, "Recommendations for international actors")
        if p.style.name == "List Number"
    ]
    assert national and international
    national_ids = {numbering_of(p) for p in national}
    international_ids = {numbering_of(p) for p in international}
    assert len(national_ids) == 1 and len(international_ids) == 1
    assert national_ids != international_ids  # a new w:num: the list does not carry on
    assert start_of(word, international_ids.pop()) == 1
    edited = [p for p in word.paragraphs if p.text in ("first", "again one")]
    assert numbering_of(edited[0]) != numbering_of(edited[1])
    assert all(start_of(word, numbering_of(p)) == 1 for p in edited)


def test_inline_italics_and_links_survive(word):
    paragraph = next(p for p in word.paragraphs if p.text.startswith("Text in italics"))
    assert any(run.italic and run.text == "in italics" for run in paragraph.runs)
    links = paragraph._p.findall(qn("w:hyperlink"))
    assert len(links) == 1
    target = word.part.rels[links[0].get(qn("r:id"))].target_ref
    assert target == "https://wanep.org"


def test_table_header_rows_repeat_and_rows_do_not_split(word):
    assert len(word.tables) >= 5
    for table in word.tables:
        first = table.rows[0]._tr.trPr
        assert first is not None and first.find(qn("w:tblHeader")) is not None
        for row in table.rows:
            assert row._tr.trPr.find(qn("w:cantSplit")) is not None
        for cell in table.rows[0].cells:
            assert cell.paragraphs[0].paragraph_format.keep_with_next
        for row in table.rows[1:]:
            assert row._tr.trPr.find(qn("w:tblHeader")) is None


def test_captions_precede_tables_and_stay_with_them(word):
    body = list(word.element.body.iterchildren())
    for table in word.tables:
        before = body[body.index(table._tbl) - 1]
        style = before.find(qn("w:pPr")).find(qn("w:pStyle")).get(qn("w:val"))
        assert style == "Caption"
        assert before.find(qn("w:pPr")).find(qn("w:keepNext")) is not None
        assert "SEQ Table" in "".join(before.itertext())


def test_column_widths_give_text_room_and_numbers_little(word):
    zone_table = next(t for t in word.tables if t.rows[0].cells[0].text == "Theme")
    widths = [cell.width for cell in zone_table.rows[0].cells]
    assert widths[0] > widths[1] > 0
    total = sum(widths)
    assert 16.5 * 360000 <= total <= 17.5 * 360000  # the text width of A4 with 2 cm margins


def test_short_words_columns_are_never_narrower_than_their_longest_word(word):
    votes = next(t for t in word.tables if "Votes" in [c.text for c in t.rows[0].cells])
    header = [c.text for c in votes.rows[0].cells]
    width_cm = votes.rows[0].cells[header.index("Votes")].width / 360000
    assert width_cm >= 0.21 * len("Votes") + 0.45 - 0.01


def test_a_short_table_is_kept_whole_and_a_long_one_keeps_three_rows_with_its_header(word):
    for table in word.tables:
        kept = [r.cells[0].paragraphs[0].paragraph_format.keep_with_next for r in table.rows]
        if len(table.rows) - 1 <= 15:
            assert all(kept[:-1]) and not kept[-1]
        else:
            assert kept[:3] == [True, True, True]


def test_figures_have_alt_text_and_numbered_captions(word):
    assert len(word.inline_shapes) == 5
    for shape in word.inline_shapes:
        description = shape._inline.docPr.get("descr")
        assert description and ":" in description
    captions = [p.text for p in word.paragraphs if p.style.name == "Caption"]
    assert "Figure 1: Contributions by category" in captions
    assert "Table 1: Contributions by category" in captions


def test_table_of_contents_page_numbers_and_title_header(word, mali):
    instructions = " ".join(
        node.text for node in word.element.body.iter(qn("w:instrText")) if node.text
    )
    assert "TOC" in instructions
    section = word.sections[0]
    assert section.header.paragraphs[0].text == mali.title
    footer = " ".join(n.text for n in section.footer._element.iter(qn("w:instrText")))
    assert "PAGE" in footer
    assert section.different_first_page_header_footer
    assert round(section.page_width.cm) == 21 and round(section.page_height.cm, 1) == 29.7
    settings = word.settings.element
    assert settings.find(qn("w:updateFields")) is not None


def test_no_markdown_marks_are_left_in_the_word_text(word):
    text = "\n".join(p.text for p in word.paragraphs)
    cells = "\n".join(c.text for t in word.tables for r in t.rows for c in r.cells)
    for mark in ("**", "{{chart", "](", "### ", "## "):
        assert mark not in text and mark not in cells


def test_table_of_contents_field_holds_every_section_title_until_it_ends(word):
    body = word.element.body
    marks = [m.get(qn("w:fldCharType")) for m in body.iter(qn("w:fldChar"))]
    assert marks.count("begin") == marks.count("end")  # every field is closed
    paragraphs = word.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.style.name == "TOC Heading") + 1
    inside = []
    for paragraph in paragraphs[start:]:
        inside.append(paragraph.text)
        if paragraph._p.find(f".//{qn('w:fldChar')}[@{qn('w:fldCharType')}='end']") is not None:
            break
    headings = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    assert inside == headings  # Word replaces exactly these lines when it updates the field
