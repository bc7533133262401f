"""Personal data goes once a workshop's retention date has passed; the analysis stays."""

import datetime as dt
import io

from django.core.management import call_command
from model_bakery import baker

from workshops.choices import Category, OrganisationKind, Source, VoiceKind
from workshops.models import ImportUpload, Interview, Participant
from workshops.services.contributions import submit_contribution
from workshops.services.retention import purge_expired


def _expired(workshop):
    workshop.retention_until = dt.date(2026, 1, 31)
    workshop.save()
    return workshop


def _named_participant(workshop, regions):
    org = baker.make(
        "workshops.Organisation", name="Femmes de Gao", kind=OrganisationKind.WOMEN_LED
    )
    participant = baker.make(
        "workshops.Participant",
        workshop=workshop,
        display_name="Aminata",
        role="coordinator",
        organisation=org,
        region=regions["Gao"],
        gender="woman",
    )
    participant.issue_token()
    participant.save()
    return participant


def test_purge_clears_what_identifies_people_and_keeps_the_analysis(workshop, regions, session):
    participant = _named_participant(_expired(workshop), regions)
    contribution = submit_contribution(
        workshop=workshop,
        session=session,
        client_id="r-1",
        text="The state is absent",
        category=Category.DRIVER,
        source=Source.PHONE,
        author=participant,
    ).contribution
    interview = baker.make(
        Interview,
        workshop=workshop,
        date=dt.date(2026, 1, 2),
        pseudonym="Witness A",
        interviewer="Staff member",
        notes="Long notes that may name people",
    )
    baker.make(ImportUpload, workshop=workshop, filename="survey.csv", data=b"x")

    [result] = purge_expired(today=dt.date(2026, 2, 1))

    assert (result.participants, result.interviews, result.uploads) == (1, 1, 1)
    participant.refresh_from_db()
    assert participant.display_name == "" and participant.role == ""
    assert participant.organisation is None
    assert participant.organisation_kind == OrganisationKind.WOMEN_LED
    assert participant.token_hash is None
    assert participant.region.name == "Gao" and participant.gender == "woman"
    contribution.refresh_from_db()
    assert contribution.author_id == participant.pk
    assert contribution.zone.name == "North"
    interview.refresh_from_db()
    assert interview.notes == "" and interview.interviewer == ""
    assert interview.pseudonym == "Witness A"
    assert not ImportUpload.objects.exists()


def test_purge_covers_every_kind_of_voice_and_keeps_their_demographics(workshop, regions):
    _expired(workshop)
    voices = [
        baker.make(
            Participant,
            workshop=workshop,
            kind=kind,
            external_id=f"id-{n}",
            display_name="Named by an import",
            role="Chief",
            region=regions["Gao"],
            gender="man",
            organisation_kind=OrganisationKind.YOUTH_LED,
        )
        for n, kind in enumerate([VoiceKind.RESPONDENT, VoiceKind.INTERVIEWEE])
    ]
    [result] = purge_expired(today=dt.date(2026, 2, 1))
    assert result.participants == 2
    for voice in voices:
        voice.refresh_from_db()
        assert (voice.display_name, voice.role) == ("", "")
        assert (voice.region, voice.gender, voice.organisation_kind) == (
            regions["Gao"],
            "man",
            OrganisationKind.YOUTH_LED,
        )


def test_purge_leaves_workshops_within_their_retention_date_alone(workshop, regions):
    workshop.retention_until = dt.date(2027, 1, 1)
    workshop.save()
    _named_participant(workshop, regions)
    assert purge_expired(today=dt.date(2026, 12, 31)) == []
    assert Participant.objects.get().display_name == "Aminata"


def test_purge_is_idempotent(workshop, regions):
    _named_participant(_expired(workshop), regions)
    purge_expired(today=dt.date(2026, 2, 1))
    [again] = purge_expired(today=dt.date(2026, 2, 1))
    assert (again.participants, again.interviews, again.uploads) == (0, 0, 0)


def test_purge_command_dry_run_changes_nothing(workshop, regions):
    _named_participant(_expired(workshop), regions)
    out = io.StringIO()
    call_command("purge_expired", "--dry-run", purpose="Daily retention run", stdout=out)
    assert "would clear 1 participant" in out.getvalue()
    assert Participant.objects.get().display_name == "Aminata"
    call_command("purge_expired", purpose="Daily retention run", stdout=io.StringIO())
    assert Participant.objects.get().display_name == ""
