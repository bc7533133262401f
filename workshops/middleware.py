"""Middleware: the client's address behind our own reverse proxy, response headers every
page gets, the second-factor page, and participants' friendly 404 in development."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from workshops.access import SecondFactorRequired
from workshops.services.two_factor import has_second_factor
from workshops.views import polls
from workshops.views.errors import is_participant_path, page_not_found

# Participants join by typing a code or scanning the poster with their own camera app:
# no page of ours needs a sensor, a payment or a screen capture.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


def client_address(meta: dict, proxies: Sequence[IPv4Network | IPv6Network]) -> str:
    """The address of whoever sent the request to our nearest trusted proxy.

    Walks ``X-Forwarded-For`` from the right (the hop our proxy added) while the hop is
    one of ``proxies``; the first other address is the client. Whatever a client wrote
    into the header itself sits to the left of that and is never believed. A request
    that did not come through a trusted proxy keeps its own ``REMOTE_ADDR``.
    """
    peer = meta.get("REMOTE_ADDR", "")
    hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    address = peer
    for hop in [peer, *reversed([h for h in hops if h])]:
        try:
            parsed = ip_address(hop)
        except ValueError:
            return address  # not an address: stop at the last hop we could read
        address = hop
        if not any(parsed in proxy for proxy in proxies):
            return hop
    return address


class TrustedProxyMiddleware:
    """``REMOTE_ADDR`` becomes the client's address when the request came through one of
    ``TRUSTED_PROXIES`` (the deployment's Caddy or nginx), so that the join throttle, the
    cap on new participants and the sign-in lockout count each phone's address, not the
    proxy's. With no trusted proxy (the default), ``X-Forwarded-For`` is ignored: a
    client could write anything there. The address is never stored with a contribution.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        try:
            self.proxies = [ip_network(p, strict=False) for p in settings.TRUSTED_PROXIES]
        except ValueError as wrong:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {wrong}") from None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.proxies:
            request.META["REMOTE_ADDR"] = client_address(request.META, self.proxies)
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """``Permissions-Policy`` on every response; ``Cache-Control: private, no-store`` on
    every response to a signed-in staff member, whose pages show personal data (names,
    contributions, exports) that must not stay in a shared browser's or proxy's cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "private, no-store"
        return response


class SecondFactorRequiredMiddleware:
    """Turns ``SecondFactorRequired`` (raised by ``access.get_workshop_for_rows``) into a
    403 page that tells the staff member how to enrol or to sign in with the code."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, SecondFactorRequired):
            return None
        context = {"has_second_factor": has_second_factor(request.user)}
        return render(request, "registration/second_factor_required.html", context, status=403)


class ParticipantNotFoundMiddleware:
    """Under the join paths with DEBUG on, a 404 is the friendly participant page.

    Two sources of Django's technical page: a view raising ``Http404`` and a path no
    URL matches (``resolver_match`` stays None). A 404 a view renders itself (an
    unknown join code) is already friendly and kept.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and is_participant_path(request.path)
            and getattr(request, "resolver_match", None) is None
            and not getattr(response, "friendly_error", False)
        ):
            return page_not_found(request)
        return response

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404) and is_participant_path(request.path):
            return page_not_found(request)
        return None


class UnchangedPollMiddleware:
    """A board or projector poll with a fresh token and an unchanged workshop counter is
    answered 204 here, before the session, the user and the database are touched
    (``workshops/views/polls.py`` says why that is safe). Anything else goes on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if polls.unchanged(request):
            return polls.no_change()
        return self.get_response(request)
