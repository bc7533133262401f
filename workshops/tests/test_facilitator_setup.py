"""Setting a workshop up from the staff pages: workshop, staff, organisations,
participants (one by one and pasted), agenda, join code and sheet."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from model_bakery import baker

from workshops.choices import Category, Gender, SessionKind, SessionStatus, StaffRole, VoiceKind
from workshops.models import (
    BreakoutSession,
    Organisation,
    OrganisationMembership,
    Participant,
    Workshop,
    WorkshopMembership,
)


def url(name, workshop, **kwargs):
    return reverse(f"workshops:{name}", kwargs={"slug": workshop.slug, **kwargs})


@pytest.fixture
def network_organiser(django_user_model, organisation):
    user = django_user_model.objects.create_user(username="amina")
    OrganisationMembership.objects.create(
        organisation=organisation, user=user, role=StaffRole.ORGANISER
    )
    return user


def test_network_organiser_creates_a_workshop_and_becomes_its_organiser(
    client_for, network_organiser, organisation, country
):
    response = client_for(network_organiser).post(
        reverse("workshops:workshop_create"),
        {
            "title": "Peace Exchange Mopti",
            "slug": "pe-mopti",
            "location": "Mopti",
            "start_date": "2026-12-01",
            "end_date": "2026-12-02",
            "country": country.pk,
            "organiser": organisation.pk,
            "languages": ["fr", "en"],
            "status": "draft",
            "dots_per_participant": 5,
        },
    )
    workshop = Workshop.objects.get(slug="pe-mopti")
    assert response.status_code == 302
    assert response["Location"] == workshop.get_absolute_url()
    assert workshop.languages == ["fr", "en"]
    assert WorkshopMembership.objects.get(workshop=workshop).role == StaffRole.ORGANISER
    assert "Peace Exchange Mopti" in client_for(network_organiser).get(response["Location"]).text


def test_workshop_form_keeps_input_and_explains_dates(
    client_for, network_organiser, organisation, country
):
    response = client_for(network_organiser).post(
        reverse("workshops:workshop_create"),
        {
            "title": "Kept title",
            "slug": "new",
            "start_date": "2026-12-02",
            "end_date": "2026-12-01",
            "country": country.pk,
            "organiser": organisation.pk,
            "languages": ["fr"],
            "status": "draft",
            "dots_per_participant": 50,
        },
    )
    assert response.status_code == 200
    assert "Kept title" in response.text
    assert "The workshop cannot end before it starts." in response.text
    assert "This address is reserved" in response.text
    assert not Workshop.objects.filter(title="Kept title").exists()


def test_organiser_edits_the_workshop(client_for, organiser, workshop):
    response = client_for(organiser).post(
        url("workshop_edit", workshop),
        {
            "title": "Renamed",
            "location": "Ségou",
            "start_date": "2026-11-28",
            "end_date": "2026-11-29",
            "country": workshop.country_id,
            "languages": ["fr"],
            "status": "live",
            "premoderation": "on",
            "dots_per_participant": 3,
        },
    )
    workshop.refresh_from_db()
    assert response.status_code == 302
    assert (workshop.title, workshop.premoderation, workshop.dots_per_participant) == (
        "Renamed",
        True,
        3,
    )


def test_organiser_adds_and_removes_staff(client_for, organiser, workshop, django_user_model):
    django_user_model.objects.create_user(username="moussa")
    client = client_for(organiser)
    client.post(url("staff", workshop), {"username": "moussa", "role": "note_taker"})
    membership = WorkshopMembership.objects.get(workshop=workshop, user__username="moussa")
    assert membership.role == StaffRole.NOTE_TAKER
    remove = url("staff_remove", workshop, membership_id=membership.pk)
    assert remove in client.get(url("staff", workshop)).text
    page = client.get(remove)
    assert "Remove moussa from this workshop" in page.text
    client.post(remove)  # one click without the confirm page changes nothing
    assert WorkshopMembership.objects.filter(pk=membership.pk).exists()
    client.post(remove, {"confirmed": "yes"})
    assert not WorkshopMembership.objects.filter(pk=membership.pk).exists()


def test_staff_form_says_when_the_username_is_unknown(client_for, organiser, workshop):
    response = client_for(organiser).post(
        url("staff", workshop), {"username": "nobody", "role": "viewer"}
    )
    assert "No active account has this username." in response.text


def test_organiser_cannot_remove_themselves(client_for, organiser, workshop):
    own = WorkshopMembership.objects.get(workshop=workshop, user=organiser)
    client_for(organiser).post(
        url("staff_remove", workshop, membership_id=own.pk), {"confirmed": "yes"}
    )
    assert WorkshopMembership.objects.filter(pk=own.pk).exists()


def test_organisation_added_one_by_one_is_linked(client_for, organiser, workshop, regions):
    client_for(organiser).post(
        url("organisation_add", workshop),
        {"name": "Femmes pour la paix", "acronym": "FPP", "kind": "women_led"},
    )
    organisation = Organisation.objects.get(name="Femmes pour la paix")
    assert workshop.organisations.filter(pk=organisation.pk).exists()
    page = client_for(organiser).get(url("organisations", workshop))
    assert "Femmes pour la paix" in page.text


def test_pasted_organisations_are_imported_and_known_names_reused(
    client_for, organiser, workshop, organisation
):
    text = "name,acronym,kind,region\nJeunes de Gao,JG,youth_led,Gao\nwanep mali,,,\n"
    response = client_for(organiser).post(url("organisation_import", workshop), {"text": text})
    assert response.status_code == 302
    assert set(workshop.organisations.values_list("name", flat=True)) == {
        "Jeunes de Gao",
        "WANEP Mali",
    }
    assert Organisation.objects.get(name="Jeunes de Gao").home_region.name == "Gao"


def test_pasted_organisations_with_an_error_import_nothing(client_for, organiser, workshop):
    text = "name,kind,region\nGood one,,\n,,\nBad kind,spaceship,\nBad region,,Atlantis\n"
    response = client_for(organiser).post(url("organisation_import", workshop), {"text": text})
    assert response.status_code == 422
    assert "Line 4: Unknown kind of organisation." in response.text
    assert "Line 5: Unknown region." in response.text
    assert "Good one" in response.text  # the pasted text is kept
    assert not Organisation.objects.filter(name="Good one").exists()


def test_participant_added_one_by_one(client_for, organiser, workshop, regions):
    response = client_for(organiser).post(
        url("participant_add", workshop),
        {"display_name": "Awa", "region": regions["Mopti"].pk, "gender": "woman"},
    )
    assert response.status_code == 302
    participant = Participant.objects.get(display_name="Awa")
    assert (participant.workshop, participant.gender) == (workshop, Gender.WOMAN)


def test_pasted_participants_are_imported_all_together(
    client_for, organiser, workshop, organisation
):
    workshop.organisations.add(organisation)
    text = "name;organisation;region;gender;role\nAwa;WANEP;Gao;Woman;Coordinator\n;;Bamako;man;\n"
    response = client_for(organiser).post(url("participant_import", workshop), {"text": text})
    assert response.status_code == 302
    people = list(workshop.participants.order_by("pk"))
    assert [(p.display_name, p.gender, p.region.name) for p in people] == [
        ("Awa", Gender.WOMAN, "Gao"),
        ("", Gender.MAN, "Bamako"),
    ]
    assert people[0].organisation == organisation


def test_pasted_participants_with_errors_import_nothing_and_show_each_line(
    client_for, organiser, workshop
):
    text = "name,organisation,region,gender\nAwa,,Gao,woman\nBa,Unknown org,,\nCi,,,robot\n"
    response = client_for(organiser).post(url("participant_import", workshop), {"text": text})
    assert response.status_code == 422
    assert "Line 3: Unknown organisation" in response.text
    assert "Line 4: Unknown gender." in response.text
    assert not workshop.participants.exists()


def test_pasted_participants_accept_french_and_english_gender_words(
    client_for, organiser, workshop
):
    text = "name,gender\nAwa,femme\nBa,Homme\nCi,F\nDi,Féminin\nEm, male \nFa,autre\nGo,NSP\n"
    response = client_for(organiser).post(url("participant_import", workshop), {"text": text})
    assert response.status_code == 302
    genders = list(workshop.participants.order_by("pk").values_list("gender", flat=True))
    assert genders == [
        Gender.WOMAN,
        Gender.MAN,
        Gender.WOMAN,
        Gender.WOMAN,
        Gender.MAN,
        Gender.ANOTHER,
        Gender.UNDISCLOSED,
    ]


@pytest.mark.parametrize(
    "word, gender",
    [
        ("femme", Gender.WOMAN),
        ("FEMMES", Gender.WOMAN),
        ("woman", Gender.WOMAN),
        ("homme", Gender.MAN),
        ("Masculin", Gender.MAN),
        ("non-binaire", Gender.ANOTHER),
        ("Prefer not to say", Gender.UNDISCLOSED),
        ("robot", ""),
        ("", ""),
    ],
)
def test_gender_words_are_read_in_one_place(word, gender):
    assert Gender.parse(word) == gender


def test_empty_paste_is_explained(client_for, organiser, workshop):
    response = client_for(organiser).post(
        url("participant_import", workshop), {"text": "name,region\n"}
    )
    assert "No rows under the header." in response.text


def test_session_is_planned_with_focus_times_people_and_staff(
    client_for, organiser, note_taker, workshop, participant
):
    response = client_for(organiser).post(
        url("session_create", workshop),
        {
            "title": "Breakout North",
            "kind": SessionKind.BREAKOUT,
            "guiding_question": "What drives conflict in the North?",
            "focus": [Category.DRIVER, Category.STRENGTH],
            "starts_at": "2026-11-28T09:00",
            "ends_at": "2026-11-28T10:30",
            "participants": [participant.pk],
            "staff": [note_taker.pk],
        },
    )
    assert response.status_code == 302
    session = BreakoutSession.objects.get(title="Breakout North")
    assert session.focus == [Category.DRIVER, Category.STRENGTH]
    assert list(session.participants.all()) == [participant]
    assert list(session.staff.all()) == [note_taker]
    assert session.starts_at.hour == 9
    page = client_for(organiser).get(url("workshop", workshop))
    assert "What drives conflict in the North?" in page.text


def test_select_all_puts_everyone_in_the_room_in_the_session(
    client_for, organiser, workshop, participant
):
    others = baker.make(Participant, workshop=workshop, _quantity=3)
    baker.make(Participant, workshop=workshop, kind=VoiceKind.RESPONDENT, external_id="uuid-9")
    client = client_for(organiser)
    form = client.get(url("session_create", workshop)).text
    assert 'name="all_participants"' in form
    response = client.post(
        url("session_create", workshop),
        {"title": "Plenary", "kind": SessionKind.PLENARY, "all_participants": "on"},
    )
    assert response.status_code == 302
    session = BreakoutSession.objects.get(title="Plenary")
    assert set(session.participants.all()) == {participant, *others}


def test_session_people_are_picked_among_people_in_the_room(
    client_for, organiser, workshop, participant
):
    respondent = baker.make(
        Participant, workshop=workshop, kind=VoiceKind.RESPONDENT, external_id="uuid-1"
    )
    client = client_for(organiser)
    page = client.get(url("session_create", workshop))
    assert list(page.context["form"].fields["participants"].queryset) == [participant]
    response = client.post(
        url("session_create", workshop),
        {
            "title": "Breakout North",
            "kind": SessionKind.BREAKOUT,
            "starts_at": "2026-11-28T09:00",
            "ends_at": "2026-11-28T10:30",
            "participants": [participant.pk, respondent.pk],
        },
    )
    assert response.status_code == 200 and "participants" in response.context["form"].errors
    assert not BreakoutSession.objects.filter(title="Breakout North").exists()


def test_session_that_ends_before_it_starts_is_refused(client_for, organiser, workshop):
    response = client_for(organiser).post(
        url("session_create", workshop),
        {
            "title": "Backwards",
            "kind": SessionKind.PLENARY,
            "starts_at": "2026-11-28T10:00",
            "ends_at": "2026-11-28T09:00",
        },
    )
    assert response.status_code == 200
    assert "A session must end after it starts." in response.text
    assert not BreakoutSession.objects.filter(title="Backwards").exists()


def test_session_edit_changes_the_question(client_for, organiser, workshop, session):
    client_for(organiser).post(
        url("session_edit", workshop, session_id=session.pk),
        {"title": session.title, "kind": session.kind, "guiding_question": "New question?"},
    )
    session.refresh_from_db()
    assert session.guiding_question == "New question?"


def test_sessions_are_reordered_up_and_down(client_for, organiser, workshop):
    first, second, third = (
        baker.make(BreakoutSession, workshop=workshop, title=t, order=i)
        for i, t in enumerate(["A", "B", "C"], start=1)
    )
    client = client_for(organiser)
    client.post(url("session_move", workshop, session_id=third.pk), {"direction": "up"})
    titles = list(workshop.sessions.order_by("order").values_list("title", flat=True))
    assert titles == ["A", "C", "B"]
    client.post(url("session_move", workshop, session_id=first.pk), {"direction": "up"})
    client.post(url("session_move", workshop, session_id=first.pk), {"direction": "down"})
    titles = list(workshop.sessions.order_by("order").values_list("title", flat=True))
    assert titles == ["C", "A", "B"]
    assert second.pk


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("open", SessionStatus.OPEN),
        ("open_voting", SessionStatus.VOTING),
        ("close_voting", SessionStatus.CLOSED),
        ("close", SessionStatus.CLOSED),
    ],
)
def test_facilitator_opens_and_closes_sessions_and_voting(
    client_for, facilitator, workshop, session, action, status
):
    client_for(facilitator).post(
        url("session_status", workshop, session_id=session.pk), {"action": action}
    )
    session.refresh_from_db()
    assert session.status == status


def test_join_code_page_shows_code_link_and_svg_qr(client_for, viewer, workshop):
    response = client_for(viewer).get(url("join_code", workshop))
    assert workshop.join_code in response.text
    assert f"/j/{workshop.join_code}/" in response.text
    assert "<svg" in response.text and "<img" not in response.text


def test_printable_sheet_is_a4_with_code_and_qr(client_for, viewer, workshop):
    response = client_for(viewer).get(url("join_sheet", workshop))
    assert workshop.join_code in response.text
    assert "<svg" in response.text
    assert "print-sheet.css" in response.text
    assert "navbar" not in response.text


def test_workshop_page_shows_agenda_in_order_with_controls(
    client_for, facilitator, workshop, session
):
    later = baker.make(BreakoutSession, workshop=workshop, title="Recommendations", order=5)
    response = client_for(facilitator).get(url("workshop", workshop))
    text = response.text
    assert text.index(session.title) < text.index(later.title)
    assert "Open voting" in text  # the open session can move to voting
    assert "Move up" not in text  # reordering is for organisers


def test_dates_are_kept_in_the_form_after_an_error(client_for, organiser, workshop):
    response = client_for(organiser).post(
        url("workshop_edit", workshop),
        {"title": "", "start_date": "2026-11-28", "end_date": "2026-11-29"},
    )
    assert response.status_code == 200
    assert 'value="2026-11-28"' in response.text
    assert workshop.start_date == dt.date(2026, 11, 28)


@pytest.mark.parametrize("n", [1, 30])
def test_set_up_lists_do_not_grow_in_queries(
    client_for, organiser, workshop, regions, organisation, n, django_assert_num_queries
):
    workshop.organisations.add(organisation)
    people = baker.make(
        Participant,
        workshop=workshop,
        region=regions["Gao"],
        organisation=organisation,
        _quantity=n,
    )
    for i in range(n):
        session = baker.make(BreakoutSession, workshop=workshop, order=i, title=f"S{i}")
        session.staff.add(organiser)
        session.participants.add(*people[:3])
    client = client_for(organiser)
    client.get(url("workshop", workshop))
    client.get(url("participants", workshop), {"purpose": "Badges"})  # kept in the session
    # participants: one more, the record in the data access log, and one for the workshop's
    # zone of each region (the list shows the zone)
    for name, limit in [("workshop", 7), ("participants", 8), ("organisations", 6)]:
        with django_assert_num_queries(limit):
            response = client.get(url(name, workshop))
        assert response.status_code == 200


def test_capture_page_warns_when_the_session_is_not_open(client_for, note_taker, workshop, session):
    session.status = SessionStatus.CLOSED
    session.save()
    page = client_for(note_taker).get(
        reverse("workshops:capture", args=[workshop.slug, session.pk])
    )
    assert "This session is not open" in page.text
