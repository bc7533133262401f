"""No state in the web process: two app servers on one PostgreSQL behave as one.

A note sent through server B shows on the board served by server A, and A's
"nothing changed" answer (204) comes from the database and the shared cache (Redis,
where the workshop's change counter lives: ``workshops/changes.py``), never from
either process's memory.
"""

from __future__ import annotations

import html
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def _free_ports(count: int) -> tuple[int, ...]:
    """Ports nobody listens on now (held open together so that they differ)."""
    probes = [socket.socket() for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return tuple(probe.getsockname()[1] for probe in probes)
    finally:
        for probe in probes:
            probe.close()


PORTS = _free_ports(2)
# Both servers share the change counters, as production's servers share Redis.
REDIS_URL = f"redis://127.0.0.1:6379/13?key_prefix=two-servers-{os.getpid()}"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def database_url() -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def two_servers():
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CACHE_URL": REDIS_URL,
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    servers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in PORTS
    ]
    try:
        for port in PORTS:
            for _ in range(100):  # up to 20 s
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                    break
                except OSError:  # refused, reset or timed out while starting
                    time.sleep(0.2)
            else:
                pytest.fail(f"server on {port} did not start")
        yield [f"http://127.0.0.1:{port}" for port in PORTS]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=10)


def _poll_url(page: str) -> str:
    return html.unescape(re.search(r'hx-get="([^"]+)"', page).group(1))


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)  # the session lives in the database, shared by both servers
    return client.cookies["sessionid"].value


def fetch(url, cookie, *, data=None, headers=None):
    request = urllib.request.Request(url, data=data, headers={"Cookie": cookie, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers


def test_board_on_one_server_shows_a_note_sent_through_the_other(
    two_servers, facilitator, note_taker, workshop, session
):
    server_a, server_b = two_servers
    board = reverse("workshops:session_board", args=[workshop.slug, session.pk])
    capture = reverse("workshops:capture", args=[workshop.slug, session.pk])
    reader = f"sessionid={session_cookie(facilitator)}"
    writer = f"sessionid={session_cookie(note_taker)}"
    htmx = {"HX-Request": "true"}

    status, body, _ = fetch(server_a + board, reader, headers=htmx)
    assert status == 200
    poll = _poll_url(body)
    assert fetch(server_a + poll, reader, headers=htmx)[0] == 204

    status, page, headers = fetch(server_b + capture, writer)
    csrf_cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token,
            "client_id": "two-servers-1",
            "text": "Sent through server B",
            "category": "driver",
        }
    ).encode()
    status, body, _ = fetch(
        server_b + capture,
        f"{writer}; csrftoken={csrf_cookie}",
        data=form,
        headers={"Accept": "application/json"},
    )
    assert status == 201, body
    assert json.loads(body)["status"] == "saved"

    # The board's render may be held for up to HOLD_MAX (views/polls.py): a poll within
    # it is answered 204, the next one after it gets the note.
    deadline = time.monotonic() + 2
    while (status := fetch(server_a + poll, reader, headers=htmx)[0]) == 204:
        assert time.monotonic() < deadline, "the note did not reach the board within 2 s"
        time.sleep(0.1)
    status, body, _ = fetch(server_a + poll, reader, headers=htmx)
    assert status == 200
    assert "Sent through server B" in body
    new_poll = _poll_url(body)
    assert new_poll != poll
    assert fetch(server_a + new_poll, reader, headers=htmx)[0] == 204
    # and server B agrees on the version: nothing lives in either process
    assert fetch(server_b + new_poll, reader, headers=htmx)[0] == 204
