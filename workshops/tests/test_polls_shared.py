"""A changed board's fragment is rendered once and shared by every board of a room that
asks for the same page (workshops/views/polls.py, ``shared_fragment``): each browser still
gets its own CSRF token and poll token, roles and languages never share a render, a board
is never sent back to an older render than the one it shows, and a render is at most
``hold`` seconds behind the latest change."""

from __future__ import annotations

import re
import time

import pytest
from django.core.cache import cache

from conftest import _staff
from workshops import changes
from workshops.models import Contribution
from workshops.tests.facilitator_factories import board_url, make_contribution, poll_url_in
from workshops.views import polls
from workshops.views.facilitator import running

HTMX = {"HTTP_HX_REQUEST": "true"}
pytestmark = pytest.mark.django_db
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def renders(monkeypatch):
    """How many times the board's data was read and rendered."""
    calls = []
    original = running._board_context

    def counted(*args, **kwargs):
        calls.append(args[1].role)
        return original(*args, **kwargs)

    monkeypatch.setattr(running, "_board_context", counted)
    return calls


@pytest.fixture
def no_hold(monkeypatch):
    monkeypatch.setattr(polls, "HOLD_MIN", 0)
    monkeypatch.setattr(polls, "HOLD_MAX", 0)


def _boards(client_for, users, workshop, session):
    """Each user's browser with its board open, and the URL it polls."""
    boards = []
    for user in users:
        client = client_for(user)
        boards.append((client, poll_url_in(client.get(board_url(workshop, session)).text)))
    return boards


def test_six_boards_of_a_room_share_one_render_of_a_change(
    client_for, facilitator, organiser, workshop, session, renders, django_user_model
):
    users = [facilitator] + [
        _staff(django_user_model, f"fac{n}", workshop, "facilitator") for n in range(5)
    ]
    boards = _boards(client_for, users, workshop, session)
    renders.clear()
    make_contribution(workshop, session, text="Seen by every board")
    answers = [client.get(poll, **HTMX) for client, poll in boards]
    assert [a.status_code for a in answers] == [200] * 6
    assert all("Seen by every board" in a.text for a in answers)
    assert len(renders) == 1  # one read and render for the six boards


def test_each_board_gets_its_own_csrf_token_and_poll_token(
    client_for, facilitator, django_user_model, workshop, session
):
    other = _staff(django_user_model, "fac-b", workshop, "facilitator")
    make_contribution(workshop, session, text="Moderate me")
    (first, first_poll), (second, second_poll) = _boards(
        client_for, [facilitator, other], workshop, session
    )
    make_contribution(workshop, session, text="A change")
    answers = [first.get(first_poll, **HTMX), second.get(second_poll, **HTMX)]
    tokens = [set(CSRF.findall(a.text)) for a in answers]
    assert all(len(t) == 1 for t in tokens) and tokens[0] != tokens[1]
    assert "pe-" not in "".join(CSRF.findall(answers[0].text))  # no placeholder left
    polls_now = [poll_url_in(a.text) for a in answers]
    assert polls_now[0] != polls_now[1]  # tokens signed with each browser's session
    # Each browser's token and poll URL work for that browser: the form posts, the
    # poll is answered 204 by the middleware.
    item = Contribution.objects.get(text="Moderate me")
    for client, answer, poll in zip((first, second), answers, polls_now, strict=True):
        assert client.get(poll, **HTMX).status_code == 204
        client.handler.enforce_csrf_checks = True
        response = client.post(
            f"/w/{workshop.slug}/contributions/{item.pk}/status/",
            {"csrfmiddlewaretoken": CSRF.search(answer.text).group(1), "status": "hidden"},
        )
        assert response.status_code == 302


def test_roles_and_languages_never_share_a_render(
    client_for, facilitator, viewer, workshop, session, renders, no_hold
):
    make_contribution(workshop, session, text="Pending item")
    (moderator, moderator_poll), (reader, reader_poll) = _boards(
        client_for, [facilitator, viewer], workshop, session
    )
    renders.clear()
    make_contribution(workshop, session, text="New one")
    assert 'name="status"' in moderator.get(moderator_poll, **HTMX).text
    assert 'name="status"' not in reader.get(reader_poll, **HTMX).text
    assert renders == ["facilitator", "viewer"]
    french = client_for(viewer)
    french.cookies["pe_lang"] = "fr"
    french_poll = poll_url_in(french.get(board_url(workshop, session)).text)
    english_poll = poll_url_in(reader.get(board_url(workshop, session)).text)
    make_contribution(workshop, session, text="Encore une")
    renders.clear()
    english = reader.get(english_poll, **HTMX).text
    answer = french.get(french_poll, **HTMX).text
    assert renders == ["viewer", "viewer"]
    assert "published" in english and "publiées" in answer


def test_a_board_is_never_sent_back_to_an_older_render(
    client_for, facilitator, workshop, session, renders
):
    ((first, first_poll),) = _boards(client_for, [facilitator], workshop, session)
    make_contribution(workshop, session, text="Rendered for the first board")
    assert first.get(first_poll, **HTMX).status_code == 200  # the shared render, held now
    make_contribution(workshop, session, text="After the render")
    # A board whose page was loaded after the render already shows more than it.
    late = client_for(facilitator)
    late_poll = poll_url_in(late.get(board_url(workshop, session)).text)
    make_contribution(workshop, session, text="Yet another")
    renders.clear()
    assert late.get(late_poll, **HTMX).status_code == 204  # not the older render
    assert renders == []


def test_within_the_hold_a_board_gets_the_last_render_then_the_newest(
    client_for, facilitator, workshop, session, monkeypatch
):
    ((client, poll),) = _boards(client_for, [facilitator], workshop, session)
    make_contribution(workshop, session, text="First change")
    shown = client.get(poll, **HTMX)
    poll = poll_url_in(shown.text)
    make_contribution(workshop, session, text="Second change")
    # Still within the hold: the board already shows the last render.
    assert client.get(poll, **HTMX).status_code == 204
    monkeypatch.setattr(polls, "HOLD_MIN", 0)
    monkeypatch.setattr(polls, "HOLD_MAX", 0)
    cache.delete(polls._held_key(workshop.pk, board_url(workshop, session), {}))  # over
    fresh = client.get(poll, **HTMX)
    assert fresh.status_code == 200 and "Second change" in fresh.text
    assert poll_url_in(fresh.text) != poll


def test_the_hold_grows_with_the_time_a_render_takes():
    assert polls._held({"at": 0, "took": 0.01}) is False
    now = time.time()
    assert polls._held({"at": now - 0.4, "took": 0.01}) is True  # HOLD_MIN 0.5 s
    assert polls._held({"at": now - 0.6, "took": 0.01}) is False
    assert polls._held({"at": now - 1.2, "took": 0.7}) is True  # twice 0.7 s
    assert polls._held({"at": now - 1.6, "took": 5}) is False  # at most HOLD_MAX


def test_a_token_past_its_minute_gets_the_same_render_with_a_new_token(
    client_for, facilitator, workshop, session, renders, monkeypatch
):
    ((client, poll),) = _boards(client_for, [facilitator], workshop, session)
    make_contribution(workshop, session, text="Shown")
    poll = poll_url_in(client.get(poll, **HTMX).text)
    renders.clear()
    monkeypatch.setattr(polls, "TOKEN_MAX_AGE", -1)
    again = client.get(poll, **HTMX)
    assert again.status_code == 200 and "Shown" in again.text
    assert renders == []  # the shared render, nothing read again
    assert re.search(r"v=(\d+)", poll_url_in(again.text)).group(1) == changes.version(workshop.pk)


def test_filters_and_pages_are_rendered_apart(client_for, facilitator, workshop, session, no_hold):
    make_contribution(workshop, session, text="Land and cattle", category="driver")
    make_contribution(workshop, session, text="Train mediators", category="recommendation")
    client = client_for(facilitator)
    page = client.get(board_url(workshop, session) + "?category=recommendation").text
    poll = poll_url_in(page)
    make_contribution(workshop, session, text="Another driver", category="driver")
    everything = client_for(facilitator)
    all_poll = poll_url_in(everything.get(board_url(workshop, session)).text)
    make_contribution(workshop, session, text="Fund youth jobs", category="recommendation")
    filtered = client.get(poll, **HTMX).text
    unfiltered = everything.get(all_poll, **HTMX).text
    assert "Fund youth jobs" in filtered and "Another driver" not in filtered
    assert "Another driver" in unfiltered


@pytest.mark.parametrize("n", [1, 40])
def test_a_shared_render_costs_no_board_query_at_any_size(
    client_for, facilitator, django_user_model, workshop, session, n, django_assert_max_num_queries
):
    for _ in range(n):
        make_contribution(workshop, session)
    other = _staff(django_user_model, "fac-q", workshop, "facilitator")
    (first, first_poll), (second, second_poll) = _boards(
        client_for, [facilitator, other], workshop, session
    )
    make_contribution(workshop, session, text="A change")
    assert first.get(first_poll, **HTMX).status_code == 200
    with django_assert_max_num_queries(6):  # session, user, workshop and role: no board read
        assert second.get(second_poll, **HTMX).status_code == 200


def test_a_board_showing_the_held_render_is_answered_by_the_middleware(
    client_for, facilitator, viewer, workshop, session, django_assert_num_queries, monkeypatch
):
    (client, poll), (reader, reader_poll) = _boards(
        client_for, [facilitator, viewer], workshop, session
    )
    make_contribution(workshop, session, text="First change")
    poll = poll_url_in(client.get(poll, **HTMX).text)  # the render, held from now
    make_contribution(workshop, session, text="Second change")
    with django_assert_num_queries(0):  # nothing newer rendered yet: no session, no query
        assert client.get(poll, **HTMX).status_code == 204
    # Another role's board, behind the render, goes to the view and gets its own.
    response = reader.get(reader_poll, **HTMX)
    assert response.status_code == 200 and "First change" in response.text
    monkeypatch.setattr(polls, "HOLD_MIN", 0)
    monkeypatch.setattr(polls, "HOLD_MAX", 0)
    cache.delete(polls._held_key(workshop.pk, board_url(workshop, session), {}))  # over
    fresh = client.get(poll, **HTMX)
    assert fresh.status_code == 200 and "Second change" in fresh.text
