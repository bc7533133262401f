"""Polls that cost almost nothing (issue 14 item 6): boards and phones, new vs today.

Measured in one run, against a baseline of today's code (the commit this branch started
from, checked out by ``git worktree`` into a temporary folder), on PostgreSQL and Redis
(DB 13), loopback only, bounded:

1. **Board poll server time**: the Bamako demo's workshop board (230 contributions),
   the facilitator's poll as htmx sends it (its page's own poll URL), through Django's
   whole handler and middleware stack in-process (no network): unchanged (204) and
   changed (a contribution saved before each poll, outside the timing; 200 fragment).
2. **Idle phone bytes per hour**, counted on the wire by a socket client (request and
   response bytes, headers, cookies and chunk framing; TCP/IP overhead not included):
   - today: the status JSON polled every 20 s, 304 each time (one exchange measured on
     gunicorn, times 180); a 5 s poll would be the same exchange times 720;
   - new: the event stream on uvicorn, run for one simulated hour at ``SCALE``× speed
     (bench/polls_asgi.py: the stream's 10 minutes and the 45 s heartbeat shrink
     alike), with reconnects as EventSource makes them (``Last-Event-ID``).
3. **Time for an idle phone to notice a closed session**, ``TRIALS`` trials each:
   - today: phones polling every 20 s from a random phase (as many pages opened at
     random times), measured on gunicorn, all trials at once;
   - new: one event stream on uvicorn, the session closed at a random moment.

    .venv/bin/python bench/polls.py              # about 4 minutes
    BENCH_TRIALS=40 .venv/bin/python bench/polls.py
"""

from __future__ import annotations

import html
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TRIALS = int(os.environ.get("BENCH_TRIALS", "20"))
POLLS = int(os.environ.get("BENCH_POLLS", "200"))
CHANGED = int(os.environ.get("BENCH_CHANGED", "40"))
ROUNDS = 2
SCALE = 100.0
OLD_POLL_S = 20.0
REDIS = "redis://127.0.0.1:6379/13"
PREFIX = f"bench-polls-{os.getpid()}"
SECRET_KEY = "bench-polls-only-" + "k" * 48
# A joined phone's cookies: its device token, the CSRF cookie, the language chosen.
COOKIES = "pe_device=" + "d" * 43 + "; csrftoken=" + "c" * 32 + "; django_language=fr"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def env_for(database: str, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        # Development settings with DEBUG off: the same middleware as production, without
        # HTTPS redirects on loopback (and seed_demo refuses production).
        "DJANGO_ENV": "development",
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DATABASE_URL": database,
        "CACHE_URL": f"{REDIS}?key_prefix={PREFIX}",
        "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "LOG_LEVEL": "WARNING",
        **extra,
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


# --- 1. Board polls, in a child process of either code base ---------------------------


def board_child() -> None:
    """Runs inside ``PE_CODE`` (today's code or this branch's): prints the timings."""
    sys.path.insert(0, os.environ["PE_CODE"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peaceexchange.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from workshops.choices import Source
    from workshops.models import Workshop
    from workshops.services.contributions import submit_contribution

    workshop = Workshop.objects.get(join_code="PAXM47")
    session = workshop.sessions.order_by("order").first()
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    client.force_login(get_user_model().objects.get(username="facilitator"))
    board = reverse("workshops:board", kwargs={"slug": workshop.slug})

    def poll_url(body: str) -> str:
        return html.unescape(re.search(r'id="board-list" hx-get="([^"]+)"', body).group(1))

    poll = poll_url(client.get(board).content.decode())
    for _ in range(30):  # warm: templates, connections, the cache client
        client.get(poll, HTTP_HX_REQUEST="true")
    unchanged = []
    for _ in range(POLLS):
        start = time.perf_counter()
        response = client.get(poll, HTTP_HX_REQUEST="true")
        unchanged.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 204, response.status_code
    changed = []
    tag = os.environ["PE_TAG"]
    for n in range(CHANGED):
        submit_contribution(
            workshop=workshop,
            session=session,
            client_id=f"bench-polls-{tag}-{os.getpid()}-{n}",
            text=f"Bench polls {tag} {n}",
            category="driver",
            source=Source.NOTE,
        )
        start = time.perf_counter()
        response = client.get(poll, HTTP_HX_REQUEST="true")
        changed.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        poll = poll_url(response.content.decode())
    print(json.dumps({"unchanged": unchanged, "changed": changed}))


def board_times(code: Path, database: str, tag: str) -> dict:
    done = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "board"],
        cwd=code,
        env=env_for(database, PE_CODE=str(code), PE_TAG=tag),
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- Servers ----------------------------------------------------------------------------


def start(argv: list[str], code: Path, env: dict, base: str) -> subprocess.Popen:
    log = Path(tempfile.gettempdir()) / f"pe-bench-polls-{base.rsplit(':', 1)[1]}.log"
    with log.open("w") as errors:  # the server's warnings, to read after the run
        server = subprocess.Popen(argv, cwd=code, env=env, stdout=subprocess.DEVNULL, stderr=errors)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"{argv[:3]} did not start")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=5)


def gunicorn(code: Path, database: str, port: int) -> subprocess.Popen:
    argv = [sys.executable, "-m", "gunicorn", "peaceexchange.wsgi:application"]
    argv += ["--worker-class", "gthread", "--workers", "1", "--threads", "40"]
    argv += [f"--bind=127.0.0.1:{port}", "--timeout", "60"]
    return start(argv, code, env_for(database), f"http://127.0.0.1:{port}")


def uvicorn(database: str, port: int, app: str, **extra: str) -> subprocess.Popen:
    argv = [sys.executable, "-m", "uvicorn", app, "--host=127.0.0.1", f"--port={port}"]
    argv += ["--no-access-log", "--timeout-graceful-shutdown", "2", "--app-dir", str(ROOT)]
    env = env_for(database, CONN_MAX_AGE="0", **extra)
    return start(argv, ROOT, env, f"http://127.0.0.1:{port}")


# --- 2. Bytes ---------------------------------------------------------------------------


def status_exchange(base: str, path: str) -> tuple[int, int, int]:
    """One conditional poll as the page's fetch() sends it: bytes out, bytes in, status."""
    import socket

    from workshops.tests.sse_client import PHONE_HEADERS

    host, port = base.removeprefix("http://").split(":")
    headers = {**PHONE_HEADERS, "Accept": "*/*", "Host": f"{host}:{port}", "Cookie": COOKIES}
    headers["Referer"] = f"https://{host}:{port}/j/PAXM47/s/1/"

    def once(etag: str = "") -> tuple[int, int, int, str]:
        extra = {"If-None-Match": etag} if etag else {}
        lines = [f"GET {path} HTTP/1.1"] + [f"{k}: {v}" for k, v in {**headers, **extra}.items()]
        data = ("\r\n".join(lines) + "\r\n\r\n").encode()
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(data)
            received = b""
            while b"\r\n\r\n" not in received:
                received += sock.recv(65536)
            head, body = received.split(b"\r\n\r\n", 1)
            length = re.search(rb"(?i)content-length: (\d+)", head)
            want = int(length.group(1)) if length else 0
            while len(body) < want:
                body += sock.recv(65536)
            status = int(head.split()[1])
            found = re.search(rb'(?i)etag: ("[^"]+")', head)
            return (
                len(data),
                len(head) + 4 + len(body),
                status,
                (found.group(1).decode() if found else ""),
            )

    _, _, _, etag = once()
    sent, received, status, _ = once(etag)
    return sent, received, status


def stream_hour(base: str, path: str) -> dict:
    """One simulated hour of an idle phone on the event stream, EventSource's way."""
    from workshops.tests.sse_client import Stream

    hour = 3600 / SCALE
    ends = time.monotonic() + hour
    sent = received = connections = heartbeats = events = 0
    last_id = ""
    while time.monotonic() < ends:
        stream = Stream(base, path, cookies=COOKIES, last_event_id=last_id)
        connections += 1
        for event_id, data in stream.events(ends - time.monotonic()):
            if data:
                events += 1
                last_id = event_id
            else:
                heartbeats += 1
        sent += stream.sent
        received += stream.received
        stream.close()
        time.sleep(3.0 / SCALE)  # retry: 3000 ms, sped up like the rest
    return {
        "sent": sent,
        "received": received,
        "connections": connections,
        "heartbeats": heartbeats,
        "events": events,
    }


# --- 3. Notice ------------------------------------------------------------------------


def notice_old(base: str, paths: list[str], close) -> list[float]:
    """Phones polling every 20 s from random phases; all sessions closed at one moment."""
    rng = random.Random(14)
    closed_at: dict = {}
    seen: list[float] = []
    lock = threading.Lock()

    def phone(path: str, session_id: str, phase: float) -> None:
        url = base + path
        time.sleep(phase)
        while True:
            request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
            with urllib.request.urlopen(request, timeout=10) as response:
                states = json.loads(response.read())
            if states["sessions"][session_id] == "closed":
                with lock:
                    seen.append(time.monotonic() - closed_at["t"])
                return
            time.sleep(OLD_POLL_S)

    threads = []
    for path, session_id in paths:
        thread = threading.Thread(
            target=phone, args=(path, session_id, rng.uniform(0, OLD_POLL_S)), daemon=True
        )
        thread.start()
        threads.append(thread)
    time.sleep(OLD_POLL_S + 1)  # every phone is polling at its own phase
    closed_at["t"] = time.monotonic()
    close()
    for thread in threads:
        thread.join(timeout=OLD_POLL_S + 10)
    return seen


def notice_new(base: str, path: str, session_id: str, toggle, state: str) -> list[float]:
    """``state``: the session's state now (the demo's sessions are closed: closing one
    again changes nothing, so each trial flips it)."""
    from workshops.tests.sse_client import Stream

    rng = random.Random(17)
    delays = []
    for _ in range(TRIALS):
        stream = Stream(base, path, cookies=COOKIES)
        next(stream.events(5))
        time.sleep(rng.uniform(0.2, 1.2))  # a random moment against the watcher's tick
        state = "open" if state == "closed" else "closed"
        at = time.monotonic()
        toggle(state)
        for _id, data in stream.events(10):
            if data and json.loads(data)["sessions"][session_id] == state:
                delays.append(time.monotonic() - at)
                break
        else:
            delays.append(float("inf"))  # not noticed within 10 s: counted, never hidden
        stream.close()
    return delays


# --- The run ----------------------------------------------------------------------------


def main() -> None:
    base_commit = subprocess.run(
        ["git", "merge-base", "HEAD", "main"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    name = f"pe_bench_polls_{os.getpid()}"
    database = f"postgres://postgres@127.0.0.1:5432/{name}"
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)  # noqa: S607
    baseline = Path(tempfile.mkdtemp(prefix="pe-polls-baseline-"))
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(baseline), base_commit],  # noqa: S607
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    servers: list[subprocess.Popen] = []
    try:
        env = env_for(database)
        manage = [sys.executable, "manage.py"]
        for command in (["migrate", "--no-input", "-v", "0"], ["seed_demo"]):
            subprocess.run(manage + command, cwd=ROOT, env=env, check=True, capture_output=True)
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "peaceexchange.settings"
        import django

        django.setup()
        from workshops.models import BreakoutSession, Workshop
        from workshops.services import setup

        print(f"baseline = {base_commit[:7]} (today's code), new = this branch", flush=True)
        print("1. board polls ...", flush=True)
        # Alternating rounds: each round adds contributions, so neither code base always
        # meets the bigger board; the timings of both rounds are pooled.
        old_board, new_board = {"unchanged": [], "changed": []}, {"unchanged": [], "changed": []}
        for round_ in range(ROUNDS):
            for code, pooled, tag in ((baseline, old_board, "old"), (ROOT, new_board, "new")):
                found = board_times(code, database, f"{tag}{round_}")
                for kind in pooled:
                    pooled[kind] += found[kind]

        workshop = Workshop.objects.get(join_code="PAXM47")
        session = workshop.sessions.order_by("order").first()
        status_path = f"/j/{workshop.join_code}/status/"
        events_path = f"/j/{workshop.join_code}/events/"

        print("2. idle phone bytes ...", flush=True)
        servers.append(gunicorn(baseline, database, 8731))
        old_sent, old_received, old_status = status_exchange("http://127.0.0.1:8731", status_path)
        assert old_status == 304, old_status
        servers.append(
            uvicorn(database, 8732, "bench.polls_asgi:application", PE_TIME_SCALE=str(SCALE))
        )
        hour = stream_hour("http://127.0.0.1:8732", events_path)
        stop(servers.pop())

        print("3. noticing a closed session ...", flush=True)
        trial_sessions = [
            BreakoutSession.objects.create(
                workshop=workshop, title=f"Bench trial {n}", order=100 + n, status="open"
            )
            for n in range(TRIALS)
        ]
        old_delays = notice_old(
            "http://127.0.0.1:8731",
            [(status_path, str(s.pk)) for s in trial_sessions],
            lambda: [setup.set_session_status(session=s, action="close") for s in trial_sessions],
        )
        stop(servers.pop())
        servers.append(uvicorn(database, 8733, "peaceexchange.asgi:application"))

        def toggle(state: str) -> None:
            setup.set_session_status(
                session=session, action="close" if state == "closed" else "open"
            )

        session.refresh_from_db()
        new_delays = notice_new(
            "http://127.0.0.1:8733", events_path, str(session.pk), toggle, session.status
        )
    finally:
        for server in servers:
            stop(server)
        from django.db import connections

        connections.close_all()
        subprocess.run(["git", "worktree", "remove", "--force", str(baseline)], cwd=ROOT)  # noqa: S607
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name])  # noqa: S607

    def row(label, values):
        return (
            f"| {label} | {len(values)} | {statistics.median(values):.2f} "
            f"| {percentile(values, 95):.2f} |"
        )

    print()
    print("Board poll, server time (ms), Bamako demo workshop board, in-process")
    print("| poll | n | p50 | p95 |")
    print("|---|---:|---:|---:|")
    print(row("today: unchanged (204)", old_board["unchanged"]))
    print(row("new: unchanged (204)", new_board["unchanged"]))
    print(row("today: changed (200 fragment)", old_board["changed"]))
    print(row("new: changed (200 fragment)", new_board["changed"]))
    print()
    old_one = old_sent + old_received
    stream_bytes = hour["sent"] + hour["received"]
    print("Idle phone, bytes on the wire per hour (request + response, headers and cookies)")
    print("| way | requests/h | bytes/h | KB/h |")
    print("|---|---:|---:|---:|")
    print(
        f"| today: status poll every 20 s, 304 ({old_one} B each) | 180 "
        f"| {180 * old_one} | {180 * old_one / 1024:.1f} |"
    )
    print(
        f"| a status poll every 5 s, 304 (not built) | 720 "
        f"| {720 * old_one} | {720 * old_one / 1024:.1f} |"
    )
    print(
        f"| new: event stream ({hour['heartbeats']} heartbeats, {hour['events']} events) "
        f"| {hour['connections']} | {stream_bytes} | {stream_bytes / 1024:.1f} |"
    )
    print()
    print(f"Time for an idle phone to notice a closed session (s), {TRIALS} trials")
    print("| way | n | p50 | p95 | max |")
    print("|---|---:|---:|---:|---:|")
    for label, values in (
        ("today: poll every 20 s", old_delays),
        ("new: event stream", new_delays),
    ):
        print(
            f"| {label} | {len(values)} | {statistics.median(values):.2f} "
            f"| {percentile(values, 95):.2f} | {max(values):.2f} |"
        )


if __name__ == "__main__":
    if sys.argv[1:] == ["board"]:
        board_child()
    else:
        main()
