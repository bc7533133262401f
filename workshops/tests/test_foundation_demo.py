"""The Bamako demo: it loads, it is idempotent, and it shows the report's findings."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

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
