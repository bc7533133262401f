"""The one document model of a draft (``report/document.py``): what it reads from the
Markdown of the sections, and that every format renders it."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workshops.analysis.rollup import build_rollup
from workshops.report import document as doc
from workshops.report import render
from workshops.services.report import build_draft, save_section
from workshops.tests.report_factories import make_mali_like_workshop


def blocks_of(text: str, *, keep_marks: bool = False) -> list:
    counter = {"table": 0, "figure": 0}
    return doc.section_blocks(text, doc.Images(None), "en", counter, keep_marks=keep_marks)


def test_body_headings_start_at_level_two_and_keep_their_distance():
    blocks = blocks_of("## Zones\n\ntext\n\n### North\n\nmore\n\n#### Deeper")
    assert [(b.level, doc.plain(b.runs)) for b in blocks if isinstance(b, doc.Heading)] == [
        (2, "Zones"),
        (3, "North"),
        (3, "Deeper"),
    ]
    only = blocks_of("### North\n\ntext")
    assert only[0].level == 2


def test_inline_emphasis_and_safe_links_become_runs():
    (paragraph,) = blocks_of(
        "A *quiet* **loud** `code` [site](https://wanep.org) [bad](javascript:alert(1))"
    )
    runs = {run.text: run for run in paragraph.runs}
    assert runs["quiet"].italic and not runs["quiet"].bold
    assert runs["loud"].bold
    assert runs["code"].code
    assert runs["site"].href == "https://wanep.org"
    assert doc.plain(paragraph.runs).endswith(" bad")
    assert [run.href for run in paragraph.runs if run.href] == ["https://wanep.org"]


def test_each_ordered_list_carries_its_own_numbering():
    blocks = blocks_of("1. one\n2. two\n\ntext\n\n1. again\n\nmore\n\n3. three\n4. four")
    lists = [b for b in blocks if isinstance(b, doc.ListBlock)]
    assert [(b.ordered, b.start, len(b.items)) for b in lists] == [
        (True, 1, 2),
        (True, 1, 1),
        (True, 3, 2),
    ]
    nested = blocks_of("- a\n    - b\n- c")[0]
    assert not nested.ordered and nested.items[0].children[0].items[0].runs[0].text == "b"


def test_raw_html_stays_text_and_quotes_are_quotes():
    blocks = blocks_of("<script>alert(1)</script>\n\n> « a quote » — a participant\n\nx &amp; y")
    assert doc.plain(blocks[0].runs) == "<script>alert(1)</script>"
    assert isinstance(blocks[1], doc.Quote)
    assert doc.plain(blocks[1].blocks[0].runs) == "« a quote » — a participant"
    assert doc.plain(blocks[2].runs) == "x & y"


def test_table_cells_are_typed_and_a_heading_before_it_is_its_caption():
    text = (
        "### Drivers by zone\n\n| Theme | North (n=12) | Total |\n|---|---|---|\n"
        "| Land | 12 (35%) | 1 234 |\n| Water | <5 | × |\n| Roads | 7 (58\u202f%) | 9 |"
    )
    table, note = blocks_of(text)
    assert table.caption == "Drivers by zone" and table.number == 1
    assert [c.text for c in table.header] == ["Theme", "North (n=12)", "Total"]
    land, water, roads = table.rows
    assert (land[1].kind, land[1].value, land[1].share) == ("number", 12, 0.35)
    assert (land[2].value, land[2].share) == (1234, None)
    assert (water[1].kind, water[2].kind) == ("small", "hidden")
    assert roads[1].share == 0.58
    assert table.numeric_columns() == [False, True, True]
    assert table.share_columns() == [False, True, False]
    assert isinstance(note, doc.Note) and "<5" in doc.plain(note.runs)


def test_table_without_small_numbers_has_no_note():
    blocks = blocks_of("| Theme | Total |\n|---|---|\n| Land | 12 |")
    assert [type(b) for b in blocks] == [doc.Table]


def test_chart_marks_without_a_rollup_are_dropped_or_kept_for_the_editor():
    assert blocks_of("{{chart:drivers}}") == []
    kept = blocks_of("{{chart:drivers}}", keep_marks=True)
    assert doc.plain(kept[0].runs) == "{{chart:drivers}}"


@pytest.fixture
def mali(workshop, regions):
    make_mali_like_workshop(workshop, regions)
    return workshop


def test_draft_document_numbers_tables_and_figures_through_the_whole_report(mali):
    draft = build_draft(workshop=mali, language="en")
    document = render.build(draft, build_rollup(mali, language="en"))
    tables, figures = document.blocks(doc.Table), document.blocks(doc.Figure)
    assert [t.number for t in tables] == list(range(1, len(tables) + 1))
    assert [f.number for f in figures] == list(range(1, len(figures) + 1))
    assert len(figures) == 5  # categories, drivers, zones, genders, recommendations
    assert all(f.alt.startswith(f.caption) and ":" in f.alt for f in figures)
    assert tables[0].caption == "Contributions by category"
    annex = next(s for s in document.sections if s.key == "annex")
    assert "How notable differences are found" in [
        doc.plain(b.runs) for b in annex.blocks if isinstance(b, doc.Heading)
    ]


def test_draft_document_is_built_in_a_fixed_number_of_queries(mali, django_assert_num_queries):
    draft = build_draft(workshop=mali, language="en")
    rollup = build_rollup(mali, language="en")
    draft = type(draft).objects.get(pk=draft.pk)
    with django_assert_num_queries(2):  # the sections, the workshop's title
        render.build(draft, rollup)


def test_every_format_renders_the_same_edited_structure(mali, organiser):
    draft = build_draft(workshop=mali, language="en")
    section = draft.sections.get(key="method")
    save_section(
        section=section,
        body="Intro *with emphasis* and [a link](https://wanep.org).\n\n"
        "## Part\n\n1. first\n2. second\n\n### Detail\n\n> a quote",
        user=organiser,
    )
    document = render.build(draft, None)
    markdown = render.to_markdown(document)
    assert "*with emphasis*" in markdown and "[a link](<https://wanep.org>)" in markdown
    assert "### Part" in markdown and "#### Detail" in markdown
    assert "1. first\n2. second" in markdown and "> a quote" in markdown
    html = render.to_html(document, None)
    assert "<em>with emphasis</em>" in html and "<h3>Part</h3>" in html
    assert "<h4>Detail</h4>" in html and "<ol><li>first</li>" in html


def test_markdown_written_from_the_model_reads_back_to_the_same_model():
    text = (
        "Some **bold** and *italic* with a_star * and [x](https://a.org/b_c)\n\n"
        "### Caption\n\n| A | B |\n|---|---|\n| a | 12 (3%) |\n\n3. three\n4. four\n\n> said"
    )
    first = blocks_of(text)
    again = blocks_of("\n\n".join(render.md_blocks(first)).replace("*Table 1: Caption*\n\n", ""))
    assert [type(b) for b in again] == [type(b) for b in first if not isinstance(b, doc.Note)]
    assert doc.plain(again[0].runs) == doc.plain(first[0].runs)
    assert again[1].rows[0][1].share == 0.03
    assert again[2].start == 3


TEXT = st.text(
    alphabet=st.characters(codec=None, exclude_categories=()), min_size=0, max_size=400
) | st.sampled_from(
    [
        "\x00" * 50,
        "\ud800 lone surrogate",
        "مرحبا بالعالم " * 300,
        "| a | b |\n|---|---|\n| <5 | 1 (2%) |",
        "1. a\n\n2. b\n   - c\n\n<div>**x**</div>",
        "x" * 20_000,
    ]
)


@pytest.mark.fuzz
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT)
def test_any_section_text_reads_and_renders_without_error(text):
    clean = doc.remove_unsafe_characters(text)
    blocks = blocks_of(clean)
    render.md_blocks(blocks)
    html = render.html_blocks(blocks, None)
    assert "<script" not in html.lower()
