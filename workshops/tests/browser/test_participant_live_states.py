"""An idle phone notices within 5 s that the facilitator closed its session or opened
voting (issue 14 item 6): the page follows the session's event stream and reloads
itself. At 360×740 in French and on a desktop; screenshots in
artifacts/screenshots/participant/."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from model_bakery import baker
from playwright.sync_api import expect

from workshops.models import Participant
from workshops.services import setup
from workshops.tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)


def _open_phone(browser, live_server, session, viewport):
    context = browser.new_context(viewport=viewport, locale="fr-FR", device_scale_factor=1)
    participant = baker.make(Participant, workshop=session.workshop)
    token = participant.issue_token()
    participant.save()
    context.add_cookies(
        [
            {
                "name": settings.PARTICIPANT_COOKIE_NAME,
                "value": token,
                "url": live_server.url + "/j/",
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )
    page = context.new_page()
    with page.expect_response(lambda r: "/events/" in r.url):
        page.goto(f"{live_server.url}/j/{session.workshop.join_code}/s/{session.pk}/")
    return context, page


@pytest.mark.parametrize("viewport,name", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_an_idle_phone_shows_the_closed_session_within_five_seconds(
    browser, live_server, workshop, session, screenshot, viewport, name
):
    context, page = _open_phone(browser, live_server, session, viewport)
    try:
        expect(page.get_by_label("Votre contribution")).to_be_visible()
        screenshot(page, f"participant/20-live-open-{name}")
        page.wait_for_timeout(500)  # idle: nothing typed, nothing queued
        closed_at = time.monotonic()
        setup.set_session_status(session=session, action="close")
        expect(page.get_by_text("Cette séance est close. Merci !")).to_be_visible(timeout=5000)
        assert time.monotonic() - closed_at < 5
        expect(page.get_by_label("Votre contribution")).not_to_be_attached()
        screenshot(page, f"participant/21-live-closed-{name}")
    finally:
        context.close()


def test_an_idle_phone_shows_the_vote_within_five_seconds(
    browser, live_server, workshop, session, screenshot
):
    context, page = _open_phone(browser, live_server, session, PHONE)
    try:
        page.wait_for_timeout(500)
        setup.set_session_status(session=session, action="open_voting")
        expect(page.get_by_role("link", name="Voter")).to_be_visible(timeout=5000)
        screenshot(page, "participant/22-live-voting-phone")
    finally:
        context.close()


def test_a_phone_typing_is_not_reloaded_but_told(browser, live_server, workshop, session):
    context, page = _open_phone(browser, live_server, session, PHONE)
    try:
        page.get_by_label("Votre contribution").fill("Je suis en train d'écrire")
        setup.set_session_status(session=session, action="close")
        expect(page.locator("#pe-state")).to_be_visible(timeout=5000)
        expect(page.get_by_label("Votre contribution")).to_have_value("Je suis en train d'écrire")
    finally:
        context.close()
