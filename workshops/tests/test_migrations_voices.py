"""Migration 0004: interviews and survey answers stored before voices get their voices."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("workshops", "0003_participant_kinds_of_voice")]
AFTER = [("workshops", "0004_voices_of_interviews_and_surveys")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest():
    yield
    executor = MigrationExecutor(connection)
    _migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest")
def test_stored_passages_and_answers_get_one_voice_each():
    apps = _migrate(BEFORE)
    Country = apps.get_model("workshops", "Country")
    Zone = apps.get_model("workshops", "Zone")
    Region = apps.get_model("workshops", "Region")
    Workshop = apps.get_model("workshops", "Workshop")
    Organisation = apps.get_model("workshops", "Organisation")
    Interview = apps.get_model("workshops", "Interview")
    Contribution = apps.get_model("workshops", "Contribution")
    country = Country.objects.create(name="Mali", code="ML")
    zone = Zone.objects.create(country=country, name="North", name_fr="Nord")
    gao = Region.objects.create(country=country, zone=zone, name="Gao")
    workshop = Workshop.objects.create(
        title="Before voices",
        slug="before-voices",
        country=country,
        organiser=Organisation.objects.create(name="Réseau", kind="network"),
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 1, 2),
    )
    interview = Interview.objects.create(
        workshop=workshop, date=dt.date(2026, 1, 1), pseudonym="A.", region=gao, gender="woman"
    )

    def contribution(client_id, source, **fields):
        return Contribution.objects.create(
            workshop=workshop,
            client_id=client_id,
            text="Un texte",
            category="challenge",
            source=source,
            **fields,
        )

    for n in (1, 2):
        contribution(f"interview:{interview.pk}:{n}", "interview", interview=interview)
    for column in ("a", "b"):
        contribution(f"kobo:uuid-1:{column}", "survey", region=gao, zone=zone, gender="man")
    contribution("kobo:uuid-2:a", "survey")
    contribution("note-1", "note")

    apps = _migrate(AFTER)
    Participant = apps.get_model("workshops", "Participant")
    Contribution = apps.get_model("workshops", "Contribution")
    interview = apps.get_model("workshops", "Interview").objects.get()
    assert interview.voice.kind == "interviewee"
    assert (interview.voice.region_id, interview.voice.gender) == (gao.pk, "woman")
    respondents = {p.external_id: p for p in Participant.objects.filter(kind="respondent")}
    assert set(respondents) == {"uuid-1", "uuid-2"}
    assert (respondents["uuid-1"].region_id, respondents["uuid-1"].gender) == (gao.pk, "man")
    authors = {c.client_id: c.author_id for c in Contribution.objects.all()}
    assert authors == {
        f"interview:{interview.pk}:1": interview.voice_id,
        f"interview:{interview.pk}:2": interview.voice_id,
        "kobo:uuid-1:a": respondents["uuid-1"].pk,
        "kobo:uuid-1:b": respondents["uuid-1"].pk,
        "kobo:uuid-2:a": respondents["uuid-2"].pk,
        "note-1": None,
    }
