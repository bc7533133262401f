"""Consent is given once per phone and new participants are capped at room scale.

The consent form carries a one-time key made when the page is drawn (a hidden field, no
JavaScript needed). An answer lost on a bad network is sent again with the same key and
finds the participant the first one created, with the same device cookie. New
participants are counted per workshop and source address, then per workshop.
"""

from __future__ import annotations

import re
from html import unescape
from unittest import mock
from urllib.parse import urlencode

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from workshops.models import Contribution, Participant, hash_token
from workshops.services.retention import anonymise_participant
from workshops.tests.participant_factories import send_data, session_url

pytestmark = pytest.mark.django_db

COOKIE = django_settings.PARTICIPANT_COOKIE_NAME
KEY = re.compile(r'name="consent_key" value="([^"]+)"')


def consent_url(workshop) -> str:
    return reverse("participant:consent", kwargs={"code": workshop.join_code})


def consent_key(client: Client, workshop) -> str:
    """Draw the consent page as a phone does and read the form's one-time key."""
    response = client.get(consent_url(workshop))
    assert response.status_code == 200
    return KEY.search(response.content.decode()).group(1)


def agree(workshop, key: str, *, address: str = "10.0.0.1"):
    """ "I agree" from a phone that has no cookie yet (the first answer never arrived)."""
    return Client(REMOTE_ADDR=address).post(consent_url(workshop), {"consent_key": key})


@pytest.fixture
def frozen_clock():
    """django-ratelimit counts in fixed windows: keep every request in one of them."""
    with mock.patch("django_ratelimit.core.time") as clock:
        clock.time.return_value = 1_800_000_000.0
        yield clock


# --- The one-time key -------------------------------------------------------------------


def test_each_drawing_of_the_consent_page_has_its_own_hidden_key(client, workshop):
    first, second = consent_key(client, workshop), consent_key(client, workshop)
    assert first != second and len(first) == 32
    html = client.get(consent_url(workshop)).content.decode()
    assert '<input type="hidden" name="consent_key"' in html


def test_a_lost_answer_sent_again_finds_the_same_participant_and_cookie(client, workshop):
    key = consent_key(client, workshop)
    first = agree(workshop, key)
    second = agree(workshop, key)  # the phone never got the first answer: it sends again
    assert first.status_code == second.status_code == 302
    assert (
        first.url
        == second.url
        == reverse("participant:profile", kwargs={"code": workshop.join_code})
    )
    participant = Participant.objects.get(workshop=workshop)
    assert first.cookies[COOKIE].value == second.cookies[COOKIE].value
    assert participant.token_hash == hash_token(second.cookies[COOKIE].value)
    # Only hashes are stored: neither the key nor the device token.
    assert participant.consent_key == hash_token(key)
    assert key not in participant.consent_key


def test_the_returned_cookie_works_on_the_participant_pages(client, workshop):
    key = consent_key(client, workshop)
    agree(workshop, key)
    response = agree(workshop, key)
    phone = Client()
    phone.cookies[COOKIE] = response.cookies[COOKIE].value
    page = phone.get(reverse("participant:profile", kwargs={"code": workshop.join_code}))
    assert page.status_code == 200


def test_two_phones_with_their_own_keys_are_two_participants(client, workshop):
    agree(workshop, consent_key(client, workshop))
    agree(workshop, consent_key(client, workshop))
    assert Participant.objects.filter(workshop=workshop).count() == 2
    assert Participant.objects.filter(workshop=workshop, consent_key="").count() == 0


def test_the_same_key_in_another_workshop_is_another_participant(client, workshop, other_workshop):
    key = consent_key(client, workshop)
    here, there = agree(workshop, key), agree(other_workshop, key)
    assert here.cookies[COOKIE].value != there.cookies[COOKIE].value
    assert Participant.objects.filter(workshop=workshop).count() == 1
    assert Participant.objects.filter(workshop=other_workshop).count() == 1


def test_a_wiped_phone_replaying_its_consent_is_not_linked_again(client, workshop):
    key = consent_key(client, workshop)
    phone = Client()
    phone.cookies[COOKIE] = agree(workshop, key).cookies[COOKIE].value
    wipe = reverse("participant:wipe", kwargs={"code": workshop.join_code})
    assert phone.post(wipe).status_code == 302
    wiped = Participant.objects.get(workshop=workshop)
    assert wiped.token_hash is None and wiped.consent_key == ""
    again = agree(workshop, key)  # the back button and "send again" after a wipe
    assert again.status_code == 302
    wiped.refresh_from_db()
    assert wiped.token_hash is None  # the old participant stays unlinked
    new = Participant.objects.exclude(pk=wiped.pk).get(workshop=workshop)
    assert new.token_hash == hash_token(again.cookies[COOKIE].value)


@pytest.mark.parametrize("data", [{}, {"consent_key": ""}, {"consent_key": "short"}])
def test_a_consent_without_a_valid_key_shows_the_page_again_with_a_fresh_key(
    client, workshop, data
):
    response = client.post(consent_url(workshop), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "This page was out of date. Press “I agree, continue” again." in html
    assert KEY.search(html) and len(KEY.search(html).group(1)) == 32
    assert not Participant.objects.exists()
    assert COOKIE not in response.cookies


def test_the_out_of_date_message_is_in_french(client, workshop):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr"
    html = unescape(client.post(consent_url(workshop), {}).content.decode())
    assert (
        "Cette page n’était plus à jour. Appuyez de nouveau sur «\u00a0J'accepte, continuer\u00a0»."
        in html
    )


def test_consent_refuses_other_methods(client, workshop):
    assert client.put(consent_url(workshop)).status_code == 405
    assert client.delete(consent_url(workshop)).status_code == 405


def test_consent_with_an_unknown_code_is_not_found(client, workshop):
    url = reverse("participant:consent", kwargs={"code": "ZZZZZZ"})
    assert client.post(url, {"consent_key": "k" * 32}).status_code == 404
    assert not Participant.objects.exists()


def test_consent_to_a_closed_workshop_is_refused(client, workshop):
    workshop.status = "closed"
    workshop.save(update_fields=["status"])
    response = client.post(consent_url(workshop), {"consent_key": "k" * 32})
    assert response.status_code == 403
    assert not Participant.objects.exists()


# --- Caps on new participants ----------------------------------------------------------


def test_a_network_over_its_cap_gets_a_clear_429_and_keeps_its_key(
    settings, client, workshop, frozen_clock
):
    settings.PARTICIPANT_NEW_IP_RATE = "3/2m"
    for _n in range(3):
        assert agree(workshop, consent_key(client, workshop)).status_code == 302
    key = consent_key(client, workshop)
    refused = agree(workshop, key)
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Very many phones joined from this network just now." in html
    assert KEY.search(html).group(1) == key  # the same key: pressing again later is a retry
    assert COOKIE not in refused.cookies
    assert Participant.objects.filter(workshop=workshop).count() == 3
    # Another network still joins the same workshop.
    assert agree(workshop, key, address="10.9.9.9").status_code == 302


def test_a_retry_of_a_consent_already_given_passes_even_when_the_cap_is_full(
    settings, client, workshop, frozen_clock
):
    settings.PARTICIPANT_NEW_IP_RATE = "2/2m"
    key = consent_key(client, workshop)
    first = agree(workshop, key)
    agree(workshop, consent_key(client, workshop))
    assert agree(workshop, consent_key(client, workshop)).status_code == 429
    again = agree(workshop, key)
    assert again.status_code == 302
    assert again.cookies[COOKIE].value == first.cookies[COOKIE].value
    assert Participant.objects.filter(workshop=workshop).count() == 2


def test_the_refused_french_page_is_in_french(settings, client, workshop, frozen_clock):
    settings.PARTICIPANT_NEW_IP_RATE = "1/2m"
    agree(workshop, consent_key(client, workshop))
    phone = Client(REMOTE_ADDR="10.0.0.1")
    phone.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = phone.post(consent_url(workshop), {"consent_key": "k" * 32})
    assert response.status_code == 429
    assert "Beaucoup de téléphones ont rejoint l’atelier depuis ce réseau" in (
        response.content.decode()
    )


def test_the_workshop_cap_holds_across_networks(settings, client, workshop, frozen_clock):
    settings.PARTICIPANT_NEW_WORKSHOP_RATE = "4/10m"
    statuses = [
        agree(workshop, consent_key(client, workshop), address=f"10.0.1.{n}").status_code
        for n in range(6)
    ]
    assert statuses == [302] * 4 + [429] * 2
    assert Participant.objects.filter(workshop=workshop).count() == 4
    refused = agree(workshop, consent_key(client, workshop), address="10.0.1.99")
    assert "Very many phones joined this workshop just now." in refused.content.decode()


def test_a_network_over_its_cap_does_not_use_up_the_workshop_cap(
    settings, client, workshop, frozen_clock
):
    settings.PARTICIPANT_NEW_IP_RATE = "2/2m"
    settings.PARTICIPANT_NEW_WORKSHOP_RATE = "5/10m"
    script = [agree(workshop, consent_key(client, workshop)).status_code for _n in range(50)]
    assert script.count(302) == 2
    room = [
        agree(workshop, consent_key(client, workshop), address=f"10.0.2.{n}").status_code
        for n in range(3)
    ]
    assert room == [302, 302, 302]


def test_three_hundred_phones_behind_one_address_join_and_a_script_minting_more_is_stopped(
    client, workshop, session, frozen_clock
):
    """The default caps: a room of 300 joining at once passes; the script minting 100 a
    second on the same network gets 429 and no participant; nothing else is lost."""
    assert django_settings.PARTICIPANT_NEW_IP_RATE == "300/2m"
    keys = [f"{n:032x}" for n in range(400)]
    room = [agree(workshop, key).status_code for key in keys[:300]]
    assert room == [302] * 300
    frozen_clock.time.return_value += 1  # one second later, still in the two minutes
    script = [agree(workshop, key).status_code for key in keys[300:]]
    assert script == [429] * 100
    assert Participant.objects.filter(workshop=workshop).count() == 300
    # Nothing else is lost: a phone that joined still sends, and retries still pass.
    again = agree(workshop, keys[7])
    assert again.status_code == 302
    phone = Client()
    phone.cookies[COOKIE] = again.cookies[COOKIE].value
    sent = phone.post(session_url(session), send_data())
    assert sent.status_code == 302
    assert Contribution.objects.filter(session=session).count() == 1


def test_sends_are_still_capped_per_participant(settings, client, workshop, session):
    settings.PARTICIPANT_SEND_RATE = "3/m"
    phone = Client()
    phone.cookies[COOKIE] = agree(workshop, consent_key(client, workshop)).cookies[COOKIE].value
    statuses = [
        phone.post(session_url(session), send_data(f"Idea {n}")).status_code for n in range(5)
    ]
    assert statuses == [302, 302, 302, 429, 429]
    assert Contribution.objects.filter(session=session).count() == 3


# --- Fuzz: whatever key a client sends -------------------------------------------------

TRICKY = ["\x00", "\ud800", "\udfff", "\u202e", "\u200f", "سلام", "ߊߎߟߊ", "🕊️", " ", "\r\n"]
keys = st.one_of(
    st.text(alphabet=st.characters(), max_size=200),
    st.lists(st.one_of(st.characters(), st.sampled_from(TRICKY)), max_size=100).map("".join),
    st.builds(lambda s, n: (s or "x") * n, st.text(max_size=5), st.integers(1, 20_000)),
    st.text(alphabet="abcdef0123456789", min_size=32, max_size=32),
)


@pytest.mark.fuzz
@hypothesis_settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(key=keys)
def test_consent_never_fails_whatever_key_is_sent(workshop, key):
    cache.clear()
    before = Participant.objects.count()
    body = urlencode({"consent_key": key}, encoding="utf-8", errors="surrogatepass")
    response = Client().post(
        consent_url(workshop), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (302, 400), response.status_code
    if response.status_code == 302:
        assert re.fullmatch(r"[A-Za-z0-9_-]{32,100}", key)
        found = Participant.objects.get(workshop=workshop, consent_key=hash_token(key))
        assert found.token_hash == hash_token(response.cookies[COOKIE].value)
    else:
        assert Participant.objects.count() == before
        assert b"This page was out of date." in response.content


# --- Queries -------------------------------------------------------------------------


@pytest.mark.parametrize("others", [1, 40])
def test_consent_queries_do_not_grow_with_the_participants(
    client, workshop, others, django_assert_num_queries
):
    for _n in range(others):
        agree(workshop, consent_key(client, workshop))
    key = consent_key(client, workshop)
    phone = Client()
    # workshop, the key, savepoint, freeing the key of an unlinked one, insert, release
    with django_assert_num_queries(6):
        assert phone.post(consent_url(workshop), {"consent_key": key}).status_code == 302
    retry = Client()  # the first answer was lost: no cookie
    with django_assert_num_queries(2):  # a retry: the workshop and the key
        response = retry.post(consent_url(workshop), {"consent_key": key})
    assert response.url == reverse("participant:profile", kwargs={"code": workshop.join_code})


def test_a_participant_anonymised_at_the_end_of_retention_is_not_linked_again(client, workshop):
    key = consent_key(client, workshop)
    agree(workshop, key)
    anonymise_participant(Participant.objects.get())  # the phone is unlinked
    again = agree(workshop, key)
    assert again.status_code == 302
    old, new = Participant.objects.order_by("pk")
    assert old.token_hash is None and old.consent_key == ""
    assert new.token_hash == hash_token(again.cookies[COOKIE].value)
