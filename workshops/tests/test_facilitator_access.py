"""Every facilitator URL × every role: deny by default.

Roles at or above what a URL needs get the page (200) or, for POST-only
actions, a redirect; a weaker role gets 403; staff of another workshop get 404;
anonymous visitors are sent to the log-in page; a wrong method gets 405.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from model_bakery import baker

from workshops.choices import StaffRole
from workshops.tests.facilitator_factories import make_contribution

ROLES = ["organiser", "facilitator", "note_taker", "viewer", "outsider", "anonymous"]
RANK = {"viewer": 0, "note_taker": 1, "facilitator": 2, "organiser": 3}
NEEDS = {
    "read": StaffRole.VIEWER,
    "capture": StaffRole.NOTE_TAKER,
    "moderate": StaffRole.FACILITATOR,
    "manage": StaffRole.ORGANISER,
}

# (url name, kwargs kind, method, needs)
URLS = [
    ("workshop", "w", "GET", "read"),
    ("workshop_edit", "w", "GET", "manage"),
    ("workshop_edit", "w", "POST", "manage"),
    ("staff", "w", "GET", "manage"),
    ("staff", "w", "POST", "manage"),
    ("staff_remove", "m", "GET", "manage"),
    ("staff_remove", "m", "POST", "manage"),
    ("organisations", "w", "GET", "read"),
    ("organisation_edit", "o", "GET", "manage"),
    ("organisation_edit", "o", "POST", "manage"),
    ("organisation_remove", "o", "GET", "manage"),
    ("organisation_remove", "o", "POST", "manage"),
    ("participant_edit", "p", "GET", "manage"),
    ("participant_edit", "p", "POST", "manage"),
    ("participant_remove", "p", "GET", "manage"),
    ("participant_remove", "p", "POST", "manage"),
    ("organisation_add", "w", "GET", "manage"),
    ("organisation_add", "w", "POST", "manage"),
    ("organisation_import", "w", "GET", "manage"),
    ("organisation_import", "w", "POST", "manage"),
    ("participants", "w", "GET", "manage"),
    ("access_log", "w", "GET", "manage"),
    ("participant_add", "w", "GET", "manage"),
    ("participant_add", "w", "POST", "manage"),
    ("participant_import", "w", "GET", "manage"),
    ("participant_import", "w", "POST", "manage"),
    ("join_code", "w", "GET", "read"),
    ("join_sheet", "w", "GET", "read"),
    ("session_create", "w", "GET", "manage"),
    ("session_create", "w", "POST", "manage"),
    ("session_edit", "s", "GET", "manage"),
    ("session_edit", "s", "POST", "manage"),
    ("session_move", "s", "POST", "manage"),
    ("session_status", "s", "POST", "moderate"),
    ("capture", "s", "GET", "capture"),
    ("capture", "s", "POST", "capture"),
    ("session_board", "s", "GET", "read"),
    ("session_results", "s", "GET", "read"),
    ("projector", "s", "GET", "read"),
    ("board", "w", "GET", "read"),
    ("results", "w", "GET", "read"),
    ("moderate", "w", "POST", "moderate"),
    ("contribution_status", "c", "POST", "moderate"),
    ("contribution_edit", "c", "GET", "moderate"),
    ("contribution_edit", "c", "POST", "moderate"),
    ("grouped", "w", "GET", "read"),
    ("session_grouped", "s", "GET", "read"),
    ("grouped_projector", "w", "GET", "read"),
    ("session_grouped_projector", "s", "GET", "read"),
    ("grouped_move", "w", "POST", "moderate"),
]
POST_ONLY = {
    "session_move",
    "session_status",
    "moderate",
    "contribution_status",
    "grouped_move",
}


@pytest.fixture
def people(organiser, facilitator, note_taker, viewer, outsider):
    return {
        "organiser": organiser,
        "facilitator": facilitator,
        "note_taker": note_taker,
        "viewer": viewer,
        "outsider": outsider,
        "anonymous": None,
    }


@pytest.fixture
def url_for(workshop, session, django_user_model):
    contribution = make_contribution(workshop, session)
    extra = django_user_model.objects.create_user(username="extra")
    membership = baker.make(
        "workshops.WorkshopMembership", workshop=workshop, user=extra, role=StaffRole.VIEWER
    )
    participant = baker.make("workshops.Participant", workshop=workshop, display_name="Awa")
    local = baker.make("workshops.Organisation", name="Association des femmes de Gao")
    workshop.organisations.add(local)

    def build(name, kind):
        kwargs = {"slug": workshop.slug}
        if kind == "s":
            kwargs["session_id"] = session.pk
        elif kind == "c":
            kwargs["contribution_id"] = contribution.pk
        elif kind == "m":
            kwargs["membership_id"] = membership.pk
        elif kind == "p":
            kwargs["participant_id"] = participant.pk
        elif kind == "o":
            kwargs["organisation_id"] = local.pk
        return reverse(f"workshops:{name}", kwargs=kwargs)

    return build


def expected_status(role: str, needs: str, method: str, name: str) -> int | str:
    if role == "anonymous":
        return "login"
    if role == "outsider":
        return 404
    if RANK[role] < RANK[NEEDS[needs]]:
        return 403
    return 302 if name in POST_ONLY else "ok"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "kind", "method", "needs"), URLS)
def test_access_matrix(client_for, people, url_for, role, name, kind, method, needs):
    url = url_for(name, kind)
    client = client_for(people[role])
    response = client.get(url) if method == "GET" else client.post(url, {})
    expected = expected_status(role, needs, method, name)
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif expected == "ok":
        # Allowed: the page, a redirect after a valid action, or a form with errors.
        assert response.status_code in (200, 302, 400, 422), response.status_code
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(("name", "kind", "method", "needs"), URLS)
def test_wrong_method_is_refused(client_for, organiser, url_for, name, kind, method, needs):
    url = url_for(name, kind)
    client = client_for(organiser)
    response = client.get(url) if name in POST_ONLY else client.delete(url)
    assert response.status_code == 405


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_lists_only_the_users_workshops(client_for, people, workshop, role):
    response = client_for(people[role]).get(reverse("workshops:dashboard"))
    if role == "anonymous":
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert (workshop.title in response.content.decode()) is (role != "outsider")


@pytest.mark.parametrize("role", ROLES)
def test_only_network_organisers_create_workshops(client_for, people, role):
    response = client_for(people[role]).get(reverse("workshops:workshop_create"))
    expected = 302 if role == "anonymous" else 403
    assert response.status_code == expected


def test_note_taker_captures_only_in_assigned_sessions(
    client_for, note_taker, facilitator, workshop, session
):
    session.staff.add(facilitator)
    response = client_for(note_taker).get(
        reverse("workshops:capture", kwargs={"slug": workshop.slug, "session_id": session.pk})
    )
    assert response.status_code == 403
    session.staff.add(note_taker)
    response = client_for(note_taker).get(
        reverse("workshops:capture", kwargs={"slug": workshop.slug, "session_id": session.pk})
    )
    assert response.status_code == 200


def test_session_of_another_workshop_is_not_found(client_for, organiser, workshop, other_workshop):
    other_session = baker.make("workshops.BreakoutSession", workshop=other_workshop)
    response = client_for(organiser).get(
        reverse(
            "workshops:session_board",
            kwargs={"slug": workshop.slug, "session_id": other_session.pk},
        )
    )
    assert response.status_code == 404


def test_contribution_of_another_workshop_cannot_be_moderated(
    client_for, organiser, workshop, other_workshop
):
    foreign = make_contribution(other_workshop)
    response = client_for(organiser).post(
        reverse("workshops:moderate", kwargs={"slug": workshop.slug}),
        {"ids": [foreign.pk], "action": "hide"},
    )
    foreign.refresh_from_db()
    assert response.status_code == 302
    assert foreign.status == "published"
