"""CPU of one board poll by kind, in process, under production settings (PostgreSQL,
Redis DB 15): a changed list rendered with its items kept (``board_items``) and without,
another board served that render, a board already showing it (the middleware's 204).

Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/pe_rooms_prof .venv/bin/python
bench/board_polls_profile.py`` (``ROUNDS`` rounds of 60 phones' sends first, default 5).
Prints a Markdown table; results in bench/results/rooms.md.
"""

from __future__ import annotations

import html
import os
import re
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

POLL = re.compile(r'id="board-list" hx-get="([^"]+)"')
HTMX = {"HX-Request": "true"}


def poll_of(response) -> str:
    return html.unescape(POLL.search(response.content.decode()).group(1))


def cpu_ms(call):
    started = time.process_time()
    response = call()
    return (time.process_time() - started) * 1000, response


def main() -> int:
    from bench.rooms_profile import Recorder, join, make_room, production_settings, send

    production_settings()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from workshops.choices import StaffRole
    from workshops.models import WorkshopMembership
    from workshops.views import polls
    from workshops.views.facilitator import board_items

    record = Recorder(profile=False)
    workshop, session, regions, staff = make_room()
    phones = [join(record, workshop, session, regions, n) for n in range(60)]
    for k in range(int(os.environ.get("ROUNDS", "5"))):
        for phone in phones:
            send(record, phone, session, k)
    second = get_user_model().objects.create_user(username=f"bench-{uuid.uuid4().hex[:10]}")
    WorkshopMembership.objects.create(workshop=workshop, user=second, role=StaffRole.FACILITATOR)
    other = Client(secure=True, headers={"X-Forwarded-Proto": "https"})
    other.force_login(second)
    board = reverse("workshops:session_board", args=[workshop.slug, session.pk])
    polls_of = {"first": poll_of(staff.get(board)), "second": poll_of(other.get(board))}
    polls.HOLD_MIN = polls.HOLD_MAX = 0  # every change rendered: the cost of a render
    kept_render = board_items.render
    times = {
        "render (shared, items kept)": [],
        "render (items not kept)": [],
        "shared entry, other board": [],
        "204 middleware": [],
    }
    for i in range(30):
        send(record, phones[i], session, 99)
        kind = "render (items not kept)" if i % 2 else "render (shared, items kept)"
        if i % 2:
            board_items.render = lambda c, ctx, req, keep: kept_render(c, ctx, req, keep=False)
        ms, response = cpu_ms(lambda: staff.get(polls_of["first"], headers=HTMX))
        board_items.render = kept_render
        times[kind].append(ms)
        assert response.status_code == 200, response.status_code
        polls_of["first"] = poll_of(response)
        ms, shared = cpu_ms(lambda: other.get(polls_of["second"], headers=HTMX))
        times["shared entry, other board"].append(ms)
        assert shared.status_code == 200, shared.status_code
        polls_of["second"] = poll_of(shared)
        ms, unchanged = cpu_ms(lambda: staff.get(polls_of["first"], headers=HTMX))
        times["204 middleware"].append(ms)
        assert unchanged.status_code == 204, unchanged.status_code
    print(f"contributions: {session.contributions.count()}, fragment: {len(response.content)} B")
    print("| request | n | CPU mean ms | CPU median ms |\n|---|---|---|---|")
    for kind, values in times.items():
        mean, median = statistics.mean(values), statistics.median(values)
        print(f"| {kind} | {len(values)} | {mean:.1f} | {median:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
