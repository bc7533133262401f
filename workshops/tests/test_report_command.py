"""``manage.py build_report``: builds the draft and writes it to a file or to stdout."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils.html import escape
from docx import Document

from workshops.models import ReportDraft
from workshops.report.builder import section_titles
from workshops.tests.pdf import pdf_text
from workshops.tests.report_factories import one_contribution


def build_report(*args: str) -> str:
    out = io.StringIO()
    call_command("build_report", *args, "--purpose", "Weekly report", stdout=out)
    return out.getvalue()


def test_build_report_writes_markdown_to_stdout_in_french_by_default(workshop, regions):
    one_contribution(workshop, regions)
    output = build_report(workshop.slug, "-o", "-")
    for title in section_titles("fr")[1:]:
        assert f"## {title}" in output
    draft = ReportDraft.objects.get(workshop=workshop)
    assert draft.language == "fr"


def test_build_report_writes_html_in_english_to_stdout(workshop, regions):
    one_contribution(workshop, regions)
    output = build_report(workshop.slug, "--format", "html", "--language", "en", "-o", "-")
    assert output.startswith("<!doctype html>")
    assert '<html lang="en">' in output
    for title in section_titles("en")[1:]:
        assert f"<h2>{escape(title)}</h2>" in output


def test_build_report_writes_a_file_and_says_where_and_how_big(workshop, regions, tmp_path):
    one_contribution(workshop, regions)
    path = tmp_path / "report.md"
    output = build_report(workshop.slug, "--language", "en", "-o", str(path))
    size = len(path.read_bytes())
    assert output.strip() == f"Wrote {path} ({size} bytes)."
    assert f"## {section_titles('en')[1]}" in path.read_text()


def test_build_report_refreshes_the_draft_rather_than_adding_one(workshop, regions):
    one_contribution(workshop, regions)
    build_report(workshop.slug, "-o", "-")
    build_report(workshop.slug, "-o", "-")
    assert ReportDraft.objects.filter(workshop=workshop, language="fr").count() == 1


@pytest.mark.render
def test_build_report_writes_docx_and_pdf_files(workshop, regions, tmp_path):
    one_contribution(workshop, regions)
    docx, pdf = tmp_path / "report.docx", tmp_path / "report.pdf"
    build_report(workshop.slug, "--format", "docx", "--language", "en", "-o", str(docx))
    headings = {
        p.text for p in Document(str(docx)).paragraphs if p.style.name.startswith("Heading")
    }
    assert section_titles("en")[1] in headings
    build_report(workshop.slug, "--format", "pdf", "--language", "en", "-o", str(pdf))
    assert " ".join(section_titles("en")[1].split()) in pdf_text(pdf.read_bytes())


@pytest.mark.render
def test_build_report_prints_only_the_size_of_a_binary_format_sent_to_stdout(workshop, regions):
    one_contribution(workshop, regions)
    output = build_report(workshop.slug, "--format", "docx", "-o", "-")
    assert int(output.strip()) > 1000


def test_build_report_refuses_an_unknown_workshop(db):
    with pytest.raises(CommandError, match="No workshop with the slug 'nowhere'"):
        build_report("nowhere", "-o", "-")


def test_build_report_needs_an_output(workshop):
    with pytest.raises(CommandError, match="output"):
        build_report(workshop.slug)
