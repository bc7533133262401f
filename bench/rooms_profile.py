"""Where a room's requests spend their time, other than board polls: in process, under
production settings (``DJANGO_ENV=production``, DEBUG off, Redis cache DB 15, PostgreSQL).

Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/pe_rooms_bench .venv/bin/python
bench/rooms_profile.py`` (add ``--profile`` for cProfile's top functions per request kind).

One room: ``PROFILE_PHONES`` phones (default 180) join as a phone does (start page, language,
consent, profile, contribute page), each sends ``PROFILE_SENDS`` contributions (default 5)
through the script's path (``X-Requested-With: outbox``), and one staff member reloads the
roll-up after every round of sends (its numbers change each time, as in a live room).
Prints, per request kind: count, mean and p95 in ms, and SQL queries per request.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import re
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PHONES = int(os.environ.get("PROFILE_PHONES", "180"))
SENDS = int(os.environ.get("PROFILE_SENDS", "5"))
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
SECRET_KEY = "rooms-bench-only-" + "k" * 48  # in-process bench only
GENDERS = ("woman", "man", "woman", "man", "undisclosed")


def production_settings() -> None:
    """The app servers' settings (``deploy_servers.production_env``), in this process."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database of your own.")
    os.environ.update(
        {
            "DJANGO_ENV": "production",
            "DEBUG": "false",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "CACHE_URL": REDIS_URL,
            "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "peaceexchange.settings",
        }
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if os.environ.get("BENCH_SESSION_ENGINE"):  # --settings-ab compares session engines
        settings.SESSION_ENGINE = os.environ["BENCH_SESSION_ENGINE"]

    call_command("migrate", verbosity=0, interactive=False)


def make_room():
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.rooms import make_workshop
    from workshops.choices import StaffRole
    from workshops.models import WorkshopMembership

    workshop, session = make_workshop()
    regions = list(workshop.zone_regions.values_list("region_id", flat=True))
    user = get_user_model().objects.create_user(username=f"bench-{uuid.uuid4().hex[:10]}")
    WorkshopMembership.objects.create(workshop=workshop, user=user, role=StaffRole.FACILITATOR)
    staff = Client(secure=True, headers={"X-Forwarded-Proto": "https"})
    staff.force_login(user)
    return workshop, session, regions, staff


class Recorder:
    def __init__(self, profile: bool):
        self.times: dict[str, list[float]] = defaultdict(list)
        self.queries: dict[str, int] = {}
        self.profiles: dict[str, cProfile.Profile] = defaultdict(cProfile.Profile)
        self.profile = profile

    def __call__(self, kind: str, call, expect: int):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        capture = len(self.times[kind]) < 2  # the first and the second (warm) request
        context = CaptureQueriesContext(connection) if capture else None
        if context is not None:
            context.__enter__()
        profiler = self.profiles[kind] if self.profile else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        response = call()
        if profiler:
            profiler.disable()
        self.times[kind].append(time.perf_counter() - started)
        if context is not None:
            context.__exit__(None, None, None)
            self.queries[kind] = len(context.captured_queries)
            if os.environ.get("PROFILE_SQL"):
                print(f"\n{kind}:")
                for query in context.captured_queries:
                    print(f"  {query['time']} s  {query['sql'][:300]}")
        if response.status_code != expect:
            raise RuntimeError(f"{kind}: {response.status_code}, expected {expect}")
        return response


def join(record: Recorder, workshop, session, regions, n: int):
    from django.test import Client
    from django.urls import reverse

    from workshops.tests.participant_factories import session_url

    phone = Client(secure=True, headers={"X-Forwarded-Proto": "https"})
    code = workshop.join_code
    consent = reverse("participant:consent", kwargs={"code": code})
    profile = reverse("participant:profile", kwargs={"code": code})
    record("join: start page", lambda: phone.get(f"/j/{code}/"), 200)
    record(
        "join: language",
        lambda: phone.post(reverse("set_language"), {"language": "fr", "next": consent}),
        302,
    )
    page = record("join: consent page", lambda: phone.get(consent), 200).content.decode()
    key = re.search(r'name="consent_key" value="([^"]+)"', page).group(1)
    record("join: I agree", lambda: phone.post(consent, {"consent_key": key}), 302)
    record("join: profile page", lambda: phone.get(profile), 200)
    answers = {"gender": GENDERS[n % len(GENDERS)], "region": regions[n % len(regions)]}
    record("join: profile saved", lambda: phone.post(profile, answers), 302)
    record("phone page (contribute)", lambda: phone.get(session_url(session)), 200)
    return phone


def send(record: Recorder, phone, session, k: int):
    from workshops.tests.participant_factories import session_url

    body = {
        "client_id": uuid.uuid4().hex,
        "category": "driver" if k % 3 else "recommendation",
        "horizon": "long_term",
        "audience": "" if k % 3 else "national",
        "text": f"Les jeunes sans emploi sont recrutés par les groupes armés. Idée {k}.",
    }
    headers = {"X-Requested-With": "outbox"}
    record("send (outbox)", lambda: phone.post(session_url(session), body, headers=headers), 201)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def rollup_rounds(record: Recorder, workshop, session, phones, staff) -> None:
    """Sends, then the roll-up reloaded as now (charts held up to ``LIVE_CHART_SECONDS``)
    and as before (charts redrawn on every change), then with the same numbers."""
    from django.urls import reverse

    from workshops.views import report as report_views

    rollup = reverse("report:rollup", args=[workshop.slug])
    held = report_views.LIVE_CHART_SECONDS
    record("roll-up (first)", lambda: staff.get(rollup), 200)
    for k in range(SENDS):
        for phone in phones:
            send(record, phone, session, k)
        record("roll-up, numbers changed: charts held (now)", lambda: staff.get(rollup), 200)
        report_views.LIVE_CHART_SECONDS = 0  # the exact drawing, as before
        try:
            record("roll-up, numbers changed: redrawn (before)", lambda: staff.get(rollup), 200)
        finally:
            report_views.LIVE_CHART_SECONDS = held
        record("roll-up, same numbers", lambda: staff.get(rollup), 200)


def staff_polls(record: Recorder, workshop, session, staff, polls: int = 300) -> None:
    """A staff request that does little else than find its session: the board's poll."""
    from django.urls import reverse

    board = reverse("workshops:session_board", args=[workshop.slug, session.pk])
    htmx = {"HX-Request": "true"}
    page = staff.get(board, headers=htmx).content.decode()
    version = re.search(r'hx-get="[^"]*v=([0-9a-f]+)"', page).group(1)
    for _ in range(polls):
        record(
            "staff request (board poll, nothing new)",
            lambda: staff.get(f"{board}?v={version}", headers=htmx),
            204,
        )


def print_table(record: Recorder) -> None:
    print("| request | n | mean | p95 | SQL queries |")
    print("|---|---|---|---|---|")
    for kind, times in record.times.items():
        mean = sum(times) / len(times)
        print(
            f"| {kind} | {len(times)} | {mean * 1000:.1f} ms | {pct(times, 0.95) * 1000:.1f} ms "
            f"| {record.queries[kind]} |"
        )


# The settings compared by --settings-ab, each in its own process, in alternating rounds.
VARIANTS = {
    "before: persistent connections + SELECT 1 check, db sessions": {
        "DATABASE_POOL": "false",
        "BENCH_SESSION_ENGINE": "django.contrib.sessions.backends.db",
    },
    "pool, db sessions": {
        "DATABASE_POOL": "true",
        "BENCH_SESSION_ENGINE": "django.contrib.sessions.backends.db",
    },
    "now: pool + cached_db sessions (Redis)": {
        "DATABASE_POOL": "true",
        "BENCH_SESSION_ENGINE": "django.contrib.sessions.backends.cached_db",
    },
}


def settings_ab(rounds: int = 2) -> int:
    import json
    import subprocess

    found: dict[str, dict[str, list[float]]] = {name: defaultdict(list) for name in VARIANTS}
    for _round in range(rounds):
        for name, env in VARIANTS.items():
            child = subprocess.run(
                [sys.executable, __file__, "--child"],
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                check=True,
            )
            for kind, times in json.loads(child.stdout.splitlines()[-1]).items():
                found[name][kind] += times
    kinds = list(next(iter(found.values())))
    print(f"{rounds} alternating rounds per variant, {PHONES} phones, in process\n")
    print("| settings | " + " | ".join(f"{k}: mean / p95 ms" for k in kinds) + " |")
    print("|---|" + "---|" * len(kinds))
    for name, times in found.items():
        cells = [
            f"{sum(t) / len(t) * 1000:.1f} / {pct(t, 0.95) * 1000:.1f}"
            for t in (times[k] for k in kinds)
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")
    return 0


def main(argv: list[str]) -> int:
    if "--settings-ab" in argv:
        return settings_ab()
    production_settings()
    workshop, session, regions, staff = make_room()
    record = Recorder(profile="--profile" in argv)
    phones = [join(record, workshop, session, regions, n) for n in range(PHONES)]
    if "--child" in argv:
        import json

        for k in range(SENDS):
            for phone in phones:
                send(record, phone, session, k)
        staff_polls(record, workshop, session, staff)
        kinds = (
            "send (outbox)",
            "phone page (contribute)",
            "staff request (board poll, nothing new)",
        )
        print(json.dumps({kind: record.times[kind] for kind in kinds}))
        return 0
    rollup_rounds(record, workshop, session, phones, staff)
    print(f"{PHONES} phones, {PHONES * SENDS} sends, production settings, in process\n")
    print_table(record)
    if record.profile:
        for kind, profiler in record.profiles.items():
            out = io.StringIO()
            order = os.environ.get("PROFILE_SORT", "cumulative")
            stats = pstats.Stats(profiler, stream=out).sort_stats(order)
            stats.print_stats(os.environ.get("PROFILE_MATCH", "workshops|site-packages"), 30)
            print(f"\n## {kind}\n")
            print(out.getvalue().strip()[:8000])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
