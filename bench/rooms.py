"""N rooms at once on one small server: two gunicorn app servers (production settings),
PostgreSQL and Redis, on loopback.

Each room: 180 phones join over the first ``BENCH_JOIN_WINDOW`` seconds, as a phone does
(start page, language, consent, profile, contribute page), then send 10 contributions
each, spread over the rest of ``BENCH_DURATION`` (default 10 minutes: 3 sends/s per
room); 6 boards poll every second (the page's own htmx poll URL: counter and token);
one person reloads the roll-up every 5 s. ``--burst`` is the old harsh plan: every
send of a room within 45 s (40 sends/s per room), joins in the first 4 s.

The load generator is one asyncio process with a small HTTP/1.1 client of its own (no
thread per phone): like the reverse proxy, it keeps a pool of keep-alive connections to
each app server and sends each request to the next server in turn, with each phone's
cookies. It reports its own CPU time, and that of the app servers and of the
PostgreSQL backends serving them. Latency is counted from each request's *scheduled*
time, so a client that falls behind counts as slow (no coordinated omission).

Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/pe_rooms_bench .venv/bin/python
bench/rooms.py 1 5 10`` (the room counts to run, one after the other, on the same two
servers); ``--burst`` for the 45 s plan. Needs Redis on 127.0.0.1:6379 (DB 15, or
``BENCH_REDIS_URL``). ``--compare COMMIT`` runs each N first on that commit's tree (the
baseline, same run). Prints a Markdown table for bench/results/rooms.md. "On the boards"
is the time from a send's answer to the first answer of a board that shows it.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import os
import random
import re
import sys
import time
import urllib.parse
import uuid
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PHONES = int(os.environ.get("BENCH_PHONES", "180"))
SENDS = int(os.environ.get("BENCH_SENDS", "10"))
BOARDS = int(os.environ.get("BENCH_BOARDS", "6"))
BOARD_EVERY = 1.0
ROLLUP_EVERY = 5.0
PORTS = tuple(int(p) for p in os.environ.get("BENCH_PORTS", "8291,8292").split(","))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
TIMEOUT = 30.0
# How long the load generator reuses an idle connection: under gunicorn's keep-alive (2 s).
IDLE_REUSE = 1.5
# What phones send: the demo workshop's contributions (fixtures/demo/bamako.json), as
# varied as a room's, each with a mark to find it on the boards.
DEMO = json.loads((ROOT / "fixtures" / "demo" / "bamako.json").read_text(encoding="utf-8"))
TEXTS = [item["text"] for items in DEMO["texts"].values() for item in items]
MARK = re.compile(r"\(réf\. (r\d+p\d+k\d+)\)")
GENDERS = ("woman", "man", "woman", "man", "undisclosed")
# Mali's regions in three comparison zones, as a workshop's organiser groups them.
LAYOUT = {
    "Tombouctou": "North",
    "Gao": "North",
    "Mopti": "Centre",
    "Ségou": "Centre",
    "Bamako": "South",
    "Sikasso": "South",
}


def plan(burst: bool) -> dict:
    if burst:
        duration = float(os.environ.get("BENCH_DURATION", "45"))
        return {"mode": "burst", "duration": duration, "join_window": duration / (SENDS + 1)}
    duration = float(os.environ.get("BENCH_DURATION", "600"))
    join_window = float(os.environ.get("BENCH_JOIN_WINDOW", str(min(120.0, duration / 5))))
    return {"mode": "realistic", "duration": duration, "join_window": join_window}


# --- Set-up (in this process, on the servers' database) --------------------------------


def setup_django() -> None:
    from workshops.tests.deploy_servers import SECRET_KEY

    os.environ["SECRET_KEY"] = SECRET_KEY  # staff sessions signed as the servers sign them
    os.environ["CACHE_URL"] = REDIS_URL  # sessions cached as the servers cache them
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peaceexchange.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def make_workshop():
    """A live workshop in Mali with three zones and one open session."""
    from workshops.choices import Category, SessionStatus, WorkshopStatus
    from workshops.models import (
        BreakoutSession,
        Country,
        Organisation,
        Region,
        Workshop,
        Zone,
        ZoneRegion,
    )

    country, _ = Country.objects.get_or_create(code="ML", defaults={"name": "Mali"})
    organiser, _ = Organisation.objects.get_or_create(name="WANEP Mali (bench)")
    workshop = Workshop.objects.create(
        slug=f"bench-{uuid.uuid4().hex[:8]}",
        title="Atelier d'échange pour la paix — Bamako",
        location="Bamako",
        country=country,
        organiser=organiser,
        start_date=date.today(),
        end_date=date.today(),
        status=WorkshopStatus.LIVE,
        languages=["fr", "en"],
    )
    workshop.organisations.add(organiser)
    zones = {
        name: Zone.objects.create(workshop=workshop, name=name, name_fr=name, order=i)
        for i, name in enumerate(("North", "Centre", "South"))
    }
    for name, zone in LAYOUT.items():
        region, _ = Region.objects.get_or_create(country=country, name=name)
        ZoneRegion.objects.create(workshop=workshop, zone=zones[zone], region=region)
    session = BreakoutSession.objects.create(
        workshop=workshop,
        title="Les facteurs du conflit violent",
        guiding_question="Qu'est-ce qui alimente le conflit violent là où vous vivez ?",
        focus=[Category.DRIVER, Category.RECOMMENDATION],
        status=SessionStatus.OPEN,
    )
    return workshop, session


def make_room(index: int = 0) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from workshops.choices import StaffRole
    from workshops.models import WorkshopMembership

    workshop, session = make_workshop()
    user = get_user_model().objects.create_user(username=f"bench-{uuid.uuid4().hex[:10]}")
    WorkshopMembership.objects.create(workshop=workshop, user=user, role=StaffRole.FACILITATOR)
    client = Client()
    client.force_login(user)
    code = workshop.join_code
    return {
        "start_path": reverse("participant:start", kwargs={"code": code}),
        "language_path": reverse("set_language"),
        "consent_path": reverse("participant:consent", kwargs={"code": code}),
        "profile_path": reverse("participant:profile", kwargs={"code": code}),
        "session_path": reverse(
            "participant:session", kwargs={"code": code, "session_id": session.pk}
        ),
        "board_path": reverse("workshops:session_board", args=[workshop.slug, session.pk]),
        "rollup_path": reverse("report:rollup", args=[workshop.slug]),
        "regions": list(workshop.zone_regions.values_list("region_id", flat=True)),
        "staff": client.cookies["sessionid"].value,
        "index": index,
        "sent": {},  # each send's mark: when its answer came
    }


# --- A small HTTP/1.1 client on asyncio, with a proxy's connection pool -------------------


class Pool:
    """Keep-alive connections to one app server, shared by every client (as Caddy does)."""

    def __init__(self, port: int):
        self.port = port
        self.idle: list[tuple[float, asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def acquire(self):
        now = time.monotonic()
        while self.idle:
            since, reader, writer = self.idle.pop()
            if now - since < IDLE_REUSE and not reader.at_eof():
                return reader, writer, True
            writer.close()
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        return reader, writer, False

    def release(self, reader, writer, keep: bool) -> None:
        if keep:
            self.idle.append((time.monotonic(), reader, writer))
        else:
            writer.close()


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict, bytes, bool]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionResetError("connection closed before the answer")
    status = int(status_line.split(b" ", 2)[1])
    headers: dict[str, list[str]] = defaultdict(list)
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, value = line.decode("latin-1").split(":", 1)
        headers[name.strip().lower()].append(value.strip())
    keep = "close" not in ",".join(headers.get("connection", [])).lower()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"][0]))
    elif "chunked" in ",".join(headers.get("transfer-encoding", [])).lower():
        parts = []
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                await reader.readline()
                break
            parts.append(await reader.readexactly(size))
            await reader.readline()
        body = b"".join(parts)
    elif status in (204, 304):
        body = b""
    else:
        body, keep = await reader.read(), False
    return status, headers, body, keep


class Client:
    """One phone or one staff browser: its cookies; requests round-robin over the servers."""

    servers: itertools.cycle

    def __init__(self, cookies: dict[str, str] | None = None):
        self.cookies = dict(cookies or {})

    async def request(self, method: str, path: str, *, form=None, headers=None):
        pool: Pool = next(Client.servers)
        body = urllib.parse.urlencode(form).encode() if form is not None else b""
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: 127.0.0.1:{pool.port}",
            "X-Forwarded-Proto: https",
            f"Origin: https://127.0.0.1:{pool.port}",
            f"Referer: https://127.0.0.1:{pool.port}{path}",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if form is not None:
            lines.append("Content-Type: application/x-www-form-urlencoded")
        lines.append(f"Content-Length: {len(body)}")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        for attempt in (1, 2):
            reader, writer, reused = await pool.acquire()
            try:
                writer.write(raw)
                status, got, content, keep = await asyncio.wait_for(read_response(reader), TIMEOUT)
                break
            except (OSError, asyncio.IncompleteReadError, ValueError):
                writer.close()
                # Only a reused connection the server had just closed is retried.
                if attempt == 2 or not reused:
                    raise
        pool.release(reader, writer, keep)
        for header in got.get("set-cookie", []):
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name.strip()] = value
        return status, got, content.decode("utf-8", "replace")


# --- The plan of one run --------------------------------------------------------------


class Results:
    def __init__(self):
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors = 0
        self.samples: list[tuple[str, object]] = []

    def record(self, kind: str, scheduled: float, ok: bool, status=None) -> None:
        self.latency[kind].append(time.monotonic() - scheduled)
        if not ok:
            self.errors += 1
            if len(self.samples) < 5:
                self.samples.append((kind, status))


async def wait_until(moment: float) -> None:
    delay = moment - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CONSENT_KEY = re.compile(r'name="consent_key" value="([^"]+)"')


async def phone(room, n, start, run, results: Results, rng: random.Random) -> None:
    """Join as a phone does, then send ``SENDS`` contributions at their planned times."""
    duration, window = run["duration"], run["join_window"]
    joined_at = start + window * rng.random()
    if run["mode"] == "burst":
        gap = duration / (SENDS + 1)
        sends = [joined_at + gap * (k + 1) for k in range(SENDS)]
    else:
        gap = (start + duration - joined_at) / SENDS
        sends = [joined_at + gap * (k + rng.random()) for k in range(SENDS)]
    client = Client()
    await wait_until(joined_at)
    steps = 0
    try:
        status, _, page = await client.request("GET", room["start_path"])
        steps += status == 200
        token = CSRF.search(page).group(1)
        form = {"csrfmiddlewaretoken": token, "language": "fr", "next": room["consent_path"]}
        status, _, _ = await client.request("POST", room["language_path"], form=form)
        steps += status == 302
        status, _, page = await client.request("GET", room["consent_path"])
        steps += status == 200
        form = {"csrfmiddlewaretoken": token, "consent_key": CONSENT_KEY.search(page).group(1)}
        status, _, _ = await client.request("POST", room["consent_path"], form=form)
        steps += status == 302
        status, _, page = await client.request("GET", room["profile_path"])
        steps += status == 200
        form = {
            "csrfmiddlewaretoken": token,
            "gender": GENDERS[n % len(GENDERS)],
            "region": room["regions"][n % len(room["regions"])],
        }
        status, _, _ = await client.request("POST", room["profile_path"], form=form)
        steps += status == 302
        page_started = time.monotonic()
        status, _, page = await client.request("GET", room["session_path"])
        steps += status == 200
        results.record("page", page_started, status == 200, status)
        token = CSRF.search(page).group(1)
    except (TimeoutError, OSError, asyncio.IncompleteReadError, AttributeError) as error:
        results.record("join", joined_at, False, type(error).__name__)
        return
    results.record("join", joined_at, steps == 7, f"{steps}/7 steps")
    for k, scheduled in enumerate(sends):
        await wait_until(scheduled)
        form = {
            "csrfmiddlewaretoken": token,
            "client_id": uuid.uuid4().hex,
            "category": "recommendation" if k % 3 == 2 else "driver",
            "horizon": "" if k % 3 == 2 else "long_term",
            "audience": "national" if k % 3 == 2 else "",
            "text": TEXTS[(n * SENDS + k) % len(TEXTS)].format(region=list(LAYOUT)[n % len(LAYOUT)])
            + f" (réf. r{room['index']}p{n}k{k})",
        }
        try:
            status, _, _ = await client.request(
                "POST", room["session_path"], form=form, headers={"X-Requested-With": "outbox"}
            )
            results.record("send", scheduled, status == 201, status)
            if status == 201:
                room["sent"][f"r{room['index']}p{n}k{k}"] = time.monotonic()
        except (TimeoutError, OSError, asyncio.IncompleteReadError) as error:
            results.record("send", scheduled, False, type(error).__name__)


async def every(period, first, stop, kind, call, results: Results) -> None:
    scheduled = first
    while scheduled < stop:
        await wait_until(scheduled)
        try:
            ok, status = await call()
            results.record(kind, scheduled, ok, status)
        except (TimeoutError, OSError, asyncio.IncompleteReadError) as error:
            results.record(kind, scheduled, False, type(error).__name__)
        scheduled += period


def board(room, index, start, stop, results):
    """A board as htmx polls it: the first answer's poll URL (``hx-get`` of the board list,
    with its change counter and signed token), then each fresh fragment's."""
    client = Client({"sessionid": room["staff"]})
    poll_path = {"url": room["board_path"]}
    seen: set[str] = set()

    async def poll():
        status, _, body = await client.request(
            "GET", poll_path["url"], headers={"HX-Request": "true"}
        )
        if status == 200:
            found = re.search(r'id="board-list" hx-get="([^"]+)"', body)
            poll_path["url"] = html.unescape(found.group(1)) if found else poll_path["url"]
            # From each send's answer to the first answer of this board that shows it.
            now = time.monotonic()
            for mark in set(MARK.findall(body)) - seen:
                seen.add(mark)
                if mark in room["sent"]:
                    results.latency["on board"].append(now - room["sent"][mark])
        return status in (200, 204), status

    return every(BOARD_EVERY, start + index / BOARDS, stop, "board", poll, results)


def rollup(room, start, stop, results):
    client = Client({"sessionid": room["staff"]})

    async def reload():
        status, _, _ = await client.request("GET", room["rollup_path"])
        return status == 200, status

    return every(ROLLUP_EVERY, start + 1, stop, "rollup", reload, results)


async def run_rooms(rooms: list[dict], run: dict) -> Results:
    Client.servers = itertools.cycle([Pool(port) for port in PORTS])
    results = Results()
    rng = random.Random(17)
    start = time.monotonic() + 2
    stop = start + run["duration"]
    tasks = []
    for room in rooms:
        tasks += [phone(room, n, start, run, results, rng) for n in range(PHONES)]
        tasks += [board(room, b, start, stop, results) for b in range(BOARDS)]
        tasks.append(rollup(room, start, stop, results))
    await asyncio.gather(*tasks)
    results.wall = time.monotonic() - start
    return results


# --- CPU of the processes under test (read from /proc, never signalled) ----------------


def cpu_seconds(pids) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return total


def server_pids() -> list[int]:
    """The gunicorn master and workers listening on our ports (their command line)."""
    binds = {f"--bind=127.0.0.1:{port}".encode() for port in PORTS}
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if binds & set(argv):
                pids.append(int(entry.name))
    return pids


def database_pids() -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        pids = [row[0] for row in cursor.fetchall()]
    connection.close()
    return pids


# --- Main ---------------------------------------------------------------------------


def pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def measure(n: int, run: dict) -> dict:
    rooms = [make_room(i) for i in range(n)]
    servers, before_db = server_pids(), database_pids()
    cpu_before = cpu_seconds(servers), cpu_seconds(before_db), time.process_time()
    load_before = os.getloadavg()[0]
    results = asyncio.run(run_rooms(rooms, run))
    load_after = os.getloadavg()[0]
    db_pids = set(before_db) | set(database_pids())
    wall = results.wall
    return {
        "rooms": n,
        "results": results,
        "load": (load_before, load_after),
        # % of one core over the run: the load generator, the app servers, PostgreSQL.
        "cpu": (
            (time.process_time() - cpu_before[2]) / wall * 100,
            (cpu_seconds(servers) - cpu_before[0]) / wall * 100,
            (cpu_seconds(db_pids) - cpu_before[1]) / wall * 100,
        ),
    }


def table(run: dict, rows: list[dict]) -> str:
    ms = lambda v: f"{v * 1000:.0f}"  # noqa: E731
    lines = [
        "| code | mode | rooms | sends (per s) | requests | errors | send p50 / p95 ms "
        "| board p50 / p95 ms | on the boards p50 / p95 ms | roll-up p50 / p95 ms "
        "| join p50 / p95 ms | phone page p95 ms "
        "| load 1-min before → after | CPU % of a core: load gen / app / PostgreSQL |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        r: Results = row["results"]
        lat = r.latency
        sends = len(lat["send"])
        requests = sends + len(lat["board"]) + len(lat["rollup"]) + 7 * len(lat["join"])
        shown = lat["on board"]
        lines.append(
            f"| {row.get('code', 'this')} | {run['mode']} {run['duration']:.0f} s | {row['rooms']} "
            f"| {sends} ({sends / run['duration']:.1f}) | {requests} | {r.errors} "
            f"| {ms(pct(lat['send'], 0.5))} / {ms(pct(lat['send'], 0.95))} "
            f"| {ms(pct(lat['board'], 0.5))} / {ms(pct(lat['board'], 0.95))} "
            f"| {ms(pct(shown, 0.5))} / {ms(pct(shown, 0.95))} "
            f"| {ms(pct(lat['rollup'], 0.5))} / {ms(pct(lat['rollup'], 0.95))} "
            f"| {ms(pct(lat['join'], 0.5))} / {ms(pct(lat['join'], 0.95))} "
            f"| {ms(pct(lat['page'], 0.95))} "
            f"| {row['load'][0]:.1f} → {row['load'][1]:.1f} "
            f"| {row['cpu'][0]:.0f} / {row['cpu'][1]:.0f} / {row['cpu'][2]:.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    run = plan(burst="--burst" in argv)
    commit = argv[argv.index("--compare") + 1] if "--compare" in argv else None
    counts = [int(a) for a in argv if a.isdigit() and a != commit] or [1, 5, 10]
    setup_django()
    from django.db import connection

    from bench.baseline import code_of
    from workshops.tests.deploy_servers import database_url, gunicorn_servers, redis_available

    if not redis_available():
        print("needs Redis on 127.0.0.1:6379")
        return 2
    url = database_url(connection.settings_dict)
    extra = dict(a.split("=", 1) for a in argv if "=" in a)  # e.g. DATABASE_POOL=true
    trees = [("this", ROOT)]
    if commit:  # the same plan on an older commit's tree first, N by N
        trees.insert(0, (commit[:7], code_of(commit, catalogue=True)))
    rows = []
    for n in counts:
        for code, root in trees:
            with gunicorn_servers(
                url, PORTS, workers=2, threads=8, root=root, CACHE_URL=REDIS_URL, **extra
            ):
                row = measure(n, run)
            row["code"] = code
            rows.append(row)
            r = row["results"]
            print(code, n, "rooms:", r.errors, "errors", r.samples, f"{r.wall:.0f} s", flush=True)
            print(table(run, [row]).splitlines()[-1], flush=True)  # kept if a later N is stopped
    print()
    print(f"server env: {extra or 'defaults'}")
    print(table(run, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
