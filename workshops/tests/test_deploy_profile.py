"""The production profile read as files: no Docker daemon here, so the Dockerfile,
compose file, Caddyfile and .env.example are checked by parsing them."""

import re
from pathlib import Path

import yaml

from workshops.views.events import STREAM_SECONDS

ROOT = Path(__file__).resolve().parents[2]


def settings_env_names() -> set[str]:
    source = (ROOT / "peaceexchange" / "settings.py").read_text()
    return set(re.findall(r'env\.\w+\(\s*"([A-Z][A-Z0-9_]*)"', source))


def env_example_names() -> set[str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return {line.split("=", 1)[0] for line in lines if re.match(r"^[A-Z][A-Z0-9_]*=", line)}


def test_settings_reads_are_found():
    assert {"DJANGO_ENV", "SECRET_KEY", "DATABASE_URL", "CACHE_URL", "STATICFILES_STORAGE"} <= (
        settings_env_names()
    )


def test_env_example_lists_every_setting_settings_py_reads():
    missing = settings_env_names() - env_example_names()
    assert not missing, f".env.example lacks {sorted(missing)}"


def test_compose_runs_two_app_servers_postgres_redis_and_caddy():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"web1", "web2", "db", "redis", "proxy", "migrate"} <= set(services)
    assert int(services["db"]["image"].split(":")[1]) >= 15
    assert services["redis"]["image"].startswith("redis:7")
    assert services["proxy"]["image"].startswith("caddy:")
    for web in ("web1", "web2"):
        environment = services[web]["environment"]
        assert environment["DJANGO_ENV"] == "production"
        assert environment["CACHE_URL"].startswith("redis://")
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert services[web]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    assert "healthcheck" in services["db"] and "healthcheck" in services["redis"]


def test_dockerfile_is_slim_non_root_collects_static_and_checks_health():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    assert re.search(r"^USER app$", dockerfile, re.MULTILINE)
    assert "collectstatic --noinput" in dockerfile
    assert re.search(r"HEALTHCHECK .*\n.*/healthz", dockerfile)
    assert '"--worker-class", "gthread"' in dockerfile


def test_caddyfile_limits_requests_and_compresses():
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "encode zstd gzip" in caddyfile
    assert re.search(r"request_body \{\s*max_size \d+MB", caddyfile)
    assert "reverse_proxy web1:8000 web2:8000" in caddyfile
    assert "timeouts" in caddyfile


def test_backup_script_uses_custom_format():
    script = (ROOT / "bin" / "backup").read_text()
    assert "pg_dump --format=custom" in script
    assert (ROOT / "bin" / "backup").stat().st_mode & 0o111


def test_phones_event_streams_run_on_uvicorn_behind_caddy_unbuffered():
    """The long streams of /j/CODE/events/ go to an ASGI server, never to gunicorn's
    threads; Caddy passes each event at once and lets a stream last its 10 minutes."""
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    events = services["events"]
    assert events["command"][:2] == ["uvicorn", "peaceexchange.asgi:application"]
    assert "8001" in events["command"]
    assert events["environment"]["CACHE_URL"].startswith("redis://")
    assert events["environment"]["CONN_MAX_AGE"] == "0"
    assert "events" in services["proxy"]["depends_on"]
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    block = re.search(r"handle @events \{(.*?)\n\t\}", caddyfile, re.DOTALL).group(1)
    assert "reverse_proxy events:8001" in block and "flush_interval -1" in block
    assert "encode" not in block
    assert re.search(r"@events path_regexp events \^/j/\[\^/\]\+/events/\$", caddyfile)
    write = re.search(r"write (\d+)m", caddyfile)
    assert write and int(write.group(1)) * 60 > STREAM_SECONDS
    assert "uvicorn==" in (ROOT / "requirements.txt").read_text()
