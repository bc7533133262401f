"""Helpers for the facilitator tests: contributions through the one write path."""

from __future__ import annotations

import html
import itertools
import re

from django.urls import reverse

from workshops.choices import Category, Source
from workshops.services.contributions import submit_contribution

_counter = itertools.count(1)


def make_contribution(workshop, session=None, *, text=None, category=Category.DRIVER, **extra):
    n = next(_counter)
    extra.setdefault("source", Source.PHONE)
    return submit_contribution(
        workshop=workshop,
        session=session,
        client_id=f"test-{n}",
        text=text or f"Contribution number {n}",
        category=category,
        **extra,
    ).contribution


def board_url(workshop, session=None):
    if session is None:
        return reverse("workshops:board", kwargs={"slug": workshop.slug})
    return reverse(
        "workshops:session_board", kwargs={"slug": workshop.slug, "session_id": session.pk}
    )


def poll_url_in(page: str) -> str:
    """The URL an open board or projector polls (its ``hx-get``)."""
    found = re.search(r'id="(?:board-list|projector-live|grouped-list)" hx-get="([^"]+)"', page)
    assert found, "no poll URL on the page"
    return html.unescape(found.group(1))
