"""Pages anyone may see: the landing page, staff log-in, a health check."""

import contextlib

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core import signing
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from workshops.services import two_factor
from workshops.views import account


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The database answers (else 500); whether the shared cache does is reported, not
    fatal: the pages work without it (peaceexchange/caches.py)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    cache.set("healthz", "ok", 10)
    return JsonResponse({"status": "ok", "cache": "ok" if cache.get("healthz") else "down"})


STAFF_DEVICE_COOKIE = "pe_staff_device"
STAFF_DEVICE_SALT = "workshops.staff-device"
STAFF_DEVICE_MAX_AGE = 180 * 24 * 3600


def known_staff_device(request: HttpRequest, credentials: dict | None = None) -> bool:
    """``AXES_WHITELIST_CALLABLE``: is this a device the user signed in on before?

    A successful sign-in leaves a signed cookie naming the user; failures from a device
    carrying it for that username are not counted towards, nor stopped by, the
    (username, IP) lockout. So a room guessing behind the shared IP locks only
    devices the staff member never used, never their own phone or laptop.
    """
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    value = request.COOKIES.get(STAFF_DEVICE_COOKIE, "")
    if not username or not value:
        return False
    try:
        known = signing.loads(value, salt=STAFF_DEVICE_SALT, max_age=STAFF_DEVICE_MAX_AGE)
    except signing.BadSignature:
        return False
    return isinstance(known, list) and username.casefold() in known


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def form_valid(self, form):
        """Remember this device for the sign-in lockout; a staff member with a second
        factor is not signed in yet: the code comes next."""
        user = form.get_user()
        if two_factor.has_second_factor(user):
            response = account.start_second_step(
                self.request, user, user.backend, self.get_redirect_url()
            )
        else:
            response = super().form_valid(form)
        known = []
        with contextlib.suppress(signing.BadSignature):
            known = signing.loads(
                self.request.COOKIES.get(STAFF_DEVICE_COOKIE, ""),
                salt=STAFF_DEVICE_SALT,
                max_age=STAFF_DEVICE_MAX_AGE,
            )
        username = user.get_username().casefold()
        known = [*[name for name in known if name != username][-4:], username]
        response.set_cookie(
            STAFF_DEVICE_COOKIE,
            signing.dumps(known, salt=STAFF_DEVICE_SALT),
            max_age=STAFF_DEVICE_MAX_AGE,
            path="/accounts/",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response
