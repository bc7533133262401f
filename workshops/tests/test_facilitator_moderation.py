"""Moderation from the boards: publish, hide, edit, merge, themes, quotable."""

from __future__ import annotations

import pytest
from django.urls import reverse
from model_bakery import baker

from workshops.choices import Audience, ModerationStatus, Source
from workshops.forms.facilitator import ContributionEditForm
from workshops.models import Contribution, Theme, Vote
from workshops.services import moderation
from workshops.tests.facilitator_factories import board_url, make_contribution


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


def test_edit_records_what_changed_never_the_previous_text(
    client_for, facilitator, workshop, session
):
    contribution = make_contribution(workshop, session, text="Speling mistake")
    client = client_for(facilitator)
    edit_url = reverse("workshops:contribution_edit", args=[workshop.slug, contribution.pk])
    response = client.post(
        edit_url, {"text": "Spelling fixed", "category": "recommendation", "audience": "national"}
    )
    assert response.status_code == 302
    contribution.refresh_from_db()
    assert (contribution.text, contribution.audience) == ("Spelling fixed", Audience.NATIONAL)
    reasons = [(h.history_type, h.history_change_reason or "") for h in contribution.history.all()]
    assert reasons == [("~", "text"), ("+", "")]
    page = client.get(edit_url).text
    assert "Speling mistake" not in page and "fatou" in page
    assert "Changed: text, category, audience" in page


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


def test_themes_chosen_with_a_merge_are_added_to_the_kept_one(
    client_for, facilitator, workshop, session, theme
):
    """They were silently ignored (issue 14)."""
    kept, duplicate = make_contribution(workshop, session), make_contribution(workshop, session)
    moderate(
        client_for(facilitator),
        workshop,
        ids=[kept.pk, duplicate.pk],
        action="merge",
        themes=[theme.pk],
        new_theme="Transhumance",
    )
    duplicate.refresh_from_db()
    assert duplicate.merged_into == kept
    assert {t.name for t in kept.themes.all()} == {"Armed groups", "Transhumance"}


def test_merge_needs_two_and_refuses_merged_ones(client_for, facilitator, workshop, session):
    one = make_contribution(workshop, session)
    client = client_for(facilitator)
    moderate(client, workshop, ids=[one.pk], action="merge")
    one.refresh_from_db()
    assert one.status == ModerationStatus.PUBLISHED
    messages = [str(m) for m in client.get(board_url(workshop)).context["messages"]]
    assert "Select at least two contributions to merge." in messages


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


def test_mark_quotable_an_imported_answer(client_for, facilitator, workshop, session):
    contribution = make_contribution(workshop, session, source=Source.IMPORT)  # phones: refused
    moderate(client_for(facilitator), workshop, ids=[contribution.pk], action="quotable")
    contribution.refresh_from_db()
    assert contribution.quotable


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


def test_select_all_matching_applies_to_every_page_of_the_filtered_board(
    client_for, facilitator, workshop, session, theme
):
    other_session = baker.make("workshops.BreakoutSession", workshop=workshop, title="Other")
    matching = [make_contribution(workshop, session, text=f"Sécurité {i}") for i in range(60)]
    elsewhere = make_contribution(workshop, other_session, text="Sécurité ailleurs")
    unrelated = make_contribution(workshop, session, text="Autre chose")
    response = moderate(
        client_for(facilitator),
        workshop,
        action="tag",
        themes=[theme.pk],
        all_matching="on",
        matching="q=securite",
        session=session.pk,
    )
    assert response.status_code == 302
    tagged = set(Contribution.objects.filter(themes=theme).values_list("pk", flat=True))
    assert tagged == {c.pk for c in matching}
    assert elsewhere.pk not in tagged and unrelated.pk not in tagged


def test_nothing_ticked_and_not_all_matching_is_refused_with_a_message(
    client_for, facilitator, workshop, session
):
    make_contribution(workshop, session)
    client = client_for(facilitator)
    moderate(client, workshop, action="hide")
    assert not Contribution.objects.filter(status=ModerationStatus.HIDDEN).exists()
    messages = [str(m) for m in client.get(board_url(workshop)).context["messages"]]
    assert "Select at least one contribution." in messages
