"""Look at the landing page on a phone (French), the staff log-in and the dashboard."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from workshops.services.demo import DEMO_PASSWORD
from workshops.tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_home_page_on_a_phone_in_french_joins_the_demo(browser, live_server, demo, screenshot):
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Peace Exchange"
    expect(page.get_by_role("button", name="Rejoindre")).to_be_visible()
    screenshot(page, "foundation/01-home-phone-fr")
    page.get_by_label("Code de l'atelier").fill("paxm 47")
    page.get_by_role("button", name="Rejoindre").click()
    page.wait_for_url("**/j/PAXM47/")
    assert "Peace Exchange — Bamako" in page.content()
    page.goto(live_server.url + "/")
    page.get_by_label("Code de l'atelier").fill("QQQQ99")
    page.get_by_role("button", name="Rejoindre").click()
    expect(page.get_by_text("Aucun atelier n'a ce code")).to_be_visible()
    screenshot(page, "foundation/02-join-unknown-phone-fr")
    context.close()


def test_staff_log_in_and_see_the_dashboard(browser, live_server, demo, screenshot):
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    screenshot(page, "foundation/03-login-desktop")
    page.get_by_label("Username").fill("organiser")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/w/")
    expect(page.get_by_role("link", name="Peace Exchange — Bamako")).to_be_visible()
    screenshot(page, "foundation/04-dashboard-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "foundation/05-dashboard-phone")
    context.close()
