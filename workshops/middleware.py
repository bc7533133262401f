"""Middleware: response headers every page gets, the second-factor page, and participants'
friendly 404 in development."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from workshops.access import SecondFactorRequired
from workshops.services.two_factor import has_second_factor
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
