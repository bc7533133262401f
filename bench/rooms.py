"""N rooms at once on one small server: two gunicorn app servers (production settings),
PostgreSQL and Redis, on loopback.

Each room: 180 phones join (the contribute page) and send 10 contributions each, spread
over ``BENCH_DURATION`` seconds; 6 boards poll every second (the htmx ``?v=`` poll);
one person reloads the roll-up every 5 s. Requests go round-robin to the two servers,
as the proxy does. Latency is measured from each request's *scheduled* time, so a
client that falls behind counts as slow (no coordinated omission).

Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/pe_deploy_bench .venv/bin/python
bench/rooms.py 1 10`` (the room counts to run; the first is the baseline). Needs Redis
on 127.0.0.1:6379 (DB 7). Prints a Markdown table for bench/results/rooms.md.
"""

from __future__ import annotations

import http.client
import itertools
import os
import re
import sys
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PHONES = int(os.environ.get("BENCH_PHONES", "180"))
SENDS = int(os.environ.get("BENCH_SENDS", "10"))
BOARDS = int(os.environ.get("BENCH_BOARDS", "6"))
DURATION = float(os.environ.get("BENCH_DURATION", "45"))
PHONE_THREADS = int(os.environ.get("BENCH_PHONE_THREADS", "8"))  # per room
PORTS = (8181, 8182)
TEXT = "Les jeunes sans emploi sont recrutés par les groupes armés. Contribution {}."


def setup_django() -> None:
    from workshops.tests.deploy_servers import SECRET_KEY

    os.environ["SECRET_KEY"] = SECRET_KEY  # staff sessions signed as the servers sign them
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peaceexchange.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def make_room(index: int) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from bench.participant import make_workshop
    from workshops.choices import StaffRole
    from workshops.models import Participant, WorkshopMembership

    workshop, session, tokens = make_workshop(PHONES)
    Participant.objects.filter(workshop=workshop).update(consent_at=timezone.now())
    user = get_user_model().objects.create_user(username=f"bench-{uuid.uuid4().hex[:10]}")
    WorkshopMembership.objects.create(workshop=workshop, user=user, role=StaffRole.FACILITATOR)
    client = Client()
    client.force_login(user)
    return {
        "session_path": f"/p/{workshop.join_code}/s/{session.pk}/",
        "board_path": f"/staff/{workshop.slug}/sessions/{session.pk}/board/",
        "rollup_path": f"/staff/{workshop.slug}/rollup/",
        "tokens": tokens,
        "staff": client.cookies["sessionid"].value,
        "workshop": workshop,
        "session": session,
    }


def resolve_paths(room: dict) -> None:
    from django.urls import reverse

    from workshops.tests.participant_factories import session_url

    room["session_path"] = session_url(room["session"])
    room["board_path"] = reverse(
        "workshops:session_board", args=[room["workshop"].slug, room["session"].pk]
    )
    room["rollup_path"] = reverse("report:rollup", args=[room["workshop"].slug])


class Client:
    """Keep-alive connections to both servers; round-robin like the proxy."""

    def __init__(self, ports, cookies: dict[str, str]):
        self.ports = itertools.cycle(ports)
        self.connections: dict[int, http.client.HTTPConnection] = {}
        self.cookies = dict(cookies)

    def request(self, method, path, *, body=None, headers=None):
        port = next(self.ports)
        all_headers = {
            "X-Forwarded-Proto": "https",
            "Origin": f"https://127.0.0.1:{port}",
            "Host": f"127.0.0.1:{port}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            **(headers or {}),
        }
        if body is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            conn = self.connections.get(port)
            if conn is None:
                conn = self.connections[port] = http.client.HTTPConnection(
                    "127.0.0.1", port, timeout=30
                )
            try:
                conn.request(method, path, body=body, headers=all_headers)
                response = conn.getresponse()
                text = response.read().decode()
                break
            except (http.client.HTTPException, OSError):
                conn.close()
                self.connections.pop(port, None)
                if attempt == 2:
                    raise
        for header in response.msg.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        return response.status, text


def wait_until(moment: float) -> None:
    delay = moment - time.monotonic()
    if delay > 0:
        time.sleep(delay)


def run_rooms(rooms: list[dict], ports) -> dict:
    from django.conf import settings

    results = {"send": [], "board": [], "rollup": [], "join": [], "errors": 0, "samples": []}
    lock = threading.Lock()
    start = time.monotonic() + 2
    stop = start + DURATION

    def record(kind, scheduled, ok, status=None):
        elapsed = time.monotonic() - scheduled
        with lock:
            results[kind].append(elapsed)
            if not ok:
                results["errors"] += 1
                if len(results["samples"]) < 5:
                    results["samples"].append((kind, status))

    def phones(room, worker):
        # phone i (of this worker's share): join at a spread time, then 10 sends
        mine = room["tokens"][worker::PHONE_THREADS]
        plan = []
        gap = DURATION / (SENDS + 1)
        for n, token in enumerate(mine):
            offset = (n / max(len(mine), 1)) * gap
            plan.append((start + offset, token, "join", 0))
            for k in range(SENDS):
                plan.append((start + offset + gap * (k + 1), token, "send", k))
        plan.sort(key=lambda item: item[0])
        clients, csrf = {}, {}
        for scheduled, token, kind, k in plan:
            wait_until(scheduled)
            client = clients.setdefault(
                token, Client(ports, {settings.PARTICIPANT_COOKIE_NAME: token})
            )
            try:
                if kind == "join":
                    status, page = client.request("GET", room["session_path"])
                    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
                    csrf[token] = match.group(1) if match else ""
                    record("join", scheduled, status == 200 and bool(match), status)
                else:
                    body = urllib.parse.urlencode(
                        {
                            "csrfmiddlewaretoken": csrf.get(token, ""),
                            "client_id": uuid.uuid4().hex,
                            "category": "driver",
                            "horizon": "long_term",
                            "text": TEXT.format(k),
                        }
                    )
                    status, _ = client.request(
                        "POST",
                        room["session_path"],
                        body=body,
                        headers={"X-Requested-With": "outbox"},
                    )
                    record("send", scheduled, status == 201, status)
            except OSError as error:
                record(kind, scheduled, False, type(error).__name__)

    def board(room, index):
        client = Client(ports, {"sessionid": room["staff"]})
        version = ""
        scheduled = start + index / BOARDS
        htmx = {"HX-Request": "true"}
        while scheduled < stop:
            wait_until(scheduled)
            path = room["board_path"] + (f"?v={version}" if version else "")
            try:
                status, body = client.request("GET", path, headers=htmx)
                if status == 200:
                    found = re.search(r'hx-get="[^"]*v=([0-9a-f]+)"', body)
                    version = found.group(1) if found else version
                record("board", scheduled, status in (200, 204), status)
            except OSError as error:
                record("board", scheduled, False, type(error).__name__)
            scheduled += 1.0

    def rollup(room):
        client = Client(ports, {"sessionid": room["staff"]})
        scheduled = start + 1
        while scheduled < stop:
            wait_until(scheduled)
            try:
                status, _ = client.request("GET", room["rollup_path"])
                record("rollup", scheduled, status == 200, status)
            except OSError as error:
                record("rollup", scheduled, False, type(error).__name__)
            scheduled += 5.0

    threads = []
    for room in rooms:
        threads += [threading.Thread(target=phones, args=(room, w)) for w in range(PHONE_THREADS)]
        threads += [threading.Thread(target=board, args=(room, b)) for b in range(BOARDS)]
        threads.append(threading.Thread(target=rollup, args=(room,)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=DURATION * 4 + 60)
    results["wall"] = time.monotonic() - start
    return results


def pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main(argv: list[str]) -> int:
    counts = [int(a) for a in argv] or [1, 10]
    setup_django()
    from workshops.tests.deploy_servers import database_url, gunicorn_servers, redis_available

    if not redis_available():
        print("needs Redis on 127.0.0.1:6379")
        return 2
    from django.db import connection

    url = database_url(connection.settings_dict)
    rows = []
    with gunicorn_servers(url, PORTS, workers=2, threads=8) as _:
        for n in counts:
            rooms = [make_room(i) for i in range(n)]
            for room in rooms:
                resolve_paths(room)
            connection.close()
            load_before = os.getloadavg()
            result = run_rooms(rooms, PORTS)
            load_after = os.getloadavg()
            rows.append((n, result, load_before, load_after))
            print(n, result["errors"], result["samples"], f"{result['wall']:.0f}s", flush=True)
    print()
    print(
        "| rooms | sends | errors | send p50 | send p95 | board polls | board p50 | board p95 "
        "| roll-up p95 | join p95 | load 1-min before → after |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for n, r, before, after in rows:
        ms = lambda v: f"{v * 1000:.0f} ms"  # noqa: E731
        print(
            f"| {n} | {len(r['send'])} | {r['errors']} | {ms(pct(r['send'], 0.5))} "
            f"| {ms(pct(r['send'], 0.95))} | {len(r['board'])} | {ms(pct(r['board'], 0.5))} "
            f"| {ms(pct(r['board'], 0.95))} | {ms(pct(r['rollup'], 0.95))} "
            f"| {ms(pct(r['join'], 0.95))} | {before[0]:.1f} → {after[0]:.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
