"""Board and projector polls answered before sessions, users and queries
(workshops/views/polls.py): 204 only with a fresh token of this browser for this path
and an unchanged counter; everything else goes through the full view and its checks."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from workshops import changes
from workshops.tests.facilitator_factories import board_url, make_contribution, poll_url_in
from workshops.views import polls

HTMX = {"HTTP_HX_REQUEST": "true"}
pytestmark = pytest.mark.django_db


def projector_url(workshop, session):
    return reverse("workshops:projector", args=[workshop.slug, session.pk])


def test_a_viewer_polling_an_unchanged_board_gets_204_without_a_query(
    client_for, viewer, workshop, session, django_assert_num_queries
):
    client = client_for(viewer)
    poll = poll_url_in(client.get(board_url(workshop)).text)
    with django_assert_num_queries(0):
        response = client.get(poll, **HTMX)
    assert response.status_code == 204
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("n", [1, 60])
def test_the_projector_poll_costs_no_query_at_any_size(
    client_for, viewer, workshop, session, n, django_assert_num_queries
):
    for _ in range(n):
        make_contribution(workshop, session)
    client = client_for(viewer)
    poll = poll_url_in(client.get(projector_url(workshop, session)).text)
    with django_assert_num_queries(0):
        assert client.get(poll, **HTMX).status_code == 204


def test_a_change_gets_the_fresh_fragment_and_a_new_token(client_for, viewer, workshop, session):
    client = client_for(viewer)
    poll = poll_url_in(client.get(board_url(workshop, session)).text)
    make_contribution(workshop, session, text="Just arrived")
    response = client.get(poll, **HTMX)
    assert response.status_code == 200 and "Just arrived" in response.text
    fresh = poll_url_in(response.text)
    assert fresh != poll
    assert client.get(fresh, **HTMX).status_code == 204


def test_an_outsider_with_someone_elses_poll_url_gets_404(
    client_for, viewer, outsider, workshop, session
):
    poll = poll_url_in(client_for(viewer).get(board_url(workshop)).text)
    response = client_for(outsider).get(poll, **HTMX)
    assert response.status_code == 404


def test_a_signed_out_browser_with_the_poll_url_goes_to_sign_in(client_for, viewer, workshop):
    poll = poll_url_in(client_for(viewer).get(board_url(workshop)).text)
    response = client_for(None).get(poll, **HTMX)
    assert response.status_code == 302 and "login" in response["Location"]


def test_after_signing_out_the_same_browser_no_longer_gets_204(client_for, viewer, workshop):
    client = client_for(viewer)
    poll = poll_url_in(client.get(board_url(workshop)).text)
    client.logout()
    assert client.get(poll, **HTMX).status_code == 302


def test_a_token_is_for_its_own_path_only(client_for, viewer, workshop, session):
    client = client_for(viewer)
    projector_poll = poll_url_in(client.get(projector_url(workshop, session)).text)
    query = projector_poll.split("?", 1)[1]
    response = client.get(f"{board_url(workshop)}?{query}", **HTMX)
    assert response.status_code == 200  # the full view, not a 204 borrowed from the projector


def test_a_token_names_its_workshop_and_cannot_be_moved_to_another(
    client_for, viewer, workshop, other_workshop
):
    client = client_for(viewer)
    poll = poll_url_in(client.get(board_url(workshop)).text)
    query = poll.split("?", 1)[1]
    assert client.get(f"{board_url(other_workshop)}?{query}", **HTMX).status_code == 404


def test_a_changed_token_or_version_goes_through_the_full_view(client_for, viewer, workshop):
    client = client_for(viewer)
    poll = poll_url_in(client.get(board_url(workshop)).text)
    assert client.get(poll.replace("t=", "t=x"), **HTMX).status_code == 200
    assert client.get(poll.replace("v=", "v=1"), **HTMX).status_code == 200


def test_an_old_token_gets_the_full_view_once_and_a_new_token(
    client_for, viewer, workshop, monkeypatch
):
    client = client_for(viewer)
    poll = poll_url_in(client.get(board_url(workshop)).text)
    monkeypatch.setattr(polls, "TOKEN_MAX_AGE", -1)  # every token is past its minute
    response = client.get(poll, **HTMX)
    assert response.status_code == 200
    assert "t=" in poll_url_in(response.text)


def test_a_page_load_without_htmx_is_never_answered_204(client_for, viewer, workshop):
    client = client_for(viewer)
    poll = poll_url_in(client.get(board_url(workshop)).text)
    response = client.get(poll)
    assert response.status_code == 200 and "<nav" in response.text


def test_with_the_cache_down_boards_render_and_polls_always_refresh(
    client_for, viewer, workshop, session, monkeypatch
):
    monkeypatch.setattr(changes, "version", lambda *args, **kwargs: None)
    make_contribution(workshop, session, text="Shown anyway")
    client = client_for(viewer)
    page = client.get(board_url(workshop))
    assert page.status_code == 200 and "Shown anyway" in page.text
    poll = poll_url_in(page.text)
    assert "t=" not in poll
    assert client.get(poll, **HTMX).status_code == 200


def test_a_poll_without_a_token_still_gets_204_after_the_full_checks(
    client_for, viewer, outsider, workshop, django_assert_max_num_queries
):
    client = client_for(viewer)
    poll = poll_url_in(client.get(board_url(workshop)).text)
    version = re.search(r"v=(\d+)", poll).group(1)
    with django_assert_max_num_queries(6):  # session, user, workshop, roles: no board read
        assert client.get(board_url(workshop), {"v": version}, **HTMX).status_code == 204
    assert client_for(outsider).get(board_url(workshop), {"v": version}, **HTMX).status_code == 404
