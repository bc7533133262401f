"""Response headers that every page gets: a Permissions-Policy, and no caching of staff pages."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from workshops.access import SecondFactorRequired
from workshops.services.two_factor import has_second_factor

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
