"""Venue laptop → network server: two instances in one run (two databases, ``manage.py``
in subprocesses with different ``DATABASE_URL``), a workshop moved as a bundle, the same
roll-up on both; importing it again adds nothing; a row changed here is a conflict,
reported and kept. SQLite files on the SQLite run, two PostgreSQL databases on the
PostgreSQL run."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from workshops.tests.deploy_servers import database_url

ROOT = Path(__file__).resolve().parents[2]
SLUG = "peace-exchange-bamako"
KEY = "venue laptop key 2026"

# Two instances in subprocesses take a minute or more: proven on PostgreSQL, as issue 17 asks.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]

# On the laptop: the demo, plus sources and a report draft with an edited version.
LAPTOP_EXTRAS = f"""
from pathlib import Path
from django.contrib.auth import get_user_model
from workshops.models import Interview, Region, RegionAlias, Workshop
from workshops.services.imports import import_acled
from workshops.services.interviews import sync_voice
from workshops.services.report import build_draft, save_section
from workshops.sources.acled import parse_acled
w = Workshop.objects.get(slug={SLUG!r})
gao = Region.objects.get(country=w.country, name="Gao")
RegionAlias.objects.create(workshop=w, alias="Timbuktu", region=Region.objects.get(
    country=w.country, name="Tombouctou"))
import_acled(workshop=w, parsed=parse_acled(Path({str(ROOT / "workshops/tests/data")!r},
    "acled_current.csv").read_bytes()))
interview = Interview.objects.create(workshop=w, date="2026-11-20", pseudonym="Aminata",
    region=gao, gender="woman", consent_noted=True, notes="Notes of the interview")
sync_voice(interview=interview)
draft = build_draft(workshop=w, language="en")
section = draft.sections.order_by("order").first()
save_section(section=section, body="Edited on the laptop.", user=get_user_model().objects.first())
"""

# On the server: other data first, so that its database ids differ from the laptop's.
SERVER_BEFORE = """
from workshops.models import Country, Organisation, Region
other = Country.objects.create(code="ZZ", name="Elsewhere")
Region.objects.create(country=other, name="Tamale")
Organisation.objects.create(name="Another network office", acronym="ANO", country=other)
"""

# The roll-up as the API serves it. Zones are named by their database id there: replaced
# by their names, which the two instances share (their ids differ on purpose).
ROLLUP = f"""
import json
from workshops.analysis.rollup import build_rollup
from workshops.api.rollup import rollup_data
from workshops.models import Workshop, Zone
zones = {{str(z.pk): "zone:" + z.name for z in Zone.objects.all()}}
def named(value, key=None):
    if isinstance(value, dict):
        return {{k: named(v, k) for k, v in value.items()}}
    if isinstance(value, list):
        return [named(v, key) for v in value]
    if key in ("key", "group", "compared_with") and value in zones:
        return zones[value]
    return value
rollup = build_rollup(Workshop.objects.get(slug={SLUG!r}), language="en")
print("ROLLUP " + json.dumps(named(rollup_data(rollup)), sort_keys=True))
"""

COUNTS = f"""
import json
from workshops.models import (AcledEvent, BreakoutSession, Contribution, Interview,
    Participant, RegionAlias, ReportSection, SectionVersion, Vote, Workshop)
w = Workshop.objects.get(slug={SLUG!r})
print("COUNTS " + json.dumps({{
    "sessions": BreakoutSession.objects.filter(workshop=w).count(),
    "participants": Participant.objects.filter(workshop=w).count(),
    "contributions": Contribution.objects.filter(workshop=w).count(),
    "themes": Contribution.themes.through.objects.filter(contribution__workshop=w).count(),
    "votes": Vote.objects.filter(contribution__workshop=w).count(),
    "interviews": Interview.objects.filter(workshop=w).count(),
    "acled": AcledEvent.objects.filter(workshop=w).count(),
    "aliases": RegionAlias.objects.filter(workshop=w).count(),
    "sections": ReportSection.objects.filter(draft__workshop=w).count(),
    "versions": SectionVersion.objects.filter(section__draft__workshop=w).count(),
    "version_bodies": sorted(SectionVersion.objects.filter(section__draft__workshop=w)
        .values_list("section__key", "number", "body")),
}}, sort_keys=True))
"""

CHANGE_ON_SERVER = f"""
from workshops.models import Contribution
c = Contribution.objects.filter(workshop__slug={SLUG!r}).order_by("client_id").first()
Contribution.objects.filter(pk=c.pk).update(text="Reworded on the server")
print("CHANGED " + c.client_id)
"""


class Instance:
    def __init__(self, url: str):
        self.url = url

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        env = {**os.environ, "DATABASE_URL": self.url, "LOG_LEVEL": "ERROR"}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        return subprocess.run(
            [
                sys.executable,
                "manage.py",
                *args,
                *(["--language", "en"] if "_bundle" in args[0] else []),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=check,
            timeout=240,
        )

    def shell(self, code: str, marker: str | None = None):
        out = self.run("shell", "-c", code).stdout
        if marker is None:
            return out
        line = next(line for line in out.splitlines() if line.startswith(marker + " "))
        return line[len(marker) + 1 :]


@pytest.fixture
def instances(tmp_path):
    """Two empty, migrated instances: the laptop and the server."""
    if connection.vendor == "postgresql":
        base = connection.settings_dict["NAME"]
        names = [f"{base}_laptop", f"{base}_server"]
        admin = database_url(connection.settings_dict, "postgres")
        for name in names:
            subprocess.run(["dropdb", "--if-exists", "--maintenance-db", admin, name], check=True)
        subprocess.run(["createdb", "--maintenance-db", admin, names[0]], check=True)
        laptop = Instance(database_url(connection.settings_dict, names[0]))
        laptop.run("migrate", "-v0")
        # The server starts as a copy of the migrated, empty laptop database (no
        # connection to it is left open).
        subprocess.run(
            ["createdb", "--maintenance-db", admin, "-T", names[0], names[1]], check=True
        )
        yield laptop, Instance(database_url(connection.settings_dict, names[1]))
        for name in names:
            subprocess.run(["dropdb", "--if-exists", "--maintenance-db", admin, name], check=True)
    else:
        laptop_file, server_file = tmp_path / "laptop.sqlite3", tmp_path / "server.sqlite3"
        laptop = Instance(f"sqlite:///{laptop_file}")
        laptop.run("migrate", "-v0")
        shutil.copyfile(laptop_file, server_file)
        yield laptop, Instance(f"sqlite:///{server_file}")


def _added(output: str) -> int:
    return int(re.search(r"(\d+) rows? added", output).group(1))


def test_a_workshop_moves_from_the_laptop_to_the_server_with_the_same_rollup(instances, tmp_path):
    laptop, server = instances
    laptop.run("seed_demo")
    laptop.shell(LAPTOP_EXTRAS)
    server.shell(SERVER_BEFORE)
    bundle = tmp_path / "bamako.pxbundle"
    key_file = tmp_path / "key.txt"
    key_file.write_text(KEY + "\n", encoding="utf-8")

    laptop.run("export_bundle", SLUG, "--key-file", str(key_file), "-o", str(bundle),
               "--purpose", "move the workshop to the network server")  # fmt: skip
    assert bundle.read_bytes().startswith(b"PXBUNDLE")
    assert b"Secret" not in bundle.read_bytes() and b"Bamako" not in bundle.read_bytes()

    first = server.run("import_bundle", str(bundle), "--key", KEY).stdout
    assert "created" in first and "conflict" not in first
    assert _added(first) > 500

    expected_counts = json.loads(laptop.shell(COUNTS, "COUNTS"))
    assert expected_counts["interviews"] == 1 and expected_counts["acled"] > 0
    assert ["Edited on the laptop." in v[2] for v in expected_counts["version_bodies"]].count(
        True
    ) == 1
    assert json.loads(server.shell(COUNTS, "COUNTS")) == expected_counts
    laptop_rollup = json.loads(laptop.shell(ROLLUP, "ROLLUP"))
    assert laptop_rollup["contributions"] > 100
    assert json.loads(server.shell(ROLLUP, "ROLLUP")) == laptop_rollup

    # Again: nothing added, nothing in conflict.
    again = server.run("import_bundle", str(bundle), "--key", KEY).stdout
    assert _added(again) == 0 and "0 links added" in again and "conflict" not in again
    assert json.loads(server.shell(COUNTS, "COUNTS")) == expected_counts

    # A contribution reworded on the server: reported, and the server's wording stays.
    client_id = server.shell(CHANGE_ON_SERVER, "CHANGED")
    third = server.run("import_bundle", str(bundle), "--key", KEY).stdout
    assert "1 conflict" in third
    assert re.search(r"Contribution “peace-exchange-bamako / " + re.escape(client_id), third)
    assert "differs in text;" in third
    assert _added(third) == 0
    text = server.shell(
        "from workshops.models import Contribution; print('TEXT ' + Contribution.objects"
        f".get(client_id={client_id!r}).text)",
        "TEXT",
    )
    assert text == "Reworded on the server"

    wrong = server.run("import_bundle", str(bundle), "--key", "not the right key", check=False)
    assert wrong.returncode != 0
    assert "The key is wrong" in wrong.stderr
