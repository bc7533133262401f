"""Phones follow the session states (open, voting, closed) as server-sent events.

An idle phone must notice within 5 s that a session opened or closed, or that voting
opened, and spend at most 30 KB an hour doing so. A poll every 5 s cannot: each request
with its cookies and headers is ~0.5–1 KB, 720 of them an hour. So the phone's script
keeps one ``EventSource`` open on ``/j/CODE/events/``:

- the stream sends the states (the JSON of ``participant.status``, with its ETag as the
  event id) at once, unless the phone's ``Last-Event-ID`` says it has them already, and
  then only when they change;
- a comment line every ``HEARTBEAT_SECONDS`` keeps mobile NATs and proxies from closing
  the idle connection, and the stream ends itself after ``STREAM_SECONDS``; the browser
  reconnects after ``retry`` with its ``Last-Event-ID`` (so ~6 reconnects an hour).

Served by an ASGI server (uvicorn, ``docs/deploy.md``): a stream is a coroutine, not a
thread, so thousands of phones cost a few MB. One watcher per process reads the
``states`` counters (``workshops/changes.py``) of every followed workshop in one cache
round trip per ``TICK``, reads the states from the database once per change, and wakes
the streams of that workshop: 180 phones of a room cost one query per change, not 180.

Under WSGI (gunicorn's threads, runserver) a stream would hold a thread per phone: the
view answers the states once with ``retry: FALLBACK_RETRY_MS`` instead, so a phone whose
events are not routed to the ASGI server falls back to a 20 s poll, as before, on the
same code. ``PARTICIPANT_EVENTS_WSGI_SECONDS`` > 0 holds WSGI streams that long (the
development server, browser tests): never in production.

With the cache unreachable the counters read ``None``: the watcher then re-reads the
states every ``DEGRADED_TICKS`` ticks instead of waiting for a bump, so phones still
notice (more slowly, at the database's cost), and nothing raises.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import DatabaseError, close_old_connections, connection
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from workshops import changes, queries
from workshops.access import get_workshop_for_join_code
from workshops.views import participant

STREAM_SECONDS = 600
HEARTBEAT_SECONDS = 45
TICK = 1.0  # how often a process looks at the counters: notice ≤ TICK + the network
DEGRADED_TICKS = 4
RETRY_MS = 3000  # reconnect after a stream ended or dropped
FALLBACK_RETRY_MS = 20000  # under WSGI: one answer, the next in 20 s (the old poll)

HEARTBEAT = b":\n\n"
logger = logging.getLogger(__name__)


def event(etag: str, body: str) -> bytes:
    return f"id: {etag}\ndata: {body}\n\n".encode()


def _states(workshop_id: int) -> tuple[str, str]:
    """The states from the database, in a thread of the loop's executor (thread-safe
    connections, handed back at once: no connection stays open per stream)."""
    close_old_connections()
    try:
        return queries.phone_states(workshop_id)
    finally:
        connection.close()


class Watcher:
    """One per event loop: follows the workshops that open streams are waiting on."""

    def __init__(self) -> None:
        self.waiting: dict[int, dict[asyncio.Future, str]] = {}
        self.counters: dict[int, str | None] = {}
        self.task: asyncio.Task | None = None
        self.ticks = 0

    async def next_change(self, workshop_id: int, etag: str, timeout: float):
        """The (body, etag) of the workshop's states once they differ from ``etag``, or
        ``None`` after ``timeout`` seconds without a change."""
        future = asyncio.get_running_loop().create_future()
        self.waiting.setdefault(workshop_id, {})[future] = etag
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return None
        finally:
            waiters = self.waiting.get(workshop_id, {})
            waiters.pop(future, None)
            if not waiters:
                self.waiting.pop(workshop_id, None)
                self.counters.pop(workshop_id, None)

    async def _run(self) -> None:
        while self.waiting:
            await asyncio.sleep(TICK)
            self.ticks += 1
            ids = list(self.waiting)
            counters = await sync_to_async(changes.versions, thread_sensitive=False)(ids)
            for workshop_id in ids:
                counter = counters.get(workshop_id)
                if counter is None:  # cache down: look at the database now and then
                    if self.ticks % DEGRADED_TICKS:
                        continue
                elif workshop_id in self.counters and self.counters[workshop_id] == counter:
                    continue
                try:
                    body, etag = await sync_to_async(_states, thread_sensitive=False)(workshop_id)
                except DatabaseError:  # the database away: streams heartbeat, try again
                    logger.warning("phone states not read: database unavailable")
                    continue
                self.counters[workshop_id] = counter
                for future, seen in list(self.waiting.get(workshop_id, {}).items()):
                    if seen != etag and not future.done():
                        future.set_result((body, etag))


_watchers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def watcher() -> Watcher:
    loop = asyncio.get_running_loop()
    found = _watchers.get(loop)
    if found is None:
        found = _watchers[loop] = Watcher()
    return found


async def _stream(workshop_id: int, body: str, etag: str, known: str) -> AsyncIterator[bytes]:
    yield f"retry: {RETRY_MS}\n\n".encode() + (event(etag, body) if etag != known else b"")
    ends = time.monotonic() + STREAM_SECONDS
    while (left := ends - time.monotonic()) > 0:
        found = await watcher().next_change(workshop_id, etag, min(HEARTBEAT_SECONDS, left))
        if found is None:
            yield HEARTBEAT
        else:
            body, etag = found
            yield event(etag, body)


def _held_stream(workshop_id: int, body: str, etag: str, known: str) -> Iterator[bytes]:
    """WSGI only where a thread per phone is acceptable (development, browser tests)."""
    yield f"retry: {RETRY_MS}\n\n".encode() + (event(etag, body) if etag != known else b"")
    ends = time.monotonic() + settings.PARTICIPANT_EVENTS_WSGI_SECONDS
    counter = None  # not known yet: the first tick compares the states themselves
    beat = time.monotonic() + HEARTBEAT_SECONDS
    while time.monotonic() < ends:
        time.sleep(TICK)
        now = changes.version(workshop_id, changes.STATES)
        if now is None or now != counter:
            counter = now
            new_body, new_etag = queries.phone_states(workshop_id)
            if new_etag != etag:
                body, etag = new_body, new_etag
                yield event(etag, body)
        if time.monotonic() > beat:
            beat = time.monotonic() + HEARTBEAT_SECONDS
            yield HEARTBEAT


def _find(code: str) -> tuple[int, str, str] | None:
    """The workshop and its states; the connection is handed back before the stream
    starts, so an open stream holds none."""
    try:
        workshop = get_workshop_for_join_code(code)
        if workshop is None:
            return None
        return (workshop.pk, *queries.phone_states(workshop.pk))
    finally:
        connection.close()


@require_GET
async def status_events(request: HttpRequest, code: str) -> HttpResponse:
    found = await sync_to_async(_find)(code)
    if found is None:  # the status view's page for a wrong code, and its guess count
        return await sync_to_async(participant.status)(request, code=code)
    workshop_id, body, etag = found
    known = request.headers.get("Last-Event-ID", "")
    if isinstance(request, ASGIRequest):
        response = StreamingHttpResponse(
            _stream(workshop_id, body, etag, known), content_type="text/event-stream"
        )
    elif settings.PARTICIPANT_EVENTS_WSGI_SECONDS > 0:
        response = StreamingHttpResponse(
            _held_stream(workshop_id, body, etag, known), content_type="text/event-stream"
        )
    else:
        once = f"retry: {FALLBACK_RETRY_MS}\n\n" + (
            event(etag, body).decode() if etag != known else ""
        )
        response = HttpResponse(once, content_type="text/event-stream")
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    # Not gzipped: the middleware would compress each event on its own (a gzip header and
    # up to 100 random bytes per heartbeat); the states are a few dozen bytes anyway.
    request.META.pop("HTTP_ACCEPT_ENCODING", None)
    return response
