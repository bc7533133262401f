"""Look at the conflict context on the roll-up page and in the PDF, on the demo workshop."""

import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from workshops.analysis.rollup import build_rollup
from workshops.models import Workshop
from workshops.report import render
from workshops.services.demo import DEMO_PASSWORD
from workshops.services.imports import import_acled
from workshops.services.report import build_draft
from workshops.sources.acled import parse_acled
from workshops.tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS

pytestmark = pytest.mark.django_db(transaction=True)
DATA = Path(__file__).parent.parent / "data"


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    workshop = Workshop.objects.get(slug="peace-exchange-bamako")
    for name in ("acled_current.csv", "acled_old.csv"):
        import_acled(workshop=workshop, parsed=parse_acled((DATA / name).read_bytes()))
    build_draft(workshop=workshop, language="fr")
    return workshop


def test_rollup_context_on_desktop_and_phone_and_in_the_pdf(browser, live_server, demo, screenshot):
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    page = context.new_page()
    errors = []
    page.on(
        "response",
        lambda r: errors.append(r.url) if r.status >= 400 and "favicon" not in r.url else None,
    )
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=username]").fill("facilitator")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/w/")
    page.goto(f"{live_server.url}/w/{demo.slug}/rollup/")
    section = page.locator("section[aria-labelledby=context-title]")
    expect(section.get_by_role("heading", name="Contexte du conflit")).to_be_visible()
    widths = section.locator("img.chart").evaluate_all("els => els.map(e => e.naturalWidth)")
    assert len(widths) == 2 and all(w > 100 for w in widths)
    section.scroll_into_view_if_needed()
    screenshot(page, "context/01-rollup-context-desktop")
    page.set_viewport_size(PHONE)
    section.scroll_into_view_if_needed()
    screenshot(page, "context/02-rollup-context-phone")
    assert not errors, errors
    context.close()

    draft = demo.report_drafts.get(language="fr")
    pdf = SCREENSHOTS / "context" / "report.pdf"
    pdf.parent.mkdir(parents=True, exist_ok=True)
    pdf.write_bytes(render.to_pdf(draft, build_rollup(demo, language="fr")))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    page_number = next(
        n + 1 for n, chunk in enumerate(text.split("\f")) if "Armed Conflict Location" in chunk
    )
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", str(page_number - 1), "-l", str(page_number),
         str(pdf), str(SCREENSHOTS / "context" / "03-pdf")],
        check=True,
    )  # fmt: skip
