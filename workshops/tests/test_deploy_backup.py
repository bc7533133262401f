"""Backups that restore: bin/backup dumps (pg_dump -Fc), pg_restore loads the dump into
a new database, and the restored instance computes the same roll-up release."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from workshops.analysis.rollup import build_rollup
from workshops.tests.report_factories import make_mali_like_workshop

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

FINGERPRINT = (
    "from workshops.analysis.rollup import build_rollup; from workshops.models import Workshop; "
    "print(build_rollup(Workshop.objects.get(slug='{slug}')).release.release.fingerprint())"
)


def database_url(name: str) -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name}"


@pytest.fixture
def restored_name():
    name = f"{connection.settings_dict['NAME']}_restored"
    drop = ["dropdb", "--if-exists", "--maintenance-db", database_url("postgres"), name]
    subprocess.run(drop, check=True, timeout=30)
    yield name
    subprocess.run(drop, check=True, timeout=30)


def test_a_dump_restores_into_a_new_database_with_the_same_rollup(
    workshop, regions, restored_name, tmp_path
):
    make_mali_like_workshop(workshop, regions)
    expected = build_rollup(workshop).release.release.fingerprint()

    env = {**os.environ, "BACKUP_DIR": str(tmp_path)}
    dump = subprocess.run(
        [ROOT / "bin" / "backup", database_url(connection.settings_dict["NAME"])],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.strip()
    assert Path(dump).stat().st_size > 0

    subprocess.run(
        ["createdb", "--maintenance-db", database_url("postgres"), restored_name],
        check=True,
        timeout=30,
    )
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "-d", database_url(restored_name), dump],
        check=True,
        timeout=120,
    )

    restored_env = {**os.environ, "DATABASE_URL": database_url(restored_name), "LOG_LEVEL": "ERROR"}
    restored_env.pop("DJANGO_SETTINGS_MODULE", None)
    found = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", FINGERPRINT.format(slug=workshop.slug)],
        cwd=ROOT,
        env=restored_env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.strip()
    assert found.splitlines()[-1] == expected
