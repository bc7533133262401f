"""Look at what issue 15 adds to pages: the draft's export buttons (with the Markdown
.zip and the tables' XLSX) and the network page's reference Word document form, on a
desktop and on a phone; the upload works in the browser."""

import pytest
from django.core.management import call_command
from docx import Document
from playwright.sync_api import expect

from workshops.models import Network, Workshop
from workshops.services.demo import DEMO_PASSWORD
from workshops.services.report import build_draft
from workshops.tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    workshop = Workshop.objects.get(slug="peace-exchange-bamako")
    build_draft(workshop=workshop, language="en")
    return workshop


def _log_in(browser, live_server, viewport, username):
    context = browser.new_context(viewport=viewport, locale="en-GB")
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/w/")
    return context, page


def test_draft_offers_every_export_format(browser, live_server, demo, screenshot):
    context, page = _log_in(browser, live_server, DESKTOP, "facilitator")
    page.goto(f"{live_server.url}/w/{demo.slug}/report/en/")
    for label in ("DOCX", "PDF"):  # rendered by a background job: a button that posts
        expect(page.get_by_role("button", name=label, exact=True)).to_be_visible()
    for label in ("MD", "ZIP", "XLSX", "HTML"):
        expect(page.get_by_role("link", name=label, exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Perceptions by zone")).to_be_visible()
    expect(page.locator("figure.chart figcaption").first).to_be_visible()
    screenshot(page, "exports/01-draft-desktop")
    with page.expect_download() as download:
        page.get_by_role("link", name="ZIP", exact=True).click()
    assert download.value.suggested_filename == f"{demo.slug}-report-en.zip"
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/w/{demo.slug}/report/en/")
    expect(page.get_by_role("link", name="XLSX", exact=True)).to_be_visible()
    screenshot(page, "exports/02-draft-phone")
    context.close()


def test_network_admin_uploads_a_reference_document(
    browser, live_server, demo, screenshot, tmp_path
):
    reference = Document()
    reference.sections[0].header.paragraphs[0].text = "WANEP letterhead"
    path = tmp_path / "wanep.docx"
    reference.save(path)
    context, page = _log_in(browser, live_server, DESKTOP, "organiser")
    page.goto(f"{live_server.url}/n/wanep/")
    expect(page.get_by_role("heading", name="Word exports")).to_be_visible()
    screenshot(page, "exports/03-network-reference-desktop")
    page.get_by_role("button", name="Save").last.click()
    expect(page.get_by_text("Choose a document to upload")).to_be_visible()
    page.get_by_label("Reference Word document (.docx)").set_input_files(str(path))
    page.get_by_role("button", name="Save").last.click()
    expect(page.get_by_text("Reference document saved: Word exports now use it.")).to_be_visible()
    expect(page.get_by_text("use its reference document")).to_be_visible()
    assert Network.objects.get(slug="wanep").reference_document
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/n/wanep/")
    expect(page.get_by_role("heading", name="Word exports")).to_be_visible()
    screenshot(page, "exports/04-network-reference-phone")
    context.close()
