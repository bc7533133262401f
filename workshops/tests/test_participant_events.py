"""Phones follow the session states as server-sent events (workshops/views/events.py):
the stream sends a change within a tick, one database read per change for every phone
of a workshop, heartbeats while idle; under WSGI one answer and a 20 s retry; the JSON
status with its 304 stays as the fallback."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json

import pytest
from asgiref.sync import sync_to_async
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse

from workshops import changes, queries
from workshops.services import setup
from workshops.tests.participant_factories import phone_for
from workshops.views import events

pytestmark = pytest.mark.django_db


def run_apart(coroutine):
    """Run ``coroutine`` on an event loop of its own thread: a browser test of the same
    worker may have left Playwright's loop running in this one."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def events_url(workshop) -> str:
    return reverse("participant:events", kwargs={"code": workshop.join_code})


def status_url(workshop) -> str:
    return reverse("participant:status", kwargs={"code": workshop.join_code})


def parse(body: str) -> list[dict]:
    found = []
    for block in body.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "data" in fields:
            found.append({"id": fields.get("id"), "data": json.loads(fields["data"])})
    return found


def test_under_wsgi_the_states_come_once_with_the_old_polls_pace(participant, session):
    response = phone_for(participant).get(events_url(session.workshop))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/event-stream"
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    assert body.startswith(f"retry: {events.FALLBACK_RETRY_MS}\n\n")
    (sent,) = parse(body)
    assert sent["data"]["sessions"] == {str(session.pk): "open"}
    status = phone_for(participant).get(status_url(session.workshop))
    assert sent["data"] == json.loads(status.content)
    assert sent["id"] == status["ETag"]


def test_a_phone_that_has_the_states_gets_only_the_retry(participant, session):
    _body, etag = queries.phone_states(session.workshop_id)
    response = phone_for(participant).get(events_url(session.workshop), HTTP_LAST_EVENT_ID=etag)
    assert response.content.decode() == f"retry: {events.FALLBACK_RETRY_MS}\n\n"


def test_a_phone_that_has_not_joined_may_follow_too_as_the_status_allows(session):
    response = Client().get(events_url(session.workshop))
    assert response.status_code == 200 and parse(response.content.decode())


def test_the_events_are_not_gzipped(participant, session):
    response = phone_for(participant).get(
        events_url(session.workshop), HTTP_ACCEPT_ENCODING="gzip, br"
    )
    assert not response.has_header("Content-Encoding")


def test_a_wrong_code_gets_the_unknown_code_page(db):
    response = Client().get(reverse("participant:events", kwargs={"code": "ZZZZZZ"}))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_only_get(participant, session):
    assert phone_for(participant).post(events_url(session.workshop)).status_code == 405


def test_the_json_status_and_its_304_still_work(participant, session):
    phone = phone_for(participant)
    first = phone.get(status_url(session.workshop))
    assert first.status_code == 200
    again = phone.get(status_url(session.workshop), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_the_pages_name_both_the_stream_and_the_fallback(participant, session):
    html = (
        phone_for(participant)
        .get(
            reverse(
                "participant:session",
                kwargs={"code": session.workshop.join_code, "session_id": session.pk},
            )
        )
        .content.decode()
    )
    assert f'data-pe-events="{events_url(session.workshop)}"' in html
    assert f'data-pe-status="{status_url(session.workshop)}"' in html


def test_with_held_wsgi_streams_a_change_is_sent_on_the_open_stream(
    participant, session, settings, monkeypatch
):
    settings.PARTICIPANT_EVENTS_WSGI_SECONDS = 0.3
    monkeypatch.setattr(events, "TICK", 0.05)
    response = phone_for(participant).get(events_url(session.workshop))
    chunks = iter(response.streaming_content)
    assert b"data:" in next(chunks)
    setup.set_session_status(session=session, action="close")
    rest = b"".join(chunks).decode()
    (sent,) = parse(rest)
    assert sent["data"]["sessions"][str(session.pk)] == "closed"


# --- The ASGI stream (run on an event loop here; on uvicorn in test_participant_events_server)


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr(events, "TICK", 0.02)
    monkeypatch.setattr(events, "HEARTBEAT_SECONDS", 0.3)


def _close(session):
    setup.set_session_status(session=session, action="close")


async def _watched(workshop_id: int) -> None:
    """Until the process's watcher has read the workshop's counter once."""
    for _ in range(300):
        if workshop_id in events.watcher().counters:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the watcher never looked at the workshop")


@pytest.mark.django_db(transaction=True)
def test_a_stream_sends_a_closed_session_within_a_tick(fast, session):
    since = changes.version(session.workshop_id, changes.STATES)
    body, etag = queries.phone_states(session.workshop_id)

    async def follow():
        stream = events._stream(session.workshop_id, body, etag, etag, since)
        assert b"data:" not in await anext(stream)  # the phone had the states
        waiting = asyncio.ensure_future(anext(stream))
        await _watched(session.workshop_id)
        await sync_to_async(_close)(session)
        return await asyncio.wait_for(waiting, 5)

    (sent,) = parse(run_apart(follow()).decode())
    assert sent["data"]["sessions"][str(session.pk)] == "closed"


@pytest.mark.django_db(transaction=True)
def test_an_idle_stream_sends_heartbeats_and_ends_by_itself(fast, session, monkeypatch):
    monkeypatch.setattr(events, "STREAM_SECONDS", 0.7)
    since = changes.version(session.workshop_id, changes.STATES)
    body, etag = queries.phone_states(session.workshop_id)

    async def follow():
        return [chunk async for chunk in events._stream(session.workshop_id, body, etag, "", since)]

    chunks = run_apart(follow())
    assert b"data:" in chunks[0]
    assert chunks[1:] == [events.HEARTBEAT, events.HEARTBEAT, events.HEARTBEAT]


@pytest.mark.django_db(transaction=True)
def test_a_hundred_phones_of_a_room_cost_one_read_per_change(fast, session, monkeypatch):
    reads = []
    real = events._states
    monkeypatch.setattr(events, "_states", lambda pk: reads.append(pk) or real(pk))
    since = changes.version(session.workshop_id, changes.STATES)
    body, etag = queries.phone_states(session.workshop_id)

    async def room():
        streams = [events._stream(session.workshop_id, body, etag, etag, since) for _ in range(100)]
        for stream in streams:
            await anext(stream)
        waiting = [asyncio.ensure_future(anext(stream)) for stream in streams]
        await _watched(session.workshop_id)
        before = len(reads)
        await sync_to_async(_close)(session)
        sent = await asyncio.wait_for(asyncio.gather(*waiting), 5)
        return sent, len(reads) - before

    sent, read = run_apart(room())
    assert all(b'"closed"' in chunk for chunk in sent)
    assert read == 1


@pytest.mark.django_db(transaction=True)
def test_with_the_cache_down_a_stream_still_notices_from_the_database(fast, session, monkeypatch):
    monkeypatch.setattr(changes, "versions", lambda ids, kind=changes.STATES: dict.fromkeys(ids))
    since = changes.version(session.workshop_id, changes.STATES)
    body, etag = queries.phone_states(session.workshop_id)

    async def follow():
        stream = events._stream(session.workshop_id, body, etag, etag, since)
        await anext(stream)
        waiting = asyncio.ensure_future(anext(stream))
        await sync_to_async(_close)(session)
        return await asyncio.wait_for(waiting, 5)

    assert b'"closed"' in run_apart(follow())


@pytest.mark.django_db(transaction=True)
def test_a_database_hiccup_does_not_end_the_watcher(fast, session, monkeypatch):
    real, failed = events._states, []

    def flaky(pk):
        if not failed:
            failed.append(pk)
            raise DatabaseError("gone for a moment")
        return real(pk)

    monkeypatch.setattr(events, "_states", flaky)
    since = changes.version(session.workshop_id, changes.STATES)
    body, etag = queries.phone_states(session.workshop_id)

    async def follow():
        stream = events._stream(session.workshop_id, body, etag, etag, since)
        await anext(stream)
        waiting = asyncio.ensure_future(anext(stream))
        await sync_to_async(_close)(session)
        return await asyncio.wait_for(waiting, 5)

    assert b'"closed"' in run_apart(follow())
    assert failed


@pytest.mark.django_db(transaction=True)
def test_a_stream_that_read_before_a_change_others_were_told_of_gets_it(fast, session):
    """The gap between a stream's first read and its joining the watcher: the change
    another stream of the workshop was already sent reaches it too."""
    since = changes.version(session.workshop_id, changes.STATES)
    body, etag = queries.phone_states(session.workshop_id)

    async def late():
        first = events._stream(session.workshop_id, body, etag, etag, since)
        await anext(first)
        told = asyncio.ensure_future(anext(first))
        await sync_to_async(_close)(session)
        await asyncio.wait_for(told, 5)  # the watcher handed the change out
        second = events._stream(session.workshop_id, body, etag, etag, since)  # read before
        await anext(second)
        return await asyncio.wait_for(anext(second), 0.5)

    assert b'"closed"' in run_apart(late())


@pytest.mark.django_db(transaction=True)
def test_a_stream_between_heartbeats_misses_nothing(fast, session, monkeypatch):
    monkeypatch.setattr(events, "HEARTBEAT_SECONDS", 0.05)  # many heartbeats, no gap
    since = changes.version(session.workshop_id, changes.STATES)
    body, etag = queries.phone_states(session.workshop_id)

    async def follow():
        streams = [events._stream(session.workshop_id, body, etag, etag, since) for _ in range(5)]
        for stream in streams:
            await anext(stream)

        async def until_event(stream):
            while (chunk := await anext(stream)) == events.HEARTBEAT:
                pass
            return chunk

        waiting = [asyncio.ensure_future(until_event(stream)) for stream in streams]
        await _watched(session.workshop_id)
        await sync_to_async(_close)(session)
        return await asyncio.wait_for(asyncio.gather(*waiting), 5)

    assert all(b'"closed"' in chunk for chunk in run_apart(follow()))
