"""Exactly once under a storm of retries: 50 phones' worth of sends of one client id
at the same moment, each on its own database connection, leave one row."""

import threading

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client

from workshops.models import Contribution
from workshops.tests.participant_factories import phone_for, send_data, session_url

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

SENDS = 50


def test_fifty_concurrent_sends_of_one_client_id_store_one_row(participant, session, settings):
    settings.PARTICIPANT_SEND_RATE = "1000/m"
    cache.clear()
    phone = phone_for(participant)
    cookies = phone.cookies
    data = send_data("Sent fifty times over a bad network")
    url = session_url(session)
    start = threading.Barrier(SENDS)
    statuses, failures = [], []

    def send():
        client = Client()
        client.cookies = cookies
        try:
            start.wait(timeout=60)
            response = client.post(url, data, HTTP_X_REQUESTED_WITH="outbox")
            statuses.append(response.status_code)
        except Exception as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(SENDS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert failures == []
    assert len(statuses) == SENDS
    assert statuses.count(201) == 1
    assert statuses.count(200) == SENDS - 1
    assert Contribution.objects.filter(client_id=data["client_id"]).count() == 1
