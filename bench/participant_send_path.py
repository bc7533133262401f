"""The phone's send, before and after a change, measured in the same run.

Run: ``.venv/bin/python bench/participant_send_path.py BEFORE_ROOT`` where BEFORE_ROOT is
a checkout of the code to compare with (``git archive main | tar -x -C /tmp/sendbase``).
Three gunicorn servers share one fresh SQLite database (or ``DATABASE_URL``):

- ``before``: the code at BEFORE_ROOT;
- ``after``: this checkout;
- ``after, history at send``: this checkout with the history creation record written by
  the send itself (``BENCH_HISTORY_AT_SEND=1``, see ``bench/participant_urls.py``).

Each round sends REQUESTS script sends (``HX-Request``) from CONCURRENCY clients to each
server in turn, the order rotating between rounds. Per round and server it records
requests/s, p50/p95 latency and the server's CPU time per send (user + system time of
the gunicorn workers, read from /proc: less sensitive to other work on the machine than
wall time). It prints one Markdown table: medians over the rounds, with their range.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.participant import (  # noqa: E402
    CONCURRENCY,
    TEXT,
    WORKERS,
    csrf_pair,
    hammer,
    make_workshop,
    setup_django,
    start_server,
)

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "9"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "240"))
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(server) -> float:
    """User + system CPU time of the gunicorn master's workers so far."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    total = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def main() -> None:
    before_root = Path(sys.argv[1]).resolve()
    with tempfile.TemporaryDirectory(prefix="pe-bench-send-") as folder:
        tmp = Path(folder)
        setup_django(tmp)
        from django.conf import settings
        from django.db import connection

        workshop, session, tokens = make_workshop(participants=CONCURRENCY)
        variants = {
            "before": (before_root, 8311, {}),
            "after": (ROOT, 8312, {}),
            "after, history at send": (ROOT, 8313, {"BENCH_HISTORY_AT_SEND": "1"}),
        }
        servers = {}
        try:
            for name, (root, port, extra) in variants.items():
                servers[name] = start_server(tmp, root=root, port=port, extra_env=extra)
            path = f"/j/{workshop.join_code}/s/{session.pk}/"
            csrf = {name: csrf_pair(port) for name, (_r, port, _e) in variants.items()}

            def send(name: str, total: int) -> dict:
                cookie, token = csrf[name]

                def headers(index):
                    device = f"{settings.PARTICIPANT_COOKIE_NAME}={tokens[index]}"
                    return {
                        "Content-Type": "application/x-www-form-urlencoded",
                        "Cookie": f"{cookie}; {device}",
                        "HX-Request": "true",
                    }

                def body(index):
                    data = {
                        "csrfmiddlewaretoken": token,
                        "client_id": uuid.uuid4().hex,
                        "category": "driver",
                        "horizon": "long_term",
                        "text": TEXT,
                    }
                    return urllib.parse.urlencode(data)

                cpu = cpu_seconds(servers[name])
                result = hammer(path, headers, body, {201}, total, port=variants[name][1])
                result["cpu_ms"] = (cpu_seconds(servers[name]) - cpu) * 1000 / total
                return result

            for name in variants:  # warm every worker up (imports, templates)
                send(name, CONCURRENCY * 4 * WORKERS)
            runs: dict[str, list[dict]] = {name: [] for name in variants}
            names = list(variants)
            for round_ in range(ROUNDS):
                shift = round_ % len(names)
                for name in names[shift:] + names[:shift]:
                    runs[name].append(send(name, REQUESTS))
            load = os.getloadavg()
            from workshops.models import Contribution

            history_rows = Contribution.history.filter(history_type="+").count()
            sent_with_history = CONCURRENCY * 4 * WORKERS + ROUNDS * REQUESTS
        finally:
            for server in servers.values():
                server.terminate()
                server.wait(timeout=30)
        print(report(runs, connection.vendor, load))
        print(
            f"\nCheck: {history_rows} history creation records stored for "
            f"{sent_with_history} sends to the history-at-send server (the others write none)."
        )


def _cell(values: list[float], scale: float = 1, digits: int = 1) -> str:
    values = sorted(v * scale for v in values)
    return (
        f"{statistics.median(values):.{digits}f} ({values[0]:.{digits}f}–{values[-1]:.{digits}f})"
    )


def _paired(rounds: list[dict], others: list[dict]) -> str:
    """Per-round ratio of server CPU per send against ``others`` (same round)."""
    ratios = [mine["cpu_ms"] / base["cpu_ms"] for mine, base in zip(rounds, others, strict=True)]
    return _cell(ratios, digits=2)


def report(runs: dict[str, list[dict]], database: str, load) -> str:
    before, after = runs["before"], runs["after"]
    lines = [
        f"{database}, gunicorn {WORKERS} sync workers per server on loopback, {CONCURRENCY} "
        f"concurrent clients, {ROUNDS} rounds × {REQUESTS} script sends per server, order "
        f"rotating; {os.cpu_count()} CPUs, load average {load[0]:.1f} / {load[1]:.1f} / "
        f"{load[2]:.1f} (1 / 5 / 15 min) at the end. Median over rounds (min–max); the "
        "CPU ratios are paired per round.",
        "",
        "| Code | sends/s | p50 ms | p95 ms | server CPU ms per send "
        "| CPU vs before | CPU vs after |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, rounds in runs.items():
        lines.append(
            f"| {name} | {_cell([r['rps'] for r in rounds], digits=0)} "
            f"| {_cell([r['p50'] for r in rounds], 1000)} "
            f"| {_cell([r['p95'] for r in rounds], 1000)} "
            f"| {_cell([r['cpu_ms'] for r in rounds], digits=2)} "
            f"| {_paired(rounds, before)} | {_paired(rounds, after)} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
