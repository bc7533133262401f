"""The live roll-up page redraws its charts at most every ``LIVE_CHART_SECONDS``; its
tables follow every change, and reports always draw the exact numbers."""

import time
import types

import pytest
from django.core.cache.backends import locmem
from django.urls import reverse

from workshops.analysis.rollup import build_rollup
from workshops.report import charts
from workshops.tests.report_factories import make_mali_like_workshop, one_contribution
from workshops.tests.second_workshop import load_second_workshop
from workshops.views import report as report_views

pytestmark = pytest.mark.render


@pytest.fixture
def drawings(monkeypatch):
    """How many charts were drawn (``charts.svg`` calls)."""
    drawn = []
    real = charts.svg

    def counting(figure):
        drawn.append(figure)
        return real(figure)

    monkeypatch.setattr(charts, "svg", counting)
    return drawn


def _later(monkeypatch, seconds: float) -> None:
    """The cache's clock moves on (its entries expire); nothing else does."""
    now = time.time
    monkeypatch.setattr(locmem, "time", types.SimpleNamespace(time=lambda: now() + seconds))


def _categories_chart(response) -> str:
    return next(c["uri"] for c in response.context["charts"] if c["key"] == "categories")


def test_live_rollup_keeps_its_charts_while_numbers_change_and_redraws_after_the_period(
    client_for, viewer, workshop, regions, drawings, monkeypatch
):
    make_mali_like_workshop(workshop, regions)
    url = reverse("report:rollup", kwargs={"slug": workshop.slug})
    client = client_for(viewer)
    first = client.get(url)
    assert first.status_code == 200 and drawings
    drawn_first = len(drawings)
    one_contribution(workshop, regions)  # a number changes
    second = client.get(url)
    assert second.context["rollup"].contributions == first.context["rollup"].contributions + 1
    assert len(drawings) == drawn_first  # nothing redrawn within the period
    assert _categories_chart(second) == _categories_chart(first)
    page = second.content.decode()
    assert f"the charts are redrawn every {report_views.LIVE_CHART_SECONDS} seconds" in page
    _later(monkeypatch, report_views.LIVE_CHART_SECONDS + 1)
    third = client.get(url)
    assert len(drawings) > drawn_first
    assert _categories_chart(third) != _categories_chart(first)


def test_same_numbers_reuse_the_drawing_and_reports_always_draw_the_exact_numbers(
    client_for, viewer, workshop, regions, drawings
):
    make_mali_like_workshop(workshop, regions)
    url = reverse("report:rollup", kwargs={"slug": workshop.slug})
    held = _categories_chart(client_for(viewer).get(url))
    drawn = len(drawings)
    assert _categories_chart(client_for(viewer).get(url)) == held
    assert len(drawings) == drawn
    one_contribution(workshop, regions)
    client_for(viewer).get(url)
    exact = charts.chart_uri(build_rollup(workshop, language="en"), "categories")
    assert exact != held  # the report's path is never held back


def test_held_charts_belong_to_their_own_workshop(client_for, viewer, workshop, regions, drawings):
    make_mali_like_workshop(workshop, regions)
    client_for(viewer).get(reverse("report:rollup", kwargs={"slug": workshop.slug}))
    second = load_second_workshop()
    other_viewer = second.staff["viewer"]
    url = reverse("report:rollup", kwargs={"slug": second.workshop.slug})
    other = client_for(other_viewer).get(url)
    exact = charts.chart_uri(build_rollup(second.workshop, language="en"), "categories")
    assert _categories_chart(other) == exact
