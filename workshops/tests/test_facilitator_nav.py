"""The workshop navigation reaches every staff area, and shows a role only what it may open."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _nav_links(response) -> set[str]:
    html = response.content.decode()
    nav = html[html.index('class="mb-3 no-print workshop-nav"') :]
    nav = nav[: nav.index("</nav>")]
    return {part.split('"', 1)[0] for part in nav.split('href="')[1:]}


@pytest.mark.parametrize(
    "page",
    [
        "workshops:workshop",
        "report:rollup",
        "report:home",
        "sources:index",
        "sources:context",
        "sources:interviews",
    ],
)
def test_every_workshop_area_is_linked_from_the_nav(client_for, organiser, workshop, page):
    response = client_for(organiser).get(reverse(page, args=[workshop.slug]))
    links = _nav_links(response)
    for target in (
        "workshops:workshop",
        "workshops:board",
        "workshops:results",
        "workshops:join_code",
        "report:rollup",
        "report:home",
        "sources:index",
        "sources:context",
        "sources:interviews",
        "workshops:organisations",
        "workshops:participants",
        "workshops:access_log",
        "workshops:staff",
        "workshops:workshop_edit",
    ):
        assert reverse(target, args=[workshop.slug]) in links, target


def test_a_viewer_sees_no_link_to_pages_it_may_not_open(client_for, viewer, workshop, session):
    response = client_for(viewer).get(reverse("workshops:workshop", args=[workshop.slug]))
    links = _nav_links(response)
    assert reverse("report:rollup", args=[workshop.slug]) in links
    for target in (
        "workshops:participants",
        "workshops:access_log",
        "workshops:staff",
        "workshops:workshop_edit",
    ):
        assert reverse(target, args=[workshop.slug]) not in links, target
    capture = reverse("workshops:capture", args=[workshop.slug, session.pk])
    assert capture not in response.content.decode()


def test_a_facilitator_sees_no_participants_access_log_staff_or_settings(
    client_for, facilitator, workshop
):
    response = client_for(facilitator).get(reverse("report:rollup", args=[workshop.slug]))
    links = _nav_links(response)
    for target in (
        "workshops:participants",  # names are row-level data: organisers only
        "workshops:access_log",
        "workshops:staff",
        "workshops:workshop_edit",
    ):
        assert reverse(target, args=[workshop.slug]) not in links, target


def test_the_current_page_is_marked_in_the_nav(client_for, note_taker, workshop, session):
    response = client_for(note_taker).get(
        reverse("workshops:capture", args=[workshop.slug, session.pk])
    )
    html = response.content.decode()
    board = reverse("workshops:board", args=[workshop.slug])
    assert f'nav-link py-1 px-2 active" href="{board}"' in html
