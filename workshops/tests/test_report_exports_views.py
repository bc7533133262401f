"""The new draft formats on the web and in the API: the Markdown .zip and the XLSX of
the draft's tables. Exports are reads: every staff role may export (the viewer
included), an outsider gets 404, writes get 405, and each export is logged."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from workshops.models import ExportAuditLog
from workshops.services.report import build_draft
from workshops.tests.report_factories import one_contribution


@pytest.fixture
def draft(workshop, regions):
    one_contribution(workshop, regions)
    return build_draft(workshop=workshop, language="en")


def url(workshop, fmt: str) -> str:
    return reverse("report:export", kwargs={"slug": workshop.slug, "language": "en", "fmt": fmt})


def test_viewer_downloads_the_markdown_zip_and_it_is_logged(client_for, viewer, workshop, draft):
    response = client_for(viewer).get(url(workshop, "zip"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f'filename="{workshop.slug}-report-en.zip"' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    text = archive.read(f"{workshop.slug}-report-en.md").decode()
    assert text.startswith(f"# {workshop.title}")
    log = ExportAuditLog.objects.get(workshop=workshop)
    assert (log.user, log.kind, log.language) == (viewer, "md", "en")


def test_viewer_downloads_the_tables_workbook_and_it_is_logged(client_for, viewer, workshop, draft):
    response = client_for(viewer).get(url(workshop, "xlsx"))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.worksheets[0]["A1"].value.startswith("Table 1")
    assert ExportAuditLog.objects.get(workshop=workshop).kind == "xlsx"


@pytest.mark.parametrize("fmt", ["zip", "xlsx"])
def test_outsider_gets_404_and_nothing_is_logged(client_for, outsider, workshop, draft, fmt):
    assert client_for(outsider).get(url(workshop, fmt)).status_code == 404
    assert not ExportAuditLog.objects.exists()


@pytest.mark.parametrize("fmt", ["zip", "xlsx"])
def test_anonymous_is_sent_to_sign_in(client_for, workshop, draft, fmt):
    response = client_for(None).get(url(workshop, fmt))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("fmt", ["zip", "xlsx"])
def test_export_refuses_post(client_for, organiser, workshop, draft, fmt):
    assert client_for(organiser).post(url(workshop, fmt)).status_code == 405
    assert not ExportAuditLog.objects.exists()


@pytest.mark.parametrize(
    ("fmt", "content_type", "magic"),
    [("zip", "application/zip", b"PK"), ("xlsx", "application/vnd.openxmlformats", b"PK")],
)
def test_api_gives_the_new_formats_to_a_viewer_and_404_to_an_outsider(
    viewer, outsider, workshop, draft, fmt, content_type, magic
):
    path = f"/api/v1/workshops/{workshop.slug}/report.{fmt}?language=en"
    client = APIClient()
    client.force_authenticate(outsider)
    assert client.get(path).status_code == 404
    client.force_authenticate(viewer)
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response.content.startswith(magic)
    assert client.post(path, {}, format="json").status_code == 405
