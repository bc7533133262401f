"""The Word and PDF exports as a reader sees them: LibreOffice (headless) lays the DOCX
out as a PDF, pdftoppm turns both PDFs into page images kept in ``artifacts/render/``
for a person to look at. Skipped, with the reason, where LibreOffice or poppler is
missing (CI installs Debian's libreoffice-writer-nogui and poppler-utils)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from workshops.analysis.rollup import build_rollup
from workshops.report import render
from workshops.services.report import build_draft
from workshops.tests.pdf import pdf_pages, pdf_text
from workshops.tests.report_factories import make_mali_like_workshop

pytestmark = [
    pytest.mark.render,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice (soffice)"),
    pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler (pdftoppm)"),
]
ARTIFACTS = Path(settings.BASE_DIR) / "artifacts" / "render"


def docx_to_pdf(docx: Path, out: Path, profile: Path) -> Path:
    subprocess.run(
        [
            shutil.which("soffice"),
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out / (docx.stem + ".pdf")


def pages_as_png(pdf: Path, prefix: Path) -> list[Path]:
    subprocess.run(
        [shutil.which("pdftoppm"), "-r", "80", "-png", str(pdf), str(prefix)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return sorted(prefix.parent.glob(prefix.name + "-*.png"))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_docx_and_pdf_lay_out_as_a_report(workshop, regions, tmp_path, language):
    make_mali_like_workshop(workshop, regions)
    draft = build_draft(workshop=workshop, language=language)
    rollup = build_rollup(workshop, language=language)
    document = render.build(draft, rollup)
    folder = ARTIFACTS / language
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    docx = folder / f"report-{language}.docx"
    docx.write_bytes(render.to_docx(document, rollup))
    pdf = folder / f"report-{language}-weasyprint.pdf"
    pdf.write_bytes(render.to_pdf(document, rollup))

    office_pdf = docx_to_pdf(docx, tmp_path, tmp_path / "profile")
    office = folder / f"report-{language}-libreoffice.pdf"
    shutil.copy(office_pdf, office)
    office_pages = pages_as_png(office, folder / "libreoffice")
    weasy_pages = pages_as_png(pdf, folder / "weasyprint")
    assert 6 <= len(office_pages) <= 20 and 6 <= len(weasy_pages) <= 20

    text = pdf_text(office.read_bytes())
    pages = pdf_pages(office.read_bytes())
    annex = "Annex" if language == "en" else "Annexe"
    assert annex in text
    assert "{{chart" not in text and "**" not in text
    # The title page carries no running header; the pages after it do, with a number.
    assert workshop.title in pages[1] or workshop.title in pages[2]
    assert any(line.strip() == "3" for line in pages[2].splitlines())
