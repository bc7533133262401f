"""Join codes, the landing page's join form, staff log-in with lock-outs, the dashboard."""

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from model_bakery import baker

from conftest import PASSWORD
from workshops.models import Workshop
from workshops.models.core import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    generate_join_code,
    normalise_join_code,
)

# --- join codes ---------------------------------------------------------------------


def test_join_codes_use_only_the_unambiguous_alphabet():
    assert JOIN_CODE_LENGTH >= 6
    assert not set(JOIN_CODE_ALPHABET) & set("0O1IL2Z5S8B")
    codes = [generate_join_code() for _ in range(500)]
    assert all(len(code) == JOIN_CODE_LENGTH for code in codes)
    assert set("".join(codes)) <= set(JOIN_CODE_ALPHABET)
    assert len(set(codes)) > 490, "codes must be random"


def test_a_new_workshop_gets_a_valid_unique_join_code(workshop, other_workshop):
    for item in (workshop, other_workshop):
        assert len(item.join_code) >= 6
        assert set(item.join_code) <= set(JOIN_CODE_ALPHABET)
    assert workshop.join_code != other_workshop.join_code
    with pytest.raises(IntegrityError), transaction.atomic():
        Workshop.objects.filter(pk=other_workshop.pk).update(join_code=workshop.join_code)


@pytest.mark.parametrize("typed", ["paxm47", "PAXM47", " pax-m47 ", "Pax M47"])
def test_join_codes_are_case_insensitive_and_ignore_spaces_and_dashes(typed):
    assert normalise_join_code(typed) == "PAXM47"


def test_workshop_clean_normalises_the_join_code(workshop):
    workshop.join_code = "paxm-47"
    workshop.clean()
    assert workshop.join_code == "PAXM47"


# --- landing page -------------------------------------------------------------------


def test_home_page_join_form_sends_a_valid_code_to_the_workshop(client, workshop):
    typed = workshop.join_code.lower()[:3] + " " + workshop.join_code.lower()[3:]
    response = client.post(reverse("participant:join"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/j/{workshop.join_code}/"
    assert workshop.title in client.get(response["Location"]).content.decode()


def test_home_page_join_form_refuses_an_unknown_code_in_french(client, workshop, settings):
    settings.LANGUAGE_CODE = "fr"
    response = client.post(
        reverse("participant:join"), {"code": "qqqq99"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 400  # the form again, with its error
    html = response.content.decode()
    assert "Aucun atelier" in html
    assert 'value="qqqq99"' in html, "the typed code is shown again"


def test_home_page_join_form_refuses_an_empty_code(client, db):
    response = client.post(reverse("participant:join"), {"code": ""}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "errorlist" in response.content.decode()


def test_home_page_links_to_the_staff_log_in_or_to_the_dashboard(client, organiser):
    assert reverse("login") in client.get(reverse("home")).content.decode()
    client.force_login(organiser)
    assert reverse("workshops:dashboard") in client.get(reverse("home")).content.decode()


# --- staff log-in and dashboard -----------------------------------------------------


def _log_in(client, username, password, ip="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_login_page_shows_the_form(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html and 'name="password"' in html


def test_staff_log_in_and_land_on_their_workshops(client, organiser, workshop, other_workshop):
    response = _log_in(client, "olivia", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("workshops:dashboard")
    html = client.get(response["Location"]).content.decode()
    assert workshop.title in html
    assert other_workshop.title not in html


def test_a_wrong_password_is_refused_with_the_form_again(client, organiser):
    response = _log_in(client, "olivia", "wrong")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_dashboard_needs_a_log_in(client, db):
    response = client.get(reverse("workshops:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_dashboard_says_so_when_there_is_no_workshop(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("newcomer"))
    response = client.get(reverse("workshops:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert "not on the staff of any workshop" in response.content.decode()


def test_lockout_hits_one_username_on_one_ip_not_the_whole_room(
    client, organiser, facilitator, workshop
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, "olivia", "wrong", ip="10.0.0.1")
    locked = _log_in(client, "olivia", PASSWORD, ip="10.0.0.1")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # Someone else in the same room (same IP) still logs in.
    neighbour = _log_in(client, "fatou", PASSWORD, ip="10.0.0.1")
    assert neighbour.status_code == 302
    assert client.session["_auth_user_id"] == str(facilitator.pk)
    # The same person from another network is not locked either.
    client.logout()
    elsewhere = _log_in(client, "olivia", PASSWORD, ip="10.9.9.9")
    assert elsewhere.status_code == 302


def test_others_behind_the_room_ip_cannot_lock_staff_out_of_a_known_device(organiser, workshop):
    """Issue 12 item 7: two clients behind one IP; the attacker fails, the owner signs in."""
    owner, attacker = Client(), Client()
    assert _log_in(owner, "olivia", PASSWORD, ip="10.0.0.1").status_code == 302
    device = owner.cookies["pe_staff_device"].value
    owner.logout()  # the test client forgets every cookie; a browser keeps this one
    owner.cookies["pe_staff_device"] = device
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        _log_in(attacker, "olivia", "wrong", ip="10.0.0.1")
    assert _log_in(attacker, "olivia", PASSWORD, ip="10.0.0.1").status_code == 429
    # an unknown device on that IP stays locked; a forged cookie does not help
    stranger = Client()
    stranger.cookies["pe_staff_device"] = "forged"
    assert _log_in(stranger, "olivia", PASSWORD, ip="10.0.0.1").status_code == 429
    # the staff member's known device still signs in from the same IP
    assert _log_in(owner, "olivia", PASSWORD, ip="10.0.0.1").status_code == 302
    assert owner.session["_auth_user_id"] == str(organiser.pk)


def test_the_lockout_page_is_translated(client, organiser, settings):
    settings.LANGUAGE_CODE = "fr"
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, "olivia", "wrong")
    response = client.post(
        reverse("login"),
        {"username": "olivia", "password": "wrong"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 429
    assert "Trop" in response.content.decode()


def test_logout_is_a_post(client, organiser):
    client.force_login(organiser)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_dashboard_query_count_does_not_grow_with_workshops(
    client, organiser, country, organisation, django_assert_max_num_queries
):
    client.force_login(organiser)
    with django_assert_max_num_queries(8) as one:
        client.get(reverse("workshops:dashboard"))
    for i in range(10):
        extra = baker.make(
            Workshop,
            slug=f"extra-{i}",
            country=country,
            organiser=organisation,
            start_date="2026-01-01",
            end_date="2026-01-02",
        )
        extra.memberships.create(user=organiser, role="viewer")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("workshops:dashboard"))
    assert response.content.decode().count("/w/extra-") == 10
