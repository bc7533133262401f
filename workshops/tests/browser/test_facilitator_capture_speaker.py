"""Quick capture cannot mislabel a speaker (issue 14, item 5): the speaker is cleared after
each note, the box takes several lines (Enter saves, Shift+Enter a new line), and Alt
shortcuts follow the character typed (AZERTY). At 360×740 and 1280×800."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from workshops.models import Contribution
from workshops.tests.browser.conftest import DESKTOP, PHONE
from workshops.tests.browser.test_facilitator_live import assert_no_csp_violation, log_in, new_page

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(count):
    for _ in range(200):  # bounded: up to 20 s for the outbox to drain
        if Contribution.objects.count() == count:
            return
        time.sleep(0.1)


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_speaker_is_cleared_after_each_note_and_the_box_takes_lines(
    browser, live_server, note_taker, workshop, session, participant, screenshot, viewport, name
):
    session.participants.add(participant)
    context, page = new_page(browser, viewport)
    capture = reverse("workshops:capture", args=[workshop.slug, session.pk])
    log_in(page, live_server, note_taker, capture)
    box = page.locator('textarea[name="text"]')
    speaker = page.locator('select[name="speaker"]')
    speaker.select_option(str(participant.pk))
    box.fill("What she said")
    box.press("Enter")
    expect(box).to_have_value("")
    expect(speaker).to_have_value("")  # not carried over to the next note
    box.focus()
    page.keyboard.type("First line")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("second line")
    expect(box).to_have_value("First line\nsecond line")
    # AZERTY: the key labelled Q sends code KeyA and the character "q".
    page.evaluate(
        """document.dispatchEvent(new KeyboardEvent("keydown",
           {key: "q", code: "KeyA", altKey: true, bubbles: true}))"""
    )
    expect(page.locator('input[name="quotable"]')).to_be_checked()
    screenshot(page, f"facilitator/capture-speaker-cleared-{name}")
    page.keyboard.press("Enter")
    wait_for(2)
    stored = {c.text: c for c in Contribution.objects.all()}
    assert stored["What she said"].author == participant
    anonymous = stored["First line\nsecond line"]
    assert anonymous.author is None and anonymous.zone is None and anonymous.gender == ""
    assert anonymous.quotable
    assert_no_csp_violation(page)
    context.close()
