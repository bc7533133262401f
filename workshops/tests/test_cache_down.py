"""Redis stops answering: phones still join and send, staff still see their pages.

Before, every participant page answered 500 as soon as the shared cache was gone
(the rate limits read it first). See peaceexchange/caches.py.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from peaceexchange.caches import cache_from_url
from workshops.models import Contribution, Participant
from workshops.tests.participant_factories import (
    consent_data,
    phone_for,
    send_data,
    session_url,
)

# Nothing listens on port 1: every call is refused at once.
DOWN = {"default": cache_from_url("redis://127.0.0.1:1/0")}


@pytest.fixture
def cache_down(settings):
    settings.CACHES = DOWN  # Django's test signal resets the cache handlers


def test_the_production_cache_ignores_a_missing_redis():
    options = DOWN["default"]["OPTIONS"]
    assert options["IGNORE_EXCEPTIONS"] is True
    assert options["SOCKET_CONNECT_TIMEOUT"] <= 1


def test_a_phone_joins_consents_and_sends_while_the_cache_is_down(cache_down, client, session):
    workshop = session.workshop
    response = client.post(reverse("participant:join"), {"code": workshop.join_code})
    assert response.status_code == 302
    consent = reverse("participant:consent", kwargs={"code": workshop.join_code})
    response = client.post(consent, consent_data(client, workshop))
    assert response.status_code == 302
    assert Participant.objects.filter(workshop=workshop).count() == 1

    response = client.post(session_url(session), send_data("Sent while Redis was down"))
    assert response.status_code == 302
    assert Contribution.objects.filter(text="Sent while Redis was down").count() == 1


def test_a_repeat_is_still_stored_once_while_the_cache_is_down(cache_down, participant, session):
    phone = phone_for(participant)
    data = send_data("Once")
    phone.post(session_url(session), data)
    phone.post(session_url(session), data)
    assert Contribution.objects.filter(text="Once").count() == 1


def test_staff_pages_work_while_the_cache_is_down(cache_down, client_for, facilitator, session):
    staff = client_for(facilitator)
    slug = session.workshop.slug
    assert staff.get(reverse("workshops:board", kwargs={"slug": slug})).status_code == 200
    assert staff.get(reverse("report:rollup", kwargs={"slug": slug})).status_code == 200


def test_the_health_check_says_the_cache_is_down(cache_down, client, db):
    assert client.get(reverse("healthz")).json() == {"status": "ok", "cache": "down"}


def test_wrong_codes_are_refused_while_the_cache_cannot_count_them(cache_down, client, workshop):
    """Guessing stays closed (it cannot be counted); the right code still joins."""
    response = client.post(reverse("participant:join"), {"code": "ZZZZZZ"})
    assert response.status_code == 429
    response = client.post(reverse("participant:join"), {"code": workshop.join_code})
    assert response.status_code == 302
