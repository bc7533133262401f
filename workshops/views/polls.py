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

from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

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
    """A poll with a fresh token whose workshop's counter still has the poll's value."""
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
    return changes.version(workshop_id) == seen


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
