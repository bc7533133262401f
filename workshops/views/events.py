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


def _hand_back() -> None:
    """Close this thread's connection, so no connection stays open per stream; never
    inside a transaction (a caller's, or a test's), whose connection is not ours."""
    if not connection.in_atomic_block:
        connection.close()


def _states(workshop_id: int) -> tuple[str, str]:
    """The states from the database, in a thread of the loop's executor (thread-safe
    connections, handed back at once: no connection stays open per stream)."""
    close_old_connections()
    try:
        return queries.phone_states(workshop_id)
    finally:
        _hand_back()


class Watcher:
    """One per event loop: follows the workshops that open streams are following.

    Each stream has a queue and stays registered for its whole life (a heartbeat does not
    leave a gap in which a change could pass unseen); the watcher puts the new states in
    the queue of every stream that has not seen them.
    """

    def __init__(self) -> None:
        self.followers: dict[int, dict[asyncio.Queue, str]] = {}
        self.counters: dict[int, str | None] = {}
        self.states: dict[int, tuple[str, str]] = {}
        self.task: asyncio.Task | None = None
        self.ticks = 0

    def follow(self, workshop_id: int, etag: str, since: str | None) -> asyncio.Queue:
        """A queue of the workshop's new states for a stream that sent ``etag``, read
        when the counter was ``since``."""
        queue: asyncio.Queue = asyncio.Queue()
        self.followers.setdefault(workshop_id, {})[queue] = etag
        counter, known = self.counters.get(workshop_id), self.states.get(workshop_id)
        if counter and since and known and int(counter) > int(since) and known[1] != etag:
            # A change this stream's first read may have missed was already handed out.
            self.followers[workshop_id][queue] = known[1]
            queue.put_nowait(known)
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())
        return queue

    def leave(self, workshop_id: int, queue: asyncio.Queue) -> None:
        followers = self.followers.get(workshop_id, {})
        followers.pop(queue, None)
        if not followers:
            self.followers.pop(workshop_id, None)
            self.counters.pop(workshop_id, None)
            self.states.pop(workshop_id, None)

    async def _run(self) -> None:
        while self.followers:
            await asyncio.sleep(TICK)
            self.ticks += 1
            try:
                await self._tick()
            except Exception:  # never stop following: every open stream depends on it
                logger.exception("phone states watcher: tick failed")

    async def _tick(self) -> None:
        ids = list(self.followers)
        counters = await sync_to_async(changes.versions, thread_sensitive=False)(ids)
        for workshop_id in ids:
            counter = counters.get(workshop_id)
            if counter is None:  # cache down: look at the database now and then
                if self.ticks % DEGRADED_TICKS:
                    continue
            elif workshop_id in self.counters and self.counters[workshop_id] == counter:
                continue
            try:
                found = await sync_to_async(_states, thread_sensitive=False)(workshop_id)
            except DatabaseError:  # the database away: streams heartbeat, try again
                logger.warning("phone states not read: database unavailable")
                continue
            followers = self.followers.get(workshop_id)
            if followers is None:  # every stream left meanwhile
                continue
            self.counters[workshop_id], self.states[workshop_id] = counter, found
            for queue, seen in list(followers.items()):
                if seen != found[1]:
                    followers[queue] = found[1]
                    queue.put_nowait(found)


_watchers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def watcher() -> Watcher:
    loop = asyncio.get_running_loop()
    found = _watchers.get(loop)
    if found is None:
        found = _watchers[loop] = Watcher()
    return found


async def _stream(
    workshop_id: int, body: str, etag: str, known: str, since: str | None
) -> AsyncIterator[bytes]:
    yield f"retry: {RETRY_MS}\n\n".encode() + (event(etag, body) if etag != known else b"")
    follow = watcher()
    queue = follow.follow(workshop_id, etag, since)
    try:
        ends = time.monotonic() + STREAM_SECONDS
        while (left := ends - time.monotonic()) > 0:
            try:
                body, etag = await asyncio.wait_for(queue.get(), min(HEARTBEAT_SECONDS, left))
            except TimeoutError:
                yield HEARTBEAT
            else:
                yield event(etag, body)
    finally:
        follow.leave(workshop_id, queue)


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
            try:
                new_body, new_etag = queries.phone_states(workshop_id)
            except Exception:  # the database went away (a server stopping): end, reconnect
                return
            if new_etag != etag:
                body, etag = new_body, new_etag
                yield event(etag, body)
        if time.monotonic() > beat:
            beat = time.monotonic() + HEARTBEAT_SECONDS
            yield HEARTBEAT


def _find(code: str) -> tuple[int, str | None, str, str] | None:
    """The workshop, its states counter and then its states; the connection is handed
    back before the stream starts, so an open stream holds none."""
    try:
        workshop = get_workshop_for_join_code(code)
        if workshop is None:
            return None
        since = changes.version(workshop.pk, changes.STATES)
        return (workshop.pk, since, *queries.phone_states(workshop.pk))
    finally:
        _hand_back()


@require_GET
async def status_events(request: HttpRequest, code: str) -> HttpResponse:
    found = await sync_to_async(_find)(code)
    if found is None:  # the status view's page for a wrong code, and its guess count
        return await sync_to_async(participant.status)(request, code=code)
    workshop_id, since, body, etag = found
    known = request.headers.get("Last-Event-ID", "")
    if isinstance(request, ASGIRequest):
        response = StreamingHttpResponse(
            _stream(workshop_id, body, etag, known, since), content_type="text/event-stream"
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
