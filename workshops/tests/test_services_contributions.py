"""The exactly-once rule of contributions, at the service level."""

import uuid

import pytest

from workshops.choices import Audience, Category, ModerationStatus, Source
from workshops.models import Contribution
from workshops.services.contributions import ClientIdConflict, submit_contribution


def _send(workshop, session, client_id, text="The state is absent in the North."):
    return submit_contribution(
        workshop=workshop,
        session=session,
        client_id=client_id,
        text=text,
        category=Category.DRIVER,
        horizon="long_term",
        source=Source.PHONE,
    )


def test_repeat_with_same_content_returns_the_stored_contribution(workshop, session):
    client_id = str(uuid.uuid4())
    first = _send(workshop, session, client_id)
    again = _send(workshop, session, client_id)
    assert first.created and not again.created
    assert again.contribution.pk == first.contribution.pk
    assert Contribution.objects.count() == 1


def test_conflicting_repeat_is_refused_and_the_stored_one_kept(workshop, session):
    client_id = str(uuid.uuid4())
    _send(workshop, session, client_id, text="first text")
    with pytest.raises(ClientIdConflict) as raised:
        _send(workshop, session, client_id, text="second text")
    assert "first text" not in str(raised.value) and not vars(raised.value)
    assert list(Contribution.objects.values_list("text", flat=True)) == ["first text"]


def test_same_client_id_in_two_workshops_is_two_contributions(workshop, other_workshop, session):
    client_id = str(uuid.uuid4())
    _send(workshop, session, client_id)
    _send(other_workshop, None, client_id)
    assert Contribution.objects.count() == 2


def test_author_demographics_are_snapshotted(workshop, session, participant, regions):
    stored = submit_contribution(
        workshop=workshop,
        session=session,
        client_id="c-1",
        text="Recruit young people into jobs",
        category=Category.RECOMMENDATION,
        audience=Audience.NATIONAL,
        source=Source.PHONE,
        author=participant,
    ).contribution
    participant.region = regions["Bamako"]
    participant.save()
    stored.refresh_from_db()
    assert stored.region.name == "Gao"
    assert stored.zone.name == "North"
    assert stored.gender == participant.gender


def test_premoderation_holds_phone_contributions_but_not_notes(workshop, session):
    workshop.premoderation = True
    workshop.save()
    phone = _send(workshop, session, "p-1").contribution
    note = submit_contribution(
        workshop=workshop,
        session=session,
        client_id="n-1",
        text="Noted in the room",
        category=Category.STRENGTH,
        source=Source.NOTE,
    ).contribution
    assert phone.status == ModerationStatus.PENDING
    assert note.status == ModerationStatus.PUBLISHED


def test_category_specific_fields_are_dropped_for_other_categories(workshop, session):
    stored = submit_contribution(
        workshop=workshop,
        session=session,
        client_id="s-1",
        text="We know our communities",
        category=Category.STRENGTH,
        horizon="dynamic",
        audience=Audience.NATIONAL,
        source=Source.PHONE,
    ).contribution
    assert stored.horizon == "" and stored.audience == ""
