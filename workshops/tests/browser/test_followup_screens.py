"""Follow-up and programme pages in Chromium, at phone and desktop size: the follow-up list,
one recommendation (an update added through the form), the shared page partners open, and
the programme view of a network."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from workshops.choices import Audience, Category, Source
from workshops.models import Contribution, FollowUpShare, FollowUpUpdate
from workshops.services import followup as service
from workshops.tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(page, live_server, user, language="en"):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ]
    )


def _recommendations(workshop):
    texts = [
        ("Deploy the services of the State in the North, with schools and clinics.", "national"),
        ("Fund women-led peace committees in every cercle.", "international"),
        ("Hold a yearly dialogue between communities and the security forces.", "communities"),
    ]
    return [
        Contribution.objects.create(
            workshop=workshop,
            category=Category.RECOMMENDATION,
            audience=Audience(audience),
            text=text,
            source=Source.NOTE,
            client_id=str(uuid.uuid4()),
        )
        for text, audience in texts
    ]


def test_follow_up_screens(page, live_server, organiser, workshop, screenshot):
    first, second, _third = _recommendations(workshop)
    service.save_followup(
        recommendation=second,
        addressee="donors",
        followed_by=organiser,
        status="achieved",
        actor=organiser,
    )
    _log_in(page, live_server, organiser)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/w/{workshop.slug}/follow-up/")
    expect(page.get_by_role("heading", name="Follow-up of recommendations")).to_be_visible()
    expect(page.locator(".followup-achieved")).to_be_visible()
    screenshot(page, "followup/01-list-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "followup/02-list-phone")

    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name=first.text[:40]).click()
    page.get_by_label("Addressed to").select_option("national_government")
    page.get_by_label("Status").select_option("in_progress")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Follow-up saved.")).to_be_visible()
    page.locator("#id_date").fill("2026-11-30")
    page.get_by_label("What happened").fill("The governor's office received the recommendations.")
    page.get_by_label("Evidence links").fill("https://example.org/letter.pdf")
    page.get_by_role("button", name="Add the update").click()
    expect(page.get_by_text("Update added.")).to_be_visible()
    assert FollowUpUpdate.objects.get().evidence == ["https://example.org/letter.pdf"]
    screenshot(page, "followup/03-recommendation-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "followup/04-recommendation-phone")

    page.get_by_label("What happened").fill("")
    page.get_by_label("Evidence links").fill("javascript:alert(1)")
    page.get_by_role("button", name="Add the update").click()
    expect(page.get_by_text("is not a web address")).to_be_visible()
    screenshot(page, "followup/05-update-refused-phone")

    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/w/{workshop.slug}/follow-up/")
    page.get_by_role("button", name="Create the link").click()
    expect(page.locator("#share-url")).to_be_visible()
    link = FollowUpShare.objects.get(revoked_at=None)
    assert link.token in page.locator("#share-url").input_value()
    screenshot(page, "followup/06-list-with-link-desktop")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_shared_page_for_partners(browser, live_server, organiser, workshop, screenshot, language):
    first, _second, _third = _recommendations(workshop)
    service.save_followup(
        recommendation=first,
        addressee="national_government",
        followed_by=organiser,
        status="in_progress",
        actor=organiser,
    )
    service.add_update(
        recommendation=first,
        date=dt.date(2026, 11, 30),
        text="Lettre remise au gouvernorat de Gao.",
        evidence=["https://example.org/lettre.pdf"],
        actor=organiser,
    )
    link = service.share(workshop=workshop, actor=organiser)
    context = browser.new_context(locale=language)
    page = context.new_page()
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/follow-up/{link.token}/")
    heading = "Suivi des recommandations" if language == "fr" else "Follow-up of recommendations"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.get_by_text("Lettre remise au gouvernorat de Gao.")).to_be_visible()
    assert "olivia" not in page.content()
    screenshot(page, f"followup/07-shared-phone-{language}")
    page.set_viewport_size(DESKTOP)
    screenshot(page, f"followup/08-shared-desktop-{language}")
    context.close()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_programme_screens(
    page,
    live_server,
    django_user_model,
    organisation,
    workshop,
    country,
    regions,
    screenshot,
    language,
):
    from workshops.models import Network, NetworkMembership  # noqa: PLC0415
    from workshops.tests.report_factories import make_mali_like_workshop  # noqa: PLC0415
    from workshops.tests.test_programme import later_workshop  # noqa: PLC0415

    network = Network.objects.create(name="West Africa Network", acronym="WANEP", slug="wanep")
    organisation.member_of = network
    organisation.save(update_fields=["member_of"])
    member = django_user_model.objects.create_user(username="moussa")
    NetworkMembership.objects.create(network=network, user=member)
    workshop.start_date, workshop.end_date = dt.date(2018, 5, 2), dt.date(2018, 5, 3)
    workshop.save()
    make_mali_like_workshop(workshop, regions)
    later_workshop(organisation, country, regions)
    _log_in(page, live_server, member, language)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/n/wanep/programme/")
    heading = "Programme de WANEP" if language == "fr" else "Programme of WANEP"
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    expect(page.locator(".programme-chart")).to_be_visible()
    expect(page.locator(".movements li").first).to_be_visible()
    screenshot(page, f"programme/01-programme-desktop-{language}")
    page.set_viewport_size(PHONE)
    screenshot(page, f"programme/02-programme-phone-{language}")
