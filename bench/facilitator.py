"""Submit → visible-on-board latency with 100 simulated phones on loopback.

Starts gunicorn on 127.0.0.1 (port 8310) against a fresh database, then:
- 100 "phones" (threads) each send PHONE_SENDS contributions, a few seconds apart,
  through the capture endpoint (JSON, the same path the note-taker's page uses;
  the participant pages live on their own branch);
- a few "boards" (threads) poll the session board like htmx does, with the last
  version they saw: 204 when nothing changed, the new list otherwise.
Latency = from the moment a phone starts sending to the moment a board first
shows the text. Measured for a 1 s and a 2 s poll interval in the same run,
with the bare costs of an unchanged poll (204) and of a changed one (200) as
the baseline.

    .venv/bin/python bench/facilitator.py            # SQLite file in a temp dir
    # or on PostgreSQL (BENCH_DATABASE_URL, else DATABASE_URL):
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pe_bench \
        .venv/bin/python bench/facilitator.py
"""

from __future__ import annotations

import html
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PORT = int(os.environ.get("BENCH_PORT", "8310"))
PHONES = int(os.environ.get("BENCH_PHONES", "100"))
PHONE_SENDS = int(os.environ.get("BENCH_SENDS", "4"))
BOARDS = int(os.environ.get("BENCH_BOARDS", "3"))
GAP = (3.0, 9.0)  # seconds between two sends of one phone
MARK = re.compile(r"bench-(\d+)-(\d+)-(\d+)")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))
    return ordered[index]


def setup_database(url: str):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peaceexchange.settings")
    import django

    django.setup()
    import logging

    logging.getLogger("axes").setLevel(logging.WARNING)  # quiet the staff log-ins below
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_world(run: int):
    """A workshop, a session, staff logged in; returns the cookies and URLs."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from workshops.choices import Category, SessionStatus, StaffRole, WorkshopStatus
    from workshops.models import (
        BreakoutSession,
        Country,
        Organisation,
        Workshop,
        WorkshopMembership,
    )

    country, _ = Country.objects.get_or_create(code="ML", defaults={"name": "Mali"})
    organisation, _ = Organisation.objects.get_or_create(name="Bench network")
    stamp = f"{int(time.time())}-{run}"
    workshop = Workshop.objects.create(
        title=f"Bench {stamp}",
        slug=f"bench-{stamp}",
        start_date=dt.date.today(),
        end_date=dt.date.today(),
        country=country,
        organiser=organisation,
        status=WorkshopStatus.LIVE,
    )
    session = BreakoutSession.objects.create(
        workshop=workshop, title="Bench", focus=[Category.DRIVER], status=SessionStatus.OPEN
    )
    users = get_user_model().objects
    writer = users.create_user(username=f"bench-writer-{stamp}")
    reader = users.create_user(username=f"bench-reader-{stamp}")
    WorkshopMembership.objects.create(workshop=workshop, user=writer, role=StaffRole.NOTE_TAKER)
    WorkshopMembership.objects.create(workshop=workshop, user=reader, role=StaffRole.FACILITATOR)

    def cookie(user):
        client = Client()
        client.force_login(user)
        return client.cookies["sessionid"].value

    return {
        "writer": cookie(writer),
        "reader": cookie(reader),
        "capture": reverse("workshops:capture", args=[workshop.slug, session.pk]),
        "board": reverse("workshops:session_board", args=[workshop.slug, session.pk]),
    }


def request(url, cookie, *, data=None, headers=None):
    req = urllib.request.Request(url, data=data, headers={"Cookie": cookie, **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=15) as response:
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers


def run_scenario(base: str, world: dict, run: int, poll_every: float) -> dict:
    # A CSRF token for the phones' session (one note-taker session, many devices).
    _, page, headers = request(base + world["capture"], f"sessionid={world['writer']}")
    csrf = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", "")).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    writer_cookie = f"sessionid={world['writer']}; csrftoken={csrf}"

    sent_at: dict[str, float] = {}
    seen_at: dict[str, float] = {}
    submit_times: list[float] = []
    poll_204: list[float] = []
    poll_200: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    phones_done = threading.Event()

    def phone(n: int) -> None:
        rng = random.Random(n)
        time.sleep(rng.uniform(0, GAP[1]))
        for i in range(PHONE_SENDS):
            mark = f"bench-{run}-{n}-{i}"
            body = urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": token,
                    "client_id": mark,
                    "text": f"{mark} armed groups recruit young people",
                    "category": "driver",
                }
            ).encode()
            start = time.monotonic()
            with lock:
                sent_at[mark] = start
            status, _, _ = request(
                base + world["capture"],
                writer_cookie,
                data=body,
                headers={"Accept": "application/json"},
            )
            with lock:
                submit_times.append(time.monotonic() - start)
                if status not in (200, 201):
                    errors.append(f"submit {status}")
            time.sleep(rng.uniform(*GAP))

    def board(n: int) -> None:
        poll = world["board"]  # then the page's own poll URL (its hx-get), as htmx does
        reader = f"sessionid={world['reader']}"
        deadline = None
        while deadline is None or time.monotonic() < deadline:  # bounded after phones end
            if phones_done.is_set() and deadline is None:
                deadline = time.monotonic() + 2 * poll_every + 1
            start = time.monotonic()
            url = base + poll
            status, body, _ = request(url, reader, headers={"HX-Request": "true"})
            now = time.monotonic()
            with lock:
                if status == 204:
                    poll_204.append(now - start)
                elif status == 200:
                    poll_200.append(now - start)
                    found = re.search(r'hx-get="([^"]+)"', body)
                    poll = html.unescape(found.group(1)) if found else world["board"]
                    for match in MARK.finditer(body):
                        mark = match.group(0)
                        seen_at.setdefault(mark, now)
                else:
                    errors.append(f"poll {status}")
            time.sleep(max(0.0, poll_every - (time.monotonic() - start)))

    boards = [threading.Thread(target=board, args=(n,), daemon=True) for n in range(BOARDS)]
    phones = [threading.Thread(target=phone, args=(n,), daemon=True) for n in range(PHONES)]
    for thread in boards + phones:
        thread.start()
    for thread in phones:
        thread.join(timeout=120)
    phones_done.set()
    for thread in boards:
        thread.join(timeout=30)

    latencies = [seen_at[m] - sent_at[m] for m in sent_at if m in seen_at]
    return {
        "poll": poll_every,
        "sent": len(sent_at),
        "seen": len(latencies),
        "median": statistics.median(latencies) if latencies else float("nan"),
        "p95": percentile(latencies, 95),
        "max": max(latencies, default=float("nan")),
        "submit": statistics.median(submit_times) if submit_times else float("nan"),
        "p204": statistics.median(poll_204) if poll_204 else float("nan"),
        "p200": statistics.median(poll_200) if poll_200 else float("nan"),
        "n204": len(poll_204),
        "n200": len(poll_200),
        "errors": len(errors),
    }


def main() -> None:
    tmp = tempfile.mkdtemp(prefix="pe-bench-")
    url = (
        os.environ.get("BENCH_DATABASE_URL")
        or os.environ.get("DATABASE_URL")
        or f"sqlite:///{tmp}/bench.sqlite3"
    )
    setup_database(url)
    worlds = [make_world(run) for run in (1, 2)]
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false", "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "peaceexchange.wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            "2",
            "--threads",
            "16",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=None if os.environ.get("BENCH_VERBOSE") else subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{PORT}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        results = [
            run_scenario(base, worlds[0], 1, 1.0),
            run_scenario(base, worlds[1], 2, 2.0),
        ]
    finally:
        server.terminate()
        server.wait(timeout=15)
    engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(
        f"Facilitator board latency: {PHONES} phones × {PHONE_SENDS} sends, {BOARDS} boards, "
        f"gunicorn 2 workers × 16 threads, {engine}, {os.cpu_count()} CPUs"
    )
    header = (
        "| poll every | sent | seen | latency p50 | latency p95 | latency max "
        "| submit p50 | poll 204 p50 | poll 200 p50 | polls 204/200 | errors |"
    )
    print(header)
    print("|---" * 11 + "|")
    for r in results:
        print(
            f"| {r['poll']:.0f} s | {r['sent']} | {r['seen']} | {r['median']:.2f} s "
            f"| {r['p95']:.2f} s | {r['max']:.2f} s | {r['submit'] * 1000:.0f} ms "
            f"| {r['p204'] * 1000:.0f} ms | {r['p200'] * 1000:.0f} ms "
            f"| {r['n204']}/{r['n200']} | {r['errors']} |"
        )


if __name__ == "__main__":
    main()
