"""Look at the roll-up, the draft editor and the PDF, on the demo workshop."""

import subprocess

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from workshops.analysis.rollup import build_rollup
from workshops.models import Workshop
from workshops.report import render
from workshops.services.demo import DEMO_PASSWORD
from workshops.services.report import build_draft
from workshops.tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    workshop = Workshop.objects.get(slug="peace-exchange-bamako")
    build_draft(workshop=workshop, language="en")
    build_draft(workshop=workshop, language="fr")
    return workshop


def _log_in(browser, live_server, viewport, username="facilitator", locale="en-GB"):
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username" if locale.startswith("en") else "Nom d'utilisateur").fill(username)
    page.get_by_label("Password" if locale.startswith("en") else "Mot de passe").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/w/")
    return context, page


def test_rollup_page_on_desktop_and_phone(browser, live_server, demo, screenshot):
    context, page = _log_in(browser, live_server, DESKTOP)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/w/{demo.slug}/rollup/")
    expect(page.get_by_role("heading", name="Notable differences by zone")).to_be_visible()
    assert page.locator("figure.chart img").count() == 5
    widths = page.eval_on_selector_all("figure.chart img", "els => els.map(e => e.naturalWidth)")
    assert all(w > 100 for w in widths)  # the SVG charts really load under the CSP
    expect(page.get_by_text("the charts are redrawn every 30 seconds")).to_be_visible()
    screenshot(page, "report/01-rollup-desktop")
    expect(page.get_by_text("Disclosure check:")).to_be_visible()
    assert "still spans 1–4" in page.get_by_role("status").inner_text()
    # One source in the demo: all voices is the only scope with tables.
    assert page.get_by_label("People heard").locator("option").all_inner_texts() == ["All voices"]
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**scope=all**")
    screenshot(page, "report/02-rollup-scope-desktop")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/w/{demo.slug}/rollup/")
    screenshot(page, "report/03-rollup-phone")
    assert not errors, errors
    context.close()


def test_draft_editor_on_desktop_and_phone(browser, live_server, demo, screenshot):
    context, page = _log_in(browser, live_server, DESKTOP)
    page.goto(f"{live_server.url}/w/{demo.slug}/report/en/")
    expect(page.get_by_role("heading", name="Perceptions by zone")).to_be_visible()
    screenshot(page, "report/04-draft-desktop")
    page.get_by_role("link", name="Edit Method").click()
    page.get_by_label("Text (Markdown)").fill("Our **own** method text.\n\n- one\n- two")
    screenshot(page, "report/05-section-edit-desktop")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_text("Section saved as version 2.")).to_be_visible()
    page.get_by_role("button", name="Refresh the numbers").click()
    page.goto(f"{live_server.url}/w/{demo.slug}/report/en/sections/method/history/")
    screenshot(page, "report/06-section-history-desktop")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/w/{demo.slug}/report/en/")
    screenshot(page, "report/07-draft-phone")
    page.goto(f"{live_server.url}/w/{demo.slug}/report/en/sections/method/")
    screenshot(page, "report/08-section-edit-phone")
    context.close()


def test_first_pdf_pages_as_images(demo, tmp_path):
    for language in ("en", "fr"):
        draft = demo.report_drafts.get(language=language)
        pdf = tmp_path / f"report-{language}.pdf"
        pdf.write_bytes(render.to_pdf(draft, build_rollup(demo, language=language)))
        target = SCREENSHOTS / "report" / f"09-pdf-{language}"
        target.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "2", str(pdf), str(target)],
            check=True,
        )
        assert sorted(target.parent.glob(f"{target.name}-*.png"))
