"""The phones' event streams on a real uvicorn on loopback (PostgreSQL, Redis DB 13), as
compose's ``events`` service runs them: 40 idle phones notice a closed session within
5 s, the open streams hold no database connection, and Redis down breaks no stream."""

from __future__ import annotations

import json
import os
import socket
import time
import urllib.request

import environ
import pytest
from django.db import connection
from django.urls import reverse

from workshops.services import setup
from workshops.tests.deploy_servers import database_url, redis_available, uvicorn_server
from workshops.tests.sse_client import Stream

XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
KEY_PREFIX = f"events-{XDIST_WORKER}-{os.getpid()}"
REDIS_DB13 = "redis://127.0.0.1:6379/13"
# The server's connections carry this name, so other connections to the test database
# (a browser test's live-server threads closing late) are not counted as its own.
APPLICATION_NAME = f"pe-events-{XDIST_WORKER}-{os.getpid()}"
PHONES = 40

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.skipif(not redis_available(), reason="needs Redis on 127.0.0.1:6379"),
    pytest.mark.django_db(transaction=True),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        database = database_url(connection.settings_dict) + f"?application_name={APPLICATION_NAME}"
    cache = f"{REDIS_DB13}?key_prefix={KEY_PREFIX}"
    with uvicorn_server(database, _free_port(), CACHE_URL=cache) as base:
        yield base


@pytest.fixture
def shared_cache(settings):
    """This process bumps the counters in the Redis the server reads (as an app server does)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_DB13,
            "KEY_PREFIX": KEY_PREFIX,
        }
    }


def _events_path(session) -> str:
    return reverse("participant:events", kwargs={"code": session.workshop.join_code})


def test_the_servers_connections_carry_its_application_name():
    """Else _server_connections() would count nothing and prove nothing."""
    url = database_url({"NAME": "x"}) + f"?application_name={APPLICATION_NAME}"
    assert environ.Env.db_url_config(url)["OPTIONS"] == {"application_name": APPLICATION_NAME}


def _server_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = %s",
            [APPLICATION_NAME],
        )
        return cursor.fetchone()[0]


def test_idle_phones_notice_a_closed_session_within_five_seconds(server, shared_cache, session):
    path = _events_path(session)
    phones = [Stream(server, path) for _ in range(PHONES)]
    try:
        for phone in phones:
            assert phone.status == 200
            assert phone.headers["content-type"].startswith("text/event-stream")
            first = next(phone.events(5))
            assert json.loads(first[1])["sessions"][str(session.pk)] == "open"
        time.sleep(1.5)  # the watcher has looked at the counter
        # Open streams hold no connection: uvicorn's threads gave theirs back.
        assert _server_connections() <= 2
        closed_at = time.monotonic()
        setup.set_session_status(session=session, action="close")
        delays = []
        for phone in phones:
            for _id, data in phone.events(5):
                if data and json.loads(data)["sessions"][str(session.pk)] == "closed":
                    delays.append(time.monotonic() - closed_at)
                    break
        assert len(delays) == PHONES, "some phones did not notice within 5 s"
        assert max(delays) < 5
    finally:
        for phone in phones:
            phone.close()


def test_a_reconnecting_phone_that_has_the_states_gets_no_event(server, shared_cache, session):
    path = _events_path(session)
    first = Stream(server, path)
    etag, _data = next(first.events(5))
    first.close()
    again = Stream(server, path, last_event_id=etag)
    try:
        assert [e for e in again.events(1.5) if e[1]] == []
    finally:
        again.close()


def test_the_json_status_still_answers_on_the_events_server(server, session):
    url = server + reverse("participant:status", kwargs={"code": session.workshop.join_code})
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.loads(response.read())["sessions"][str(session.pk)] == "open"
