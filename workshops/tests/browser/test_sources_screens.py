"""Sources pages in Chromium: the survey mapping screen, interview coding, ACLED context."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from workshops.choices import Gender
from workshops.models import Contribution, Interview, RegionAlias
from workshops.services.imports import import_acled
from workshops.sources.acled import parse_acled
from workshops.tests.browser.conftest import DESKTOP, PHONE

DATA = Path(__file__).resolve().parents[1] / "data"

pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "fr", "url": live_server.url},
        ]
    )


def test_survey_upload_and_mapping_screen(page, live_server, facilitator, workshop, screenshot):
    _log_in(page, live_server, facilitator)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/w/{workshop.slug}/import/survey/")
    # The survey's form may go beside the export (optional).
    expect(page.get_by_label("Le formulaire de l’enquête (facultatif)")).to_be_visible()
    screenshot(page, "sources/00-survey-upload-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "sources/00-survey-upload-phone")
    page.set_viewport_size(DESKTOP)
    page.set_input_files("input[name=file]", str(DATA / "kobo_survey.csv"))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/import/survey/*/")
    assert page.locator("code", has_text="questions/defis_principaux").count() >= 1
    assert page.get_by_label("Tinbouctou").count() == 1
    # Each answer column's horizon and audience, open where the category has one.
    recommendations = page.get_by_label("Destinataires de questions/recommandations")
    expect(recommendations).to_be_visible()
    expect(page.get_by_label("Horizon de questions/age")).to_be_hidden()
    screenshot(page, "sources/01-survey-mapping-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "sources/02-survey-mapping-phone")
    page.get_by_label("Tinbouctou").select_option("Tombouctou")
    page.locator("form:has(input[name=shown_region_column]) button[type=submit]").click()
    # The import runs as a background job (at once here): its page says what it did.
    page.wait_for_url("**/jobs/*/")
    expect(page.locator(".job")).to_contain_text("7")
    assert Contribution.objects.filter(workshop=workshop).count() == 7
    assert RegionAlias.objects.filter(workshop=workshop, alias="Tinbouctou").exists()
    screenshot(page, "sources/03-survey-import-job-phone")
    page.locator("main a", has_text="Retour").click()
    page.wait_for_url("**/sources/")
    screenshot(page, "sources/03-sources-after-import-phone")


def test_selecting_notes_fills_the_passage(
    page, live_server, note_taker, workshop, regions, screenshot
):
    interview = Interview.objects.create(
        workshop=workshop,
        date=dt.date(2026, 10, 12),
        pseudonym="Aminata K.",
        region=regions["Mopti"],
        gender=Gender.WOMAN,
        consent_noted=True,
        notes="Les jeunes rejoignent les groupes armés faute d'emploi. "
        "Il faut un dialogue entre l'État et les OSC.",
    )
    _log_in(page, live_server, note_taker)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/w/{workshop.slug}/interviews/{interview.pk}/")
    page.locator("#interview-notes p").select_text()
    page.locator("#interview-notes").dispatch_event("mouseup")
    assert "groupes armés" in page.locator("#id_passage").input_value()
    screenshot(page, "sources/04-interview-coding-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "sources/05-interview-coding-phone")


def test_acled_context_charts(page, live_server, viewer, workshop, regions, screenshot):
    RegionAlias.objects.create(workshop=workshop, alias="Timbuktu", region=regions["Tombouctou"])
    for name in ("acled_current.csv", "acled_old.csv"):
        import_acled(workshop=workshop, parsed=parse_acled((DATA / name).read_bytes()))
    _log_in(page, live_server, viewer)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/w/{workshop.slug}/context/")
    charts = page.locator("img.chart")
    assert charts.count() == 2
    assert all(
        page.evaluate("(img) => img.naturalWidth", charts.nth(i).element_handle()) > 0
        for i in range(2)
    )
    assert "ACLED" in page.locator(".attribution").inner_text()
    screenshot(page, "sources/06-context-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "sources/07-context-phone")
