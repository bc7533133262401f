"""Organisers correct and remove participants and organisations after adding them."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_bakery import baker

from workshops.choices import Gender, VoiceKind
from workshops.models import Contribution, Organisation, Participant, Vote
from workshops.tests.participant_factories import contribution_of

# Destructive actions are confirmed on their confirm page (a hidden field).
CONFIRMED = {"confirmed": "yes"}


def _post_any(client, url, data):
    """POST what a client could send, lone surrogates included (as raw, invalid UTF-8)."""
    body = urlencode({key: value.encode("utf-8", "surrogatepass") for key, value in data.items()})
    return client.post(url, body, content_type="application/x-www-form-urlencoded")


def _url(name, workshop, **kwargs):
    return reverse(f"workshops:{name}", kwargs={"slug": workshop.slug, **kwargs})


@pytest.fixture
def awa(workshop, regions, organisation):
    return Participant.objects.create(
        workshop=workshop,
        display_name="Awa T.",
        organisation=organisation,
        region=regions["Mopti"],
        gender=Gender.WOMAN,
        role="Coordinatrice",
        token_hash="f" * 64,
    )


@pytest.fixture
def local_org(workshop):
    local = baker.make(Organisation, name="Association des femmes de Gao", acronym="AFG")
    workshop.organisations.add(local)
    return local


# --- Participants ----------------------------------------------------------------------------


def test_an_organiser_corrects_a_participant(client_for, organiser, workshop, awa, regions):
    client = client_for(organiser)
    page = client.get(_url("participant_edit", workshop, participant_id=awa.pk))
    assert page.status_code == 200
    assert "Awa T." in page.content.decode()
    response = client.post(
        _url("participant_edit", workshop, participant_id=awa.pk),
        {
            "display_name": "Awa Traoré",
            "organisation": awa.organisation_id,
            "organisation_kind": "",
            "region": regions["Gao"].pk,
            "gender": Gender.WOMAN,
            "role": "Présidente",
        },
    )
    assert response.status_code == 302
    awa.refresh_from_db()
    assert (awa.display_name, awa.region, awa.role) == ("Awa Traoré", regions["Gao"], "Présidente")
    assert awa.token_hash == "f" * 64  # her phone stays linked


def test_a_correction_does_not_rewrite_what_was_already_said(
    client_for, organiser, workshop, session, awa, regions
):
    said = contribution_of(awa, session, text="La terre.")
    client_for(organiser).post(
        _url("participant_edit", workshop, participant_id=awa.pk),
        {"display_name": "Awa", "region": regions["Gao"].pk, "gender": Gender.WOMAN},
    )
    said.refresh_from_db()
    assert said.region == regions["Mopti"]  # the snapshot taken when she spoke


def test_an_invalid_correction_keeps_what_was_typed(client_for, organiser, workshop, awa):
    response = client_for(organiser).post(
        _url("participant_edit", workshop, participant_id=awa.pk),
        {"display_name": "Awa\x00 T.", "gender": "robot", "role": "x" * 500},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "is-invalid" in html
    awa.refresh_from_db()
    assert awa.display_name == "Awa T."


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.text(st.characters(), max_size=300), role=st.text(st.characters(), max_size=300))
@pytest.mark.fuzz
def test_participant_form_never_fails_whatever_is_typed(
    client_for, organiser, workshop, awa, name, role
):
    response = _post_any(
        client_for(organiser),
        _url("participant_edit", workshop, participant_id=awa.pk),
        {"display_name": name, "role": role, "gender": ""},
    )
    assert response.status_code in (200, 302)


def test_removing_someone_who_said_nothing_deletes_them(client_for, organiser, workshop, awa):
    response = client_for(organiser).post(
        _url("participant_remove", workshop, participant_id=awa.pk), CONFIRMED
    )
    assert response.status_code == 302
    assert not Participant.objects.filter(pk=awa.pk).exists()


def test_removing_someone_who_spoke_and_voted_keeps_what_they_said_and_voted(
    client_for, organiser, workshop, session, awa, regions
):
    said = contribution_of(awa, session, text="Les jeunes sans emploi.")
    Vote.objects.create(participant=awa, contribution=said)
    response = client_for(organiser).post(
        _url("participant_remove", workshop, participant_id=awa.pk), CONFIRMED, follow=True
    )
    assert "anonymously" in response.content.decode()
    awa.refresh_from_db()
    assert (awa.display_name, awa.role, awa.organisation, awa.token_hash) == ("", "", None, None)
    assert awa.organisation_kind  # the kind of organisation stays for the analysis
    assert (awa.region, awa.gender) == (regions["Mopti"], Gender.WOMAN)
    assert Contribution.objects.get(pk=said.pk).author == awa
    assert Vote.objects.filter(participant=awa).count() == 1


def test_a_participant_of_another_workshop_is_not_found(
    client_for, organiser, workshop, other_workshop
):
    stranger = baker.make(Participant, workshop=other_workshop)
    client = client_for(organiser)
    assert (
        client.get(_url("participant_edit", workshop, participant_id=stranger.pk)).status_code
        == 404
    )
    assert (
        client.post(
            _url("participant_remove", workshop, participant_id=stranger.pk), CONFIRMED
        ).status_code
        == 404
    )
    assert Participant.objects.filter(pk=stranger.pk).exists()


def test_the_list_offers_changes_to_organisers_only(
    client_for, organiser, facilitator, workshop, awa
):
    edit = _url("participant_edit", workshop, participant_id=awa.pk)
    listing = client_for(organiser).get(_url("participants", workshop), {"purpose": "Badges"})
    assert edit in listing.content.decode()
    refused = client_for(facilitator).get(_url("participants", workshop), {"purpose": "Badges"})
    assert refused.status_code == 403 and edit not in refused.content.decode()


def test_the_list_shows_people_in_the_room_not_respondents_or_interviewees(
    client_for, organiser, workshop, awa, regions
):
    others = [
        baker.make(
            Participant,
            workshop=workshop,
            kind=VoiceKind.RESPONDENT,
            external_id="uuid-1",
            region=regions["Gao"],
        ),
        baker.make(Participant, workshop=workshop, kind=VoiceKind.INTERVIEWEE),
    ]
    client = client_for(organiser)
    response = client.get(_url("participants", workshop), {"purpose": "Badges"})
    assert list(response.context["participants"]) == [awa]
    page = response.content.decode()
    assert _url("participant_edit", workshop, participant_id=awa.pk) in page
    for voice in others:
        edit = _url("participant_edit", workshop, participant_id=voice.pk)
        assert edit not in page
        assert client.get(edit).status_code == 404
        remove = _url("participant_remove", workshop, participant_id=voice.pk)
        assert client.post(remove, CONFIRMED).status_code == 404
    assert Participant.objects.count() == 3


# --- Organisations ---------------------------------------------------------------------------


def test_an_organiser_corrects_an_organisation_only_this_workshop_lists(
    client_for, organiser, workshop, local_org
):
    client = client_for(organiser)
    listing = client.get(_url("organisations", workshop)).content.decode()
    assert _url("organisation_edit", workshop, organisation_id=local_org.pk) in listing
    response = client.post(
        _url("organisation_edit", workshop, organisation_id=local_org.pk),
        {"name": "Association des femmes de Gao (AFG)", "acronym": "AFG", "kind": "grassroots"},
    )
    assert response.status_code == 302
    local_org.refresh_from_db()
    assert local_org.name == "Association des femmes de Gao (AFG)"


def test_a_name_already_taken_is_refused_with_the_text_kept(
    client_for, organiser, workshop, local_org, organisation
):
    response = client_for(organiser).post(
        _url("organisation_edit", workshop, organisation_id=local_org.pk),
        {"name": organisation.name, "acronym": "AFG", "kind": "grassroots"},
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    local_org.refresh_from_db()
    assert local_org.name == "Association des femmes de Gao"


def test_a_shared_organisation_is_changed_by_the_network_not_one_workshop(
    client_for, organiser, workshop, other_workshop, local_org, organisation
):
    other_workshop.organisations.add(local_org)
    client = client_for(organiser)
    assert (
        client.get(_url("organisation_edit", workshop, organisation_id=local_org.pk)).status_code
        == 403
    )
    # The workshop's own organiser (the network member with staff) is shared too.
    workshop.organisations.add(organisation)
    assert (
        client.get(_url("organisation_edit", workshop, organisation_id=organisation.pk)).status_code
        == 403
    )
    listing = client.get(_url("organisations", workshop)).content.decode()
    assert "Shared with the network" in listing


def test_an_organisation_with_participants_stays_on_the_list(
    client_for, organiser, workshop, local_org, awa
):
    awa.organisation = local_org
    awa.save()
    response = client_for(organiser).post(
        _url("organisation_remove", workshop, organisation_id=local_org.pk), CONFIRMED, follow=True
    )
    assert "1 participant belongs to it" in response.content.decode()
    assert workshop.organisations.filter(pk=local_org.pk).exists()


def test_an_unused_organisation_comes_off_the_list_and_stays_in_the_network(
    client_for, organiser, workshop, local_org
):
    response = client_for(organiser).post(
        _url("organisation_remove", workshop, organisation_id=local_org.pk), CONFIRMED
    )
    assert response.status_code == 302
    assert not workshop.organisations.filter(pk=local_org.pk).exists()
    assert Organisation.objects.filter(pk=local_org.pk).exists()


def test_an_organisation_not_on_this_workshops_list_is_not_found(client_for, organiser, workshop):
    elsewhere = baker.make(Organisation, name="Ailleurs")
    client = client_for(organiser)
    url = _url("organisation_edit", workshop, organisation_id=elsewhere.pk)
    assert client.get(url).status_code == 404
    url = _url("organisation_remove", workshop, organisation_id=elsewhere.pk)
    assert client.post(url, CONFIRMED).status_code == 404


def test_the_organisation_list_costs_the_same_queries_whatever_its_length(
    client_for, organiser, workshop, django_assert_num_queries
):
    client = client_for(organiser)
    for i in range(3):
        workshop.organisations.add(baker.make(Organisation, name=f"Org {i}"))
    client.get(_url("organisations", workshop))
    with django_assert_num_queries(6):
        client.get(_url("organisations", workshop))
    for i in range(3, 30):
        workshop.organisations.add(baker.make(Organisation, name=f"Org {i}"))
    with django_assert_num_queries(6):
        client.get(_url("organisations", workshop))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.text(st.characters(), max_size=300),
    acronym=st.text(st.characters(), max_size=60),
    network=st.text(st.characters(), max_size=200),
)
@pytest.mark.fuzz
def test_organisation_form_never_fails_whatever_is_typed(
    client_for, organiser, workshop, local_org, name, acronym, network
):
    response = _post_any(
        client_for(organiser),
        _url("organisation_edit", workshop, organisation_id=local_org.pk),
        {"name": name, "acronym": acronym, "kind": "grassroots", "network": network},
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:  # refused: what was typed is shown again
        assert "is-invalid" in response.content.decode()


def test_removing_a_participant_asks_first_and_one_click_changes_nothing(
    client_for, organiser, workshop, awa
):
    client = client_for(organiser)
    url = _url("participant_remove", workshop, participant_id=awa.pk)
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="confirmed" value="yes"' in page.text
    assert client.post(url).status_code == 200  # no confirmation: the question again
    assert Participant.objects.filter(pk=awa.pk).exists()


def test_taking_an_organisation_off_asks_first(client_for, organiser, workshop, local_org):
    client = client_for(organiser)
    url = _url("organisation_remove", workshop, organisation_id=local_org.pk)
    page = client.get(url).text
    assert local_org.name in page and 'name="confirmed" value="yes"' in page
    client.post(url)
    assert workshop.organisations.filter(pk=local_org.pk).exists()
