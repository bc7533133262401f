"""A phone's send stays cheap: a fixed number of queries, no history insert, no session.

The throughput itself is measured by ``bench/participant.py`` (never timed here).
"""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workshops.choices import ModerationStatus
from workshops.models import Contribution, Participant, versions_of
from workshops.services import moderation
from workshops.services.participants import edit_contribution, withdraw_contribution
from workshops.tests.participant_factories import (
    contribution_of,
    phone_for,
    send_data,
    session_url,
)

SCRIPT = {"HTTP_X_REQUESTED_WITH": "outbox"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def phone(participant):
    return phone_for(participant)


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


# --- Queries ------------------------------------------------------------------------------


@pytest.mark.parametrize("script", [True, False], ids=["script", "no-js"])
@pytest.mark.parametrize("existing", [0, 25])
def test_a_send_costs_the_same_queries_however_many_contributions_exist(
    phone, participant, session, script, existing, django_assert_num_queries
):
    for i in range(existing):
        contribution_of(participant, session, text=f"idea {i}")
    headers = SCRIPT if script else {}
    # One SELECT for the session and its workshop, one for the phone's participant (with
    # its region), then the INSERT; inside the test's transaction the service adds a
    # savepoint around it (SAVEPOINT, RELEASE).
    with django_assert_num_queries(5):
        response = phone.post(session_url(session), send_data("Une idée de plus."), **headers)
    assert response.status_code == (201 if script else 302)
    assert Contribution.objects.filter(session=session).count() == existing + 1


@pytest.mark.django_db(transaction=True)
def test_a_send_outside_a_transaction_is_two_selects_and_one_insert(participant, session):
    phone = phone_for(participant)
    with CaptureQueriesContext(connection) as queries:
        response = phone.post(session_url(session), send_data("Une idée."), **SCRIPT)
    assert response.status_code == 201
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    assert statements == ["SELECT", "SELECT", "INSERT"]
    stored = Contribution.objects.get(session=session)
    assert stored.text == "Une idée." and stored.author == participant


@pytest.mark.django_db(transaction=True)
def test_a_repeated_send_outside_a_transaction_returns_the_stored_one(participant, session):
    phone = phone_for(participant)
    data = send_data("Une seule fois.")
    assert phone.post(session_url(session), data, **SCRIPT).status_code == 201
    assert phone.post(session_url(session), data, **SCRIPT).status_code == 200
    conflict = phone.post(session_url(session), {**data, "text": "Autre chose."}, **SCRIPT)
    assert conflict.status_code == 409
    assert list(Contribution.objects.values_list("text", flat=True)) == ["Une seule fois."]


def test_a_phone_of_another_workshop_still_gets_404_on_a_send(participant, session, other_workshop):
    stranger = phone_for(Participant.objects.create(workshop=other_workshop))
    response = stranger.post(session_url(session), send_data(), **SCRIPT)
    assert response.status_code == 404
    assert not Contribution.objects.exists()


# --- No session, no messages on the script's path --------------------------------------------


def test_a_script_send_touches_neither_the_session_nor_the_messages(phone, session):
    response = phone.post(session_url(session), send_data(), **SCRIPT)
    assert response.status_code == 201
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert "messages" not in response.cookies
    assert not Session.objects.exists()


def test_a_no_js_send_keeps_its_thank_you_in_a_cookie_not_the_session(phone, session):
    response = phone.post(session_url(session), send_data())
    assert response.status_code == 302
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert not Session.objects.exists()
    page = phone.get(response.url)
    assert b"your contribution is received" in page.content


# --- History: the creation record is written on the first change -----------------------------


def test_a_send_writes_no_history_row(phone, session):
    phone.post(session_url(session), send_data("Premier texte."), **SCRIPT)
    contribution = Contribution.objects.get(session=session)
    assert contribution.history.count() == 0
    assert [v.history_type for v in versions_of(contribution)] == ["+"]


def test_the_first_edit_records_the_creation_dated_when_it_was_sent(participant, session):
    contribution = contribution_of(participant, session, text="Premier texte.")
    edit_contribution(contribution=contribution, text="Texte corrigé.", quotable=True)
    edit_contribution(contribution=contribution, text="Texte final.", quotable=True)
    history = list(contribution.history.order_by("history_date"))
    assert [(h.history_type, h.history_change_reason or "") for h in history] == [
        ("+", ""),
        ("~", "text"),
        ("~", "text"),
    ]
    assert history[0].history_date == contribution.created_at
    assert versions_of(contribution)[0].changed_fields == ["text"]


def test_moderation_on_a_sent_contribution_keeps_a_complete_history(
    participant, session, facilitator
):
    contribution = contribution_of(participant, session, text="Speling mistake")
    moderation.set_status(contributions=[contribution], status=ModerationStatus.HIDDEN)
    contribution.refresh_from_db()
    moderation.edit_as_moderator(contribution=contribution, data={"text": "Spelling fixed"})
    history = list(contribution.history.order_by("history_date"))
    assert [(h.history_type, h.history_change_reason or "", h.status) for h in history] == [
        ("+", "", ModerationStatus.PUBLISHED),
        ("~", "", ModerationStatus.HIDDEN),
        ("~", "text", ModerationStatus.HIDDEN),
    ]


def test_a_withdrawn_contribution_has_its_creation_and_deletion_in_history(participant, session):
    contribution = contribution_of(participant, session, text="Retiré ensuite.")
    pk = contribution.pk
    withdraw_contribution(contribution=contribution)
    history = Contribution.history.filter(id=pk).order_by("history_date")
    assert [h.history_type for h in history] == ["+", "-"]


def test_a_later_save_of_the_sent_instance_is_recorded(participant, session):
    contribution = contribution_of(participant, session, text="Avant.")
    contribution.text = "Après."
    contribution.save()
    assert [h.history_type for h in contribution.history.order_by("history_date")] == ["+", "~"]


def test_facilitator_sees_the_one_version_of_an_unchanged_contribution(
    client_for, facilitator, participant, session
):
    contribution = contribution_of(participant, session, text="Jamais modifiée.")
    url = reverse("workshops:contribution_edit", args=[session.workshop.slug, contribution.pk])
    page = client_for(facilitator).get(url)
    assert page.status_code == 200
    assert page.content.decode().count("Jamais modifiée.") == 1  # the form; history has no words


# --- The join-code guessing limit does not stop phones that have joined ----------------------


def test_a_joined_phone_still_sends_when_its_network_guessed_too_often(
    client, phone, session, settings
):
    settings.PARTICIPANT_JOIN_FAILURE_RATE = "2/m"
    settings.PARTICIPANT_JOIN_FAILURE_IP_RATE = "2/m"
    for code in ["AAAAAA", "CCCCCC"]:
        client.post(reverse("participant:join"), {"code": code})
    assert client.get(session_url(session)).status_code == 302  # right code: to the start
    response = phone.post(session_url(session), send_data("Toujours là."), **SCRIPT)
    assert response.status_code == 201
    assert Contribution.objects.filter(text="Toujours là.").exists()
    guessed = phone.get(session_url(session).replace(session.workshop.join_code, "ZZZZZZ"))
    assert guessed.status_code == 429  # a wrong code is still refused to this phone
