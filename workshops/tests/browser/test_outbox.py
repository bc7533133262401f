"""The shared outbox (static/js/outbox.js) on the phone's contribute page: a send that
fails is sent again exactly once and stored once."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from workshops.models import Contribution
from workshops.tests.browser.conftest import PHONE
from workshops.tests.browser.test_participant_phone import _joined, _session_path

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_failed_send_is_retried_once_and_stored_once(
    browser, live_server, workshop, session, screenshot
):
    cache.clear()
    context = browser.new_context(viewport=PHONE, locale="fr-FR")
    _joined(context, live_server, workshop)
    page = context.new_page()
    page.goto(live_server.url + _session_path(session))
    sends = []

    def count_and_fail_the_first(route):
        sends.append(route.request.headers.get("x-requested-with"))
        if len(sends) == 1:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route(f"**{_session_path(session)}", count_and_fail_the_first)
    context.set_offline(True)
    page.get_by_label("Votre contribution").fill("Envoyé deux fois, reçu une fois")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator("#own li.pending")).to_have_count(1)
    assert Contribution.objects.count() == 0

    context.set_offline(False)
    expect(page.locator("#own li[id^=c]")).to_have_count(1, timeout=10000)
    expect(page.locator("#own li.pending")).to_have_count(0)
    page.wait_for_timeout(2500)  # longer than the first backoff steps: no third send
    assert sends == ["outbox", "outbox"]
    assert list(Contribution.objects.values_list("text", flat=True)) == [
        "Envoyé deux fois, reçu une fois"
    ]
    assert page.evaluate("() => localStorage.getItem('pe-outbox:participant')") is None
    screenshot(page, "participant/20-outbox-retried")
    context.close()
