"""Start production app servers (gunicorn, ``DJANGO_ENV=production``) on loopback for
the deploy tests and the rooms benchmark: PostgreSQL from the caller, Redis DB 7."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/7"
SECRET_KEY = "deploy-tests-only-" + "k" * 48  # loopback test servers only
# What Caddy adds in front of the app servers: the request came over HTTPS.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
GUNICORN = (sys.executable, "-m", "gunicorn", "peaceexchange.wsgi:application")
GUNICORN += ("--worker-class", "gthread", "--timeout", "60")


def redis_available(url: str = REDIS_URL) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def database_url(settings_dict: dict, name: str | None = None) -> str:
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{name or settings_dict['NAME']}"


def production_env(database: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database,
        "CACHE_URL": REDIS_URL,
        # collectstatic is not run for tests: plain storage, same pages.
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def wait_healthy(base: str, *, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    request = urllib.request.Request(base + "/healthz", headers=PROXY_HEADERS)
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{base} did not become healthy in {seconds:.0f} s")


@contextlib.contextmanager
def gunicorn_servers(
    database: str,
    ports: Sequence[int],
    *,
    workers: int = 1,
    threads: int = 8,
    root: Path = ROOT,
    **extra: str,
) -> Iterator[list[str]]:
    """Gunicorn instances (gthread) on ``ports``; yields their base URLs; always stops them.
    ``root``: the tree they run (a benchmark's baseline runs an older commit's)."""
    env = production_env(database, **extra)
    servers = [
        subprocess.Popen(
            [*GUNICORN, f"--bind=127.0.0.1:{port}", f"--workers={workers}", f"--threads={threads}"],
            cwd=root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for base in bases:
            wait_healthy(base)
        yield bases
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=5)


# The phones' event streams (/j/CODE/events/) run on uvicorn, as in compose's ``events``
# service: the same settings, CONN_MAX_AGE=0 (an ASGI process keeps no connection).
UVICORN = (sys.executable, "-m", "uvicorn", "peaceexchange.asgi:application")
UVICORN += ("--no-access-log", "--timeout-graceful-shutdown", "2")


@contextlib.contextmanager
def uvicorn_server(database: str, port: int, **extra: str) -> Iterator[str]:
    """One uvicorn process on ``port``; yields its base URL; always stops it."""
    env = production_env(database, DATABASE_POOL="false", CONN_MAX_AGE="0", **extra)
    server = subprocess.Popen(
        [*UVICORN, "--host=127.0.0.1", f"--port={port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)
