"""From an empty database, in the browser only: a network administrator creates the network
(Django admin), adds its Niger office and invites an organiser (the link shown on the page);
the organiser accepts, creates a workshop in Niger, groups Niger's eight regions into four
zones and opens a session; a phone joins with the code and sends a contribution, counted in
the zone of its region. Screenshots of the zones pages at 360 px and desktop size.

Before the browser: one superuser (``createsuperuser``) and the shipped reference data
(countries and regions, as ``seed_demo`` loads them); nothing else."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import expect

from workshops.models import Contribution, Network, NetworkMembership, Workshop
from workshops.services.demo import load_reference_data
from workshops.tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)

ADMIN_PASSWORD = "Sahel-Admin-2026-long"  # noqa: S105 - a test account
ORGANISER_PASSWORD = "Niamey-Peace-2026"  # noqa: S105 - a test account
LINK = re.compile(r"https?://\S+/n/invitation/[^/\s]+/")
# Niger's regions in four zones: the zone named after the first region of each group.
GROUPS = {
    "Agadez": ("North", "Nord", []),
    "Diffa": ("East", "Est", ["Zinder"]),
    "Niamey": ("West", "Ouest", ["Tillabéri", "Dosso"]),
    "Maradi": ("Centre", "Centre", ["Tahoua"]),
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def _english(context, live_server):
    context.add_cookies([{"name": "pe_lang", "value": "en", "url": live_server.url}])


def watch_console(page) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(f"{m.text} {m.location.get('url')}") if m.type == "error" else None,
    )
    return errors


def test_a_network_administrator_to_a_phone_in_a_niger_workshop_with_its_zones(
    browser, live_server, django_user_model, screenshot
):
    load_reference_data()
    django_user_model.objects.create_superuser("amina", "amina@example.org", ADMIN_PASSWORD)
    url = live_server.url

    # The administrator creates the network in Django admin and becomes its administrator.
    desk = browser.new_context(viewport=DESKTOP, locale="en-GB")
    _english(desk, live_server)
    admin = desk.new_page()
    admin_errors = watch_console(admin)
    admin.goto(url + "/admin/login/?next=/admin/workshops/network/add/")
    admin.fill('input[name="username"]', "amina")
    admin.fill('input[name="password"]', ADMIN_PASSWORD)
    admin.click('input[type="submit"], button[type="submit"]')
    admin.get_by_label("Name").fill("West Africa Network for Peacebuilding")
    admin.get_by_label("Acronym").fill("WANEP")
    admin.get_by_label("Slug").fill("wanep")
    admin.locator('input[name="_save"]').click()
    expect(admin.locator(".messagelist")).to_contain_text("added successfully")
    network = Network.objects.get(slug="wanep")
    assert NetworkMembership.objects.get(network=network).is_administrator

    # On the network page: the Niger office, then an invitation for an organiser.
    admin.goto(url + reverse("networks:network", kwargs={"slug": "wanep"}))
    office = admin.locator("form", has=admin.get_by_role("button", name="Add the organisation"))
    office.get_by_label("Name").fill("WANEP-Niger")
    office.get_by_label("Acronym").fill("WANEP-NE")
    office.get_by_label("Country").select_option(label="Niger")
    office.get_by_role("button", name="Add the organisation").click()
    expect(admin.get_by_text("WANEP-Niger").first).to_be_visible()
    invite = admin.locator("form", has=admin.get_by_role("button", name="Send the invitation"))
    invite.get_by_label("Email").fill("hadiza@example.org")
    # Both forms of the page have a "May organise workshops" box with the same id.
    invite.locator('input[name="may_organise"]').check()
    invite.get_by_role("button", name="Send the invitation").click()
    message = admin.locator(".alert", has_text="Invitation sent to hadiza@example.org")
    expect(message).to_be_visible()
    link = LINK.search(message.inner_text()).group(0)

    # The organiser accepts on the link and creates a workshop in Niger from the dashboard.
    laptop = browser.new_context(viewport=DESKTOP, locale="en-GB")
    _english(laptop, live_server)
    organiser = laptop.new_page()
    organiser_errors = watch_console(organiser)
    organiser.goto(link)
    organiser.get_by_label("Username").fill("hadiza")
    organiser.get_by_label("Password").fill(ORGANISER_PASSWORD)
    organiser.locator("main").get_by_role("button").first.click()
    organiser.get_by_role("link", name="New workshop").click()
    organiser.get_by_label("Title").fill("Peace Exchange Niamey")
    organiser.get_by_label("Slug").fill("pe-niamey")
    organiser.get_by_label("Location").fill("Niamey")
    organiser.get_by_label("Start date").fill("2026-12-03")
    organiser.get_by_label("End date").fill("2026-12-04")
    organiser.get_by_label("Country").select_option(label="Niger")
    organiser.get_by_label("Organising organisation").select_option(label="WANEP-NE")
    organiser.get_by_label("English").check()
    organiser.get_by_label("Status").select_option(value="live")
    organiser.locator("main form").get_by_role("button", name="Save").click()
    expect(organiser.get_by_text("Workshop created.")).to_be_visible()
    workshop = Workshop.objects.get(slug="pe-niamey")
    assert workshop.zones.count() == 8  # one zone per region to start with

    # The zones page: four zones named in both languages, each region placed.
    organiser.locator(".workshop-nav").get_by_role("link", name="Zones").click()
    expect(organiser.get_by_role("heading", name="Zones", exact=True)).to_be_visible()
    screenshot(organiser, "zones/01-niger-one-zone-per-region-desktop")
    for first, (name, name_fr, others) in GROUPS.items():
        index = list(workshop.zones.values_list("name", flat=True)).index(first) + 1
        organiser.get_by_label(f"Zone {index}, name in English").fill(name)
        organiser.get_by_label(f"Zone {index}, name in French").fill(name_fr)
        for region in others:
            organiser.get_by_label(region, exact=True).select_option(label=first)
    # Saved from the keyboard: the form needs no mouse and no JavaScript.
    organiser.get_by_role("button", name="Save the zones").focus()
    organiser.keyboard.press("Enter")
    expect(organiser.get_by_text("Zones saved.")).to_be_visible()
    assert {
        zone.name: set(zone.regions.values_list("name", flat=True)) for zone in workshop.zones.all()
    } == {
        "North": {"Agadez"},
        "East": {"Diffa", "Zinder"},
        "West": {"Niamey", "Tillabéri", "Dosso"},
        "Centre": {"Maradi", "Tahoua"},
    }
    expect(organiser.get_by_label("Zinder", exact=True)).to_have_value(
        str(workshop.zones.get(name="East").pk)
    )
    screenshot(organiser, "zones/02-niger-four-zones-desktop")
    organiser.set_viewport_size(PHONE)
    screenshot(organiser, "zones/03-niger-four-zones-phone")
    assert organiser.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    organiser.get_by_role("link", name="Start again from the suggested zones").click()
    expect(organiser.get_by_role("heading", name="Start again from the suggested zones?"))
    screenshot(organiser, "zones/04-suggested-confirm-phone")
    organiser.set_viewport_size(DESKTOP)
    screenshot(organiser, "zones/05-suggested-confirm-desktop")
    organiser.get_by_role("link", name="Cancel").click()
    assert workshop.zones.count() == 4  # cancelled: nothing changed

    # A session, opened from the agenda.
    organiser.locator(".workshop-nav").get_by_role("link", name="Agenda").click()
    organiser.get_by_role("link", name=re.compile("session", re.I)).first.click()
    organiser.get_by_label("Title").fill("Drivers of conflict")
    organiser.get_by_label("Guiding question").fill("What drives conflict where you live?")
    organiser.locator("main form").get_by_role("button", name="Save").click()
    organiser.get_by_role("button", name="Open session").first.click()
    expect(organiser.get_by_role("button", name="Close session").first).to_be_visible()

    # A phone joins with the code and sends a contribution from Zinder: the East.
    phone = browser.new_context(viewport=PHONE, locale="fr-FR", is_mobile=True, has_touch=True)
    page = phone.new_page()
    phone_errors = watch_console(page)
    page.goto(url + "/")
    page.get_by_label("Code de l'atelier").fill(workshop.join_code.lower())
    page.get_by_role("button", name="Rejoindre").click()
    page.get_by_role("button", name="Français").click()
    page.get_by_role("button", name="J'accepte, continuer").click()
    page.get_by_label("Région où vous travaillez").select_option(label="Zinder")
    page.get_by_label("Genre").select_option(label="Femme")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.get_by_label("Votre contribution").fill("Les éleveurs et les agriculteurs s'opposent.")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator("#own li[id^=c]")).to_have_count(1)
    stored = Contribution.objects.get(workshop=workshop)
    assert stored.region.name == "Zinder" and stored.zone.name == "East"
    screenshot(page, "zones/06-phone-sent-in-niger")

    # Django admin's pages name no icon: the browser asks for /favicon.ico (404) there only.
    admin_errors = [e for e in admin_errors if not e.endswith("/favicon.ico")]
    assert (admin_errors, organiser_errors, phone_errors) == ([], [], [])
    for context in (desk, laptop, phone):
        context.close()


def test_the_zones_page_in_french_at_phone_and_desktop_size(
    browser, live_server, organiser, workshop, screenshot
):
    from conftest import PASSWORD  # noqa: PLC0415 - the shared test password

    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    context.add_cookies([{"name": "pe_lang", "value": "fr", "url": live_server.url}])
    page = context.new_page()
    errors = watch_console(page)
    zones = reverse("workshops:zones", kwargs={"slug": workshop.slug})
    page.goto(f"{live_server.url}{reverse('login')}?next={zones}")
    page.fill('input[name="username"]', organiser.username)
    page.fill('input[name="password"]', PASSWORD)
    page.click('main button[type="submit"]')
    expect(page.get_by_role("group", name="Zone de chaque région")).to_be_visible()
    expect(page.get_by_label("Gao", exact=True)).to_have_value(
        str(workshop.zones.get(name="North").pk)
    )
    screenshot(page, "zones/07-mali-zones-fr-phone")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    # A mistake in French: two zones with one name; the text typed is shown again.
    page.get_by_label("Zone 1, nom en anglais").fill("Centre")
    page.get_by_role("button", name="Enregistrer les zones").click()
    # Both fields say so, the one typed into and the zone already called that.
    expect(page.get_by_text("Deux zones ne peuvent pas porter le même nom.")).to_have_count(2)
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    expect(page.get_by_label("Zone 1, nom en anglais")).to_have_value("Centre")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "zones/08-mali-zones-fr-error-desktop")
    assert workshop.zones.filter(name="North").exists()
    assert errors == []
    context.close()
