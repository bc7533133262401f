"""The venue bundle page and a background job's page in Chromium, phone and desktop."""

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from workshops.models import Job, JobStatus
from workshops.services.report import build_draft
from workshops.tests.browser.conftest import DESKTOP, PHONE
from workshops.tests.report_factories import one_contribution

pytestmark = pytest.mark.django_db(transaction=True)
KEY = "a long venue passphrase"


def _log_in(page, live_server, user, language="fr"):
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
        ]
    )


def test_the_bundle_page_downloads_then_imports_the_workshop(
    page, live_server, organiser, workshop, regions, screenshot, tmp_path
):
    one_contribution(workshop, regions)
    _log_in(page, live_server, organiser)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/w/{workshop.slug}/bundle/")
    expect(page.get_by_role("heading", name="Paquet de la salle")).to_be_visible()
    screenshot(page, "venue/01-bundle-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, "venue/02-bundle-phone")

    export = page.locator("form[action$='/bundle/export/']")
    export.locator("input[name=key]").fill(KEY)
    export.locator("input[name=key_again]").fill(KEY)
    export.locator("textarea[name=purpose]").fill("copie pour le serveur")
    with page.expect_download() as download:
        export.locator("button[type=submit]").click()
    bundle = tmp_path / "bundle.pxbundle"
    download.value.save_as(bundle)
    assert bundle.read_bytes().startswith(b"PXBUNDLE")

    upload = page.locator("form[action$='/bundle/import/']")
    upload.locator("input[type=file]").set_input_files(str(bundle))
    upload.locator("input[name=key]").fill("not the right key")
    upload.locator("button[type=submit]").click()
    expect(page.get_by_text("La clé est fausse")).to_be_visible()
    screenshot(page, "venue/03-bundle-wrong-key-phone")

    upload = page.locator("form[action$='/bundle/import/']")
    upload.locator("input[type=file]").set_input_files(str(bundle))
    upload.locator("input[name=key]").fill(KEY)
    upload.locator("button[type=submit]").click()
    expect(page.get_by_role("status")).to_contain_text("0 ligne ajoutée")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "venue/04-bundle-imported-desktop")


def test_a_job_page_while_waiting_and_when_done(
    page, live_server, organiser, workshop, regions, screenshot
):
    one_contribution(workshop, regions)
    draft = build_draft(workshop=workshop, language="en")
    waiting = Job.objects.create(
        workshop=workshop, created_by=organiser, kind="draft_export", params={"draft": draft.pk}
    )
    _log_in(page, live_server, organiser)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/w/{workshop.slug}/jobs/{waiting.public_id}/")
    expect(page.locator(".job-status")).to_have_text("En attente du processus de traitement")
    screenshot(page, "venue/05-job-waiting-phone")

    Job.objects.filter(pk=waiting.pk).update(
        status=JobStatus.DONE, progress=100, filename="report.md", data=b"# R"
    )
    # The page refreshes itself (meta refresh, 2 s): no click, no script.
    expect(page.locator(".job-status")).to_have_text("Terminé", timeout=6000)
    expect(page.get_by_role("link", name="Télécharger report.md")).to_be_visible()
    screenshot(page, "venue/06-job-done-phone")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "venue/07-job-done-desktop")
