"""Board and projector polls: "nothing changed" answered before sessions, users and the
database are touched.

An open board or projector asks every second (``queries.POLL_EVERY``). The page it got
holds a poll URL with the workshop's change counter (``v``, ``workshops/changes.py``)
and a signed token (``t``): the workshop's id, signed with a key derived from the
project's secret, the poll's path and the browser's session cookie, and dated. While the
token is fresh (``TOKEN_MAX_AGE``) and the counter still says ``v``, the poll middleware
(``workshops.middleware.UnchangedPollMiddleware``) answers 204 with one cache read: no
session load, no user, no access check, no query.

Why that is still deny-by-default: a token is only made by the full view, after
``access.get_workshop_for_user`` allowed this user to read this board; it is valid only
with the same session cookie and for the same path, so an outsider (another cookie, or
none) and a signed-out browser (its session cookie changed) fall through to the full
view and get its 404 or login page. A 204 carries no data: at most, for a minute after
their role was removed, a former member learns that nothing changed. Any change, and
every token past its minute, goes through the full view again with every check.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.html import escape

from workshops import changes

TOKEN_MAX_AGE = 60  # seconds; then one full render renews the token


def _signer(path: str, cookie: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"workshops.poll|{path}|{cookie}")


def poll_url(request: HttpRequest, workshop_id: int, query: dict, version: str | None) -> str:
    """The URL an open board or projector polls; without a counter (cache down), a poll
    always gets the fresh fragment."""
    cookie = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    if version is None or not cookie:
        return f"{request.path}?{urlencode(query)}" if query else request.path
    token = _signer(request.path, cookie).sign(str(workshop_id))
    return f"{request.path}?{urlencode({**query, 'v': version, 't': token})}"


def unchanged(request: HttpRequest) -> bool:
    """A poll with a fresh token whose workshop's counter still has the poll's value, or
    whose board already shows the latest render of its list while that render is held
    (``shared_fragment``): there is nothing newer to send it yet."""
    if request.method != "GET" or "HX-Request" not in request.headers:
        return False
    token, seen = request.GET.get("t"), request.GET.get("v")
    cookie = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not (token and seen and cookie):
        return False
    try:
        workshop_id = int(_signer(request.path, cookie).unsign(token, max_age=TOKEN_MAX_AGE))
    except (signing.BadSignature, ValueError):
        return False
    current = changes.version(workshop_id)
    if current is None or current == seen:
        return current is not None
    try:
        held = cache.get(_held_key(workshop_id, request.path, poll_query(request)))
    except Exception:  # the cache is down: the full view answers
        return False
    return (
        held is not None
        and held["until"] > time.time()
        and _shows_at_least(request, held["version"], current)
    )


def unchanged_without_token(request: HttpRequest, version: str | None) -> bool:
    """A poll that names the current version but carries no token (a page or script from
    before tokens): the full view checked access, so it may still answer 204. A token past
    its minute is not this case: that poll gets the fragment, and with it a new token."""
    return (
        version is not None
        and "HX-Request" in request.headers
        and "t" not in request.GET
        and request.GET.get("v") == version
    )


def no_change() -> HttpResponse:
    response = HttpResponse(status=204)
    response["Cache-Control"] = "private, no-store"
    return response


# --- One render per change, shared by the boards of a room ---------------------------
#
# In a busy room the counter changes several times a second, so nearly every poll of
# the six boards finds a change, and each used to render its own copy of the same
# fragment (~100-200 ms of a core). Now the fragment is rendered once, without what is
# personal to a browser (its CSRF token and its signed poll URL: placeholders, filled in
# per response), kept in the shared cache, and served to every board that asks for the
# same thing: the same page and filters, role, language and time zone.
#
# A board may be shown a render up to ``hold`` seconds older than the latest change:
# twice the time the last render took, at least HOLD_MIN and at most HOLD_MAX. On a
# quiet server that is half a second; under load a render takes longer and the fragment
# is re-rendered less often, so boards slow down gracefully instead of piling up work.
# Its poll URL carries the version it shows, so the board asks again and gets the newer
# render as soon as there is one. While one process renders a fragment, the others serve
# the previous render (a short lock), so a change never starts six renders at once.

HOLD_MIN = 0.5
HOLD_MAX = 1.5
FRAGMENT_TIMEOUT = 60  # seconds a render is kept: a board polls at least every few seconds
LOCK_TIMEOUT = 10


def _placeholder(name: str) -> str:
    """A marker no participant can type: derived from the project's secret."""
    return "pe-" + salted_hmac("workshops.polls.placeholder", name).hexdigest()[:24]


def poll_query(request: HttpRequest) -> dict:
    """The poll's query without its counter and token: what the list shows."""
    return {k: v for k, v in request.GET.items() if k not in ("v", "t") and v}


def _held_key(workshop_id: int, path: str, query: dict) -> str:
    """The latest render of a list, for any role or language: its version and until when
    it is held. Read by the poll middleware (``unchanged``)."""
    digest = hashlib.blake2b(
        f"{path}\n{urlencode(sorted(query.items()))}".encode(), digest_size=16
    ).hexdigest()
    return f"pe:fragment-held:{workshop_id}:{digest}"


def _fragment_key(request: HttpRequest, workshop, query: dict) -> str:
    parts = [
        request.path,
        urlencode(sorted(query.items())),
        str(getattr(workshop, "role", "")),
        translation.get_language() or "",
        timezone.get_current_timezone_name(),
    ]
    digest = hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()
    return f"pe:fragment:{workshop.pk}:{digest}"


def shared_fragment(
    request: HttpRequest,
    workshop,
    version: str | None,
    query: dict,
    render: Callable[[dict], str],
) -> HttpResponse:
    """A poll's fragment, rendered once per change for every board asking the same.

    ``render(context)`` renders the fragment's template with ``context`` added (the
    placeholders for ``poll_url`` and ``csrf_token``) and returns its HTML. ``query`` is
    the poll's query without ``v`` and ``t``. Without a counter (the cache is down) every
    poll renders its own, as before.
    """
    url, token = _placeholder("poll_url"), _placeholder("csrf_token")
    if version is None:
        return _personal(
            request, workshop, None, query, render({"poll_url": url, "csrf_token": token})
        )
    key = _fragment_key(request, workshop, query)
    entry = cache.get(key)
    # Nothing changed since this board's render: it is here for a new token (past its
    # minute), and gets the same render with one; never an older one.
    renewing = request.GET.get("v") == version
    if entry is None or (entry["version"] != version and (renewing or not _held(entry))):
        locked = cache.add(f"{key}:lock", 1, LOCK_TIMEOUT)
        if entry is None or locked or renewing:  # else another process is rendering it
            try:
                started = time.monotonic()
                fragment = render({"poll_url": url, "csrf_token": token})
                entry = {
                    "version": version,
                    "at": time.time(),
                    "took": time.monotonic() - started,
                    "html": fragment,
                }
                cache.set(key, entry, FRAGMENT_TIMEOUT)
                until = entry["at"] + _hold(entry)
                cache.set(
                    _held_key(workshop.pk, request.path, query),
                    {"version": version, "until": until},
                    math.ceil(HOLD_MAX) + 1,
                )
            finally:
                if locked:
                    cache.delete(f"{key}:lock")
    if not renewing and _shows_at_least(request, entry["version"], version):
        return no_change()  # this board already shows that render, or a newer page
    return _personal(request, workshop, entry["version"], query, entry["html"])


def _shows_at_least(request: HttpRequest, rendered: str, current: str) -> bool:
    """Whether the poll's own counter (``v``) is the render's or a later one (up to the
    current): a board whose page was rendered after that render is not sent back to it."""
    try:
        return int(rendered) <= int(request.GET.get("v", "")) <= int(current)
    except ValueError:
        return False


def _hold(entry: dict) -> float:
    return min(HOLD_MAX, max(HOLD_MIN, 2 * entry["took"]))


def _held(entry: dict) -> bool:
    return time.time() - entry["at"] < _hold(entry)


def _personal(request, workshop, version, query, fragment: str) -> HttpResponse:
    """The shared render with this browser's poll URL and CSRF token."""
    fragment = fragment.replace(
        _placeholder("poll_url"), escape(poll_url(request, workshop.pk, query, version))
    ).replace(_placeholder("csrf_token"), get_token(request))
    response = HttpResponse(fragment)
    response["Cache-Control"] = "private, no-store"
    return response
