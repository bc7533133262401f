"""The grouped view by theme: groups and counts, moving between groups, polling, projector."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_bakery import baker

from workshops import changes
from workshops.choices import Category, ModerationStatus, Source
from workshops.models import Contribution, Theme
from workshops.services import moderation
from workshops.tests.facilitator_factories import board_url, make_contribution, poll_url_in

HTMX = {"HTTP_HX_REQUEST": "true"}


def grouped_url(workshop, session=None, projector=False):
    suffix = "_projector" if projector else ""
    if session is None:
        return reverse(f"workshops:grouped{suffix}", kwargs={"slug": workshop.slug})
    return reverse(
        f"workshops:session_grouped{suffix}",
        kwargs={"slug": workshop.slug, "session_id": session.pk},
    )


def move_url(workshop):
    return reverse("workshops:grouped_move", kwargs={"slug": workshop.slug})


@pytest.fixture
def land(db):
    return baker.make(
        "workshops.Theme", slug="land-conflict", name="Land conflict", name_fr="Conflits fonciers"
    )


def group(page: str, key) -> str:
    """The HTML of one group of the page."""
    return page.split(f'id="group-{key}"')[1].split("</section>")[0]


def groups_of(response) -> dict[str, tuple[int, list[str]]]:
    return {g.key: (g.count, [c.text for c in g.items]) for g in response.context["groups"]}


# --- The groups --------------------------------------------------------------------


def test_untagged_comes_first_then_one_group_per_theme_with_its_count(
    client_for, viewer, workshop, session, theme, land
):
    make_contribution(workshop, session, text="No theme yet")
    make_contribution(workshop, session, text="Armed and land", themes=[theme, land])
    make_contribution(workshop, session, text="Only land", themes=[land])
    merged = make_contribution(workshop, session, text="Merged away", themes=[land])
    keep = make_contribution(workshop, session, text="Kept one")
    moderation.merge_contributions(keep=keep, duplicates=[merged])
    response = client_for(viewer).get(grouped_url(workshop, session))
    found = groups_of(response)
    assert next(iter(found)) == "none"
    assert found["none"] == (1, ["No theme yet"])  # "Kept one" now has the merged one's theme
    assert found[str(theme.pk)] == (1, ["Armed and land"])
    assert found[str(land.pk)] == (3, ["Kept one", "Only land", "Armed and land"])
    assert "Merged away" not in response.text
    assert 'hx-trigger="every 1s, grouped-changed from:body"' in response.text
    assert "Move…" not in response.text and "move-template" not in response.text  # read only


def test_the_page_is_in_french_with_the_french_theme_names(
    client_for, facilitator, workshop, session, land
):
    make_contribution(workshop, session, text="Les champs", themes=[land])
    client = client_for(facilitator)
    client.cookies["pe_lang"] = "fr"
    page = client.get(grouped_url(workshop)).text
    assert "Conflits fonciers" in group(page, land.pk)
    assert "Sans thème" in group(page, "none")
    assert "Par thème" in page and "Pour déplacer une contribution" in page
    assert "Déplacer…" in group(page, land.pk)
    opened = client.get(
        grouped_url(workshop), {"move": Contribution.objects.get().pk, "from": land.pk}
    ).text
    assert 'value="move">Déplacer</button>' in opened
    assert 'value="add">Ajouter</button>' in opened


def test_a_session_view_shows_only_its_session(client_for, viewer, workshop, session, theme):
    other = baker.make("workshops.BreakoutSession", workshop=workshop, title="Other room")
    make_contribution(workshop, session, text="In this room", themes=[theme])
    make_contribution(workshop, other, text="In the other room", themes=[theme])
    page = client_for(viewer).get(grouped_url(workshop, session)).text
    assert "In this room" in page and "In the other room" not in page
    whole = client_for(viewer).get(grouped_url(workshop)).text
    assert "In the other room" in whole and "Other room" in whole  # the session is named


def test_a_big_group_shows_its_newest_items_and_show_all_pages_through_it(
    client_for, viewer, workshop, session, theme
):
    for i in range(60):
        make_contribution(workshop, session, text=f"Item {i:02d}", themes=[theme])
    client = client_for(viewer)
    response = client.get(grouped_url(workshop, session))
    count, items = groups_of(response)[str(theme.pk)]
    assert count == 60 and items[:2] == ["Item 59", "Item 58"] and len(items) == 10
    assert f'href="?group={theme.pk}"' in response.text and "Show all 60" in response.text
    first = client.get(grouped_url(workshop, session), {"group": theme.pk})
    assert list(groups_of(first)) == [str(theme.pk)]
    assert len(first.context["groups"][0].items) == 50 and "Page 1 of 2" in first.text
    second = client.get(grouped_url(workshop, session), {"group": theme.pk, "page": 2})
    assert groups_of(second)[str(theme.pk)][1][-1] == "Item 00"
    assert f"?group={theme.pk}&amp;page=1" in second.text


def test_an_unknown_group_or_page_shows_every_group(client_for, viewer, workshop, theme):
    make_contribution(workshop, text="Still here")
    client = client_for(viewer)
    for query in ({"group": "nonsense"}, {"group": "99999", "page": "x"}, {"group": "\x00"}):
        response = client.get(grouped_url(workshop), query)
        assert response.status_code == 200
        assert "Still here" in response.text and len(response.context["groups"]) > 1


# --- Moving ------------------------------------------------------------------------


def test_moving_replaces_the_theme_left_and_keeps_the_others(
    client_for, facilitator, workshop, session, theme, land
):
    other = baker.make("workshops.Theme", workshop=workshop, slug="water", name="Water")
    contribution = make_contribution(workshop, session, themes=[theme, other])
    here = grouped_url(workshop, session)
    response = client_for(facilitator).post(
        move_url(workshop),
        {
            "contribution": contribution.pk,
            "source": theme.pk,
            "target": land.pk,
            "mode": "move",
            "next": here,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{here}#group-{theme.pk}"  # back to the group it left
    assert set(contribution.themes.all()) == {land, other}


def test_add_keeps_the_theme_of_the_group_it_comes_from(
    client_for, organiser, workshop, session, theme, land
):
    contribution = make_contribution(workshop, session, themes=[theme])
    client_for(organiser).post(
        move_url(workshop),
        {"contribution": contribution.pk, "source": theme.pk, "target": land.pk, "mode": "add"},
    )
    assert set(contribution.themes.all()) == {theme, land}


def test_moving_from_untagged_tags_and_to_untagged_takes_every_theme_off(
    client_for, facilitator, workshop, session, theme, land
):
    client = client_for(facilitator)
    fresh = make_contribution(workshop, session)
    response = client.post(
        move_url(workshop), {"contribution": fresh.pk, "target": theme.pk, "mode": "move"}
    )
    assert response["Location"].endswith("#group-none")
    assert list(fresh.themes.all()) == [theme]
    both = make_contribution(workshop, session, themes=[theme, land])
    client.post(
        move_url(workshop),
        {"contribution": both.pk, "source": theme.pk, "target": "", "mode": "move"},
    )
    assert list(both.themes.all()) == []
    assert "Moved." in client.get(grouped_url(workshop)).text


def test_tag_themes_takes_off_what_it_replaces_unless_it_adds_it_too(workshop, theme, land):
    contribution = make_contribution(workshop, themes=[theme, land])
    moderation.tag_themes(
        workshop=workshop, contributions=[contribution], themes=[land], replacing=[theme, land]
    )
    assert list(contribution.themes.all()) == [land]
    moderation.move_to_theme(
        workshop=workshop, contribution=contribution, source=land, target=land
    )  # onto its own group: nothing changes
    assert list(contribution.themes.all()) == [land]


def test_a_move_changes_the_version_and_the_counts(
    client_for, facilitator, workshop, session, theme
):
    contribution = make_contribution(workshop, session)
    client = client_for(facilitator)
    version = changes.version(workshop.pk)
    response = client.post(
        move_url(workshop),
        {"contribution": contribution.pk, "target": theme.pk, "mode": "move"},
        **HTMX,
    )
    assert response.status_code == 204 and response["HX-Trigger"] == "grouped-changed"
    poll = client.get(grouped_url(workshop, session), {"v": version}, **HTMX)
    assert poll.status_code == 200 and "<nav class" not in poll.text.split("grouped-list")[0]
    assert groups_of(poll)["none"][0] == 0 and groups_of(poll)[str(theme.pk)][0] == 1


def test_an_unchanged_poll_is_answered_with_204_without_a_query(
    client_for, viewer, workshop, session, django_assert_num_queries
):
    make_contribution(workshop, session)
    client = client_for(viewer)
    for url in (grouped_url(workshop, session), grouped_url(workshop, session, projector=True)):
        poll = poll_url_in(client.get(url).text)
        with django_assert_num_queries(0):
            response = client.get(poll, **HTMX)
        assert response.status_code == 204 and response.content == b""


def test_bad_input_is_refused_with_a_message_and_changes_nothing(
    client_for, facilitator, workshop, other_workshop, session, theme
):
    foreign = baker.make("workshops.Theme", workshop=other_workshop, slug="x", name="Foreign")
    contribution = make_contribution(workshop, session, themes=[theme])
    client = client_for(facilitator)
    here = grouped_url(workshop, session)
    for data in (
        {"target": foreign.pk, "mode": "move"},
        {"target": "abc", "mode": "move"},
        {"target": "", "mode": "add"},
        {"target": theme.pk, "mode": "\x00"},
    ):
        response = client.post(
            move_url(workshop), {"contribution": contribution.pk, "next": here, **data}
        )
        assert response.status_code == 302 and response["Location"] == here
    assert list(contribution.themes.all()) == [theme]
    page = client.get(here).text
    assert "Choose a theme to add" in page and "Select a valid choice" in page
    response = client.post(
        move_url(workshop), {"contribution": "9999", "target": theme.pk, "mode": "move"}, **HTMX
    )
    assert response.status_code == 400 and "Contribution:" in response.text


def test_a_merged_contribution_cannot_be_moved(client_for, facilitator, workshop, theme):
    keep, gone = make_contribution(workshop), make_contribution(workshop)
    moderation.merge_contributions(keep=keep, duplicates=[gone])
    client_for(facilitator).post(
        move_url(workshop), {"contribution": gone.pk, "target": theme.pk, "mode": "move"}
    )
    assert not gone.themes.exists()


def test_a_next_elsewhere_is_ignored(client_for, facilitator, workshop, theme):
    contribution = make_contribution(workshop)
    response = client_for(facilitator).post(
        move_url(workshop),
        {
            "contribution": contribution.pk,
            "target": theme.pk,
            "mode": "move",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == f"{grouped_url(workshop)}#group-none"


def test_without_javascript_move_opens_the_plain_form_of_one_item(
    client_for, facilitator, workshop, session, theme, land
):
    contribution = make_contribution(workshop, session, themes=[theme])
    client = client_for(facilitator)
    page = client.get(grouped_url(workshop, session)).text
    link = f"?move={contribution.pk}&amp;from={theme.pk}#g{theme.pk}-c{contribution.pk}"
    assert link in page
    opened = client.get(
        grouped_url(workshop, session), {"move": contribution.pk, "from": theme.pk}
    ).text
    item = opened.split(f'id="g{theme.pk}-c{contribution.pk}"')[1].split("</li>")[0]
    assert 'name="target"' in item and f'value="{land.pk}"' in item
    assert f'<option value="{theme.pk}"' not in item  # not the group it is in
    assert '<option value="">' in item  # "Untagged"
    assert 'name="mode" value="move"' in item and 'name="mode" value="add"' in item


# --- Who may do what -----------------------------------------------------------------


@pytest.mark.parametrize("role", ["organiser", "facilitator", "note_taker", "viewer"])
def test_every_role_sees_the_groups_and_the_projector(request, client_for, workshop, session, role):
    client = client_for(request.getfixturevalue(role))
    for url in (
        grouped_url(workshop),
        grouped_url(workshop, session),
        grouped_url(workshop, projector=True),
        grouped_url(workshop, session, projector=True),
    ):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(("role", "status"), [("note_taker", 403), ("viewer", 403)])
def test_note_takers_and_viewers_may_not_move(request, client_for, workshop, theme, role, status):
    contribution = make_contribution(workshop)
    response = client_for(request.getfixturevalue(role)).post(
        move_url(workshop), {"contribution": contribution.pk, "target": theme.pk, "mode": "move"}
    )
    assert response.status_code == status
    assert not contribution.themes.exists()


def test_an_outsider_gets_404_everywhere(client_for, outsider, workshop, session, theme):
    contribution = make_contribution(workshop)
    client = client_for(outsider)
    for url in (
        grouped_url(workshop),
        grouped_url(workshop, session),
        grouped_url(workshop, projector=True),
        grouped_url(workshop, session, projector=True),
    ):
        assert client.get(url).status_code == 404
    response = client.post(
        move_url(workshop), {"contribution": contribution.pk, "target": theme.pk, "mode": "move"}
    )
    assert response.status_code == 404
    assert not contribution.themes.exists()


def test_wrong_methods_get_405(client_for, facilitator, workshop):
    client = client_for(facilitator)
    assert client.get(move_url(workshop)).status_code == 405
    assert client.post(grouped_url(workshop)).status_code == 405
    assert client.post(grouped_url(workshop, projector=True)).status_code == 405


def test_anonymous_visitors_are_sent_to_log_in(client, workshop):
    response = client.get(grouped_url(workshop))
    assert response.status_code == 302 and "login" in response["Location"]


# --- Projector, links ----------------------------------------------------------------


def test_the_projector_shows_published_items_by_theme_without_controls(
    client_for, facilitator, workshop, session, theme, land
):
    make_contribution(workshop, session, text="Shown on the wall", themes=[theme])
    make_contribution(
        workshop, session, text="Waiting", themes=[land], status=ModerationStatus.PENDING
    )
    make_contribution(workshop, session, text="Not yet themed")
    page = client_for(facilitator).get(grouped_url(workshop, session, projector=True)).text
    assert "Shown on the wall" in page and "Not yet themed" in page
    assert "Waiting" not in page
    assert f'id="group-{land.pk}"' not in page  # only its pending item: no group on the wall
    assert "<form" not in page and "Move" not in page
    assert 'hx-trigger="every 1s"' in page


def test_the_grouped_view_is_linked_from_the_nav_the_board_and_the_agenda(
    client_for, viewer, workshop, session
):
    client = client_for(viewer)
    board = client.get(board_url(workshop, session)).text
    assert f'href="{grouped_url(workshop)}"' in board  # the nav
    assert f'href="{grouped_url(workshop, session)}"' in board
    agenda = client.get(reverse("workshops:workshop", args=[workshop.slug])).text
    assert f'href="{grouped_url(workshop, session)}"' in agenda
    page = client.get(grouped_url(workshop, session)).text
    assert f'href="{grouped_url(workshop, session, projector=True)}"' in page


# --- Queries -------------------------------------------------------------------------


def _bulk(workshop, session, themes, n):
    rows = [
        Contribution(
            workshop=workshop,
            session=session,
            client_id=f"bulk-{i}",
            text=f"Contribution en masse numéro {i}",
            category=Category.DRIVER,
            source=Source.SURVEY,
        )
        for i in range(n)
    ]
    for row in rows:
        row.refresh_search_text()
    Contribution.objects.bulk_create(rows, batch_size=1000)
    through = Contribution.themes.through
    stored = list(workshop.contributions.values_list("pk", flat=True))
    # a third untagged, the rest spread over the themes, some with two
    links = [
        through(contribution_id=pk, theme_id=themes[i % len(themes)].pk)
        for i, pk in enumerate(stored)
        if i % 3
    ]
    links += [
        through(contribution_id=pk, theme_id=themes[(i + 1) % len(themes)].pk)
        for i, pk in enumerate(stored)
        if i % 7 == 1
    ]
    through.objects.bulk_create(links, batch_size=1000)


@pytest.mark.parametrize("n", [50, 5000])
def test_grouped_queries_are_the_same_for_50_and_5000(
    client_for, facilitator, workshop, session, theme, land, n, django_assert_num_queries
):
    themes = [theme, land, *baker.make("workshops.Theme", workshop=workshop, _quantity=3)]
    _bulk(workshop, session, themes, n)
    client = client_for(facilitator)
    client.get(grouped_url(workshop))  # warm the session and the log-in
    # session+user 2, workshop 1, roles 2, themes 1, per-theme counts 1, shown per
    # theme 1, untagged shown 1, items 1 and their themes 1, untagged count 1 (the poll's
    # version is a cache read, workshops/changes.py)
    with django_assert_num_queries(12):
        response = client.get(grouped_url(workshop))
    shown = sum(len(g.items) for g in response.context["groups"])
    assert shown == 60 if n == 5000 else shown > 40
    with django_assert_num_queries(13):  # the same and the one session
        client.get(grouped_url(workshop, session, projector=True))
    with django_assert_num_queries(15):  # one group: its page (count, items, their themes)
        client.get(grouped_url(workshop), {"group": theme.pk, "page": 2})
    assert Theme.objects.count() == 5


# --- Whatever is typed or forged ----------------------------------------------------

# (lone surrogates cannot travel in a request: the test client refuses to encode them)
ANYTHING = st.one_of(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60),
    st.sampled_from(["", "none", "0", "-1", "99999999999999999999", "\x00", "1e3"]),
)


@pytest.mark.fuzz
@settings(max_examples=25, suppress_health_check=list(HealthCheck), deadline=None)
@given(
    contribution=ANYTHING,
    source=ANYTHING,
    target=ANYTHING,
    mode=ANYTHING,
    group=ANYTHING,
    page=ANYTHING,
)
def test_no_input_makes_the_grouped_view_fail(
    client_for, facilitator, workshop, theme, contribution, source, target, mode, group, page
):
    client = client_for(facilitator)
    data = {"contribution": contribution, "source": source, "target": target, "mode": mode}
    posted = client.post(move_url(workshop), data)
    assert posted.status_code == 302
    shown = client.get(grouped_url(workshop), {"group": group, "page": page, "move": mode})
    assert shown.status_code == 200
