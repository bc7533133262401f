"""Issue 12 item 8: two-factor sign-in for staff, required on workshops at risk.

Enrol from the account page (QR + key, confirm with a code, ten recovery codes shown
once); sign-in asks for the code after the password; a recovery code works once; a
workshop whose participants are at risk refuses unverified staff row-level reads and
exports (403 with guidance) and allows verified ones. Access: anonymous, wrong method.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from workshops.services import two_factor
from workshops.tests.report_factories import one_contribution

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # noqa: S105 - conftest's personas


def code(device: TOTPDevice, drift: int = 0) -> str:
    digits = totp(device.bin_key, device.step, device.t0, device.digits, drift)
    return str(digits).zfill(device.digits)


@pytest.fixture
def enrolled(organiser):
    """The organiser with a confirmed app and ten recovery codes."""
    device = two_factor.start_enrolment(user=organiser)
    codes = two_factor.confirm_enrolment(device=device, token=code(device))
    device.refresh_from_db()
    return device, codes


def _password_step(client: Client, user, next_url: str = ""):
    data = {"username": user.username, "password": PASSWORD}
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, data)


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# --- Enrolment ----------------------------------------------------------------------


def test_account_page_is_linked_from_the_staff_nav(client_for, organiser):
    page = client_for(organiser).get(reverse("workshops:dashboard")).content.decode()
    assert reverse("account") in page
    account = client_for(organiser).get(reverse("account"))
    assert account.status_code == 200
    assert reverse("two_factor_enrol") in account.content.decode()


def test_enrol_shows_a_qr_and_key_then_ten_recovery_codes_once(client_for, organiser):
    client = client_for(organiser)
    page = client.get(reverse("two_factor_enrol"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html
    device = TOTPDevice.objects.get(user=organiser, confirmed=False)
    assert page.context["secret"].replace(" ", "")  # the Base32 key to type by hand
    assert client.get(reverse("two_factor_enrol")).context["secret"] == page.context["secret"]

    done = client.post(reverse("two_factor_enrol"), {"code": code(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    for one in codes:
        assert one in done.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=organiser).count() == 10
    assert done["Cache-Control"] == "private, no-store"
    # The codes are not shown again: the account page says it is on.
    assert codes[0] not in client.get(reverse("account")).content.decode()


def test_enrol_refuses_a_wrong_code_and_keeps_the_device_unconfirmed(client_for, organiser):
    client = client_for(organiser)
    client.get(reverse("two_factor_enrol"))
    device = TOTPDevice.objects.get(user=organiser)
    wrong = str((int(code(device)) + 1) % 1_000_000).zfill(6)
    response = client.post(reverse("two_factor_enrol"), {"code": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert response.context["form"]["code"].value() == wrong
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticToken.objects.exists()


def test_enrol_refuses_letters_that_are_not_a_code(client_for, organiser):
    response = client_for(organiser).post(reverse("two_factor_enrol"), {"code": "<b>!"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]


# --- Sign-in --------------------------------------------------------------------------


def test_without_a_second_factor_the_password_signs_in(organiser):
    client = Client()
    assert _password_step(client, organiser).status_code == 302
    assert _signed_in(client)


def test_sign_in_asks_for_the_code_after_the_password(enrolled, organiser):
    device, _codes = enrolled
    client = Client()
    dashboard = reverse("workshops:dashboard")
    response = _password_step(client, organiser, next_url=dashboard)
    assert response.status_code == 302
    assert response["Location"] == reverse("login_verify")
    assert not _signed_in(client)
    assert client.get(dashboard).status_code == 302  # still anonymous

    assert client.get(reverse("login_verify")).status_code == 200
    response = client.post(reverse("login_verify"), {"code": code(device, drift=1)})
    assert response.status_code == 302
    assert response["Location"] == dashboard
    assert _signed_in(client)
    assert client.get(dashboard).status_code == 200


def test_a_wrong_code_is_a_form_error_and_does_not_sign_in(enrolled, organiser):
    device, _codes = enrolled
    client = Client()
    _password_step(client, organiser)
    wrong = str((int(code(device, drift=1)) + 1) % 1_000_000).zfill(6)
    response = client.post(reverse("login_verify"), {"code": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not _signed_in(client)


def test_a_recovery_code_signs_in_once(enrolled, organiser):
    _device, codes = enrolled
    first = Client()
    _password_step(first, organiser)
    assert first.post(reverse("login_verify"), {"code": codes[0]}).status_code == 302
    assert _signed_in(first)

    again = Client()
    _password_step(again, organiser)
    response = again.post(reverse("login_verify"), {"code": codes[0]})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not _signed_in(again)
    assert StaticToken.objects.filter(device__user=organiser).count() == 9


def test_the_code_step_without_a_password_step_goes_back_to_log_in(client):
    response = client.get(reverse("login_verify"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.post(reverse("login_verify"), {"code": "123456"}).status_code == 302


def test_the_code_step_does_not_follow_a_foreign_next(enrolled, organiser):
    device, _codes = enrolled
    client = Client()
    _password_step(client, organiser, next_url="https://evil.example/")
    response = client.post(reverse("login_verify"), {"code": code(device, drift=1)})
    assert response["Location"] == reverse("workshops:dashboard")


# --- Access to the new URLs --------------------------------------------------------------


@pytest.mark.parametrize("name", ["account", "two_factor_enrol"])
def test_account_pages_send_anonymous_visitors_to_log_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("name", "method"),
    [("account", "post"), ("account", "put"), ("two_factor_enrol", "put"), ("login_verify", "put")],
)
def test_account_pages_refuse_the_wrong_method(client_for, organiser, name, method):
    response = getattr(client_for(organiser), method)(reverse(name))
    assert response.status_code == 405


def test_outsider_enrols_only_themself(client_for, outsider, organiser):
    client = client_for(outsider)
    client.get(reverse("two_factor_enrol"))
    assert TOTPDevice.objects.filter(user=outsider).count() == 1
    assert not TOTPDevice.objects.filter(user=organiser).exists()


# --- Workshops whose participants are at risk -----------------------------------------------


@pytest.fixture
def at_risk(workshop, regions):
    one_contribution(workshop, regions)
    workshop.participants_at_risk = True
    workshop.save(update_fields=["participants_at_risk"])
    return workshop


def _row_url(name: str, workshop) -> str:
    return reverse(name, args=[workshop.slug])


@pytest.mark.parametrize("name", ["report:rows", "workshops:participants"])
def test_at_risk_workshop_refuses_unverified_organisers_with_guidance(
    client_for, organiser, at_risk, name
):
    response = client_for(organiser).get(_row_url(name, at_risk))
    assert response.status_code == 403
    html = response.content.decode()
    assert reverse("two_factor_enrol") in html
    assert response.templates[0].name == "registration/second_factor_required.html"


def test_at_risk_row_export_refuses_an_unverified_post(client_for, organiser, at_risk):
    data = {"fmt": "csv", "sources": ["note"], "purpose": "Coding the Gao notes"}
    response = client_for(organiser).post(_row_url("report:rows", at_risk), data)
    assert response.status_code == 403
    assert "attachment" not in response.get("Content-Disposition", "")


def test_enrolled_but_unverified_organiser_is_told_to_sign_in_again(
    client_for, enrolled, organiser, at_risk
):
    response = client_for(organiser).get(_row_url("report:rows", at_risk))  # force_login
    assert response.status_code == 403
    assert reverse("logout") in response.content.decode()


def test_at_risk_workshop_allows_verified_organisers(enrolled, organiser, at_risk):
    device, _codes = enrolled
    client = Client()
    _password_step(client, organiser)
    client.post(reverse("login_verify"), {"code": code(device, drift=1)})
    assert client.get(_row_url("report:rows", at_risk)).status_code == 200
    data = {"fmt": "csv", "sources": ["note"], "purpose": "Coding the Gao notes"}
    response = client.post(_row_url("report:rows", at_risk), data)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]


def test_at_risk_keeps_the_roles_outsider_404_viewer_403(client_for, outsider, viewer, at_risk):
    assert client_for(outsider).get(_row_url("report:rows", at_risk)).status_code == 404
    assert client_for(viewer).get(_row_url("report:rows", at_risk)).status_code == 403


def test_a_workshop_not_at_risk_needs_no_second_factor(client_for, organiser, workshop, regions):
    one_contribution(workshop, regions)
    assert client_for(organiser).get(_row_url("report:rows", workshop)).status_code == 200


def test_organiser_marks_the_workshop_at_risk_in_its_settings(client_for, organiser, workshop):
    form = client_for(organiser).get(reverse("workshops:workshop_edit", args=[workshop.slug]))
    assert "participants_at_risk" in form.context["form"].fields
