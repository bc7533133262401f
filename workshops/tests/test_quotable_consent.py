"""Staff may un-quote, never quote, a phone contribution or a note (issue 12, item 4)."""

import pytest
from django.urls import reverse

from workshops.choices import Source
from workshops.services import moderation
from workshops.tests.facilitator_factories import board_url, make_contribution
from workshops.tests.participant_factories import contribution_of


def test_the_bulk_action_refuses_to_quote_a_phone_contribution(
    client_for, facilitator, participant, session
):
    sent = contribution_of(participant, session, text="Not for quoting")
    response = client_for(facilitator).post(
        reverse("workshops:moderate", args=[session.workshop.slug]),
        {"ids": [sent.pk], "action": "quotable", "next": board_url(session.workshop)},
        follow=True,
    )
    assert response.status_code == 200
    assert "Only the speaker can agree to be quoted" in response.content.decode()
    sent.refresh_from_db()
    assert sent.quotable is False


def test_the_edit_form_refuses_to_quote_and_keeps_the_text(
    client_for, facilitator, participant, session
):
    sent = contribution_of(participant, session, text="Not for quoting")
    url = reverse("workshops:contribution_edit", args=[session.workshop.slug, sent.pk])
    response = client_for(facilitator).post(
        url,
        {"text": "Edited wording", "category": "driver", "horizon": "long_term", "quotable": "on"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Only the speaker can agree to be quoted" in page and "Edited wording" in page
    sent.refresh_from_db()
    assert (sent.quotable, sent.text) == (False, "Not for quoting")


def test_staff_may_un_quote(client_for, facilitator, participant, session):
    sent = contribution_of(participant, session, text="Quote me", quotable=True)
    url = reverse("workshops:contribution_edit", args=[session.workshop.slug, sent.pk])
    response = client_for(facilitator).post(
        url, {"text": "Quote me", "category": "driver", "horizon": "long_term"}
    )
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.quotable is False


@pytest.mark.parametrize("source", [Source.PHONE, Source.NOTE])
def test_the_service_refuses_to_quote_what_only_the_speaker_may_agree_to(session, source):
    contribution = make_contribution(session.workshop, session, source=source)
    with pytest.raises(moderation.ModerationError):
        moderation.set_quotable(contributions=[contribution])
    with pytest.raises(moderation.ModerationError):
        moderation.edit_as_moderator(contribution=contribution, data={"quotable": True})
    contribution.refresh_from_db()
    assert contribution.quotable is False


def test_an_imported_answer_may_still_be_marked_quotable(session):
    contribution = make_contribution(session.workshop, session, source=Source.IMPORT)
    assert moderation.set_quotable(contributions=[contribution]) == 1
