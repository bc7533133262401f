"""Follow-up of recommendations: the list, one recommendation's tracking and dated updates,
the change log, the sharing link (created, replaced, revoked) and the shared page, which
shows no personal data."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_bakery import baker

from workshops.access import followup_editors
from workshops.choices import Audience, Category, ModerationStatus, Source
from workshops.forms.followup import FollowUpForm, UpdateForm
from workshops.models import (
    Contribution,
    FollowUpChange,
    FollowUpShare,
    FollowUpUpdate,
    Network,
    NetworkMembership,
    Participant,
    RecommendationFollowUp,
    Vote,
)
from workshops.services import followup as service
from workshops.validators import has_unsafe_characters


def recommend(workshop, text, *, votes=0, audience=Audience.NATIONAL, **kwargs):
    rec = Contribution.objects.create(
        workshop=workshop,
        category=Category.RECOMMENDATION,
        audience=audience,
        text=text,
        source=Source.NOTE,
        client_id=str(uuid.uuid4()),
        **kwargs,
    )
    for _ in range(votes):
        voter = baker.make(Participant, workshop=workshop, display_name="")
        Vote.objects.create(participant=voter, contribution=rec)
    return rec


@pytest.fixture
def recommendation(workshop):
    return recommend(workshop, "Deploy the services of the State in the North.", votes=2)


@pytest.fixture
def network(organisation):
    network = Network.objects.create(name="West Africa Network", acronym="WANEP", slug="wanep")
    organisation.member_of = network
    organisation.save(update_fields=["member_of"])
    return network


@pytest.fixture
def network_staff(django_user_model, network):
    user = django_user_model.objects.create_user(username="nadia", email="nadia@example.org")
    NetworkMembership.objects.create(network=network, user=user)
    return user


def url(name, workshop, **kwargs):
    return reverse(f"followup:{name}", kwargs={"slug": workshop.slug, **kwargs})


def valid_followup(**extra):
    return {"addressee": "donors", "followed_by": "", "status": "in_progress", **extra}


def valid_update(**extra):
    return {
        "date": "2026-11-30",
        "text": "The ministry received the recommendations.",
        "evidence": "https://example.org/letter.pdf\nhttps://example.org/minutes",
        **extra,
    }


# --- The list ---------------------------------------------------------------------------


def test_list_shows_agreed_recommendations_most_voted_first(client_for, organiser, workshop):
    recommend(workshop, "Few votes here", votes=1)
    recommend(workshop, "Most voted recommendation", votes=3)
    recommend(workshop, "Hidden by a moderator", status=ModerationStatus.HIDDEN)
    Contribution.objects.create(
        workshop=workshop,
        category=Category.DRIVER,
        text="A driver, not a recommendation",
        source=Source.NOTE,
        client_id="d1",
    )
    page = client_for(organiser).get(url("list", workshop)).content.decode()
    assert page.index("Most voted recommendation") < page.index("Few votes here")
    assert "Hidden by a moderator" not in page
    assert "A driver, not a recommendation" not in page
    assert "Not started" in page
    assert "Create the link" in page


def test_list_shows_status_addressee_and_last_update(client_for, organiser, recommendation):
    service.save_followup(
        recommendation=recommendation,
        addressee="un_mission",
        followed_by=organiser,
        status="achieved",
        actor=organiser,
    )
    service.add_update(
        recommendation=recommendation,
        date=dt.date(2026, 11, 29),
        text="Done",
        evidence=[],
        actor=organiser,
    )
    page = client_for(organiser).get(url("list", recommendation.workshop)).content.decode()
    assert "UN mission" in page
    assert "Achieved" in page
    assert "followed by olivia" in page
    assert 'datetime="2026-11-29"' in page


def test_viewer_reads_the_list_without_the_sharing_controls(client_for, viewer, recommendation):
    response = client_for(viewer).get(url("list", recommendation.workshop))
    assert response.status_code == 200
    assert recommendation.text in response.content.decode()
    assert "Create the link" not in response.content.decode()


@pytest.mark.parametrize("many", [1, 12])
def test_list_queries_do_not_grow_with_recommendations(
    client_for, organiser, workshop, many, django_assert_num_queries
):
    for n in range(many):
        rec = recommend(workshop, f"Recommendation {n}", votes=1)
        service.save_followup(
            recommendation=rec,
            addressee="donors",
            followed_by=organiser,
            status="in_progress",
            actor=organiser,
        )
    client = client_for(organiser)
    # session, user, workshop, role (workshop, organisation), network staff check skipped
    # (no network), recommendations, themes, share, changes
    with django_assert_num_queries(9):
        assert client.get(url("list", workshop)).status_code == 200


# --- One recommendation -----------------------------------------------------------------


def test_organiser_saves_the_tracking_and_it_is_logged(client_for, organiser, recommendation):
    workshop = recommendation.workshop
    response = client_for(organiser).post(
        url("recommendation", workshop, contribution_id=recommendation.pk),
        valid_followup(followed_by=str(organiser.pk)),
    )
    assert response.status_code == 302
    followup = RecommendationFollowUp.objects.get(recommendation=recommendation)
    assert (followup.addressee, followup.status, followup.followed_by) == (
        "donors",
        "in_progress",
        organiser,
    )
    change = FollowUpChange.objects.get(workshop=workshop)
    assert change.action == FollowUpChange.Action.FOLLOW_UP_CHANGED
    assert change.actor == organiser
    assert "In progress" in change.detail and "Donors" in change.detail


def test_saving_the_same_tracking_twice_is_logged_once(organiser, recommendation):
    for _ in range(2):
        service.save_followup(
            recommendation=recommendation,
            addressee="donors",
            followed_by=None,
            status="in_progress",
            actor=organiser,
        )
    assert FollowUpChange.objects.count() == 1


def test_network_staff_without_a_workshop_role_may_follow_up(
    client_for, network_staff, recommendation
):
    workshop = recommendation.workshop
    client = client_for(network_staff)
    assert client.get(url("list", workshop)).status_code == 200
    response = client.post(
        url("recommendation", workshop, contribution_id=recommendation.pk),
        valid_followup(followed_by=str(network_staff.pk)),
    )
    assert response.status_code == 302
    assert recommendation.followup.followed_by == network_staff


def test_staff_of_another_network_gets_404(client_for, django_user_model, recommendation, network):
    other = Network.objects.create(name="Other network", slug="other")
    stranger = django_user_model.objects.create_user(username="stranger")
    NetworkMembership.objects.create(network=other, user=stranger, is_administrator=True)
    response = client_for(stranger).get(url("list", recommendation.workshop))
    assert response.status_code == 404


def test_only_the_networks_staff_and_organisers_may_be_named(
    client_for, organiser, viewer, recommendation
):
    response = client_for(organiser).post(
        url("recommendation", recommendation.workshop, contribution_id=recommendation.pk),
        valid_followup(followed_by=str(viewer.pk)),
    )
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert not RecommendationFollowUp.objects.exists()


def test_an_unknown_status_is_refused_with_the_form_again(client_for, organiser, recommendation):
    response = client_for(organiser).post(
        url("recommendation", recommendation.workshop, contribution_id=recommendation.pk),
        valid_followup(status="finished", addressee="donors"),
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Select a valid choice" in page
    assert 'value="donors" selected' in page


def test_organiser_adds_a_dated_update_with_evidence(client_for, organiser, recommendation):
    workshop = recommendation.workshop
    response = client_for(organiser).post(
        url("add_update", workshop, contribution_id=recommendation.pk), valid_update()
    )
    assert response.status_code == 302
    update = FollowUpUpdate.objects.get()
    assert update.followup.recommendation == recommendation
    assert update.date == dt.date(2026, 11, 30)
    assert update.evidence == ["https://example.org/letter.pdf", "https://example.org/minutes"]
    assert update.created_by == organiser
    change = FollowUpChange.objects.get()
    assert change.action == FollowUpChange.Action.UPDATE_ADDED
    assert "ministry" not in change.detail  # the log never keeps the update's words
    page = client_for(organiser).get(response.url).content.decode()
    assert "The ministry received the recommendations." in page
    assert 'href="https://example.org/letter.pdf"' in page


@pytest.mark.parametrize(
    "evidence",
    ["javascript:alert(1)", "ftp://example.org/file", "not a link", "https://" + "a" * 600],
)
def test_an_evidence_link_that_is_not_a_web_address_is_refused(
    client_for, organiser, recommendation, evidence
):
    response = client_for(organiser).post(
        url("add_update", recommendation.workshop, contribution_id=recommendation.pk),
        valid_update(evidence=evidence, text="Kept text ✓"),
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "web address" in page or "too long" in page
    assert "Kept text ✓" in page
    assert not FollowUpUpdate.objects.exists()


def test_an_update_cannot_be_dated_in_the_future(client_for, organiser, recommendation):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client_for(organiser).post(
        url("add_update", recommendation.workshop, contribution_id=recommendation.pk),
        valid_update(date=tomorrow.isoformat()),
    )
    assert response.status_code == 422
    assert "cannot be in the future" in response.content.decode()


def test_the_page_is_in_french(client_for, organiser, recommendation):
    client = client_for(organiser)
    client.cookies["pe_lang"] = "fr"
    page = client.get(
        url("recommendation", recommendation.workshop, contribution_id=recommendation.pk)
    ).content.decode()
    assert "Suivi d’une recommandation" in page
    assert "Pas commencée" in page and "Bailleurs de fonds" in page


def test_a_driver_or_another_workshops_recommendation_is_404(
    client_for, organiser, workshop, other_workshop
):
    driver = Contribution.objects.create(
        workshop=workshop, category=Category.DRIVER, text="x", source=Source.NOTE, client_id="d"
    )
    elsewhere = recommend(other_workshop, "Elsewhere")
    client = client_for(organiser)
    for contribution in (driver, elsewhere):
        response = client.get(url("recommendation", workshop, contribution_id=contribution.pk))
        assert response.status_code == 404


# --- Access matrix ------------------------------------------------------------------------

READS = [("list", False), ("recommendation", True)]
WRITES = [
    ("recommendation", True, valid_followup()),
    ("add_update", True, valid_update()),
    ("share", False, {}),
    ("revoke", False, {"confirmed": "yes"}),
]


def _url(name, recommendation, with_id):
    kwargs = {"contribution_id": recommendation.pk} if with_id else {}
    return url(name, recommendation.workshop, **kwargs)


@pytest.mark.parametrize(("name", "with_id"), READS)
def test_outsider_gets_404_on_reads(client_for, outsider, recommendation, name, with_id):
    assert client_for(outsider).get(_url(name, recommendation, with_id)).status_code == 404


@pytest.mark.parametrize(("name", "with_id", "data"), WRITES)
def test_outsider_gets_404_on_writes(client_for, outsider, recommendation, name, with_id, data):
    response = client_for(outsider).post(_url(name, recommendation, with_id), data)
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "with_id", "data"), WRITES)
def test_anonymous_is_sent_to_sign_in(client_for, recommendation, name, with_id, data):
    response = client_for(None).post(_url(name, recommendation, with_id), data)
    assert response.status_code == 302
    assert reverse("login") in response.url


@pytest.mark.parametrize(("name", "with_id"), READS)
def test_viewer_reads(client_for, viewer, recommendation, name, with_id):
    response = client_for(viewer).get(_url(name, recommendation, with_id))
    assert response.status_code == 200
    page = response.content.decode()
    assert recommendation.text in page
    assert "<form" not in page.split('id="main"')[1]  # no way to change anything


@pytest.mark.parametrize("role", ["viewer", "note_taker", "facilitator"])
@pytest.mark.parametrize(("name", "with_id", "data"), WRITES)
def test_weaker_roles_get_403_on_writes(
    request, client_for, recommendation, role, name, with_id, data
):
    user = request.getfixturevalue(role)
    response = client_for(user).post(_url(name, recommendation, with_id), data)
    assert response.status_code == 403
    assert not RecommendationFollowUp.objects.exists()
    assert not FollowUpShare.objects.exists()


@pytest.mark.parametrize("name", ["share", "revoke"])
def test_viewer_gets_403_on_the_confirmation_pages(client_for, viewer, recommendation, name):
    assert client_for(viewer).get(url(name, recommendation.workshop)).status_code == 403


@pytest.mark.parametrize(
    ("name", "with_id", "method"),
    [
        ("list", False, "post"),
        ("recommendation", True, "delete"),
        ("add_update", True, "get"),
        ("share", False, "put"),
        ("revoke", False, "delete"),
    ],
)
def test_wrong_method_is_405(client_for, organiser, recommendation, name, with_id, method):
    client = client_for(organiser)
    response = getattr(client, method)(_url(name, recommendation, with_id))
    assert response.status_code == 405


def test_wrong_method_on_the_shared_page_is_405(client_for, organiser, workshop):
    link = service.share(workshop=workshop, actor=organiser)
    response = client_for(None).post(reverse("followup:shared", kwargs={"token": link.token}))
    assert response.status_code == 405


# --- Sharing --------------------------------------------------------------------------------


def shared_url(link):
    return reverse("followup:shared", kwargs={"token": link.token})


def test_organiser_creates_a_link_that_partners_open_without_signing_in(
    client_for, organiser, recommendation, participant
):
    workshop = recommendation.workshop
    participant.display_name = "Aminata Traoré"
    participant.save()
    service.save_followup(
        recommendation=recommendation,
        addressee="national_government",
        followed_by=organiser,
        status="in_progress",
        actor=organiser,
    )
    service.add_update(
        recommendation=recommendation,
        date=dt.date(2026, 11, 30),
        text="Letter sent to the ministry.",
        evidence=["https://example.org/letter"],
        actor=organiser,
    )
    organiser.email = "olivia@example.org"
    organiser.first_name = "Olivia"
    organiser.save()
    client = client_for(organiser)
    response = client.post(url("share", workshop))
    assert response.status_code == 302
    link = FollowUpShare.objects.get(workshop=workshop, revoked_at=None)
    assert len(link.token) >= 40
    assert link.token in client.get(url("list", workshop)).content.decode()

    shared = client_for(None).get(shared_url(link))
    assert shared.status_code == 200
    assert shared["X-Robots-Tag"] == "noindex, nofollow"
    page = shared.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert recommendation.text in page
    assert "In progress" in page and "National government" in page
    assert "Letter sent to the ministry." in page
    assert 'href="https://example.org/letter"' in page
    for personal in ("olivia", "Olivia", "example.org</", "Aminata", "Traoré", "victor"):
        assert personal not in page
    assert FollowUpChange.objects.filter(action=FollowUpChange.Action.LINK_CREATED).count() == 1


def test_the_shared_page_is_in_french_and_in_english(client_for, organiser, recommendation):
    link = service.share(workshop=recommendation.workshop, actor=organiser)
    client = client_for(None)
    assert "Follow-up of recommendations" in client.get(shared_url(link)).content.decode()
    french = client.get(shared_url(link), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Suivi des recommandations" in french
    assert "Pas commencée" in french


def test_replacing_the_link_asks_first_and_the_old_link_stops(
    client_for, organiser, recommendation
):
    workshop = recommendation.workshop
    old = service.share(workshop=workshop, actor=organiser)
    client = client_for(organiser)
    confirm = client.post(url("share", workshop))
    assert confirm.status_code == 200
    assert "Replace the sharing link?" in confirm.content.decode()
    assert FollowUpShare.objects.filter(revoked_at=None).get() == old
    assert client.post(url("share", workshop), {"confirmed": "yes"}).status_code == 302
    new = FollowUpShare.objects.get(revoked_at=None)
    assert new.token != old.token
    assert client_for(None).get(shared_url(old)).status_code == 404
    assert client_for(None).get(shared_url(new)).status_code == 200
    assert FollowUpChange.objects.filter(action=FollowUpChange.Action.LINK_REPLACED).exists()


def test_revoking_the_link_asks_first_then_it_stops(client_for, organiser, recommendation):
    workshop = recommendation.workshop
    link = service.share(workshop=workshop, actor=organiser)
    client = client_for(organiser)
    assert "Revoke the sharing link?" in client.get(url("revoke", workshop)).content.decode()
    client.post(url("revoke", workshop))  # not confirmed: nothing happens
    assert client_for(None).get(shared_url(link)).status_code == 200
    assert client.post(url("revoke", workshop), {"confirmed": "yes"}).status_code == 302
    assert client_for(None).get(shared_url(link)).status_code == 404
    assert FollowUpChange.objects.filter(action=FollowUpChange.Action.LINK_REVOKED).exists()


@pytest.mark.parametrize("token", ["nope", "x" * 64, "x" * 200])
def test_an_unknown_token_is_404(client_for, token, db):
    assert client_for(None).get(f"/follow-up/{token}/").status_code == 404


@pytest.mark.parametrize("many", [1, 10])
def test_shared_page_queries_do_not_grow_with_recommendations(
    client_for, organiser, workshop, theme, many, django_assert_num_queries
):
    for n in range(many):
        rec = recommend(workshop, f"Recommendation {n}", votes=1)
        rec.themes.add(theme)
        service.add_update(
            recommendation=rec, date=dt.date(2026, 11, 30), text="t", evidence=[], actor=None
        )
    link = service.share(workshop=workshop, actor=organiser)
    client = client_for(None)
    # link with its workshop, recommendations, themes, updates
    with django_assert_num_queries(4):
        assert client.get(shared_url(link)).status_code == 200


# --- Fuzz -------------------------------------------------------------------------------------

ANY_TEXT = st.one_of(
    st.text(alphabet=st.characters(), max_size=300),
    st.sampled_from(["\x00", "\ud800", "a\udfffb", "x" * 5000]),
    st.text(alphabet=st.characters(min_codepoint=0x0590, max_codepoint=0x06FF), min_size=1),
)


ENCODABLE = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)


@pytest.mark.fuzz
@pytest.mark.django_db
@settings(max_examples=200, suppress_health_check=list(HealthCheck), deadline=None)
@given(text=ANY_TEXT, evidence=ANY_TEXT, date=ANY_TEXT)
def test_any_update_is_stored_or_refused_with_a_message(
    organiser, recommendation, text, evidence, date
):
    """Any text (NUL, lone surrogates, right-to-left, very long) in any field."""
    form = UpdateForm(data={"date": date, "text": text, "evidence": evidence})
    if not form.is_valid():
        assert form.errors
        return
    update = service.add_update(recommendation=recommendation, actor=organiser, **form.cleaned_data)
    update.refresh_from_db()
    assert update.text == form.cleaned_data["text"]
    assert not has_unsafe_characters(update.text)


@pytest.mark.fuzz
@pytest.mark.django_db
@settings(max_examples=60, suppress_health_check=list(HealthCheck), deadline=None)
@given(text=ENCODABLE, evidence=ENCODABLE, date=st.one_of(ENCODABLE, st.just("2026-11-30")))
def test_any_posted_update_is_stored_or_re_shown_never_a_500(
    client_for, organiser, recommendation, text, evidence, date
):
    client = client_for(organiser)
    before = FollowUpUpdate.objects.count()
    response = client.post(
        url("add_update", recommendation.workshop, contribution_id=recommendation.pk),
        {"date": date, "text": text, "evidence": evidence},
    )
    assert response.status_code in (302, 422)
    if response.status_code == 302:
        assert FollowUpUpdate.objects.count() == before + 1
    else:
        assert FollowUpUpdate.objects.count() == before
        assert "invalid-feedback" in response.content.decode()


@pytest.mark.fuzz
@pytest.mark.django_db
@settings(max_examples=80, suppress_health_check=list(HealthCheck), deadline=None)
@given(addressee=ANY_TEXT, status=ANY_TEXT, followed_by=ANY_TEXT)
def test_any_tracking_input_is_valid_or_refused(
    organiser, recommendation, addressee, status, followed_by
):
    form = FollowUpForm(
        data={"addressee": addressee, "status": status, "followed_by": followed_by},
        editors=followup_editors(recommendation.workshop),
    )
    if form.is_valid():
        service.save_followup(recommendation=recommendation, actor=organiser, **form.cleaned_data)
    else:
        assert form.errors


def test_the_shared_page_names_the_country_in_the_readers_language(
    client_for, organiser, recommendation, country
):
    country.name, country.name_fr = "Ivory Coast", "Côte d’Ivoire"
    country.save()
    link = service.share(workshop=recommendation.workshop, actor=organiser)
    client = client_for(None)
    assert "Ivory Coast" in client.get(shared_url(link)).content.decode()
    french = client.get(shared_url(link), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Côte d’Ivoire" in french and "Ivory Coast" not in french
