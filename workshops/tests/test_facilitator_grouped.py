"""The grouped view by theme: groups and counts, moving between groups, polling, projector."""

from __future__ import annotations

import pytest
from django.urls import reverse

from workshops.choices import ModerationStatus
from workshops.models import Theme
from workshops.queries import board_version
from workshops.tests.facilitator_factories import make_contribution

HTMX = {"HTTP_HX_REQUEST": "true"}


def grouped_url(workshop, session=None):
    if session is None:
        return reverse("workshops:grouped", kwargs={"slug": workshop.slug})
    return reverse(
        "workshops:session_grouped", kwargs={"slug": workshop.slug, "session_id": session.pk}
    )


def test_smoke(client_for, facilitator, workshop, session, theme):
    make_contribution(workshop, session, text="Untagged one")
    make_contribution(workshop, session, text="Tagged one", themes=[theme])
    page = client_for(facilitator).get(grouped_url(workshop, session))
    assert page.status_code == 200, page.content[:3000]
    open("/tmp/g/page.html", "w").write(page.text)
