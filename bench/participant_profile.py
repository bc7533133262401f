"""Where one send's time goes: queries and a Python profile, in process.

Run: ``DATABASE_URL=postgres://... .venv/bin/python bench/participant_profile.py``
(SQLite in a temporary folder without it). It migrates a fresh database, makes a live
workshop, then sends contributions through the full middleware stack with Django's
test client (``X-Requested-With: outbox``, the script's path, and the no-JS path), printing:

- the SQL of one send, counted by ``CaptureQueriesContext``;
- the mean time per send of the contribute endpoint and of the bare baseline view
  (``bench/participant_urls.py``), side by side, over a bounded number of sends;
- a pyinstrument profile of the sends when pyinstrument is importable
  (``pip install pyinstrument``; not a project requirement).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SENDS = int(os.environ.get("PROFILE_SENDS", "300"))


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="pe-profile-") as folder:
        tmp = Path(folder)
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.participant_settings"
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'profile.sqlite3'}")
        os.environ["BENCH_STATIC_ROOT"] = str(tmp / "static")
        sys.argv = sys.argv[:1]
        from bench import participant as bench  # its set-up helpers

        bench.setup_django(tmp)
        from django.conf import settings
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        workshop, session, tokens = bench.make_workshop(participants=1)
        path = f"/j/{workshop.join_code}/s/{session.pk}/"
        client = Client(enforce_csrf_checks=True)
        token = client.get("/bench/baseline/").content.decode()
        client.cookies[settings.PARTICIPANT_COOKIE_NAME] = tokens[0]

        def send(htmx: bool = True):
            body = {
                "csrfmiddlewaretoken": token,
                "client_id": uuid.uuid4().hex,
                "category": "driver",
                "horizon": "long_term",
                "text": bench.TEXT,
            }
            headers = {"X-Requested-With": "outbox"} if htmx else {}
            return client.post(path, body, headers=headers)

        def baseline():
            return client.post("/bench/baseline/", {"csrfmiddlewaretoken": token, "text": "x"})

        for _ in range(20):  # warm up: templates, translations, connections
            assert send().status_code == 201
            assert baseline().status_code == 201
        for label, htmx in (("script send (outbox)", True), ("no-JS send", False)):
            with CaptureQueriesContext(connection) as queries:
                response = send(htmx)
            print(f"== {label}: status {response.status_code}, {len(queries)} queries")
            for query in queries.captured_queries:
                print("  ", query["sql"][:160])
        with CaptureQueriesContext(connection) as queries:
            baseline()
        print(f"== baseline: {len(queries)} queries")
        for query in queries.captured_queries:
            print("  ", query["sql"][:160])

        timings = {}
        for name, call in (("baseline", baseline), ("contribute", send)):
            started = time.perf_counter()
            for _ in range(SENDS):
                call()
            timings[name] = (time.perf_counter() - started) / SENDS
        print(
            f"== in process, {SENDS} each: baseline {timings['baseline'] * 1000:.2f} ms, "
            f"contribute {timings['contribute'] * 1000:.2f} ms, "
            f"ratio {timings['baseline'] / timings['contribute']:.2f}"
        )
        try:
            from pyinstrument import Profiler
        except ImportError:
            print("(pyinstrument not installed: no profile)")
            return
        profiler = Profiler(interval=0.0002)
        profiler.start()
        for _ in range(SENDS):
            send()
        profiler.stop()
        if os.environ.get("PROFILE_FLAT") == "1":  # where the time is spent, function by function
            from pyinstrument.renderers import ConsoleRenderer

            print(profiler.output(ConsoleRenderer(flat=True, unicode=True, color=False)))
        else:
            print(profiler.output_text(unicode=True, color=False))


if __name__ == "__main__":
    main()
