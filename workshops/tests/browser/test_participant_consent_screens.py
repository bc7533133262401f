"""Look at the consent page when a network is over its cap, then pressing again later
(the kept key makes the participant), at phone and desktop size."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from workshops.models import Participant, hash_token
from workshops.tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    ("size", "viewport", "locale"), [("phone", PHONE, "fr-FR"), ("desktop", DESKTOP, "en-GB")]
)
def test_a_refused_consent_is_explained_and_pressing_again_later_joins_once(
    browser, live_server, workshop, settings, screenshot, size, viewport, locale
):
    settings.PARTICIPANT_NEW_IP_RATE = "0/2m"  # this network's allowance is spent
    context = browser.new_context(viewport=viewport, locale=locale)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + reverse("participant:consent", args=[workshop.join_code]))
    french = locale.startswith("fr")
    agree = page.get_by_role(
        "button", name="J'accepte, continuer" if french else "I agree, continue"
    )
    key = page.locator('input[name="consent_key"]').get_attribute("value")
    agree.click()
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text(
        "Beaucoup de téléphones ont rejoint l’atelier" if french else "Very many phones joined"
    )
    assert page.locator('input[name="consent_key"]').get_attribute("value") == key
    screenshot(page, f"participant/consent-refused-{size}")
    assert not Participant.objects.exists()

    settings.PARTICIPANT_NEW_IP_RATE = "300/2m"  # two minutes later
    page.get_by_role(
        "button", name="J'accepte, continuer" if french else "I agree, continue"
    ).click()
    page.wait_for_url("**/profile/")
    expect(page.locator("h1")).to_be_visible()
    screenshot(page, f"participant/consent-then-profile-{size}")
    joined = Participant.objects.get()
    assert joined.consent_key == hash_token(key)  # the kept key made the participant
    assert [e for e in errors if "429" not in e] == []  # the refusal itself is a 429
    context.close()
