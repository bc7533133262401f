"""The PDF export (WeasyPrint): the same structure, charts as vectors, table headers
repeated and never left alone at the foot of a page."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from workshops.analysis.rollup import build_rollup
from workshops.report import document as doc
from workshops.report import render
from workshops.services.report import build_draft, save_section
from workshops.tests.report_factories import make_mali_like_workshop

pytestmark = pytest.mark.render


@pytest.fixture
def mali(workshop, regions):
    make_mali_like_workshop(workshop, regions)
    return workshop


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_pdf_charts_are_vectors_with_real_text(mali):
    draft = build_draft(workshop=mali, language="en")
    pdf = render.to_pdf(draft, build_rollup(mali, language="en"))
    reader = PdfReader(io.BytesIO(pdf))
    assert sum(len(page.images) for page in reader.pages) == 0  # no bitmap anywhere
    text = " ".join(pages_text(pdf))
    assert "Figure 3: Drivers by zone" in text
    assert text.count("Drivers of conflict most raised") >= 2  # the caption and the chart's title


def test_pdf_long_table_repeats_its_header_and_keeps_it_with_rows(mali, organiser):
    draft = build_draft(workshop=mali, language="en")
    rows = "\n".join(f"| Place {k} | {k} |" for k in range(1, 121))
    save_section(
        section=draft.sections.get(key="method"),
        body="Filler paragraph.\n\n" * 40
        + f"### Places\n\n| Place name | People |\n|---|---|\n{rows}",
        user=organiser,
    )
    pages = pages_text(render.to_pdf(draft, None))
    spanned = [text for text in pages if "Place 1" in text or "Place 120" in text]
    on_pages = [text for text in pages if "Place name" in text]
    assert len(spanned) >= 2
    assert len(on_pages) >= len(spanned)  # thead repeats on every page the table spans
    for text in on_pages:
        after = text.split("Place name", 1)[1]
        assert "Place " in after  # never a header alone at the foot of a page


def test_pdf_every_table_caption_shares_a_page_with_its_first_row(mali):
    draft = build_draft(workshop=mali, language="en")
    rollup = build_rollup(mali, language="en")
    document = render.build(draft, rollup)
    pages = pages_text(render.to_pdf(document, rollup))
    for table in document.blocks(doc.Table):
        caption = render.table_caption(table)
        page = next(text for text in pages if caption in " ".join(text.split()))
        first = " ".join(table.rows[0][0].text.split())
        assert first in " ".join(page.split(caption, 1)[1].split())


def _fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        names |= {str(font.get_object()["/BaseFont"]).split("+")[-1] for font in fonts.values()}
    return names


def test_pdf_running_header_and_footer_use_the_body_font(mali):
    """The margin boxes (the title at the top, the page number at the foot) inherit from
    the page, not the body: they fell back to DejaVu Serif."""
    draft = build_draft(workshop=mali, language="en")
    pdf = render.to_pdf(draft, None)
    assert pages_text(pdf)[1].strip().endswith("2")  # the page number is drawn
    fonts = _fonts(pdf)
    assert "DejaVu-Sans" in fonts
    assert not [name for name in fonts if "Serif" in name], fonts
