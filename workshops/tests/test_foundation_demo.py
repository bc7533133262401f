"""The Bamako demo: it loads, it is idempotent, and it shows the report's findings."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from workshops.models import Contribution, Participant, Theme, Vote, Workshop


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_loads_the_demo_and_prints_the_logins_and_join_code(db):
    output = _seed()
    workshop = Workshop.objects.get(slug="peace-exchange-bamako")
    assert workshop.join_code == "PAXM47"
    assert "http://127.0.0.1:8000/" in output
    assert "peace-demo-2026" in output
    for username in ["organiser", "facilitator", "notetaker", "viewer", "admin"]:
        assert username in output
    assert "PAXM47" in output and "/j/PAXM47/" in output
    assert Participant.objects.filter(workshop=workshop).count() == 20
    assert Contribution.objects.filter(workshop=workshop).count() >= 150
    assert Theme.objects.filter(workshop=None).count() == 37


def test_seed_demo_twice_changes_nothing(db):
    _seed()
    models = [Workshop, Participant, Contribution, Vote, Theme, Contribution.history.model]
    before = {m: m.objects.count() for m in models}
    output = _seed()
    assert {m: m.objects.count() for m in models} == before
    assert "unchanged" in output


def test_seed_demo_refuses_to_run_in_production(db, settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        _seed()
    assert not Workshop.objects.exists()


def test_seed_demo_prints_links_for_the_port_make_run_was_given(db, monkeypatch):
    monkeypatch.setenv("PORT", "8101")
    output = _seed()
    assert "http://127.0.0.1:8101/j/PAXM47/" in output
    assert "Organiser" in output


def test_seed_demo_accounts_log_in_with_the_printed_password(db, django_user_model):
    _seed()
    for username in ["organiser", "facilitator", "notetaker", "viewer", "admin"]:
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": username, "password": "peace-demo-2026"}
        )
        assert response.status_code == 302, username
        user = django_user_model.objects.get(username=username)
        assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/admin/workshops/workshop/").status_code == 200


def test_demo_staff_hold_their_roles_in_the_demo_workshop(db):
    _seed()
    workshop = Workshop.objects.get(slug="peace-exchange-bamako")
    roles = dict(workshop.memberships.values_list("user__username", "role"))
    assert roles == {
        "organiser": "organiser",
        "facilitator": "facilitator",
        "notetaker": "note_taker",
        "viewer": "viewer",
    }
    assert workshop.status == "live"
    assert {s.title for s in workshop.sessions.all()} and all(
        s.staff.filter(username="notetaker").exists() for s in workshop.sessions.all()
    )
