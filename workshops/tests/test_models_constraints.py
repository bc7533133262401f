"""Every rule the database enforces on the core models, tried and refused.

Each CheckConstraint and UniqueConstraint of ``workshops/models/core.py`` is
named here; the last test fails when a constraint is added without a test.
"""

import datetime as dt
import itertools
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from model_bakery import baker

from workshops.choices import (
    Audience,
    Category,
    Horizon,
    ModerationStatus,
    Source,
    StaffRole,
    VoiceKind,
)
from workshops.models import (
    BreakoutSession,
    Contribution,
    Country,
    Organisation,
    Participant,
    Region,
    Theme,
    Vote,
    Workshop,
    WorkshopMembership,
    Zone,
    ZoneRegion,
    core,
)

_client_ids = itertools.count()


@contextmanager
def refused(constraint: str):
    """The block must fail with an IntegrityError naming ``constraint`` where the DB says it."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        yield
    message = str(caught.value)
    if connection.vendor == "postgresql" or "CHECK" in message:
        assert constraint in message, message


def contribution(workshop, **fields) -> Contribution:
    values = {
        "workshop": workshop,
        "category": Category.OBSERVATION,
        "source": Source.NOTE,
        "text": "Les routes sont coupées.",
        "client_id": f"c-{next(_client_ids)}",
        **fields,
    }
    return Contribution.objects.create(**values)


# --- reference data -----------------------------------------------------------------


def test_a_zone_name_is_unique_per_workshop(workshop, other_workshop):
    with refused("zone_unique_name_per_workshop"):
        Zone.objects.create(workshop=workshop, name="North")
    assert Zone.objects.create(workshop=other_workshop, name="Sahel").pk


def test_a_region_sits_in_one_zone_per_workshop(workshop, other_workshop, regions, zones):
    with refused("zone_region_one_zone_per_workshop"):
        ZoneRegion.objects.create(workshop=workshop, zone=zones["South"], region=regions["Gao"])
    other_zone = other_workshop.zones.get(name="South")
    other_workshop.zone_regions.filter(region=regions["Gao"]).update(zone=other_zone)
    assert workshop.zone_of(regions["Gao"]).name == "North"  # each workshop its own grouping


def test_a_region_name_is_unique_per_country(regions, country):
    with refused("region_unique_name_per_country"):
        Region.objects.create(country=country, name="Gao")


def test_a_country_code_is_unique(country):
    with pytest.raises(IntegrityError), transaction.atomic():
        Country.objects.create(code="ML", name="Mali again")


def test_an_organisation_name_is_unique(organisation):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="WANEP Mali")


def test_a_user_is_staff_of_an_organisation_once(organisation, django_user_model):
    user = django_user_model.objects.create_user("staff")
    organisation.memberships.create(user=user, role=StaffRole.VIEWER)
    with refused("organisation_membership_unique"):
        organisation.memberships.create(user=user, role=StaffRole.ORGANISER)


def test_a_library_theme_slug_is_unique(db):
    Theme.objects.create(slug="armed-groups", name="Armed groups")
    with refused("theme_unique_library_slug"):
        Theme.objects.create(slug="armed-groups", name="Armed groups again")


def test_a_workshop_theme_slug_is_unique_in_its_workshop_only(workshop, other_workshop):
    Theme.objects.create(slug="armed-groups", name="Armed groups")
    Theme.objects.create(slug="armed-groups", name="Armed groups", workshop=workshop)
    Theme.objects.create(slug="armed-groups", name="Armed groups", workshop=other_workshop)
    with refused("theme_unique_workshop_slug"):
        Theme.objects.create(slug="armed-groups", name="Again", workshop=workshop)


# --- workshops and people -----------------------------------------------------------


def test_a_workshop_cannot_end_before_it_starts(workshop):
    with refused("workshop_ends_after_start"):
        Workshop.objects.filter(pk=workshop.pk).update(
            end_date=workshop.start_date - dt.timedelta(days=1)
        )
    Workshop.objects.filter(pk=workshop.pk).update(end_date=workshop.start_date)


@pytest.mark.parametrize("dots", [0, 21])
def test_a_workshop_gives_between_1_and_20_votes(workshop, dots):
    with refused("workshop_dots_between_1_and_20"):
        Workshop.objects.filter(pk=workshop.pk).update(dots_per_participant=dots)


def test_workshop_slug_and_join_code_are_unique(workshop, other_workshop):
    with pytest.raises(IntegrityError), transaction.atomic():
        Workshop.objects.filter(pk=other_workshop.pk).update(slug=workshop.slug)
    with pytest.raises(IntegrityError), transaction.atomic():
        Workshop.objects.filter(pk=other_workshop.pk).update(join_code=workshop.join_code)


def test_a_user_holds_one_role_per_workshop(organiser, workshop):
    with refused("workshop_membership_unique"):
        WorkshopMembership.objects.create(workshop=workshop, user=organiser, role=StaffRole.VIEWER)


def test_a_workshop_role_must_be_known(workshop, django_user_model):
    user = django_user_model.objects.create_user("someone")
    with refused("workshop_membership_valid_role"):
        WorkshopMembership.objects.create(workshop=workshop, user=user, role="king")


def test_a_participant_gender_must_be_known_or_blank(participant):
    Participant.objects.filter(pk=participant.pk).update(gender="")
    with refused("participant_valid_gender"):
        Participant.objects.filter(pk=participant.pk).update(gender="robot")


def test_a_voice_kind_must_be_known(participant):
    with refused("participant_valid_kind"):
        Participant.objects.filter(pk=participant.pk).update(kind="robot")


def test_a_survey_submission_is_one_voice_per_workshop(workshop):
    baker.make(Participant, workshop=workshop, kind=VoiceKind.RESPONDENT, external_id="uuid:1")
    baker.make(Participant, workshop=workshop, kind=VoiceKind.RESPONDENT, external_id="")
    baker.make(Participant, workshop=workshop, kind=VoiceKind.RESPONDENT, external_id="")
    with refused("participant_unique_external_id"):
        baker.make(Participant, workshop=workshop, kind=VoiceKind.RESPONDENT, external_id="uuid:1")


def test_a_consent_key_is_one_participant_per_workshop(workshop, other_workshop):
    baker.make(Participant, workshop=workshop, consent_key="a" * 64)
    baker.make(Participant, workshop=other_workshop, consent_key="a" * 64)
    baker.make(Participant, workshop=workshop, consent_key="")
    baker.make(Participant, workshop=workshop, consent_key="")
    with refused("participant_unique_consent_key"):
        baker.make(Participant, workshop=workshop, consent_key="a" * 64)


def test_only_people_in_the_room_hold_a_device_token(participant):
    participant.issue_token()
    participant.save()
    with refused("participant_token_only_in_the_room"):
        Participant.objects.filter(pk=participant.pk).update(kind=VoiceKind.RESPONDENT)


def test_participant_public_id_and_device_token_are_unique(workshop, participant):
    participant.issue_token()
    participant.save()
    other = baker.make(Participant, workshop=workshop)
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.filter(pk=other.pk).update(public_id=participant.public_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.filter(pk=other.pk).update(token_hash=participant.token_hash)


# --- sessions -----------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [0, -30])
def test_a_session_ends_after_it_starts(session, minutes):
    start = timezone.now()
    with refused("session_ends_after_start"):
        BreakoutSession.objects.filter(pk=session.pk).update(
            starts_at=start, ends_at=start + dt.timedelta(minutes=minutes)
        )
    BreakoutSession.objects.filter(pk=session.pk).update(starts_at=start, ends_at=None)


def test_a_session_status_must_be_known(session):
    with refused("session_valid_status"):
        BreakoutSession.objects.filter(pk=session.pk).update(status="sleeping")


# --- contributions and votes --------------------------------------------------------


def test_a_client_id_is_stored_once_per_workshop(workshop, other_workshop):
    contribution(workshop, client_id="phone-1")
    contribution(other_workshop, client_id="phone-1")
    with refused("contribution_unique_client_id"):
        contribution(workshop, client_id="phone-1")


def test_a_contribution_needs_a_client_id(workshop):
    with refused("contribution_has_client_id"):
        contribution(workshop, client_id="")


def test_a_contribution_needs_text(workshop):
    with refused("contribution_has_text"):
        contribution(workshop, text="")


def test_only_a_driver_has_a_horizon(workshop):
    contribution(workshop, category=Category.DRIVER, horizon=Horizon.DYNAMIC)
    with refused("contribution_horizon_only_for_drivers"):
        contribution(workshop, category=Category.STRENGTH, horizon=Horizon.LONG_TERM)


def test_a_horizon_must_be_known(workshop):
    with refused("contribution_valid_horizon"):
        contribution(workshop, category=Category.DRIVER, horizon="eternal")


def test_only_a_recommendation_has_an_audience(workshop):
    contribution(workshop, category=Category.RECOMMENDATION, audience="national")
    with refused("contribution_audience_only_for_recommendations"):
        contribution(workshop, category=Category.DRIVER, audience="national")


def test_an_audience_must_be_known(workshop):
    with refused("contribution_valid_audience"):
        contribution(workshop, category=Category.RECOMMENDATION, audience="martians")


def test_a_category_must_be_known(workshop):
    with refused("contribution_valid_category"):
        contribution(workshop, category="gossip")


def test_a_source_must_be_known(workshop):
    with refused("contribution_valid_source"):
        contribution(workshop, source="pigeon")


def test_a_contribution_gender_must_be_known_or_blank(workshop):
    with refused("contribution_valid_gender"):
        contribution(workshop, gender="robot")


def test_a_merged_contribution_has_a_target_and_only_it_has_one(workshop):
    target = contribution(workshop)
    with refused("contribution_merged_iff_target"):
        contribution(workshop, status=ModerationStatus.MERGED)
    with refused("contribution_merged_iff_target"):
        contribution(workshop, status=ModerationStatus.PUBLISHED, merged_into=target)
    merged = contribution(workshop, status=ModerationStatus.MERGED, merged_into=target)
    assert merged.merged_into == target


def test_a_contribution_is_not_merged_into_itself(workshop):
    item = contribution(workshop)
    with refused("contribution_not_merged_into_itself"):
        Contribution.objects.filter(pk=item.pk).update(
            status=ModerationStatus.MERGED, merged_into=item.pk
        )


def test_a_participant_votes_once_per_contribution(workshop, participant):
    item = contribution(workshop, category=Category.RECOMMENDATION)
    Vote.objects.create(participant=participant, contribution=item)
    with refused("vote_one_per_participant"):
        Vote.objects.create(participant=participant, contribution=item)


# --- friendly messages before the database refuses -----------------------------------


def test_clean_explains_the_rules_in_words(workshop, other_workshop, session):
    bad_dates = Workshop(start_date=dt.date(2026, 1, 2), end_date=dt.date(2026, 1, 1))
    with pytest.raises(ValidationError) as caught:
        bad_dates.clean()
    assert "end_date" in caught.value.message_dict
    item = Contribution(
        workshop=other_workshop,
        session=session,
        category=Category.STRENGTH,
        horizon=Horizon.DYNAMIC,
        audience="national",
    )
    with pytest.raises(ValidationError) as caught:
        item.clean()
    assert set(caught.value.message_dict) == {"horizon", "audience", "session"}


# --- nothing left untried -----------------------------------------------------------


def test_every_constraint_of_the_core_models_is_tried():
    named = {
        constraint.name
        for model in apps.get_app_config("workshops").get_models()
        if model.__module__ == core.__name__
        for constraint in model._meta.constraints
        if isinstance(constraint, models.CheckConstraint | models.UniqueConstraint)
    }
    tried = set(re.findall(r'refused\("([a-z0-9_]+)"\)', Path(__file__).read_text()))
    assert named, "no constraints found"
    assert named <= tried, f"untried: {sorted(named - tried)}"


def test_the_horizon_and_audience_rule_lives_in_the_model():

    dynamic, state = Horizon.DYNAMIC, Audience.values[0]
    assert Contribution.kept_details(Category.DRIVER, dynamic, state) == (dynamic, "")
    assert Contribution.kept_details(Category.RECOMMENDATION, dynamic, state) == ("", state)
    assert Contribution.kept_details(Category.STRENGTH, dynamic, state) == ("", "")
    assert Contribution.kept_details(Category.DRIVER, None, None) == ("", "")
    assert set(Contribution.detail_errors(Category.STRENGTH, dynamic, state)) == {
        "horizon",
        "audience",
    }
    assert Contribution.detail_errors(Category.DRIVER, dynamic, "") == {}
