"""Production settings for a room's load: staff sessions are read from Redis and written
through to the database (``cached_db``), and each app process keeps a psycopg pool. A
sign-out on one app server ends the session on the other at once."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from workshops.tests.deploy_servers import (
    SECRET_KEY,
    database_url,
    gunicorn_servers,
    redis_available,
)
from workshops.tests.test_deploy_two_servers import Phone
from workshops.tests.test_settings import PRODUCTION_ENV, ROOT

PORTS = (8173, 8174)


def _settings(**env) -> dict[str, str]:
    """Session engine and database options as ``peaceexchange/settings.py`` sets them."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    full_env.update(env)
    code = (
        "from django.conf import settings; d = settings.DATABASES['default']; "
        "print(settings.SESSION_ENGINE, d['OPTIONS'].get('pool'), d.get('CONN_MAX_AGE'), "
        "d.get('CONN_HEALTH_CHECKS'), sep='|')"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**full_env, "DJANGO_SETTINGS_MODULE": "peaceexchange.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    engine, pool, max_age, checks = result.stdout.strip().splitlines()[-1].split("|")
    return {"engine": engine.rsplit(".", 1)[1], "pool": pool, "max_age": max_age, "checks": checks}


POSTGRES = "postgres://postgres@127.0.0.1:5432/peace"


def test_production_pools_connections_and_reads_staff_sessions_from_the_shared_cache():
    found = _settings(**PRODUCTION_ENV, DATABASE_URL=POSTGRES)
    assert found["engine"] == "cached_db"
    assert found["pool"] == "{'min_size': 2, 'max_size': 20}"
    # Django's default: no persistent connection beside the pool, no SELECT 1 per request
    assert found["max_age"] == "0"
    assert found["checks"] == "False"


def test_production_may_turn_the_pool_off_for_persistent_checked_connections():
    found = _settings(**PRODUCTION_ENV, DATABASE_URL=POSTGRES, DATABASE_POOL="false")
    assert (found["pool"], found["max_age"], found["checks"]) == ("None", "60", "True")


def test_a_local_memory_cache_keeps_sessions_in_the_database_only():
    """A per-process cache would keep a signed-out session alive in the other processes."""
    found = _settings(DATABASE_URL=POSTGRES)
    assert (found["engine"], found["pool"]) == ("db", "None")


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.skipif(not redis_available(), reason="needs Redis on 127.0.0.1:6379")
@pytest.mark.django_db(transaction=True)
def test_signing_out_on_one_server_ends_the_staff_session_on_the_other(facilitator, settings):
    settings.SECRET_KEY = SECRET_KEY  # the session is signed with the servers' key
    staff = Client()
    staff.force_login(facilitator)
    browser = Phone({"sessionid": staff.cookies["sessionid"].value})
    dashboard = reverse("workshops:dashboard")
    with gunicorn_servers(database_url(connection.settings_dict), PORTS) as (first, second):
        for base in (first, second, first, second):  # both servers now hold it in Redis
            status, page = browser.request(base + dashboard)
            assert status == 200 and 'name="password"' not in page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        browser.request(first + reverse("logout"), data={"csrfmiddlewaretoken": token})
        status, page = browser.request(second + dashboard)
        assert 'name="password"' in page  # the sign-in page, after the redirect
