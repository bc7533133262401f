"""Two production app servers, one state: gunicorn ×2 with ``DJANGO_ENV=production``,
PostgreSQL and Redis (DB 7). A phone alternating between them keeps its session and its
rate limit; a board on one sees a send made on the other within 2 s; the same client id
sent to both at once is stored once."""

from __future__ import annotations

import html
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from workshops.models import Contribution
from workshops.tests.deploy_servers import (
    PROXY_HEADERS,
    SECRET_KEY,
    database_url,
    gunicorn_servers,
    redis_available,
)
from workshops.tests.participant_factories import phone_for, session_url

PORTS = (8171, 8172)
SEND_RATE = 30  # the production default, PARTICIPANT_SEND_RATE "30/m"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.skipif(not redis_available(), reason="needs Redis on 127.0.0.1:6379"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def servers():
    with gunicorn_servers(database_url(connection.settings_dict), PORTS) as bases:
        yield bases


class Phone:
    """One browser: its cookies follow it from server to server."""

    def __init__(self, cookies: dict[str, str]):
        self.cookies = dict(cookies)

    def request(self, url, *, data=None, headers=None):
        base = re.match(r"https?://[^/]+", url).group(0)
        all_headers = {
            **PROXY_HEADERS,
            "Origin": base.replace("http://", "https://"),
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            **(headers or {}),
        }
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=all_headers)
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                status, text, got = response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            status, text, got = error.code, error.read().decode(), error.headers
        for header in got.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        return status, text

    def csrf(self, url) -> str:
        status, page = self.request(url)
        assert status == 200, page[:500]
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def device_token(participant) -> str:
    """A fresh device token for a consenting participant (as ``phone_for`` makes)."""
    return phone_for(participant).cookies[django_settings.PARTICIPANT_COOKIE_NAME].value


def send(phone, url, token, text, client_id=None):
    data = {
        "csrfmiddlewaretoken": token,
        "client_id": client_id or uuid.uuid4().hex,
        "category": "driver",
        "horizon": "long_term",
        "text": text,
    }
    return phone.request(url, data=data, headers={"X-Requested-With": "outbox"})


def test_a_phone_alternating_between_servers_keeps_its_session_and_its_rate_limit(
    servers, participant, session
):
    phone = Phone({django_settings.PARTICIPANT_COOKIE_NAME: device_token(participant)})
    path = session_url(session)
    token = phone.csrf(servers[0] + path)  # the CSRF cookie from A is good on B
    statuses = [
        send(phone, servers[i % 2] + path, token, f"Contribution {i} from a phone")[0]
        for i in range(SEND_RATE)
    ]
    assert statuses == [201] * SEND_RATE
    # one more, on either server: the limit is counted in Redis, not per process
    assert send(phone, servers[0] + path, token, "One too many")[0] == 429
    assert send(phone, servers[1] + path, token, "One too many")[0] == 429
    assert Contribution.objects.filter(author=participant).count() == SEND_RATE


def test_a_board_on_one_server_sees_a_send_on_the_other_within_two_seconds(
    servers, participant, session, facilitator, settings
):
    settings.SECRET_KEY = SECRET_KEY  # the session is signed with the servers' key
    staff = Client()
    staff.force_login(facilitator)
    board_reader = Phone({"sessionid": staff.cookies["sessionid"].value})
    board = reverse("workshops:session_board", args=[session.workshop.slug, session.pk])
    htmx = {"HX-Request": "true"}
    status, body = board_reader.request(servers[0] + board, headers=htmx)
    assert status == 200
    poll = html.unescape(re.search(r'hx-get="([^"]+)"', body).group(1))
    assert board_reader.request(servers[1] + poll, headers=htmx)[0] == 204  # one counter

    phone = Phone({django_settings.PARTICIPANT_COOKIE_NAME: device_token(participant)})
    path = session_url(session)
    token = phone.csrf(servers[1] + path)
    sent_at = time.monotonic()
    assert send(phone, servers[1] + path, token, "Sent through server B")[0] == 201
    while True:
        status, body = board_reader.request(servers[0] + poll, headers=htmx)
        if status == 200:
            break
        assert status == 204
        assert time.monotonic() - sent_at < 2, "board did not change within 2 s"
        time.sleep(0.1)
    assert time.monotonic() - sent_at < 2
    assert html.unescape(re.search(r'hx-get="([^"]+)"', body).group(1)) != poll


def test_the_same_client_id_sent_to_both_servers_at_once_is_stored_once(
    servers, participant, session
):
    phone = Phone({django_settings.PARTICIPANT_COOKIE_NAME: device_token(participant)})
    path = session_url(session)
    token = phone.csrf(servers[0] + path)
    client_id = uuid.uuid4().hex
    start = threading.Barrier(len(servers))
    statuses = []

    def one(base):
        start.wait(timeout=30)
        statuses.append(
            send(Phone(phone.cookies), base + path, token, "Both at once", client_id)[0]
        )

    threads = [threading.Thread(target=one, args=(base,)) for base in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [200, 201]
    assert Contribution.objects.filter(client_id=client_id).count() == 1
