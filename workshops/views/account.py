"""A staff member's own account: enrol a second factor; the second sign-in step."""

from __future__ import annotations

import time
from base64 import b32encode

import segno
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token

from workshops.forms.account import OTPCodeForm
from workshops.services import two_factor

# The password was right; the second step must follow within this many seconds.
PENDING = "two_factor_pending"
PENDING_SECONDS = 300


@login_required
@require_http_methods(["GET"])
def account(request: HttpRequest) -> HttpResponse:
    context = {"has_second_factor": two_factor.has_second_factor(request.user)}
    return render(request, "registration/account.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    device = two_factor.start_enrolment(user=request.user)
    form = OTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_enrolment(device=device, token=form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, device)
            return render(request, "registration/recovery_codes.html", {"codes": codes})
        form.add_error("code", _("This code is not right. Check the time on your phone."))
    url = device.config_url
    context = {
        "form": form,
        "qr": segno.make(url, error="m").svg_inline(scale=4, omitsize=True, title=_("QR code")),
        "secret": _base32(device),
    }
    return render(request, "registration/enrol.html", context)


def _base32(device) -> str:
    """The key as authenticator apps type it (Base32), in groups of four."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def start_second_step(request: HttpRequest, user, backend: str, next_url: str) -> HttpResponse:
    """Called by the login view once the password is right: remember who, not signed in."""
    request.session[PENDING] = {
        "user": user.pk,
        "backend": backend,
        "next": next_url,
        "at": int(time.time()),
    }
    return redirect("login_verify")


def _pending_user(request: HttpRequest):
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return user, pending


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    user, pending = _pending_user(request)
    if user is None:
        request.session.pop(PENDING, None)
        return redirect("login")
    form = OTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"])
        if device is not None:
            del request.session[PENDING]
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            next_url = pending.get("next") or ""
            if next_url and url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            ):
                return redirect(next_url)
            return redirect("workshops:dashboard")
        form.add_error("code", _("This code is not right, or it was already used."))
    return render(request, "registration/verify.html", {"form": form})
