"""On the demo workshop, the generated draft states the report's findings by itself.

The builder knows nothing about the demo: these tests read the generated text,
DOCX and PDF and look for what the Bamako report found.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from docx import Document

from workshops.analysis.rollup import build_rollup
from workshops.models import Theme, Workshop
from workshops.report import render
from workshops.report.builder import section_titles
from workshops.services.report import build_draft
from workshops.tests.mali_findings import INTERNATIONAL, NATIONAL
from workshops.tests.pdf import is_a4, pdf_pages, pdf_text


@pytest.fixture(scope="module")
def demo_db(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        workshop = Workshop.objects.get(slug="peace-exchange-bamako")
        for language in ("en", "fr"):
            build_draft(workshop=workshop, language=language)
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_db, db):
    return Workshop.objects.get(slug="peace-exchange-bamako")


def body(workshop, key, language="en") -> str:
    return workshop.report_drafts.get(language=language).sections.get(key=key).body


def name(slug, language="en") -> str:
    return Theme.objects.get(slug=slug, workshop=None).label(language).lower()


def blocks(markdown: str) -> dict[str, str]:
    """'### Group' blocks of a perceptions section."""
    parts = re.split(r"^### (.+)$", markdown, flags=re.MULTILINE)
    return {parts[k].strip(): parts[k + 1].lower() for k in range(1, len(parts), 2)}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_demo_draft_finds_what_each_zone_raised(demo, language):
    zones = blocks(body(demo, "perceptions-zone", language))
    north, centre, south = (
        zones[label]
        for label in (
            ("North", "Centre", "South") if language == "en" else ("Nord", "Centre", "Sud")
        )
    )
    for slug in ("armed-groups", "impunity", "economic-insecurity"):
        assert name(slug, language) in north
    for slug in ("ethnic-tensions", "land-conflict"):
        assert name(slug, language) in centre
    for slug in ("corruption", "economic-insecurity"):
        assert name(slug, language) in south
    assert name("armed-groups", language) not in south


@pytest.mark.parametrize("language", ["en", "fr"])
def test_demo_draft_finds_what_women_raised(demo, language):
    genders = blocks(body(demo, "perceptions-gender", language))
    women = genders["Woman" if language == "en" else "Femme"]
    assert name("sgbv", language) in women
    assert name("security-force-abuse", language) in women
    assert not any(k in genders for k in ("Man", "Homme"))


def test_demo_draft_names_radical_ideologies_the_main_dynamic_driver(demo):
    text = body(demo, "dynamic-drivers")
    assert f"main dynamic driver of violent conflict was {name('radical-ideologies')}" in text
    long_term = body(demo, "long-term-drivers").lower()
    firsts = re.findall(r"^- \*\*(.+?)\*\*", long_term, flags=re.MULTILINE)[:3]
    assert set(firsts) == {
        name(s) for s in ("state-absence", "governance-justice", "poverty-youth-unemployment")
    }


def _ranked(text: str) -> list[tuple[str, int]]:
    items = re.findall(r"^\d+\. \*\*(.+?)\*\*: (<5|\d+) votes?", text, flags=re.MULTILINE)
    return [(theme.lower(), 0 if votes == "<5" else int(votes)) for theme, votes in items]


@pytest.mark.parametrize(
    ("key", "expected"),
    [("recommendations-national", NATIONAL), ("recommendations-international", INTERNATIONAL)],
)
def test_demo_draft_ranks_the_recommendations_by_votes(demo, key, expected):
    ranked = _ranked(body(demo, key))
    assert len(ranked) >= 4
    assert {theme for theme, _ in ranked} <= {name(slug) for slug in expected}
    votes = [v for _, v in ranked]
    assert votes == sorted(votes, reverse=True)
    rollup = build_rollup(demo)
    audience = "national" if key.endswith("national") and "inter" not in key else "international"
    assert ranked[0][0] == rollup.recommendations[audience][0].theme.name.lower()


def test_demo_draft_names_no_participant_or_organisation(demo):
    text = render.to_markdown(demo.report_drafts.get(language="en"))
    for person in demo.participants.exclude(display_name=""):
        assert person.display_name not in text
    for organisation in demo.organisations.all():
        assert organisation.name not in text
    assert demo.organiser.name not in text


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.render
def test_demo_docx_has_every_section_heading(demo, language):
    draft = demo.report_drafts.get(language=language)
    data = render.to_docx(draft, build_rollup(demo, language=language))
    document = Document(io.BytesIO(data))
    headings = {p.text for p in document.paragraphs if p.style.name.startswith("Heading")}
    assert set(section_titles(language)) - {section_titles(language)[0]} <= headings
    assert any(p.style.name == "Title" and p.text == demo.title for p in document.paragraphs)
    assert len(document.inline_shapes) >= 4  # the charts, as pictures
    assert len(document.tables) >= 3


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.render
def test_demo_pdf_has_the_headings_on_a_few_a4_pages(demo, language):
    draft = demo.report_drafts.get(language=language)
    pdf = render.to_pdf(draft, build_rollup(demo, language=language))
    assert 6 <= len(pdf_pages(pdf)) <= 14
    assert is_a4(pdf)
    flat = pdf_text(pdf)
    for title in section_titles(language)[1:]:
        assert " ".join(title.split()) in flat
