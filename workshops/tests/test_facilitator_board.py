"""Live boards, moderation, voting results and the projector."""

from __future__ import annotations

import pytest
from django.urls import reverse
from model_bakery import baker

from workshops.choices import Audience, Category, Gender, ModerationStatus, Source
from workshops.forms.facilitator import ContributionEditForm
from workshops.models import Contribution, Theme, Vote
from workshops.queries import board_version
from workshops.services import moderation
from workshops.tests.facilitator_factories import make_contribution

HTMX = {"HTTP_HX_REQUEST": "true"}


def board_url(workshop, session=None):
    if session is None:
        return reverse("workshops:board", kwargs={"slug": workshop.slug})
    return reverse(
        "workshops:session_board", kwargs={"slug": workshop.slug, "session_id": session.pk}
    )


@pytest.fixture
def theme(db):
    return Theme.objects.create(slug="armed-groups", name="Armed groups", name_fr="Groupes armés")


def test_board_shows_newest_first_from_notes_and_phones(client_for, viewer, workshop, session):
    make_contribution(workshop, session, text="Older phone text")
    make_contribution(workshop, session, text="Newer note text", source=Source.NOTE)
    page = client_for(viewer).get(board_url(workshop, session)).text
    assert page.index("Newer note text") < page.index("Older phone text")
    assert 'hx-trigger="every 1s"' in page
    assert "Apply" not in page  # a viewer gets no moderation tools


def test_unchanged_poll_is_answered_with_204(client_for, viewer, workshop, session):
    make_contribution(workshop, session)
    version = board_version(workshop, session)
    client = client_for(viewer)
    response = client.get(board_url(workshop, session), {"v": version}, **HTMX)
    assert response.status_code == 204
    assert response.content == b""


def test_changed_poll_returns_the_new_list_and_version(client_for, viewer, workshop, session):
    version = board_version(workshop, session)
    make_contribution(workshop, session, text="Arrived just now")
    response = client_for(viewer).get(board_url(workshop, session), {"v": version}, **HTMX)
    assert response.status_code == 200
    assert "Arrived just now" in response.text
    assert "<nav" not in response.text  # only the fragment
    assert board_version(workshop, session) in response.text


def test_version_changes_on_moderation_themes_votes_and_session_state(
    workshop, session, participant, theme
):
    contribution = make_contribution(workshop, session)
    seen = {board_version(workshop, session)}
    moderation.set_status(contributions=[contribution], status=ModerationStatus.HIDDEN)
    seen.add(board_version(workshop, session))
    moderation.tag_themes(workshop=workshop, contributions=[contribution], themes=[theme])
    seen.add(board_version(workshop, session))
    Vote.objects.create(participant=participant, contribution=contribution)
    seen.add(board_version(workshop, session))
    session.status = "voting"
    session.save()
    seen.add(board_version(workshop, session))
    assert len(seen) == 5


def test_board_filters_by_category_theme_zone_gender_source_and_status(
    client_for, viewer, workshop, session, zones, theme
):
    wanted = make_contribution(
        workshop,
        session,
        text="Wanted one",
        category=Category.DRIVER,
        zone=zones["North"],
        gender=Gender.WOMAN,
        source=Source.NOTE,
        themes=[theme],
    )
    make_contribution(workshop, session, text="Other category", category=Category.STRENGTH)
    make_contribution(workshop, session, text="Other zone", zone=zones["South"])
    assert wanted.pk
    query = {
        "category": "driver",
        "theme": theme.pk,
        "zone": zones["North"].pk,
        "gender": "woman",
        "source": "note",
        "status": "published",
    }
    page = client_for(viewer).get(board_url(workshop), query).text
    assert "Wanted one" in page
    assert "Other category" not in page and "Other zone" not in page


def test_board_ignores_a_bad_filter_value(client_for, viewer, workshop, session):
    make_contribution(workshop, session, text="Still listed")
    response = client_for(viewer).get(board_url(workshop), {"zone": "abc", "category": "\x00"})
    assert response.status_code == 200
    assert "Still listed" in response.text


def _fill(workshop, session, theme, participant, n):
    for _ in range(n):
        contribution = make_contribution(workshop, session, themes=[theme])
        Vote.objects.create(participant=participant, contribution=contribution)


@pytest.mark.parametrize("n", [1, 200])
def test_board_queries_do_not_grow_with_contributions(
    client_for, facilitator, workshop, session, theme, participant, n, django_assert_num_queries
):
    _fill(workshop, session, theme, participant, n)
    client = client_for(facilitator)
    client.get(board_url(workshop))  # warm the session and the log-in
    # session+user 2, workshop 1, roles 2, version 1, themes 2 (filter, picker),
    # zones 1, contributions 1, themes prefetch 1, counts 1, workshop|may (role set by the helper) 0
    with django_assert_num_queries(12):
        response = client.get(board_url(workshop))
    assert response.status_code == 200


@pytest.mark.parametrize("n", [1, 200])
def test_session_board_poll_queries_do_not_grow(
    client_for, viewer, workshop, session, theme, participant, n, django_assert_num_queries
):
    _fill(workshop, session, theme, participant, n)
    client = client_for(viewer)
    version = board_version(workshop, session)
    client.get(board_url(workshop, session))
    with django_assert_num_queries(7):  # session, user, workshop, roles x2, session, version
        response = client.get(board_url(workshop, session), {"v": version}, **HTMX)
    assert response.status_code == 204


@pytest.mark.parametrize("n", [1, 200])
def test_projector_and_results_queries_do_not_grow(
    client_for, viewer, workshop, session, theme, participant, n, django_assert_max_num_queries
):
    _fill(workshop, session, theme, participant, n)
    session.status = "voting"
    session.save()
    client = client_for(viewer)
    with django_assert_max_num_queries(10):
        client.get(reverse("workshops:projector", args=[workshop.slug, session.pk]))
    with django_assert_max_num_queries(8):
        client.get(reverse("workshops:results", args=[workshop.slug]))


def moderate(client, workshop, **data):
    return client.post(
        reverse("workshops:moderate", kwargs={"slug": workshop.slug}),
        {"next": board_url(workshop), **data},
    )


def test_facilitator_hides_and_publishes(client_for, facilitator, workshop, session):
    contribution = make_contribution(workshop, session)
    client = client_for(facilitator)
    moderate(client, workshop, ids=[contribution.pk], action="hide")
    contribution.refresh_from_db()
    assert contribution.status == ModerationStatus.HIDDEN
    client.post(
        reverse("workshops:contribution_status", args=[workshop.slug, contribution.pk]),
        {"status": "published"},
    )
    contribution.refresh_from_db()
    assert contribution.status == ModerationStatus.PUBLISHED
    assert contribution.history.count() == 3


def test_pending_phone_contribution_is_published(client_for, facilitator, workshop, session):
    workshop.premoderation = True
    workshop.save()
    contribution = make_contribution(workshop, session)
    assert contribution.status == ModerationStatus.PENDING
    moderate(client_for(facilitator), workshop, ids=[contribution.pk], action="publish")
    contribution.refresh_from_db()
    assert contribution.status == ModerationStatus.PUBLISHED


def test_edit_keeps_the_previous_text_in_history(client_for, facilitator, workshop, session):
    contribution = make_contribution(workshop, session, text="Speling mistake")
    client = client_for(facilitator)
    edit_url = reverse("workshops:contribution_edit", args=[workshop.slug, contribution.pk])
    response = client.post(
        edit_url, {"text": "Spelling fixed", "category": "recommendation", "audience": "national"}
    )
    assert response.status_code == 302
    contribution.refresh_from_db()
    assert (contribution.text, contribution.audience) == ("Spelling fixed", Audience.NATIONAL)
    texts = list(contribution.history.values_list("text", flat=True))
    assert texts == ["Spelling fixed", "Speling mistake"]
    page = client.get(edit_url).text
    assert "Speling mistake" in page and "fatou" in page


def test_edit_refuses_empty_or_unstorable_text(client_for, facilitator, workshop, session):
    contribution = make_contribution(workshop, session, text="Kept")
    edit_url = reverse("workshops:contribution_edit", args=[workshop.slug, contribution.pk])
    for bad in ["  ", "a\x00b"]:
        response = client_for(facilitator).post(edit_url, {"text": bad, "category": "driver"})
        assert response.status_code == 400
    # The test client cannot even encode a lone surrogate: check the form itself.
    form = ContributionEditForm(
        data={"text": "lone \ud800 surrogate", "category": "driver"}, instance=contribution
    )
    assert "cannot be saved" in str(form.errors["text"])
    contribution.refresh_from_db()
    assert contribution.text == "Kept"


def test_edit_does_not_redirect_elsewhere(client_for, facilitator, workshop, session):
    contribution = make_contribution(workshop, session)
    response = client_for(facilitator).post(
        reverse("workshops:contribution_edit", args=[workshop.slug, contribution.pk]),
        {"text": "ok", "category": "driver", "next": "https://evil.example/"},
    )
    assert response["Location"] == board_url(workshop)


def test_merge_keeps_the_earliest_moves_votes_and_themes_and_deletes_nothing(
    client_for, facilitator, workshop, session, theme, regions
):
    kept = make_contribution(workshop, session, text="Unemployment of youth")
    duplicate = make_contribution(workshop, session, text="Youth unemployment", themes=[theme])
    voters = baker.make("workshops.Participant", workshop=workshop, _quantity=3)
    Vote.objects.create(participant=voters[0], contribution=kept)
    Vote.objects.create(participant=voters[0], contribution=duplicate)  # voted for both
    Vote.objects.create(participant=voters[1], contribution=duplicate)
    Vote.objects.create(participant=voters[2], contribution=duplicate)

    response = moderate(
        client_for(facilitator), workshop, ids=[duplicate.pk, kept.pk], action="merge"
    )

    assert response.status_code == 302
    kept.refresh_from_db()
    duplicate.refresh_from_db()
    assert duplicate.status == ModerationStatus.MERGED and duplicate.merged_into == kept
    assert kept.status == ModerationStatus.PUBLISHED
    assert list(kept.themes.all()) == [theme]
    assert kept.votes.count() == 3
    assert Vote.objects.count() == 4  # the double vote stays on the merged one
    assert Contribution.objects.count() == 2


def test_merge_needs_two_and_refuses_merged_ones(client_for, facilitator, workshop, session):
    one = make_contribution(workshop, session)
    client = client_for(facilitator)
    moderate(client, workshop, ids=[one.pk], action="merge")
    one.refresh_from_db()
    assert one.status == ModerationStatus.PUBLISHED
    messages = [str(m) for m in client.get(board_url(workshop)).context["messages"]]
    assert "Select at least two contributions to merge." in messages


def test_a_merge_refused_by_the_service_is_a_message_not_a_500(
    client_for, facilitator, workshop, session, monkeypatch
):
    one, two = make_contribution(workshop, session), make_contribution(workshop, session)

    def merged_meanwhile(**kwargs):
        raise moderation.ModerationError("A contribution already merged cannot be merged again.")

    monkeypatch.setattr(moderation, "merge_contributions", merged_meanwhile)
    client = client_for(facilitator)
    response = moderate(client, workshop, ids=[one.pk, two.pk], action="merge")
    assert response.status_code == 302
    messages = [str(m) for m in client.get(board_url(workshop)).context["messages"]]
    assert "A contribution already merged cannot be merged again." in messages


def test_the_merge_rule_lives_in_the_service(workshop, other_workshop, session):
    one, two = make_contribution(workshop, session), make_contribution(workshop, session)
    with pytest.raises(moderation.ModerationError, match="at least two"):
        moderation.merge_contributions(keep=one, duplicates=[one])
    moderation.merge_contributions(keep=one, duplicates=[two])
    two.refresh_from_db()
    three = make_contribution(workshop, session)
    with pytest.raises(moderation.ModerationError, match="already merged"):
        moderation.merge_contributions(keep=three, duplicates=[two])
    foreign = baker.make(
        Contribution, workshop=other_workshop, client_id="f-1", text="x", category="driver"
    )
    with pytest.raises(moderation.ModerationError, match="another workshop"):
        moderation.merge_contributions(keep=three, duplicates=[foreign])


def test_earlier_merges_follow_the_kept_one(workshop, session):
    a, b, c = (make_contribution(workshop, session) for _ in range(3))
    moderation.merge_contributions(keep=b, duplicates=[c])
    moderation.merge_contributions(keep=a, duplicates=[b])
    c.refresh_from_db()
    assert c.merged_into == a


def test_tagging_several_themes_including_a_new_workshop_theme(
    client_for, facilitator, workshop, session, theme
):
    first, second = make_contribution(workshop, session), make_contribution(workshop, session)
    moderate(
        client_for(facilitator),
        workshop,
        ids=[first.pk, second.pk],
        action="tag",
        themes=[theme.pk],
        new_theme="Transhumance",
    )
    new = Theme.objects.get(workshop=workshop)
    assert (new.name, new.slug) == ("Transhumance", "transhumance")
    for contribution in (first, second):
        assert set(contribution.themes.all()) == {theme, new}
    # tagging again adds nothing twice and reuses the theme
    moderation.tag_themes(workshop=workshop, contributions=[first], new_theme="transhumance")
    assert Theme.objects.filter(workshop=workshop).count() == 1
    assert first.themes.count() == 2


def test_theme_of_another_workshop_cannot_be_used(
    client_for, facilitator, workshop, other_workshop, session
):
    foreign = Theme.objects.create(workshop=other_workshop, slug="x", name="Foreign")
    contribution = make_contribution(workshop, session)
    moderate(
        client_for(facilitator), workshop, ids=[contribution.pk], action="tag", themes=[foreign.pk]
    )
    assert not contribution.themes.exists()


def test_mark_quotable(client_for, facilitator, workshop, session):
    contribution = make_contribution(workshop, session)
    moderate(client_for(facilitator), workshop, ids=[contribution.pk], action="quotable")
    contribution.refresh_from_db()
    assert contribution.quotable


def test_results_rank_dots_per_audience(client_for, viewer, workshop, session):
    national = make_contribution(
        workshop, session, text="Civic education", category="recommendation", audience="national"
    )
    international = make_contribution(
        workshop,
        session,
        text="Beyond military",
        category="recommendation",
        audience="international",
    )
    top = make_contribution(
        workshop, session, text="Youth jobs", category="recommendation", audience="national"
    )
    hidden = make_contribution(
        workshop, session, text="Hidden one", category="recommendation", audience="national"
    )
    voters = baker.make("workshops.Participant", workshop=workshop, _quantity=3)
    for voter in voters:
        Vote.objects.create(participant=voter, contribution=top)
        Vote.objects.create(participant=voter, contribution=hidden)
    Vote.objects.create(participant=voters[0], contribution=national)
    Vote.objects.create(participant=voters[0], contribution=international)
    moderation.set_status(contributions=[hidden], status=ModerationStatus.HIDDEN)

    page = (
        client_for(viewer)
        .get(reverse("workshops:session_results", args=[workshop.slug, session.pk]))
        .text
    )
    assert page.index("National actors") < page.index("Youth jobs") < page.index("Civic education")
    assert page.index("International actors") < page.index("Beyond military")
    assert "Hidden one" not in page


def test_projector_shows_question_code_qr_count_and_published_only(
    client_for, viewer, workshop, session
):
    workshop.premoderation = True
    workshop.save()
    make_contribution(workshop, session, text="Waiting for moderation")
    make_contribution(workshop, session, text="A staff note", source=Source.NOTE)
    page = client_for(viewer).get(reverse("workshops:projector", args=[workshop.slug, session.pk]))
    text = page.text
    assert session.guiding_question in text
    assert workshop.join_code in text and "<svg" in text
    assert "A staff note" in text and "Waiting for moderation" not in text
    assert "1 contribution" in text
