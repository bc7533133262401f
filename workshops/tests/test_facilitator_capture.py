"""Quick capture by note-takers: plain form without JavaScript, JSON with it,
exactly once, speaker snapshot or anonymous zone/gender."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workshops.choices import Audience, Category, Gender, Horizon, Source, VoiceKind
from workshops.forms.facilitator import CaptureForm
from workshops.models import BreakoutSession, Contribution, Participant, Workshop


@pytest.fixture
def capture_url(workshop, session):
    return reverse("workshops:capture", kwargs={"slug": workshop.slug, "session_id": session.pk})


def note(**fields):
    return {
        "client_id": "note-1",
        "text": "Young people have no work",
        "category": "driver",
        **fields,
    }


def test_plain_form_saves_a_note_and_keeps_the_category(
    client_for, note_taker, capture_url, session
):
    response = client_for(note_taker).post(capture_url, note(horizon="long_term"))
    assert response.status_code == 302
    assert "category=driver" in response["Location"]
    stored = Contribution.objects.get()
    assert (stored.source, stored.created_by, stored.session) == (Source.NOTE, note_taker, session)
    assert stored.horizon == Horizon.LONG_TERM
    page = client_for(note_taker).get(response["Location"])
    assert "Young people have no work" in page.text  # listed under "your last notes"
    assert 'value="note-1"' not in page.text  # a fresh client id for the next note


def test_json_request_saves_without_reload_and_repeats_are_stored_once(
    client_for, note_taker, capture_url
):
    client = client_for(note_taker)
    first = client.post(capture_url, note(), HTTP_ACCEPT="application/json")
    again = client.post(capture_url, note(), HTTP_ACCEPT="application/json")
    assert first.status_code == 201 and first.json()["status"] == "saved"
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert again.json()["id"] == first.json()["id"]
    assert Contribution.objects.count() == 1


def test_outbox_send_gets_json_without_asking_for_it(client_for, note_taker, capture_url):
    """The shared outbox (static/js/outbox.js) marks its sends instead of negotiating."""
    client = client_for(note_taker)
    response = client.post(capture_url, note(), HTTP_X_REQUESTED_WITH="outbox")
    assert response.status_code == 201 and response.json()["status"] == "saved"
    refused = client.post(capture_url, note(text=""), HTTP_X_REQUESTED_WITH="outbox")
    assert refused.status_code == 400 and "text" in refused.json()["errors"]
    assert Contribution.objects.count() == 1


def test_same_client_id_with_other_text_is_refused(client_for, note_taker, capture_url):
    client = client_for(note_taker)
    client.post(capture_url, note(), HTTP_ACCEPT="application/json")
    response = client.post(capture_url, note(text="Other"), HTTP_ACCEPT="application/json")
    assert response.status_code == 409
    assert Contribution.objects.get().text == "Young people have no work"


def test_speaker_zone_and_gender_are_snapshotted(
    client_for, note_taker, capture_url, session, participant, zones
):
    session.participants.add(participant)
    client_for(note_taker).post(
        capture_url, note(speaker=participant.pk, zone=zones["South"].pk, gender="man")
    )
    stored = Contribution.objects.get()
    assert stored.author == participant
    assert (stored.zone, stored.gender) == (zones["North"], Gender.WOMAN)


def test_speaker_must_be_a_participant_of_the_session(
    client_for, note_taker, capture_url, participant
):
    response = client_for(note_taker).post(
        capture_url, note(speaker=participant.pk), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert "speaker" in response.json()["errors"]
    assert not Contribution.objects.exists()


def test_a_respondent_is_never_a_speaker_even_if_added_to_the_session(
    client_for, note_taker, capture_url, session, workshop
):
    respondent = Participant.objects.create(
        workshop=workshop, kind=VoiceKind.RESPONDENT, external_id="uuid-1"
    )
    session.participants.add(respondent)
    response = client_for(note_taker).post(
        capture_url, note(speaker=respondent.pk), HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400 and "speaker" in response.json()["errors"]
    assert not Contribution.objects.exists()


def test_anonymous_speaker_keeps_zone_and_gender_picked_inline(
    client_for, note_taker, capture_url, zones
):
    client_for(note_taker).post(
        capture_url,
        note(
            category="recommendation",
            audience="national",
            zone=zones["Centre"].pk,
            gender="woman",
            quotable="on",
            horizon="dynamic",
        ),
    )
    stored = Contribution.objects.get()
    assert stored.author is None
    assert (stored.zone, stored.gender, stored.quotable) == (zones["Centre"], Gender.WOMAN, True)
    assert (stored.audience, stored.horizon) == (Audience.NATIONAL, "")


def test_empty_note_is_refused_with_a_message(client_for, note_taker, capture_url):
    response = client_for(note_taker).post(capture_url, note(text="   "))
    assert response.status_code == 400
    assert "Type what was said." in response.text


def test_capture_page_defaults_to_the_session_focus(client_for, note_taker, capture_url):
    response = client_for(note_taker).get(capture_url)
    assert 'value="driver" data-key="Digit1" checked' in response.text
    assert "autofocus" in response.text
    assert "<script>" not in response.text


@pytest.mark.fuzz
@settings(max_examples=500, suppress_health_check=list(HealthCheck), deadline=None)
@given(text=st.text(alphabet=st.characters(), max_size=3000))
def test_capture_form_never_accepts_text_it_cannot_store(text, session_for_fuzz):
    form = CaptureForm(
        data={"client_id": "x", "text": text, "category": Category.DRIVER},
        session=session_for_fuzz,
    )
    if form.is_valid():
        cleaned = form.cleaned_data["text"]
        assert cleaned.strip() and "\x00" not in cleaned
        cleaned.encode("utf-8")
        assert len(cleaned) <= 2000
    else:
        assert form.errors["text"]


@pytest.fixture(scope="module")
def session_for_fuzz(django_db_blocker):
    with django_db_blocker.unblock():
        workshop = Workshop(pk=1, country_id=1)
        return BreakoutSession(pk=1, workshop=workshop, focus=[Category.DRIVER])
