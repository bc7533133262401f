"""Foundation benchmark: loading the demo, and the landing, join and dashboard pages.

Run: .venv/bin/python bench/foundation.py  (uses a throw-away SQLite file unless
DATABASE_URL is set). Prints a table; the health check is the baseline request.
"""

import os
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peaceexchange.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from workshops.models import Contribution  # noqa: E402

REPEAT = 50


def timed(label, func, repeat=1):
    durations, queries = [], 0
    for _ in range(repeat):
        reset_queries()
        start = time.perf_counter()
        func()
        durations.append((time.perf_counter() - start) * 1000)
        queries = len(connection.queries)
    return label, statistics.median(durations), max(durations), queries


def main() -> None:
    setup_test_environment()
    settings.DEBUG = True  # count queries
    call_command("migrate", verbosity=0)
    quiet = StringIO()
    rows = [
        timed("seed_demo, first run", lambda: call_command("seed_demo", stdout=quiet)),
        timed("seed_demo, second run", lambda: call_command("seed_demo", stdout=quiet)),
    ]
    anonymous = Client()
    staff = Client()
    staff.post("/accounts/login/", {"username": "organiser", "password": "peace-demo-2026"})
    rows += [
        timed("GET /healthz (baseline)", lambda: anonymous.get("/healthz"), REPEAT),
        timed("GET / (landing)", lambda: anonymous.get("/"), REPEAT),
        timed("POST /j/ (join form)", lambda: anonymous.post("/j/", {"code": "paxm47"}), REPEAT),
        timed("GET /w/ (dashboard)", lambda: staff.get("/w/"), REPEAT),
    ]
    print(f"database: {connection.vendor}; demo contributions: {Contribution.objects.count()}")
    print(f"{'step':<28}{'median ms':>10}{'max ms':>10}{'queries':>9}")
    for label, median, worst, queries in rows:
        print(f"{label:<28}{median:>10.1f}{worst:>10.1f}{queries:>9}")


if __name__ == "__main__":
    main()
