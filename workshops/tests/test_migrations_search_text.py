"""Migration 0007: contributions stored before the search column get it filled."""

import datetime as dt

import pytest

from workshops.tests.test_migrations_voices import _migrate, back_to_the_latest  # noqa: F401

BEFORE = [("workshops", "0006_survey_mapping")]
AFTER = [("workshops", "0007_contribution_search_text")]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("back_to_the_latest")
def test_stored_contributions_get_their_folded_text():
    apps = _migrate(BEFORE)
    Country = apps.get_model("workshops", "Country")
    Workshop = apps.get_model("workshops", "Workshop")
    Organisation = apps.get_model("workshops", "Organisation")
    Contribution = apps.get_model("workshops", "Contribution")
    workshop = Workshop.objects.create(
        title="Before search",
        slug="before-search",
        country=Country.objects.create(name="Mali", code="ML"),
        organiser=Organisation.objects.create(name="Réseau", kind="network"),
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 1, 2),
    )
    stored = Contribution.objects.create(
        workshop=workshop,
        client_id="old-1",
        text="Les ÉLECTIONS  à Mopti",
        category="challenge",
        source="note",
    )
    apps = _migrate(AFTER)
    stored = apps.get_model("workshops", "Contribution").objects.get(pk=stored.pk)
    assert stored.search_text == "les elections a mopti"
