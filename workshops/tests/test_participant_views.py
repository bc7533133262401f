"""Participant pages without JavaScript: join, language, consent, profile, contribute,
own list with edit and withdraw, vote, wipe; errors that keep the text."""

import gzip
import itertools
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from model_bakery import baker

from workshops.choices import (
    Category,
    Gender,
    ModerationStatus,
    SessionStatus,
    Source,
    VoiceKind,
    WorkshopStatus,
)
from workshops.forms.participant import VoteForm
from workshops.models import Contribution, Participant, Vote, hash_token
from workshops.services import participants
from workshops.services.participants import forget_device
from workshops.tests.participant_factories import (
    consent_data,
    contribution_of,
    phone_for,
    send_data,
    session_url,
)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def phone(participant):
    return phone_for(participant)


def _url(name, workshop, **kwargs):
    return reverse(f"participant:{name}", kwargs={"code": workshop.join_code, **kwargs})


def _client_id(html: str) -> str:
    return re.search(r'name="client_id" value="([^"]+)"', html).group(1)


# --- Join ---------------------------------------------------------------------------------


def test_landing_page_code_in_lower_case_leads_to_the_workshop(client, workshop):
    response = client.post(reverse("participant:join"), {"code": workshop.join_code.lower()})
    assert response.status_code == 302
    assert response.url == _url("start", workshop)


def test_join_with_an_unknown_code_says_so_and_keeps_what_was_typed(client, workshop):
    response = client.post(reverse("participant:join"), {"code": "zzzz99"})
    assert response.status_code == 400
    assert b"No workshop has this code" in response.content
    assert b'value="zzzz99"' in response.content


def test_unknown_code_in_a_link_gets_a_clear_page(client, db):
    response = client.get(reverse("participant:start", kwargs={"code": "NOPE42"}))
    assert response.status_code == 404
    assert b"Unknown code" in response.content


def test_closed_workshop_gets_a_clear_message(client, workshop):
    workshop.status = WorkshopStatus.CLOSED
    workshop.save()
    response = client.get(_url("start", workshop))
    assert response.status_code == 403
    assert b"This workshop is closed" in response.content


def test_workshop_not_started_gets_a_clear_message(client, workshop):
    workshop.status = WorkshopStatus.DRAFT
    workshop.save()
    response = client.get(_url("start", workshop))
    assert b"has not started yet" in response.content


def test_guessing_join_codes_is_limited_per_network(client, workshop, settings):
    settings.PARTICIPANT_JOIN_FAILURE_RATE = "3/m"
    client.get(reverse("participant:join"))  # the device cookie
    for code in ["AAAAAA", "CCCCCC", "DDDDDD"]:
        assert client.post(reverse("participant:join"), {"code": code}).status_code == 400
    blocked = client.post(reverse("participant:join"), {"code": "EEEEEE"})
    assert blocked.status_code == 429
    assert b"Too many wrong codes" in blocked.content
    # the right code is never throttled, even from the guessing phone
    assert client.post(reverse("participant:join"), {"code": workshop.join_code}).status_code == 302
    assert client.get(_url("start", workshop)).status_code == 200


def test_one_phone_guessing_100_codes_does_not_stop_another_phone_joining(workshop, settings):
    """Issue 12 item 2: the guessing limit keys on the device, the IP only at room scale."""
    settings.PARTICIPANT_JOIN_FAILURE_RATE = "20/10m"
    settings.PARTICIPANT_JOIN_FAILURE_IP_RATE = "300/10m"
    guesser, other, newcomer = Client(), Client(), Client()
    guesser.get(reverse("participant:join"))  # gets its device cookie
    other.get(reverse("participant:join"))
    statuses = [
        guesser.post(reverse("participant:join"), {"code": f"ZZZ{n:03d}"}).status_code
        for n in range(100)
    ]
    assert statuses[:20] == [400] * 20
    assert set(statuses[20:]) == {429}
    # another phone on the same IP: its own wrong code is not throttled, the right one joins
    assert other.post(reverse("participant:join"), {"code": "YYYYYY"}).status_code == 400
    assert other.post(reverse("participant:join"), {"code": workshop.join_code}).status_code == 302
    assert other.get(_url("start", workshop)).status_code == 200
    # a phone without any cookie yet joins straight from the QR code
    assert newcomer.get(_url("start", workshop)).status_code == 200


def test_a_client_without_cookies_gets_the_room_sized_allowance(client, workshop, settings):
    settings.PARTICIPANT_JOIN_FAILURE_IP_RATE = "30/10m"
    statuses = [
        client.post(reverse("participant:join"), {"code": f"ZZZ{n:03d}"}).status_code
        for n in range(35)
        if not client.cookies.clear()
    ]
    assert statuses[:30] == [400] * 30
    assert set(statuses[30:]) == {429}
    assert client.post(reverse("participant:join"), {"code": workshop.join_code}).status_code == 302


def test_right_codes_do_not_count_towards_the_guessing_limit(client, workshop, settings):
    settings.PARTICIPANT_JOIN_FAILURE_RATE = "2/m"
    for _ in range(5):
        response = client.post(reverse("participant:join"), {"code": workshop.join_code})
        assert response.status_code == 302


def test_join_refuses_get_with_a_body_method(client, db):
    assert client.put(reverse("participant:join")).status_code == 405


# --- Language, consent, profile -------------------------------------------------------------


def test_start_offers_french_first_then_english(client, workshop):
    html = client.get(_url("start", workshop)).content.decode()
    assert html.index('value="fr"') < html.index('value="en"')
    assert _url("consent", workshop) in html


def test_choosing_a_language_sets_the_language_cookie(client, workshop):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": _url("consent", workshop)}
    )
    assert response.status_code == 302
    assert response.url == _url("consent", workshop)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_consent_screen_is_in_french_when_chosen(client, workshop):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = client.get(_url("consent", workshop)).content.decode()
    assert '<html lang="fr"' in html


def test_consent_creates_an_anonymous_participant_with_a_device_cookie(client, workshop):
    response = client.post(_url("consent", workshop), consent_data(client, workshop))
    assert response.status_code == 302
    assert response.url == _url("profile", workshop)
    cookie = response.cookies[settings.PARTICIPANT_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/j/"
    participant = Participant.objects.get()
    assert participant.workshop == workshop
    assert participant.consent_at is not None
    assert participant.display_name == "" and participant.region is None
    assert participant.token_hash == hash_token(cookie.value)
    assert cookie.value not in participant.token_hash


def test_a_joined_phone_skips_language_and_consent(phone, workshop):
    assert phone.get(_url("start", workshop)).url == _url("home", workshop)
    assert phone.post(_url("consent", workshop)).url == _url("home", workshop)
    assert Participant.objects.count() == 1


def test_profile_saves_the_optional_answers(phone, participant, workshop, organisation, regions):
    workshop.organisations.add(organisation)
    response = phone.post(
        _url("profile", workshop),
        {
            "display_name": " Awa ",
            "organisation": organisation.pk,
            "region": regions["Mopti"].pk,
            "gender": Gender.UNDISCLOSED,
        },
    )
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.display_name == "Awa"
    assert participant.organisation == organisation
    assert participant.organisation_kind == organisation.kind
    assert participant.region == regions["Mopti"]
    assert participant.gender == Gender.UNDISCLOSED


def test_profile_may_stay_empty_and_goes_to_the_only_open_session(phone, participant, session):
    response = phone.post(
        _url("profile", session.workshop),
        {"display_name": "", "organisation": "", "region": "", "gender": ""},
    )
    assert response.url == session_url(session)
    participant.refresh_from_db()
    assert participant.region is None and participant.gender == ""


def test_profile_accepts_another_organisation(phone, participant, workshop):
    phone.post(_url("profile", workshop), {"organisation": "other"})
    participant.refresh_from_db()
    assert participant.organisation is None and participant.organisation_kind == "other"


def test_profile_refuses_a_region_of_another_country(phone, participant, workshop):
    foreign = baker.make("workshops.Region", name="Accra")
    response = phone.post(_url("profile", workshop), {"region": foreign.pk})
    assert response.status_code == 400
    participant.refresh_from_db()
    assert participant.region.name == "Gao"


def test_profile_refuses_a_null_character_and_keeps_the_page_working(phone, workshop):
    response = phone.post(_url("profile", workshop), {"display_name": "A\x00wa"})
    assert response.status_code == 400
    assert b"cannot be saved" in response.content


# --- Who may see what --------------------------------------------------------------------------


def test_pages_send_a_phone_that_has_not_joined_to_the_start(client, session):
    for url in [session_url(session), _url("home", session.workshop), session_url(session, "vote")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == _url("start", session.workshop)


def test_participant_of_another_workshop_gets_404(other_workshop, session):
    stranger = phone_for(baker.make(Participant, workshop=other_workshop))
    assert stranger.get(session_url(session)).status_code == 404
    assert stranger.get(_url("home", session.workshop)).status_code == 404


def test_phone_of_another_workshop_may_still_join_this_one(other_workshop, workshop):
    stranger = baker.make(Participant, workshop=other_workshop)
    phone = phone_for(stranger)
    assert phone.get(_url("start", workshop)).status_code == 200
    response = phone.post(_url("consent", workshop), consent_data(phone, workshop))
    assert response.status_code == 302
    joined = Participant.objects.get(workshop=workshop)
    token = response.cookies[settings.PARTICIPANT_COOKIE_NAME].value
    assert joined.token_hash == hash_token(token)


def test_session_of_another_workshop_gets_404(phone, workshop, other_workshop):
    elsewhere = baker.make("workshops.BreakoutSession", workshop=other_workshop)
    url = _url("session", workshop, session_id=elsewhere.pk)
    assert phone.get(url).status_code == 404


def test_someone_elses_contribution_cannot_be_edited_or_withdrawn(phone, session, workshop):
    other = contribution_of(baker.make(Participant, workshop=workshop), session)
    edit = _url("edit", workshop, contribution_id=other.pk)
    assert phone.get(edit).status_code == 404
    assert phone.post(edit, {"text": "hacked"}).status_code == 404
    assert phone.post(_url("withdraw", workshop, contribution_id=other.pk)).status_code == 404
    other.refresh_from_db()
    assert other.text == "The state is absent."


def test_service_worker_is_served_under_the_participant_scope(client, db):
    response = client.get(reverse("participant:sw"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert b"caches.match" in response.content


def test_participant_pages_have_no_inline_code_and_a_deferred_script(phone, session):
    html = phone.get(session_url(session)).content.decode()
    assert "<script>" not in html and "<style" not in html and " style=" not in html
    assert re.search(r'<script src="[^"]+participant\.js" defer', html)


def test_contribute_page_is_light_on_a_cold_first_view(phone, session):
    html = phone.get(session_url(session)).content
    css = Path(finders.find("css/participant.css")).read_bytes()
    assert len(gzip.compress(html)) + len(gzip.compress(css)) < 14 * 1024


def test_wrong_methods_get_405(phone, participant, session, workshop):
    mine = contribution_of(participant, session)
    assert phone.put(session_url(session)).status_code == 405
    assert phone.get(_url("withdraw", workshop, contribution_id=mine.pk)).status_code == 405
    assert phone.post(_url("home", workshop)).status_code == 405
    assert phone.post(_url("status", workshop)).status_code == 405
    assert phone.delete(_url("wipe", workshop)).status_code == 405


# --- Contribute --------------------------------------------------------------------------------


def test_contribute_page_shows_the_question_and_the_focus_category(phone, session):
    html = phone.get(session_url(session)).content.decode()
    assert session.guiding_question in html
    assert 'name="category" value="driver"' in html
    assert "long-term or dynamic" in html
    assert "Who should act" not in html
    assert len(_client_id(html)) >= 8


def test_contribute_stores_the_text_once_with_the_author_snapshot(phone, participant, session):
    data = send_data("<b>Youth</b> unemployment feeds recruitment.", quotable="on")
    response = phone.post(session_url(session), data)
    assert response.status_code == 302
    assert response.url == session_url(session) + "#mine"
    stored = Contribution.objects.get()
    assert stored.text == data["text"]
    assert stored.source == Source.PHONE and stored.author == participant
    assert stored.category == Category.DRIVER and stored.horizon == "long_term"
    assert stored.quotable is True
    assert stored.region.name == "Gao" and stored.zone.name == "North"
    assert stored.client_id == data["client_id"]
    page = phone.get(response.url).content.decode()
    assert "&lt;b&gt;Youth&lt;/b&gt; unemployment" in page
    assert "Thank you, your contribution is received." in page


def test_recommendation_session_asks_for_the_audience(phone, workshop):
    session = baker.make(
        "workshops.BreakoutSession",
        workshop=workshop,
        focus=[Category.RECOMMENDATION],
        status=SessionStatus.OPEN,
    )
    html = phone.get(session_url(session)).content.decode()
    assert "Who should act" in html
    phone.post(
        session_url(session),
        send_data(category=Category.RECOMMENDATION, audience="international", horizon=""),
    )
    assert Contribution.objects.get().audience == "international"


def test_sending_the_same_form_twice_stores_one_contribution(phone, session):
    data = send_data()
    phone.post(session_url(session), data)
    again = phone.post(session_url(session), data, follow=True)
    assert Contribution.objects.count() == 1
    assert b"already received" in again.content


def test_same_client_id_with_other_text_is_refused_and_gives_only_the_senders_text_back(
    phone, session
):
    data = send_data("first words")
    phone.post(session_url(session), data)
    response = phone.post(session_url(session), {**data, "text": "second words"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "could not be sent as it is" in html
    assert "<blockquote>first words" not in html  # listed only under this phone's own
    assert "second words</textarea>" in html
    assert _client_id(html) != data["client_id"]
    assert list(Contribution.objects.values_list("text", flat=True)) == ["first words"]


def test_closed_session_refuses_contributions_and_keeps_the_text(phone, session):
    session.status = SessionStatus.CLOSED
    session.save()
    response = phone.post(session_url(session), send_data("my late idea"))
    assert response.status_code == 409
    assert b"not taking contributions" in response.content
    assert b"my late idea</textarea>" in response.content
    assert not Contribution.objects.exists()


def test_planned_session_says_it_has_not_started(phone, session):
    session.status = SessionStatus.PLANNED
    session.save()
    response = phone.get(session_url(session))
    assert b"has not started yet" in response.content
    assert b'name="text"' not in response.content


def test_too_long_text_is_refused_and_kept(phone, session):
    text = "x" * (settings.CONTRIBUTION_MAX_LENGTH + 1)
    response = phone.post(session_url(session), send_data(text))
    assert response.status_code == 400
    assert b"at most 2000 characters" in response.content
    assert text.encode() in response.content
    assert not Contribution.objects.exists()


def test_empty_text_is_refused_with_a_message(phone, session):
    response = phone.post(session_url(session), send_data("   "))
    assert response.status_code == 400
    assert b"Write something before sending." in response.content


def test_null_character_is_refused_with_a_clear_message(phone, session):
    response = phone.post(session_url(session), send_data("bad\x00text"))
    assert response.status_code == 400
    assert b"cannot be saved" in response.content
    assert "bad\ufffdtext".encode() in response.content
    assert not Contribution.objects.exists()


def test_damaged_client_id_is_refused(phone, session):
    response = phone.post(session_url(session), send_data(client_id="short"))
    assert response.status_code == 400
    assert b"Reload the page" in response.content


def test_sending_is_rate_limited_per_phone_not_per_room(phone, participant, session, settings):
    settings.PARTICIPANT_SEND_RATE = "2/m"
    for _ in range(2):
        assert phone.post(session_url(session), send_data()).status_code == 302
    limited = phone.post(session_url(session), send_data("one too many"))
    assert limited.status_code == 429
    assert b"one too many</textarea>" in limited.content
    neighbour = phone_for(baker.make(Participant, workshop=session.workshop))
    assert neighbour.post(session_url(session), send_data()).status_code == 302
    assert Contribution.objects.count() == 3


def test_phone_that_lost_its_link_gets_its_text_back(client, session):
    response = client.post(session_url(session), send_data("do not lose me"))
    assert response.status_code == 401
    assert b"do not lose me</textarea>" in response.content
    assert not Contribution.objects.exists()


def test_premoderated_contribution_shows_as_waiting(phone, session):
    session.workshop.premoderation = True
    session.workshop.save()
    phone.post(session_url(session), send_data())
    assert Contribution.objects.get().status == ModerationStatus.PENDING
    assert b"waiting for the facilitator" in phone.get(session_url(session)).content


# --- The script's round trip: a fragment back, no redirect ------------------------------------


def test_script_send_gets_the_new_row_back(phone, session):
    data = send_data("from the script")
    response = phone.post(session_url(session), data, HTTP_X_REQUESTED_WITH="outbox")
    assert response.status_code == 201
    html = response.content.decode()
    assert html.startswith("<li id=") and "from the script" in html
    assert f'data-client-id="{data["client_id"]}"' in html
    repeat = phone.post(session_url(session), data, HTTP_X_REQUESTED_WITH="outbox")
    assert repeat.status_code == 200
    assert Contribution.objects.count() == 1


def test_an_htmx_header_alone_gets_the_plain_form_answer(phone, session):
    """Only the outbox's own mark asks for a fragment; HX-Request belongs to htmx."""
    response = phone.post(session_url(session), send_data("no mark"), HTTP_HX_REQUEST="true")
    assert response.status_code == 302
    assert Contribution.objects.get().text == "no mark"


def test_script_conflict_gets_409_with_its_own_text_not_the_stored_one(phone, session):
    data = send_data("stored words")
    phone.post(session_url(session), data, HTTP_X_REQUESTED_WITH="outbox")
    response = phone.post(
        session_url(session), {**data, "text": "new words"}, HTTP_X_REQUESTED_WITH="outbox"
    )
    assert response.status_code == 409
    assert b"stored words" not in response.content
    assert b"new words</textarea>" in response.content


def test_script_validation_error_gets_a_fragment(phone, session):
    response = phone.post(session_url(session), send_data(""), HTTP_X_REQUESTED_WITH="outbox")
    assert response.status_code == 400
    assert b"data-problem" in response.content
    assert b"Write something before sending." in response.content


def test_script_send_reuses_the_phones_csrf_token_and_sets_no_cookie(participant, session):
    phone = phone_for(participant, enforce_csrf_checks=True)
    page = phone.get(session_url(session))
    token = page.context["csrf_token"]
    response = phone.post(
        session_url(session),
        {**send_data("Avec jeton."), "csrfmiddlewaretoken": str(token)},
        HTTP_X_REQUESTED_WITH="outbox",
    )
    assert response.status_code == 201
    assert f'value="{token}"' in response.content.decode()
    assert settings.CSRF_COOKIE_NAME not in response.cookies


# --- Who may send: every state of workshop, session and phone --------------------------------


SEND_PHONES = ["joined", "not-joined", "other-workshop", "wiped"]


def _sending_phone(kind, workshop, other_workshop):
    if kind == "not-joined":
        phone = phone_for(baker.make(Participant, workshop=workshop))
        phone.cookies[settings.PARTICIPANT_COOKIE_NAME] = "stranger-token"
        return phone
    participant = Participant.objects.create(
        workshop=other_workshop if kind == "other-workshop" else workshop
    )
    phone = phone_for(participant)
    if kind == "wiped":
        forget_device(participant=participant)
    return phone


@pytest.mark.parametrize(
    ("workshop_status", "session_status", "phone_kind"),
    list(itertools.product(WorkshopStatus.values, SessionStatus.values, SEND_PHONES)),
)
def test_a_send_is_stored_only_from_a_joined_phone_in_a_live_workshops_open_session(
    workshop, other_workshop, session, workshop_status, session_status, phone_kind
):
    workshop.status = workshop_status
    workshop.save()
    session.status = session_status
    session.save()
    phone = _sending_phone(phone_kind, workshop, other_workshop)
    response = phone.post(
        session_url(session), send_data("Une idée."), HTTP_X_REQUESTED_WITH="outbox"
    )
    accepted = (
        workshop_status == WorkshopStatus.LIVE
        and session_status == SessionStatus.OPEN
        and phone_kind == "joined"
    )
    assert (response.status_code == 201) == accepted
    assert Contribution.objects.count() == (1 if accepted else 0)


def test_a_send_to_the_code_in_lower_case_is_stored(phone, workshop, session):
    url = f"/j/{workshop.join_code.lower()}/s/{session.pk}/"
    assert phone.post(url, send_data(), HTTP_X_REQUESTED_WITH="outbox").status_code == 201
    assert Contribution.objects.get().session == session


def test_a_send_to_another_workshops_session_is_a_404(phone, workshop, other_workshop):
    elsewhere = baker.make(
        "workshops.BreakoutSession", workshop=other_workshop, status=SessionStatus.OPEN
    )
    url = f"/j/{workshop.join_code}/s/{elsewhere.pk}/"
    assert phone.post(url, send_data(), HTTP_X_REQUESTED_WITH="outbox").status_code == 404
    assert not Contribution.objects.exists()


@pytest.mark.parametrize("session_id", ["9223372036854775808", "99999999999999999999999"])
def test_a_session_id_too_large_for_the_database_is_a_404(phone, session, session_id):
    url = f"/j/{session.workshop.join_code}/s/{session_id}/"
    assert phone.post(url, send_data(), HTTP_X_REQUESTED_WITH="outbox").status_code == 404
    assert not Contribution.objects.exists()


def test_a_script_send_stores_the_authors_region_zone_and_gender(
    workshop, session, participant, regions
):
    participant.region = regions["Gao"]
    participant.gender = "woman"
    participant.save()
    workshop.premoderation = True
    workshop.save()
    response = phone_for(participant).post(
        session_url(session), send_data("Les groupes armés."), HTTP_X_REQUESTED_WITH="outbox"
    )
    assert response.status_code == 201
    stored = Contribution.objects.get()
    assert stored.author == participant
    assert (stored.region, stored.zone, stored.gender) == (
        regions["Gao"],
        workshop.zone_of(regions["Gao"]),
        "woman",
    )
    assert stored.status == ModerationStatus.PENDING  # the workshop pre-moderates
    assert stored.session == session and stored.workshop == workshop


def test_a_category_outside_the_sessions_focus_is_refused_with_the_text_kept(phone, session):
    response = phone.post(
        session_url(session),
        send_data("Une recommandation.", category=Category.RECOMMENDATION),
        HTTP_X_REQUESTED_WITH="outbox",
    )
    assert response.status_code == 400
    assert "Une recommandation." in response.content.decode()
    assert not Contribution.objects.exists()


def test_a_refused_send_counts_once_against_the_rate_limit(phone, session, settings):
    settings.PARTICIPANT_SEND_RATE = "3/m"
    script = {"HTTP_X_REQUESTED_WITH": "outbox"}
    assert phone.post(session_url(session), send_data(""), **script).status_code == 400
    assert phone.post(session_url(session), send_data("Un."), **script).status_code == 201
    assert phone.post(session_url(session), send_data("Deux."), **script).status_code == 201
    limited = phone.post(session_url(session), send_data("Trois."), **script)
    assert limited.status_code == 429
    assert "Trois." in limited.content.decode()
    assert Contribution.objects.count() == 2


# --- Own list: edit, withdraw ---------------------------------------------------------------


def test_own_contribution_can_be_edited_while_the_session_is_open(phone, participant, session):
    mine = contribution_of(participant, session, horizon="long_term")
    url = _url("edit", session.workshop, contribution_id=mine.pk)
    assert b"The state is absent." in phone.get(url).content
    response = phone.post(url, {"text": "The state is absent in Gao.", "horizon": "dynamic"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.text == "The state is absent in Gao." and mine.horizon == "dynamic"
    assert mine.history.count() == 2


def test_edit_refuses_a_too_long_text_and_keeps_it(phone, participant, session):
    mine = contribution_of(participant, session)
    url = _url("edit", session.workshop, contribution_id=mine.pk)
    response = phone.post(url, {"text": "y" * 2001})
    assert response.status_code == 400
    mine.refresh_from_db()
    assert mine.text == "The state is absent."


def test_own_contribution_can_be_withdrawn_while_the_session_is_open(phone, participant, session):
    mine = contribution_of(participant, session)
    response = phone.post(_url("withdraw", session.workshop, contribution_id=mine.pk))
    assert response.status_code == 302
    assert not Contribution.objects.exists()


def test_nothing_changes_once_the_session_is_closed(phone, participant, session):
    mine = contribution_of(participant, session)
    session.status = SessionStatus.CLOSED
    session.save()
    phone.post(_url("edit", session.workshop, contribution_id=mine.pk), {"text": "changed"})
    phone.post(_url("withdraw", session.workshop, contribution_id=mine.pk))
    mine.refresh_from_db()
    assert mine.text == "The state is absent."
    page = phone.get(session_url(session)).content.decode()
    assert "The state is absent." in page and ">Withdraw<" not in page


def test_merged_contribution_is_hidden_rather_than_deleted(phone, participant, session):
    mine = contribution_of(participant, session)
    other = contribution_of(baker.make(Participant, workshop=session.workshop), session)
    other.status, other.merged_into = ModerationStatus.MERGED, mine
    other.save()
    phone.post(_url("withdraw", session.workshop, contribution_id=mine.pk))
    mine.refresh_from_db()
    assert mine.status == ModerationStatus.HIDDEN


# --- Vote -----------------------------------------------------------------------------------


@pytest.fixture
def voting(session, workshop):
    workshop.dots_per_participant = 2
    workshop.save()
    authors = baker.make(Participant, workshop=workshop, _quantity=3)
    ideas = [contribution_of(a, session, text=f"idea {i}") for i, a in enumerate(authors)]
    hidden = contribution_of(authors[0], session, text="hidden idea")
    hidden.status = ModerationStatus.HIDDEN
    hidden.save()
    session.status = SessionStatus.VOTING
    session.save()
    return ideas


def test_vote_spreads_the_dots_over_published_ideas(phone, participant, session, voting):
    url = session_url(session, "vote")
    page = phone.get(url).content.decode()
    assert "idea 0" in page and "hidden idea" not in page
    response = phone.post(url, {"choices": [voting[0].pk, voting[2].pk]})
    assert response.status_code == 302
    assert set(Vote.objects.values_list("contribution_id", flat=True)) == {
        voting[0].pk,
        voting[2].pk,
    }
    phone.post(url, {"choices": [voting[1].pk]})
    assert list(Vote.objects.values_list("contribution_id", flat=True)) == [voting[1].pk]


def test_vote_refuses_more_dots_than_given(phone, session, voting):
    response = phone.post(session_url(session, "vote"), {"choices": [c.pk for c in voting]})
    assert response.status_code == 400
    assert b"choose at most 2 ideas" in response.content
    assert not Vote.objects.exists()


def test_vote_closed_while_choosing_is_explained_not_a_500(phone, session, voting, monkeypatch):

    def close_first(**kwargs):
        kwargs["session"].status = SessionStatus.CLOSED  # a facilitator closed it meanwhile
        return real(**kwargs)

    real = participants.cast_votes
    monkeypatch.setattr("workshops.views.participant.cast_votes", close_first)
    response = phone.post(session_url(session, "vote"), {"choices": [voting[0].pk]})
    assert response.status_code == 400
    assert b"Voting is not open in this session." in response.content
    assert re.search(rf'value="{voting[0].pk}"[^>]*checked', response.content.decode())
    assert not Vote.objects.exists()


def test_respondents_and_interviewees_never_vote(workshop, session, voting):
    for kind in (VoiceKind.RESPONDENT, VoiceKind.INTERVIEWEE):
        voice = baker.make(Participant, workshop=workshop, kind=kind)
        with pytest.raises(participants.NotInTheRoom, match="Only workshop participants vote"):
            participants.cast_votes(participant=voice, session=session, contributions=voting[:1])
    assert not Vote.objects.exists()


def test_the_vote_form_asks_the_service_rule(session, voting):

    session.status = SessionStatus.CLOSED
    form = VoteForm(
        {"choices": [voting[0].pk]},
        contributions=session.contributions.published(),
        session=session,
        dots=2,
    )
    assert not form.is_valid()
    assert form.errors["choices"] == ["Voting is not open in this session."]


def test_vote_refuses_an_idea_of_another_session(phone, session, voting, workshop):
    elsewhere = baker.make("workshops.BreakoutSession", workshop=workshop)
    foreign = contribution_of(participant=None, session=elsewhere)
    response = phone.post(session_url(session, "vote"), {"choices": [foreign.pk]})
    assert response.status_code == 400
    assert not Vote.objects.exists()


def test_vote_is_refused_when_voting_is_not_open(phone, session, voting):
    session.status = SessionStatus.OPEN
    session.save()
    response = phone.post(session_url(session, "vote"), {"choices": [voting[0].pk]})
    assert response.status_code == 302
    assert not Vote.objects.exists()


def test_results_show_after_voting_closes_with_small_counts_hidden(phone, session, voting):
    voters = baker.make(Participant, workshop=session.workshop, _quantity=6)
    for voter in voters:
        Vote.objects.create(participant=voter, contribution=voting[1])
    Vote.objects.create(participant=voters[0], contribution=voting[2])
    session.status = SessionStatus.CLOSED
    session.save()
    html = phone.get(session_url(session)).content.decode()
    assert "Results of the vote" in html
    assert html.index("idea 1") < html.index("idea 2")
    assert '<span class="dots">6</span>' in html
    assert '<span class="dots">&lt;5</span>' in html


# --- Wipe, status -----------------------------------------------------------------------------


def test_wipe_removes_the_cookie_and_unlinks_the_phone(phone, participant, workshop):
    assert b"Wipe this phone" in phone.get(_url("wipe", workshop)).content
    response = phone.post(_url("wipe", workshop))
    assert response.status_code == 302
    assert response.url == reverse("participant:join") + "?wiped=1"
    assert response.cookies[settings.PARTICIPANT_COOKIE_NAME].value == ""
    assert "storage" in response["Clear-Site-Data"]
    participant.refresh_from_db()
    assert participant.token_hash is None
    assert b"no longer holds anything" in phone.get(response.url).content


def test_old_cookie_after_wipe_no_longer_opens_the_pages(participant, session):
    phone = phone_for(participant)
    token = phone.cookies[settings.PARTICIPANT_COOKIE_NAME].value
    phone.post(_url("wipe", session.workshop))
    replay = Client()
    replay.cookies[settings.PARTICIPANT_COOKIE_NAME] = token
    assert replay.get(session_url(session)).status_code == 302


def test_wipe_works_in_a_closed_workshop(phone, participant, workshop):
    workshop.status = WorkshopStatus.CLOSED
    workshop.save()
    assert phone.post(_url("wipe", workshop)).status_code == 302
    participant.refresh_from_db()
    assert participant.token_hash is None


def test_status_answers_304_when_nothing_changed(phone, session):
    url = _url("status", session.workshop)
    first = phone.get(url)
    assert first.json()["sessions"][str(session.pk)] == SessionStatus.OPEN
    etag = first["ETag"]
    assert phone.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    session.status = SessionStatus.VOTING
    session.save()
    changed = phone.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


# --- CSRF failure keeps the text ----------------------------------------------------------------


def test_expired_csrf_token_gives_the_form_back_with_the_text(participant, session):
    phone = phone_for(participant, enforce_csrf_checks=True)
    response = phone.post(session_url(session), send_data("written for an hour"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "This page had expired" in html
    assert "written for an hour</textarea>" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert not Contribution.objects.exists()


def test_expired_csrf_token_on_a_script_send_gets_a_fresh_token_back(participant, session):
    phone = phone_for(participant, enforce_csrf_checks=True)
    response = phone.post(
        session_url(session), send_data("queued text"), HTTP_X_REQUESTED_WITH="outbox"
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "data-problem" in html and "queued text</textarea>" in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    retry = phone.post(
        session_url(session),
        {**send_data("queued text"), "csrfmiddlewaretoken": token},
        HTTP_X_REQUESTED_WITH="outbox",
    )
    assert retry.status_code == 201
    assert Contribution.objects.get().text == "queued text"


def test_pages_speak_english_when_chosen(phone, session):
    phone.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = phone.get(session_url(session)).content.decode()
    assert "Your contribution" in html and "My contributions" in html


def test_pages_speak_french_when_chosen(phone, session):
    phone.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = phone.get(session_url(session)).content.decode()
    assert "Votre contribution" in html and "Mes contributions" in html


def test_csrf_failure_elsewhere_shows_a_plain_page(client, db):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("participant:join"), {"code": "ABC"})
    assert response.status_code == 403
    assert b"This page had expired" in response.content


# --- Query counts do not grow with data ----------------------------------------------------------


@pytest.mark.parametrize("count", [1, 20])
def test_contribute_page_queries_do_not_grow(
    phone, participant, session, count, django_assert_max_num_queries
):
    for i in range(count):
        contribution_of(participant, session, text=f"idea {i}")
    with django_assert_max_num_queries(6):
        assert phone.get(session_url(session)).status_code == 200


@pytest.mark.parametrize("count", [1, 20])
def test_vote_and_results_queries_do_not_grow(
    phone, participant, session, count, django_assert_max_num_queries
):
    ideas = [contribution_of(None, session, text=f"idea {i}") for i in range(count)]
    session.status = SessionStatus.VOTING
    session.save()
    Vote.objects.create(participant=participant, contribution=ideas[0])
    with django_assert_max_num_queries(6):
        assert phone.get(session_url(session, "vote")).status_code == 200
    session.status = SessionStatus.CLOSED
    session.save()
    with django_assert_max_num_queries(7):
        assert phone.get(session_url(session)).status_code == 200


@pytest.mark.parametrize("count", [1, 10])
def test_sessions_list_queries_do_not_grow(
    phone, participant, workshop, count, django_assert_max_num_queries
):
    baker.make(
        "workshops.BreakoutSession", workshop=workshop, status=SessionStatus.OPEN, _quantity=count
    )
    with django_assert_max_num_queries(5):
        assert phone.get(_url("home", workshop)).status_code == 200


# --- A client id another phone used: that phone's words never come back (issue 12, item 6) ---


def _other_phone(session, regions):
    other = Participant.objects.create(
        workshop=session.workshop, display_name="Other phone", region=regions["Gao"], gender="man"
    )
    return phone_for(other)


@pytest.mark.parametrize("script", [False, True], ids=["plain-form", "script"])
def test_another_phones_client_id_answers_409_with_the_senders_own_text(
    phone, session, regions, script
):
    headers = {"HTTP_X_REQUESTED_WITH": "outbox"} if script else {}
    data = send_data("Zq5 words of the first phone")
    assert phone.post(session_url(session), data, **headers).status_code in (201, 302)
    response = _other_phone(session, regions).post(
        session_url(session), {**data, "text": "my own words"}, **headers
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Zq5" not in html and "my own words</textarea>" in html
    assert list(Contribution.objects.values_list("text", flat=True)) == [data["text"]]


@pytest.mark.parametrize("script", [False, True], ids=["plain-form", "script"])
def test_the_same_text_from_another_phone_is_a_conflict_not_a_repeat(
    phone, session, regions, script
):
    headers = {"HTTP_X_REQUESTED_WITH": "outbox"} if script else {}
    data = send_data("Zq5 the same words")
    phone.post(session_url(session), data, **headers)
    stored = Contribution.objects.get()
    response = _other_phone(session, regions).post(session_url(session), data, **headers)
    assert response.status_code == 409
    html = response.content.decode()
    # the sender's own text, to send again, and not the first phone's row
    assert html.count("Zq5 the same words") == 1 and "Zq5 the same words</textarea>" in html
    assert Contribution.objects.get().author_id == stored.author_id
