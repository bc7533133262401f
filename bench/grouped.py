"""Server time of the grouped view by theme at 50 and 5,000 contributions, against the
board measured in the same run (the baseline).

In-process (Django's test client, no network): each row is the median of ``BENCH_REPEAT``
requests of a logged-in facilitator. A third of the contributions are untagged, the rest
spread over 12 themes (one in seven with a second theme).

    .venv/bin/python bench/grouped.py                # SQLite file in a temp dir
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pe_bench_grouped \\
        .venv/bin/python bench/grouped.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REPEAT = int(os.environ.get("BENCH_REPEAT", "15"))
SIZES = (50, 5000)
THEMES = 12
HTMX = {"HTTP_HX_REQUEST": "true"}


def setup_database() -> None:
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peaceexchange.settings")
    import django

    django.setup()
    import logging

    logging.getLogger("axes").setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_room(n: int):
    from datetime import date

    from django.contrib.auth import get_user_model
    from django.test import Client

    from workshops.choices import Category, SessionStatus, Source, StaffRole, WorkshopStatus
    from workshops.models import (
        BreakoutSession,
        Contribution,
        Country,
        Organisation,
        Theme,
        Workshop,
        WorkshopMembership,
    )

    country, _ = Country.objects.get_or_create(code="ML", defaults={"name": "Mali"})
    organiser, _ = Organisation.objects.get_or_create(name="WANEP Mali (bench)")
    workshop = Workshop.objects.create(
        slug=f"bench-{uuid.uuid4().hex[:8]}",
        title="Atelier d'échange pour la paix — Bamako",
        country=country,
        organiser=organiser,
        start_date=date.today(),
        end_date=date.today(),
        status=WorkshopStatus.LIVE,
        languages=["fr", "en"],
    )
    session = BreakoutSession.objects.create(
        workshop=workshop,
        title="Les facteurs du conflit violent",
        focus=[Category.DRIVER],
        status=SessionStatus.OPEN,
    )
    themes = [
        Theme.objects.create(workshop=workshop, slug=f"t{i}", name=f"Theme {i}", name_fr=f"T{i}")
        for i in range(THEMES)
    ]
    rows = [
        Contribution(
            workshop=workshop,
            session=session,
            client_id=f"bench-{i}",
            text=f"Les jeunes sans emploi sont recrutés, contribution {i}",
            category=Category.DRIVER,
            source=Source.SURVEY,
        )
        for i in range(n)
    ]
    for row in rows:
        row.refresh_search_text()
    Contribution.objects.bulk_create(rows, batch_size=1000)
    through = Contribution.themes.through
    ids = list(workshop.contributions.values_list("pk", flat=True))
    links = [
        through(contribution_id=pk, theme_id=themes[i % THEMES].pk)
        for i, pk in enumerate(ids)
        if i % 3
    ]
    links += [
        through(contribution_id=pk, theme_id=themes[(i + 1) % THEMES].pk)
        for i, pk in enumerate(ids)
        if i % 7 == 1
    ]
    through.objects.bulk_create(links, batch_size=1000)
    user = get_user_model().objects.create_user(username=f"bench-{uuid.uuid4().hex[:8]}")
    WorkshopMembership.objects.create(workshop=workshop, user=user, role=StaffRole.FACILITATOR)
    client = Client()
    client.force_login(user)
    return client, workshop, session, themes, ids


def timed(client, method, url, data=None, **extra):
    started = time.perf_counter()
    response = getattr(client, method)(url, data or {}, **extra)
    return (time.perf_counter() - started) * 1000, response


def measure(client, url, data=None, **extra):
    timed(client, "get", url, data, **extra)  # warm
    runs = [timed(client, "get", url, data, **extra) for _ in range(REPEAT)]
    status = runs[-1][1].status_code
    size = len(runs[-1][1].content)
    return statistics.median(t for t, _ in runs), status, size


def main() -> int:
    setup_database()
    from django.urls import reverse

    from workshops.queries import board_version

    rows = []
    for n in SIZES:
        client, workshop, session, themes, ids = make_room(n)
        board = reverse("workshops:session_board", args=[workshop.slug, session.pk])
        grouped = reverse("workshops:session_grouped", args=[workshop.slug, session.pk])
        projector = reverse("workshops:session_grouped_projector", args=[workshop.slug, session.pk])
        move = reverse("workshops:grouped_move", args=[workshop.slug])
        version = board_version(workshop, session)
        cases = [
            ("board page (baseline)", board, None, {}),
            ("board poll, unchanged (baseline)", board, {"v": version}, HTMX),
            ("grouped page", grouped, None, {}),
            ("grouped poll, unchanged", grouped, {"v": version}, HTMX),
            ("grouped poll, changed", grouped, {"v": "old"}, HTMX),
            ("grouped, one group page 2", grouped, {"group": themes[0].pk, "page": 2}, {}),
            ("grouped projector", projector, None, {}),
        ]
        for name, url, data, extra in cases:
            ms, status, size = measure(client, url, data, **extra)
            rows.append((n, name, ms, status, size))
        moves = []
        for i in range(REPEAT):
            data = {"contribution": ids[i], "target": themes[(i + 5) % THEMES].pk, "mode": "add"}
            ms, response = timed(client, "post", move, data, **HTMX)
            assert response.status_code == 204, response.status_code
            moves.append(ms)
        rows.append((n, "move (POST, htmx)", statistics.median(moves), 204, 0))
    print(f"database: {os.environ['DATABASE_URL'].split(':')[0]}, median of {REPEAT}")
    print("| contributions | request | median ms | status | bytes |")
    print("|---|---|---|---|---|")
    for n, name, ms, status, size in rows:
        print(f"| {n} | {name} | {ms:.1f} | {status} | {size:,} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
