"""Benchmark of the participant side: page weights, 2G timings, server throughput.

Run: ``.venv/bin/python bench/participant.py`` (SQLite in a temporary folder), or with
``DATABASE_URL=postgres://...`` for PostgreSQL. It:

1. migrates a fresh database, collects static files as production does (WhiteNoise,
   compressed), creates a live workshop with one open session;
2. starts gunicorn (2 × cores + 1 sync workers) on loopback with ``bench.participant_settings``;
3. drives Debian's Chromium with Playwright and counts bytes on the wire with the Chrome
   DevTools Protocol: the contribute page's cold first view, and join + 10 sends;
4. emulates 2G with CDP ``Network.emulateNetworkConditions`` (250 kbit/s, 300 ms RTT)
   and times the cold first view and a send;
5. measures the contribute endpoint (the script's one-round-trip send) against a bare
   Django view that checks CSRF and inserts one row, side by side, in bounded rounds.

It prints one table (Markdown) to record in bench/results/participant.md. With
``--throughput-only`` it skips the browser (steps 3 and 4): a quicker run while
working on the server's speed.
"""

from __future__ import annotations

import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PORT = int(os.environ.get("BENCH_PORT", "8210"))
BASE = f"http://127.0.0.1:{PORT}"
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 360, "height": 740}
TWO_G = {
    "offline": False,
    "latency": 300,
    "downloadThroughput": 250_000 / 8,
    "uploadThroughput": 250_000 / 8,
}
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
# gunicorn's own advice for sync workers: 2 × cores + 1.
WORKERS = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
REQUESTS_PER_ROUND = int(os.environ.get("BENCH_REQUESTS", "300"))
# Paired rounds: each round measures both endpoints back to back (in alternating order)
# and gives one ratio; the table shows the median ratio and the range over the rounds.
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
TEXT = (
    "L'absence de l'État dans les communes rurales laisse la place aux groupes armés "
    "qui recrutent les jeunes sans emploi."
)


# --- Setup -------------------------------------------------------------------------------


def setup_django(tmp: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.participant_settings"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    os.environ["BENCH_STATIC_ROOT"] = str(tmp / "static")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_baseline_row (id "
            + ("SERIAL" if connection.vendor == "postgresql" else "INTEGER")
            + " PRIMARY KEY, text TEXT NOT NULL)"
        )


def make_workshop(participants: int):
    """The rooms bench's live workshop (zones and one open session) and ``participants``
    phones' device tokens."""
    from bench.rooms import make_workshop as live_workshop
    from workshops.models import Participant

    workshop, session = live_workshop()
    tokens = []
    for _ in range(participants):
        participant = Participant(workshop=workshop)
        tokens.append(participant.issue_token())
        participant.save()
    return workshop, session, tokens


def start_server(
    tmp: Path, *, root: Path = ROOT, port: int = PORT, extra_env: dict | None = None
) -> subprocess.Popen:
    """gunicorn serving the code checked out at ``root`` (by default this one)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.participant_settings",
        **(extra_env or {}),
    }
    log_path = tmp / f"gunicorn-{port}.log"
    log = open(log_path, "w")  # noqa: SIM115 - closed with the process
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "peaceexchange.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--chdir",
            str(root),
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=log,
        stderr=log,
    )
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"gunicorn did not start; see {log_path}")


# --- Bytes and timings in Chromium ----------------------------------------------------------


class Meter:
    """Counts bytes on the wire per request, from the DevTools protocol."""

    def __init__(self, cdp):
        self.types: dict[str, str] = {}
        self.urls: dict[str, str] = {}
        self.received: dict[str, int] = {}
        self.sent = 0
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.requestWillBeSent", self._request)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})

    def _request(self, event):
        request = event["request"]
        head = f"{request['method']} {request['url']} HTTP/1.1\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in request.get("headers", {}).items())
        self.sent += len(head.encode()) + len(request.get("postData", "").encode())

    def _response(self, event):
        self.types[event["requestId"]] = event["type"]
        self.urls[event["requestId"]] = event["response"]["url"]

    def _finished(self, event):
        self.received[event["requestId"]] = int(event["encodedDataLength"])

    def by_type(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for request_id, size in self.received.items():
            kind = self.types.get(request_id, "Other")
            totals[kind] = totals.get(kind, 0) + size
        return totals

    def total(self) -> int:
        return sum(self.received.values()) + self.sent


def device_cookie(token: str) -> dict:
    from django.conf import settings

    return {
        "name": settings.PARTICIPANT_COOKIE_NAME,
        "value": token,
        "url": BASE + "/j/",
        "httpOnly": True,
        "sameSite": "Lax",
    }


def send_one(page, text: str) -> float:
    rows = page.locator("#own li[id^=c]")
    before = rows.count()
    page.get_by_label("Votre contribution").fill(text)
    started = time.perf_counter()
    page.get_by_role("button", name="Envoyer").click()
    rows.nth(before).wait_for(timeout=30_000)
    return time.perf_counter() - started


def measure_pages(workshop, session, tokens) -> dict:
    from playwright.sync_api import sync_playwright

    session_url = f"{BASE}/j/{workshop.join_code}/s/{session.pk}/"
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
        )

        # Cold first view of the contribute page, for a phone that has joined.
        context = browser.new_context(viewport=PHONE, locale="fr-FR")
        context.add_cookies([device_cookie(tokens[0])])
        page = context.new_page()
        meter = Meter(context.new_cdp_session(page))
        page.goto(session_url, wait_until="networkidle")
        kinds = meter.by_type()
        results["cold_html_css"] = kinds.get("Document", 0) + kinds.get("Stylesheet", 0)
        results["cold_script"] = kinds.get("Script", 0)
        results["cold_all"] = sum(kinds.values())
        context.close()

        # Join from the QR code's link, then 10 sends with the script.
        context = browser.new_context(viewport=PHONE, locale="fr-FR")
        page = context.new_page()
        meter = Meter(context.new_cdp_session(page))
        page.goto(f"{BASE}/j/{workshop.join_code}/", wait_until="networkidle")
        page.get_by_role("button", name="Français").click()
        page.get_by_role("button", name="J'accepte, continuer").click()
        page.get_by_role("button", name="Enregistrer et continuer").click()
        page.wait_for_load_state("networkidle")
        for i in range(10):
            send_one(page, f"{TEXT} ({i})")
        page.wait_for_load_state("networkidle")
        results["join_10_sends"] = meter.total()
        context.close()

        # 2G: 250 kbit/s each way, 300 ms round trip, cold cache.
        context = browser.new_context(viewport=PHONE, locale="fr-FR")
        context.add_cookies([device_cookie(tokens[1])])
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", TWO_G)
        page.goto(session_url, wait_until="load")
        timing = page.evaluate(
            """() => {
              const nav = performance.getEntriesByType('navigation')[0];
              const paint = performance.getEntriesByName('first-contentful-paint')[0];
              return {dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
                      fcp: paint ? paint.startTime : null};
            }"""
        )
        results["2g_fcp"] = (timing["fcp"] or 0) / 1000
        results["2g_dcl"] = timing["dcl"] / 1000
        results["2g_load"] = timing["load"] / 1000
        page.wait_for_load_state("networkidle")
        sends = [send_one(page, f"{TEXT} 2G {i}") for i in range(3)]
        results["2g_send"] = statistics.median(sends)
        context.close()
        browser.close()
    return results


# --- Throughput against the bare baseline ----------------------------------------------------


def csrf_pair(port: int = PORT) -> tuple[str, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/bench/baseline/")
    response = connection.getresponse()
    token = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    return cookie, token


def hammer(
    path: str, headers_for, body_for, expected: set[int], total: int, *, port: int = PORT
) -> dict:
    """``total`` POSTs from CONCURRENCY threads; returns requests/s and latencies."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    per_thread = total // CONCURRENCY

    def worker(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for _ in range(per_thread):
            started = time.perf_counter()
            connection.request("POST", path, body_for(index), headers_for(index))
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status not in expected:
                failures.append(str(response.status))
            if response.will_close:
                connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(CONCURRENCY)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit(f"{path}: unexpected statuses {sorted(set(failures))}")
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": latencies[len(latencies) // 2],
        "p95": latencies[int(len(latencies) * 0.95) - 1],
        "p99": latencies[int(len(latencies) * 0.99) - 1],
    }


def measure_throughput(workshop, session, tokens) -> dict:
    from django.conf import settings

    cookie, token = csrf_pair()
    contribute_path = f"/j/{workshop.join_code}/s/{session.pk}/"
    base_headers = {"Content-Type": "application/x-www-form-urlencoded"}

    def contribute_headers(index):
        device = f"{settings.PARTICIPANT_COOKIE_NAME}={tokens[2 + index]}"
        return {**base_headers, "Cookie": f"{cookie}; {device}", "X-Requested-With": "outbox"}

    def contribute_body(index):
        return urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "client_id": uuid.uuid4().hex,
                "category": "driver",
                "horizon": "long_term",
                "text": TEXT,
            }
        )

    def baseline_headers(index):
        return {**base_headers, "Cookie": cookie}

    def baseline_body(index):
        return urllib.parse.urlencode({"csrfmiddlewaretoken": token, "text": TEXT})

    contribute = ("contribute", contribute_path, contribute_headers, contribute_body, {201})
    baseline = ("baseline", "/bench/baseline/", baseline_headers, baseline_body, {201})
    # Warm every worker up first: template engine, translations and imports load on the
    # first request a worker serves (~0.7 s here), which is not what is measured.
    for _name, path, headers, body, ok in (baseline, contribute):
        hammer(path, headers, body, ok, CONCURRENCY * max(10, 4 * WORKERS))
    runs: dict[str, list[dict]] = {"baseline": [], "contribute": []}
    for round_ in range(ROUNDS):
        pair = (baseline, contribute) if round_ % 2 == 0 else (contribute, baseline)
        for name, path, headers, body, ok in pair:
            runs[name].append(hammer(path, headers, body, ok, REQUESTS_PER_ROUND))

    def median(name, key):
        return statistics.median(run[key] for run in runs[name])

    speed = {name: {key: median(name, key) for key in ("rps", "p50", "p99")} for name in runs}
    pairs = list(zip(runs["baseline"], runs["contribute"], strict=True))
    speed["load"] = os.getloadavg()[0]
    speed["ratios"] = sorted(mine["rps"] / base["rps"] for base, mine in pairs)
    speed["p99_ratios"] = sorted(mine["p99"] / base["p99"] for base, mine in pairs)
    return speed


# --- Report ---------------------------------------------------------------------------------


def report(pages: dict | None, speed: dict, database: str) -> str:
    kb = 1024
    ratios, p99_ratios = speed["ratios"], speed["p99_ratios"]
    ratio, p99_ratio = statistics.median(ratios), statistics.median(p99_ratios)
    base, mine = speed["baseline"], speed["contribute"]
    ms = 1000
    page_rows = (
        [
            (
                "Contribute page, cold first view: HTML + CSS on the wire",
                f"{pages['cold_html_css'] / kb:.1f} KB",
                "≤ 14 KB (aim 5)",
            ),
            (
                "Contribute page, cold first view: script on the wire",
                f"{pages['cold_script'] / kb:.1f} KB",
                "≤ 20 KB",
            ),
            (
                "Contribute page, cold first view: everything",
                f"{pages['cold_all'] / kb:.1f} KB",
                "—",
            ),
            (
                "Join from the QR link + 10 sends: total transfer (both ways)",
                f"{pages['join_10_sends'] / kb:.1f} KB",
                "≤ 50 KB",
            ),
            ("2G cold first view: first contentful paint", f"{pages['2g_fcp']:.2f} s", "—"),
            (
                "2G cold first view: usable (DOMContentLoaded)",
                f"{pages['2g_dcl']:.2f} s",
                "≤ 2.5 s",
            ),
            ("2G cold first view: load event (script included)", f"{pages['2g_load']:.2f} s", "—"),
            ("2G send confirmed (median of 3, script)", f"{pages['2g_send']:.2f} s", "≤ 1 s"),
        ]
        if pages
        else []
    )
    rows = [
        *page_rows,
        ("Bare Django view (CSRF + insert one row): requests/s", f"{base['rps']:.0f}", "—"),
        ("Contribute endpoint (script send): requests/s", f"{mine['rps']:.0f}", "—"),
        (
            "Throughput ratio contribute / baseline (median of rounds; range)",
            f"{ratio:.2f} ({ratios[0]:.2f}–{ratios[-1]:.2f})",
            "≥ 0.5",
        ),
        (
            "p50 latency baseline / contribute",
            f"{base['p50'] * ms:.1f} / {mine['p50'] * ms:.1f} ms",
            "—",
        ),
        (
            "p99 latency baseline / contribute",
            f"{base['p99'] * ms:.1f} / {mine['p99'] * ms:.1f} ms",
            "—",
        ),
        (
            "p99 ratio contribute / baseline (median of rounds; range)",
            f"{p99_ratio:.2f} ({p99_ratios[0]:.2f}–{p99_ratios[-1]:.2f})",
            "≤ 2",
        ),
    ]
    lines = [
        f"Participant benchmark — {database}, gunicorn {WORKERS} sync workers on loopback, "
        f"{CONCURRENCY} concurrent clients, {ROUNDS} paired rounds × {REQUESTS_PER_ROUND} "
        "requests each (requests/s and latencies: median of rounds); "
        f"{os.cpu_count()} CPUs, load average {speed['load']:.1f} at the end",
        "",
        "| Measure | Value | Goal |",
        "|---|---|---|",
        *[f"| {what} | {value} | {goal} |" for what, value, goal in rows],
    ]
    return "\n".join(lines)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="pe-bench-participant-") as folder:
        tmp = Path(folder)
        setup_django(tmp)
        from django.db import connection

        workshop, session, tokens = make_workshop(participants=2 + CONCURRENCY)
        server = start_server(tmp)
        try:
            pages = None
            if "--throughput-only" not in sys.argv:
                pages = measure_pages(workshop, session, tokens)
            speed = measure_throughput(workshop, session, tokens)
        finally:
            server.terminate()
            server.wait(timeout=30)
        print(report(pages, speed, connection.vendor))


if __name__ == "__main__":
    main()
