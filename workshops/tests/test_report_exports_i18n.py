"""Every export in English and in French, read back as text: no string of the French
catalogue is left in English in the French files, and no French in the English ones.

The check compares with the catalogue itself (``locale/fr/LC_MESSAGES/django.po``):
each translated entry gives its English fragments (the text between placeholders);
a fragment of three words or more found in a French export is a string that was not
translated there."""

from __future__ import annotations

import io
import re
import zipfile
from functools import cache
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from workshops.analysis.rollup import build_rollup
from workshops.report import render
from workshops.services.report import build_draft, save_section
from workshops.tests.pdf import pdf_text
from workshops.tests.report_factories import make_mali_like_workshop

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{[^}]*\}|<[^>]+>|\*\*|[“”«»\"]")
CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def squash(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def fragments(text: str) -> set[str]:
    return {
        squash(part).strip(" .,;:—-()")
        for part in PLACEHOLDER.split(text)
        if len(squash(part).strip(" .,;:—-()").split()) >= 3
    }


@cache
def catalogue_fragments() -> tuple[set[str], set[str]]:
    english, french = set(), set()
    for entry in polib.pofile(str(CATALOGUE)):
        pairs = (
            [(entry.msgid, entry.msgstr_plural.get(0, "")), (entry.msgid_plural, "")]
            + [(entry.msgid_plural, v) for v in entry.msgstr_plural.values()]
            if entry.msgid_plural
            else [(entry.msgid, entry.msgstr)]
        )
        for msgid, msgstr in pairs:
            english |= fragments(msgid) - fragments(msgstr)
            french |= fragments(msgstr) - fragments(msgid)
    return english, french


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    parts += [p.text for s in document.sections for p in s.header.paragraphs]
    return "\n".join(parts)


def xlsx_text(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data))
    return "\n".join(
        str(c.value) for s in book.worksheets for r in s.iter_rows() for c in r if c.value
    )


def zip_text(data: bytes) -> str:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return "\n".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".md"))


@pytest.fixture
def mali(workshop, regions):
    make_mali_like_workshop(workshop, regions)
    return workshop


def every_export(workshop, language: str) -> dict[str, str]:
    draft = build_draft(workshop=workshop, language=language)
    rollup = build_rollup(workshop, language=language)
    document = render.build(draft, rollup)
    html = render.to_html(document, rollup)
    return {
        "md": render.to_markdown(document),
        "zip": zip_text(render.to_markdown_zip(document, rollup)),
        "html": re.sub(r'src="data:[^"]+"', "", html),
        "docx": docx_text(render.to_docx(document, rollup)),
        "xlsx": xlsx_text(render.to_xlsx(document)),
        "pdf": pdf_text(render.to_pdf(document, rollup)),
    }


@pytest.mark.render
@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_export_is_wholly_in_its_language(mali, language):
    english, french = catalogue_fragments()
    foreign, own = (english, french) if language == "fr" else (french, english)
    for fmt, text in every_export(mali, language).items():
        flat = squash(text)
        left = sorted(f for f in foreign if f in flat)
        assert left == [], (fmt, left)
        # The same check finds the catalogue's own-language strings: it can see them.
        assert len([f for f in own if f in flat]) >= 5, fmt


@pytest.mark.render
def test_french_annex_headings_plurals_and_agreement(mali):
    exports = every_export(mali, "fr")
    for text in exports.values():
        flat = squash(text)
        assert "How notable differences are found" not in flat
        assert "Recommendations" not in flat.replace("Recommendation ", "")  # test data's texts
        assert "<5 vote" not in flat and "< 5 vote" not in flat
        assert " : évoqué par" not in flat  # "thème évoqué par", whatever the theme's gender
    assert "Comment les différences notables sont repérées" in squash(exports["docx"])
    assert "Tableau 1 : Contributions par catégorie" in squash(exports["docx"])
    assert "Figure 1 : Contributions par catégorie" in squash(exports["pdf"])
    assert "Sommaire" in exports["docx"]


@pytest.mark.parametrize(
    ("edited", "message"),
    [
        (1, "Numbers refreshed. 1 edited section was kept: check it against the new numbers."),
        (2, "Numbers refreshed. 2 edited sections were kept: check them against the new numbers."),
    ],
)
def test_refresh_message_counts_edited_sections_in_the_right_number(
    client_for, organiser, mali, edited, message
):
    draft = build_draft(workshop=mali, language="en")
    for section in draft.sections.exclude(key="title-page")[:edited]:
        save_section(section=section, body=section.body + "\n\nA note by staff.", user=organiser)
    draft.sections.filter(edited=True).update(numbers_changed=True)
    url = reverse("report:refresh", kwargs={"slug": mali.slug, "language": "en"})
    page = client_for(organiser).post(url, follow=True)
    assert message in page.content.decode()
