"""The access helpers themselves: the one rank check, the template filter, and the
403s that used to be decided in views (shared organisation, row-level export,
creating a workshop). Every URL × role is in ``test_facilitator_access.py``."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory
from model_bakery import baker

from workshops import access
from workshops.choices import StaffRole

ROLES = [StaffRole.VIEWER, StaffRole.NOTE_TAKER, StaffRole.FACILITATOR, StaffRole.ORGANISER]


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("needed", ROLES)
def test_a_role_allows_what_needs_the_same_role_or_a_weaker_one(role, needed):
    assert access.role_allows(role, needed) is (ROLES.index(role) >= ROLES.index(needed))


def test_an_outsider_is_allowed_nothing():
    assert not access.role_allows(None, StaffRole.VIEWER)


@pytest.mark.parametrize(
    ("action", "shown"), [("read", True), ("capture", True), ("moderate", False)]
)
def test_templates_ask_the_may_filter_with_the_role_the_helper_set(
    note_taker, workshop, action, shown
):
    workshop = access.get_workshop_for_user(_request(note_taker), workshop.slug)
    html = Template(f'{{% load nav_tags %}}{{% if workshop|may:"{action}" %}}yes{{% endif %}}')
    assert (html.render(Context({"workshop": workshop})) == "yes") is shown


def test_a_workshop_no_helper_returned_allows_nothing(workshop):
    assert not access.may(workshop, "read")


def test_the_may_filter_refuses_an_unknown_action(workshop):
    html = Template('{% load nav_tags %}{% if workshop|may:"delete" %}yes{% endif %}')
    with pytest.raises(TemplateSyntaxError):
        html.render(Context({"workshop": workshop}))


# --- Organisations: a shared one is changed by the network's admins ---------------------


@pytest.fixture
def local_organisation(workshop):
    local = baker.make("workshops.Organisation", name="Association des femmes de Gao")
    workshop.organisations.add(local)
    return local


def test_an_organiser_may_change_an_organisation_only_this_workshop_lists(
    organiser, workshop, local_organisation
):
    found, organisation = access.get_organisation_for_user(
        _request(organiser), workshop.slug, local_organisation.pk, for_change=True
    )
    assert (found, organisation) == (workshop, local_organisation)
    assert organisation.shared is False


def test_a_shared_organisation_is_403_for_change_but_found_otherwise(
    organiser, workshop, organisation
):
    workshop.organisations.add(organisation)  # it organises the workshop: shared
    request = _request(organiser)
    with pytest.raises(PermissionDenied):
        access.get_organisation_for_user(request, workshop.slug, organisation.pk, for_change=True)
    _workshop, found = access.get_organisation_for_user(request, workshop.slug, organisation.pk)
    assert found.shared is True


def test_organisation_helper_is_404_for_an_outsider_and_403_for_a_facilitator(
    outsider, facilitator, workshop, local_organisation
):
    with pytest.raises(Http404):
        access.get_organisation_for_user(
            _request(outsider), workshop.slug, local_organisation.pk, for_change=True
        )
    with pytest.raises(PermissionDenied):
        access.get_organisation_for_user(
            _request(facilitator), workshop.slug, local_organisation.pk, for_change=True
        )


# --- Exports: aggregates for every role, one row per contribution for organisers -----------


@pytest.mark.parametrize("rows", [False, True])
def test_export_helper_is_404_for_an_outsider(outsider, workshop, rows):
    with pytest.raises(Http404):
        access.get_workshop_for_export(_request(outsider), workshop.slug, rows=rows)


def test_a_viewer_exports_aggregates_but_row_level_is_403(viewer, workshop):
    request = _request(viewer)
    assert access.get_workshop_for_export(request, workshop.slug) == workshop
    with pytest.raises(PermissionDenied):
        access.get_workshop_for_export(request, workshop.slug, rows=True)


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("organiser", True), ("facilitator", False), ("note_taker", False), ("viewer", False)],
)
def test_row_level_data_is_for_organisers_only(request, role, allowed, workshop):
    asking = _request(request.getfixturevalue(role))
    if allowed:
        assert access.get_workshop_for_rows(asking, workshop.slug) == workshop
    else:
        with pytest.raises(PermissionDenied):
            access.get_workshop_for_rows(asking, workshop.slug)


def test_row_level_data_is_404_for_an_outsider(outsider, workshop):
    with pytest.raises(Http404):
        access.get_workshop_for_rows(_request(outsider), workshop.slug)


@pytest.mark.parametrize(("role", "shown"), [("organiser", True), ("facilitator", False)])
def test_templates_ask_may_rows(request, role, shown, workshop):
    found = access.get_workshop_for_user(_request(request.getfixturevalue(role)), workshop.slug)
    assert access.may(found, "rows") is shown


def test_an_organiser_exports_one_row_per_contribution(organiser, workshop):
    found = access.get_workshop_for_export(_request(organiser), workshop.slug, rows=True)
    assert found == workshop and found.role == StaffRole.ORGANISER


# --- Creating a workshop needs an organiser role in an organisation --------------------------


def test_creating_a_workshop_is_403_without_an_organisation_to_organise_for(organiser):
    with pytest.raises(PermissionDenied):  # organiser of a workshop, not of its network
        access.organisations_for_new_workshop(_request(organiser))


def test_network_organisers_create_workshops_for_their_organisation(
    django_user_model, organisation
):
    user = django_user_model.objects.create_user(username="net")
    baker.make(
        "workshops.OrganisationMembership",
        organisation=organisation,
        user=user,
        role=StaffRole.ORGANISER,
    )
    assert list(access.organisations_for_new_workshop(_request(user))) == [organisation]
