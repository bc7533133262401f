"""The ACLED context in the report draft, its exports and the roll-up page."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from docx import Document

from workshops.analysis.rollup import build_rollup
from workshops.models import AcledEvent, ExportAuditLog
from workshops.report import render
from workshops.report.context import context_markdown
from workshops.services.report import build_draft
from workshops.sources.acled import ACLED_CITATION
from workshops.tests.pdf import pdf_text
from workshops.tests.report_factories import one_contribution


def _add_events(workshop, regions, count: int, start: int = 0) -> None:
    region = regions["Gao"]
    AcledEvent.objects.bulk_create(
        AcledEvent(
            workshop=workshop,
            event_id_cnty=f"MLI9{start + n:05d}",
            event_date=dt.date(2018 + n % 6, 1 + n % 12, 1),
            year=2018 + n % 6,
            event_type=["Battles", "Protests", "Riots", "Strategic developments"][n % 4],
            fatalities=n % 7,
            region=region,
            zone=workshop.zone_of(region),
        )
        for n in range(count)
    )


def test_without_events_the_draft_has_no_context_section(workshop, regions):
    one_contribution(workshop, regions)
    assert context_markdown(workshop, "en") is None
    draft = build_draft(workshop=workshop, language="en")
    assert not draft.sections.filter(key="context").exists()


def test_english_context_section_states_the_numbers_and_the_attribution(events):
    draft = build_draft(workshop=events, language="en")
    section = draft.sections.get(key="context")
    assert section.title == "Context"
    body = section.body
    assert "ACLED recorded 9 conflict events and 205 reported fatalities" in body
    assert "1 event is in no region of the workshop." in body
    assert "| Zone | 2019 | 2020 | 2023 | 2024 | 2025 | Total |" in body
    north = next(line for line in body.splitlines() if line.startswith("| North |"))
    assert "| 2 (18†) |" in north  # 2023
    assert "| Battles | 3 | 39 |" in body
    assert f"Source: {ACLED_CITATION}" in body
    assert "terms of use" in body
    assert "{{chart:context-zones}}" in body and "{{chart:context-types}}" in body


def test_french_context_section_is_in_french_with_the_same_numbers(events):
    draft = build_draft(workshop=events, language="fr")
    section = draft.sections.get(key="context")
    assert section.title == "Contexte"
    body = section.body
    assert "ACLED a recensé 9 événements de conflit et 205 morts signalés" in body
    assert "| Nord |" in body and "| Total |" in body
    assert "| Battles | 3 | 39 |" in body  # ACLED's own words stay as they are
    assert f"Source : {ACLED_CITATION}" in body
    assert "conditions d'utilisation" in body


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.render
def test_docx_export_has_the_context_heading_table_charts_and_attribution(events, language):
    draft = build_draft(workshop=events, language=language)
    without = Document(io.BytesIO(render.to_docx(draft, None)))
    document = Document(io.BytesIO(render.to_docx(draft, build_rollup(events, language=language))))
    title = draft.sections.get(key="context").title
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert title in headings
    text = "\n".join(p.text for p in document.paragraphs)
    assert ACLED_CITATION in text
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert "Battles" in cells and "39" in cells
    assert len(document.inline_shapes) - len(without.inline_shapes) >= 2  # the two ACLED charts


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.render
def test_pdf_and_html_exports_have_the_context_section(events, language):
    draft = build_draft(workshop=events, language=language)
    rollup = build_rollup(events, language=language)
    html = render.to_html(draft, rollup)
    assert html.count('src="data:image/svg+xml;base64,') >= 2
    assert ACLED_CITATION.replace("&", "&amp;") in html
    flat = pdf_text(render.to_pdf(draft, rollup))
    assert draft.sections.get(key="context").title in flat
    assert "Armed Conflict Location" in flat and "www.acleddata.com" in flat


def test_markdown_export_keeps_the_context_text_without_chart_marks(events):
    draft = build_draft(workshop=events, language="en")
    text = render.to_markdown(draft)
    assert "## Context" in text and ACLED_CITATION in text
    assert "{{chart:context" not in text


@pytest.mark.render
def test_web_export_of_a_draft_with_context_is_recorded(client_for, viewer, events):
    build_draft(workshop=events, language="en")
    url = reverse("report:export", kwargs={"slug": events.slug, "language": "en", "fmt": "docx"})
    response = client_for(viewer).get(url)
    assert response.status_code == 200
    document = Document(io.BytesIO(response.content))
    assert "Context" in [p.text for p in document.paragraphs]
    assert ExportAuditLog.objects.filter(workshop=events, user=viewer, kind="docx").count() == 1


def test_rollup_page_shows_the_context_with_chart_and_attribution(client_for, viewer, events):
    page = client_for(viewer).get(reverse("report:rollup", kwargs={"slug": events.slug}))
    text = page.content.decode()
    assert 'id="context-title"' in text
    assert "Events and fatalities by zone and year" in text
    assert re.search(r"<th scope=\"row\" class=\"fw-normal\">Battles</th><td[^>]*>3</td>", text)
    assert "Armed Conflict Location &amp; Event Data" in text


def test_rollup_page_without_events_has_no_context(client_for, viewer, workshop, regions):
    one_contribution(workshop, regions)
    page = client_for(viewer).get(reverse("report:rollup", kwargs={"slug": workshop.slug}))
    assert page.status_code == 200
    assert 'id="context-title"' not in page.content.decode()


def test_context_queries_do_not_grow_with_events(workshop, regions, django_assert_num_queries):
    one_contribution(workshop, regions)
    _add_events(workshop, regions, 1)
    with django_assert_num_queries(6):
        context_markdown(workshop, "en")
    _add_events(workshop, regions, 300, start=10)
    with django_assert_num_queries(6):
        context_markdown(workshop, "en")


@pytest.mark.render
def test_rollup_page_and_exports_queries_do_not_grow_with_events(
    client_for, viewer, workshop, regions, django_assert_num_queries
):
    one_contribution(workshop, regions)
    _add_events(workshop, regions, 1)
    draft = build_draft(workshop=workshop, language="en")
    client = client_for(viewer)
    url = reverse("report:rollup", kwargs={"slug": workshop.slug})
    client.get(url)  # warm the caches (session, charts)
    with django_assert_num_queries(19):  # 18, and the workshop's zone of each region
        client.get(url)
    rollup = build_rollup(workshop, language="en")
    with django_assert_num_queries(7):
        render.to_docx(draft, rollup)
    _add_events(workshop, regions, 300, start=10)
    with django_assert_num_queries(19):  # 18, and the workshop's zone of each region
        client.get(url)
    with django_assert_num_queries(7):
        render.to_docx(draft, rollup)
