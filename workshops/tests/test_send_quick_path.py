"""The send's quick path (one query) says yes exactly when the full path would.

``get_send_target`` answers "may this phone send to this session now?" in one query,
and only when the answer is yes; everything else goes through the page decorator and
the access helpers. These tests pin the two together: every combination of workshop
state, session state and phone gives the same outcome through the view whether or not
the quick path exists, and the quick path never says yes where the full path says no.
"""

from __future__ import annotations

import itertools

import pytest
from django.conf import settings
from django.test import RequestFactory
from model_bakery import baker

from workshops import access
from workshops.choices import Category, ModerationStatus, SessionStatus, WorkshopStatus
from workshops.models import Contribution, Participant
from workshops.services.participants import forget_device
from workshops.tests.participant_factories import phone_for, send_data, session_url
from workshops.views import participant as views

SCRIPT = {"HTTP_X_REQUESTED_WITH": "outbox"}


def _request_with_cookie(token: str | None):
    request = RequestFactory().post("/")
    if token is not None:
        request.COOKIES[settings.PARTICIPANT_COOKIE_NAME] = token
    return request


def _token(phone) -> str:
    return phone.cookies[settings.PARTICIPANT_COOKIE_NAME].value


PHONES = ["joined", "not-joined", "other-workshop", "wiped"]


def _phone(kind, workshop, other_workshop):
    if kind == "not-joined":
        return phone_for(baker.make(Participant, workshop=workshop)), "stranger-token"
    if kind == "other-workshop":
        phone = phone_for(Participant.objects.create(workshop=other_workshop))
        return phone, _token(phone)
    participant = Participant.objects.create(workshop=workshop)
    phone = phone_for(participant)
    token = _token(phone)
    if kind == "wiped":
        forget_device(participant=participant)
    return phone, token


@pytest.mark.parametrize(
    ("workshop_status", "session_status", "phone_kind"),
    list(itertools.product(WorkshopStatus.values, SessionStatus.values, PHONES)),
)
def test_quick_path_says_yes_only_where_the_full_path_accepts_a_send(
    workshop, other_workshop, session, workshop_status, session_status, phone_kind, monkeypatch
):
    workshop.status = workshop_status
    workshop.save()
    session.status = session_status
    session.save()
    phone, token = _phone(phone_kind, workshop, other_workshop)
    if phone_kind == "not-joined":
        phone.cookies[settings.PARTICIPANT_COOKIE_NAME] = token
    target = access.get_send_target(_request_with_cookie(token), workshop.join_code, session.pk)
    accepted = (
        workshop_status == WorkshopStatus.LIVE
        and session_status == SessionStatus.OPEN
        and phone_kind == "joined"
    )
    assert (target is not None) == accepted

    # The same send through the view, without the quick path, gets the same answer.
    monkeypatch.setattr(views, "get_send_target", lambda *args: None)
    full = phone.post(session_url(session), send_data("Sans raccourci."), **SCRIPT)
    monkeypatch.undo()
    quick = phone.post(session_url(session), send_data("Avec raccourci."), **SCRIPT)
    assert quick.status_code == full.status_code
    assert (full.status_code == 201) == accepted
    assert Contribution.objects.count() == (2 if accepted else 0)


def test_quick_path_needs_this_workshops_code_and_session(workshop, other_workshop, session):
    phone = phone_for(Participant.objects.create(workshop=workshop))
    token = _token(phone)
    elsewhere = baker.make(
        "workshops.BreakoutSession", workshop=other_workshop, status=SessionStatus.OPEN
    )
    request = _request_with_cookie(token)
    assert access.get_send_target(request, workshop.join_code, session.pk) is not None
    assert access.get_send_target(request, workshop.join_code.lower(), session.pk) is not None
    assert access.get_send_target(request, other_workshop.join_code, session.pk) is None
    assert access.get_send_target(request, workshop.join_code, elsewhere.pk) is None
    assert access.get_send_target(request, workshop.join_code, 0) is None
    assert access.get_send_target(request, "", session.pk) is None
    assert (
        access.get_send_target(_request_with_cookie(None), workshop.join_code, session.pk) is None
    )
    assert (
        access.get_send_target(_request_with_cookie("x" * 101), workshop.join_code, session.pk)
        is None
    )
    # The full path still answers those sends as before: another workshop's session is 404.
    response = phone.post(f"/j/{workshop.join_code}/s/{elsewhere.pk}/", send_data(), **SCRIPT)
    assert response.status_code == 404


@pytest.mark.parametrize("session_id", ["9223372036854775808", "99999999999999999999999"])
def test_a_session_id_too_large_for_the_database_is_a_404(participant, session, session_id):
    phone = phone_for(participant)
    response = phone.post(f"/j/{session.workshop.join_code}/s/{session_id}/", send_data(), **SCRIPT)
    assert response.status_code == 404
    assert not Contribution.objects.exists()


def test_quick_path_objects_carry_what_the_send_stores(workshop, session, participant, regions):
    participant.region = regions["Gao"]
    participant.gender = "woman"
    participant.save()
    workshop.premoderation = True
    workshop.save()
    phone = phone_for(participant)
    response = phone.post(session_url(session), send_data("Les groupes armés."), **SCRIPT)
    assert response.status_code == 201
    stored = Contribution.objects.get()
    assert stored.author == participant
    assert (stored.region, stored.zone, stored.gender) == (
        regions["Gao"],
        regions["Gao"].zone,
        "woman",
    )
    assert stored.status == ModerationStatus.PENDING  # the workshop pre-moderates
    assert stored.session == session and stored.workshop == workshop


def test_quick_path_objects_load_any_other_field_when_asked(workshop, session, participant):
    phone = phone_for(participant)
    target = access.get_send_target(
        _request_with_cookie(_token(phone)), workshop.join_code, session.pk
    )
    loaded_workshop, loaded_participant, loaded_session = target
    assert loaded_session.focus == [Category.DRIVER]
    assert loaded_session.title == session.title  # deferred: loads on first access
    assert loaded_workshop.title == workshop.title
    assert loaded_participant.public_id == participant.public_id


def test_a_category_outside_the_sessions_focus_is_refused_with_the_text_kept(phone_and_session):
    phone, session = phone_and_session
    response = phone.post(
        session_url(session),
        send_data("Une recommandation.", category=Category.RECOMMENDATION),
        **SCRIPT,
    )
    assert response.status_code == 400
    assert "Une recommandation." in response.content.decode()
    assert not Contribution.objects.exists()


@pytest.fixture
def phone_and_session(participant, session):
    return phone_for(participant), session


def test_a_send_counts_once_against_the_rate_limit_whichever_path_it_takes(
    participant, session, settings
):
    settings.PARTICIPANT_SEND_RATE = "3/m"
    phone = phone_for(participant)
    # Refused by the form: the quick path hands it to the full path, counted once.
    assert phone.post(session_url(session), send_data(""), **SCRIPT).status_code == 400
    assert phone.post(session_url(session), send_data("Un."), **SCRIPT).status_code == 201
    assert phone.post(session_url(session), send_data("Deux."), **SCRIPT).status_code == 201
    limited = phone.post(session_url(session), send_data("Trois."), **SCRIPT)
    assert limited.status_code == 429
    assert "Trois." in limited.content.decode()
    assert Contribution.objects.count() == 2


def test_a_conflicting_repeat_through_the_quick_path_keeps_the_stored_one(participant, session):
    phone = phone_for(participant)
    data = send_data("Premier texte.")
    assert phone.post(session_url(session), data, **SCRIPT).status_code == 201
    conflict = phone.post(session_url(session), {**data, "text": "Autre texte."}, **SCRIPT)
    assert conflict.status_code == 409
    assert "Autre texte." in conflict.content.decode()
    assert list(Contribution.objects.values_list("text", flat=True)) == ["Premier texte."]


def test_the_sent_row_reuses_the_phones_csrf_token_and_sets_no_cookie(participant, session):
    phone = phone_for(participant, enforce_csrf_checks=True)
    page = phone.get(session_url(session))
    token = page.context["csrf_token"]
    response = phone.post(
        session_url(session),
        {**send_data("Avec jeton."), "csrfmiddlewaretoken": str(token)},
        **SCRIPT,
    )
    assert response.status_code == 201
    assert f'value="{token}"' in response.content.decode()
    assert settings.CSRF_COOKIE_NAME not in response.cookies
