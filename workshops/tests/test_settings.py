"""The project's foundations: security headers, production checks, logging, landing page."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from scipy.stats import boschloo_exact

from workshops.logging import LibraryChatterFilter, RedactFilter

ROOT = Path(__file__).resolve().parents[2]


def test_home_page_offers_join_and_staff_login(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert b'name="code"' in response.content
    assert reverse("login").encode() in response.content


def test_every_page_has_a_strict_content_security_policy(client, db):
    response = client.get(reverse("home"))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"


def test_home_page_has_no_inline_script_or_style(client, db):
    html = client.get(reverse("home")).content.decode()
    assert "<script>" not in html
    assert "<style" not in html
    assert " style=" not in html


def test_home_page_is_in_french_by_default(client, db, settings):
    settings.LANGUAGE_CODE = "fr"
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="")
    assert response.status_code == 200
    assert b"Rejoindre" in response.content


def _manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k3$Zp9!qLw2@Xr7^Tn5&Vb8*Hm4(Jd6)Fs1-Gc0=Ya" * 2,
    "ALLOWED_HOSTS": "peace.example.org",
    "CACHE_URL": "redis://127.0.0.1:6379/5",
}


def test_production_settings_pass_the_deploy_check():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("cache_url", [None, "locmemcache://peaceexchange", "dummycache://"])
def test_production_refuses_to_start_without_a_shared_cache(cache_url):
    """Issue 12 item 5: per-process rate limits multiply by the number of workers."""
    env = {**PRODUCTION_ENV}
    del env["CACHE_URL"]
    if cache_url:
        env["CACHE_URL"] = cache_url
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "workshops.E001" in result.stderr


def test_development_does_not_need_a_shared_cache():
    result = _manage("check", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_the_development_secret_key():
    env = {**PRODUCTION_ENV}
    del env["SECRET_KEY"]
    result = _manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    result = _manage("check", **PRODUCTION_ENV, DEBUG="true")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


@pytest.mark.parametrize(
    ("message", "secret"),
    [
        ('"GET /j/ACD479/ HTTP/1.1" 200 1234', "ACD479"),
        ("Not Found: /j/qwerty/consent/", "qwerty"),
        ('"POST /j/?code=XYZ123 HTTP/1.1"', "XYZ123"),
    ],
)
def test_logs_never_contain_join_codes(message, secret):
    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, message, (), None)
    RedactFilter().filter(record)
    assert secret not in record.getMessage()


def test_health_check_answers(client, db):
    assert client.get(reverse("healthz")).json() == {"status": "ok", "cache": "ok"}


def test_scipy_chatter_on_the_root_logger_is_dropped(caplog):
    """scipy's Boschloo test logs its optimiser's internals at INFO on the root logger."""
    with caplog.at_level(logging.INFO):
        boschloo_exact([[3, 7], [8, 2]])
    chatter = [r for r in caplog.records if "scipy" in r.pathname]
    assert chatter, "scipy no longer logs: this filter can go"
    assert not any(LibraryChatterFilter().filter(r) for r in chatter)
    ours = logging.LogRecord("workshops", logging.INFO, __file__, 1, "kept", (), None)
    assert LibraryChatterFilter().filter(ours)
