"""Board items kept per state (workshops/views/facilitator/board_items.py): after any change
to what an item shows, the kept HTML is the same as a fresh render of it."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from model_bakery import baker

from workshops.choices import Audience, Category, Horizon, ModerationStatus
from workshops.models import Contribution, Vote
from workshops.tests.facilitator_factories import make_contribution
from workshops.views.facilitator import board_items, running

pytestmark = pytest.mark.django_db
SHARED = {"csrf_token": "placeholder-token", "poll_url": "placeholder-url"}


@pytest.fixture(autouse=True)
def _empty():
    board_items.clear()
    yield
    board_items.clear()


def _request(user, path="/w/board/"):
    request = RequestFactory().get(path)
    request.user = user
    return request


def kept_and_fresh(workshop, session, user, role="facilitator"):
    """The items as a shared poll renders them (kept), and each rendered afresh."""
    workshop.role = role
    request = _request(user)
    context = running._board_context(request, workshop, session, {}, SHARED)
    fresh = board_items.render(context["contributions"], context, request, keep=False)
    return [str(item) for item in context["items"]], [str(item) for item in fresh]


def assert_same(workshop, session, user, role="facilitator"):
    kept, fresh = kept_and_fresh(workshop, session, user, role)
    assert kept == fresh
    return kept


def change_status(c, other, theme):
    c.status = ModerationStatus.HIDDEN
    c.save()


def edit_text(c, other, theme):
    c.text = "Edited by the note-taker"
    c.save()


def vote(c, other, theme):
    Vote.objects.create(contribution=c, participant=baker.make("workshops.Participant"))


def tag(c, other, theme):
    c.themes.add(theme)


def rename_theme(c, other, theme):
    c.themes.add(theme)
    kept_and_fresh(c.workshop, None, baker.make("auth.User"))  # kept with the old name
    theme.name = "Armed groups and militias"
    theme.save()


def rename_zone(c, other, theme):
    c.zone.name = "Far North"
    c.zone.save()


def rename_session(c, other, theme):
    c.session.title = "Another title"
    c.session.save()


def merge(c, other, theme):
    c.merged_into = other
    c.status = ModerationStatus.MERGED
    c.save()


def quotable(c, other, theme):
    c.quotable = not c.quotable
    c.save()


def recategorise(c, other, theme):
    c.category = Category.RECOMMENDATION
    c.horizon = ""
    c.audience = Audience.NATIONAL
    c.save()


def horizon(c, other, theme):
    c.horizon = Horizon.DYNAMIC
    c.save()


def near_duplicate_arrives(c, other, theme):
    make_contribution(c.workshop, c.session, text=c.text + " !")


@pytest.mark.parametrize(
    "change",
    [
        change_status,
        edit_text,
        vote,
        tag,
        rename_theme,
        rename_zone,
        rename_session,
        merge,
        quotable,
        recategorise,
        horizon,
        near_duplicate_arrives,
    ],
)
def test_a_kept_item_is_the_fresh_render_after_every_change(
    workshop, session, zones, facilitator, theme, change
):
    zone = zones["North"]
    other = make_contribution(workshop, session, text="Cattle herders cross the fields at night")
    c = make_contribution(
        workshop, session, text="Armed men on motorbikes raid the villages", zone=zone
    )
    before = assert_same(workshop, None, facilitator)  # the workshop board shows sessions
    assert_same(workshop, session, facilitator)
    change(Contribution.objects.get(pk=c.pk), other, theme)
    after = assert_same(workshop, None, facilitator)
    assert_same(workshop, session, facilitator)
    assert after != before  # the change shows, and not from a stale copy


def test_roles_keep_their_own_items(workshop, session, facilitator, viewer):
    make_contribution(workshop, session, text="One item")
    moderator = assert_same(workshop, session, facilitator, "facilitator")
    reader = assert_same(workshop, session, viewer, "viewer")
    assert moderator != reader and 'name="status"' not in reader[0]


def test_the_lru_keeps_at_most_its_size(workshop, session, facilitator, monkeypatch):
    monkeypatch.setattr(board_items, "KEPT", 3)
    for n in range(6):
        make_contribution(workshop, session, text=f"Item {n}")
    assert_same(workshop, session, facilitator)
    assert len(board_items._items) == 3


def test_a_new_contribution_renders_only_itself(
    workshop, session, zones, facilitator, theme, monkeypatch
):
    texts = [
        "Herders and farmers fight over the land",
        "Armed men on motorbikes raid the villages",
        "Les jeunes n'ont pas de travail",
        "Corruption at every road block",
        "Schools closed since the attacks",
    ]
    for text in texts:  # tagged, so without suggestions; none alike, so no duplicates
        c = make_contribution(workshop, session, text=text, zone=zones["North"])
        c.themes.add(theme)
    make_contribution(workshop, session, text="Untagged, so with suggested themes")
    assert_same(workshop, session, facilitator)
    template = board_items.get_template(board_items.TEMPLATE)
    rendered = []
    real = type(template).render

    def counting(self, context=None, request=None):
        rendered.append(context["contribution"].text)
        return real(self, context, request)

    monkeypatch.setattr(type(template), "render", counting)
    make_contribution(workshop, session, text="The one new item")
    workshop.role = "facilitator"
    context = running._board_context(_request(facilitator), workshop, session, {}, SHARED)
    assert len(context["items"]) == 7
    assert rendered == ["The one new item"]
