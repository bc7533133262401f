"""Per-workshop change counters in the shared cache: "did anything change?" for free.

Boards and the projector poll every second, phones follow the session states; most of
those questions are answered "no". Two counters per workshop live in the shared cache
(Redis in production, local memory in development and tests):

- ``board``: bumped by every write that changes what a board, the projector or the
  results show (contributions, their themes, votes, merges, sessions, themes, imports);
- ``states``: bumped when a session or the workshop itself is saved (open, voting,
  closed): what a phone follows.

Reading a counter is one cache ``get``, no database query. The receivers in
``workshops/models/changes.py`` bump on every ORM save and delete of the models boards
show; the services that write with ``bulk_create`` or ``QuerySet.update()`` call
``bump`` themselves. ``workshops/tests/test_changes.py`` goes through every write path.

Two rules keep a reader from staying stale:

- A bump counts twice: at once, and again when the transaction commits. A reader that
  saw the first bump may have read the rows before the commit; the second bump makes it
  read again. Outside a transaction both happen at once (harmless: a counter only needs
  to change).
- A counter that is missing (never bumped, evicted, cache restarted) starts from the
  clock in nanoseconds, so it never comes back to a value a client saw before.

When the cache cannot be reached, ``version`` answers ``None``: callers take it as
"changed" and read the database, so a Redis outage makes polls dearer, never wrong
and never an error page. A bump that cannot reach the cache is logged and dropped;
the write itself goes on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

BOARD = "board"
STATES = "states"
KINDS = (BOARD, STATES)
# Long enough for any workshop; a counter that expires restarts from the clock.
TIMEOUT = 60 * 60 * 24 * 30


def key(workshop_id: int, kind: str = BOARD) -> str:
    return f"pe:changes:{kind}:{workshop_id}"


def _incr(workshop_id: int, kinds: Iterable[str]) -> None:
    for kind in kinds:
        name = key(workshop_id, kind)
        try:
            if not cache.add(name, time.time_ns(), TIMEOUT):
                try:
                    cache.incr(name)
                except ValueError:  # evicted between add and incr
                    cache.add(name, time.time_ns(), TIMEOUT)
        except Exception:  # the cache is down: the write still goes on
            logger.warning("change counter not bumped: cache unavailable", exc_info=True)


class _AfterCommit:
    """The commit-time bump of one workshop, shared by every write of a transaction."""

    def __init__(self, workshop_id: int, kinds: set[str]):
        self.workshop_id, self.kinds = workshop_id, kinds

    def __call__(self) -> None:
        _incr(self.workshop_id, sorted(self.kinds))


def bump(workshop_id: int | None, *, states: bool = False) -> None:
    """Record that a board (and with ``states``, a phone) of the workshop changed."""
    if workshop_id is None:
        return
    kinds = {BOARD, STATES} if states else {BOARD}
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # The commit-time bump once per transaction and workshop, however many rows it
        # writes; the list is the connection's own, so a rollback forgets it too.
        for _sids, callback, _robust in connection.run_on_commit:
            if isinstance(callback, _AfterCommit) and callback.workshop_id == workshop_id:
                callback.kinds |= kinds
                break
        else:
            transaction.on_commit(_AfterCommit(workshop_id, set(kinds)))
    _incr(workshop_id, sorted(kinds))


def version(workshop_id: int, kind: str = BOARD) -> str | None:
    """The counter as a short string; ``None`` when the cache cannot be reached."""
    name = key(workshop_id, kind)
    try:
        value = cache.get(name)
        if value is None:
            cache.add(name, time.time_ns(), TIMEOUT)
            value = cache.get(name)
    except Exception:
        logger.warning("change counter not read: cache unavailable", exc_info=True)
        return None
    return None if value is None else str(value)


def versions(workshop_ids: Iterable[int], kind: str = STATES) -> dict[int, str | None]:
    """Several counters in one cache round trip (the phones' watcher)."""
    ids = list(workshop_ids)
    try:
        found = cache.get_many([key(pk, kind) for pk in ids])
    except Exception:
        logger.warning("change counters not read: cache unavailable", exc_info=True)
        return dict.fromkeys(ids)
    answer = {}
    for pk in ids:
        value = found.get(key(pk, kind))
        answer[pk] = str(value) if value is not None else version(pk, kind)
    return answer
