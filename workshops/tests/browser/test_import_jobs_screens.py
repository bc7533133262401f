"""An import's job page in Chromium while it runs (stage, rows stored) and once done,
phone and desktop. The live server shares the tests' process and so its cache: the test
reports the progress as the import does (``jobs.report_progress``)."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from workshops.models import Job, JobKind, JobStatus
from workshops.services import jobs
from workshops.tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(page, live_server, user, language):
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


@pytest.mark.parametrize(
    ("kind", "language", "reading", "storing", "done"),
    [
        (
            JobKind.ACLED_IMPORT,
            "fr",
            "Lecture du fichier…",
            "20\xa0000 sur 50\xa0000 lignes enregistrées",
            "50\xa0000 nouveaux événements",
        ),
        (
            JobKind.SURVEY_IMPORT,
            "en",
            "Reading the file…",
            "20,000 of 50,000 rows stored",
            "50,000 new contributions from 10,000 submissions",
        ),
    ],
)
def test_an_import_job_page_follows_the_import_without_javascript(
    page, live_server, facilitator, workshop, screenshot, kind, language, reading, storing, done
):
    cache.clear()
    job = Job.objects.create(
        workshop=workshop,
        created_by=facilitator,
        kind=kind,
        status=JobStatus.RUNNING,
        progress=10,
        started_at=timezone.now(),
    )
    jobs.report_progress(job, stage=jobs.READING)
    _log_in(page, live_server, facilitator, language)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/w/{workshop.slug}/jobs/{job.public_id}/")
    expect(page.locator(".job-stage")).to_have_text(reading)
    name = f"imports/{kind}-{language}"
    screenshot(page, f"{name}-01-reading-phone")

    jobs.report_progress(job, stage=jobs.STORING, done=20_000, total=50_000)
    # The page refreshes itself (meta refresh, 2 s): no click, no script.
    expect(page.locator(".job-stage")).to_have_text(storing, timeout=6000)
    expect(page.locator("progress")).to_have_attribute("value", "52")
    screenshot(page, f"{name}-02-storing-phone")
    page.set_viewport_size(DESKTOP)
    screenshot(page, f"{name}-03-storing-desktop")

    if kind == JobKind.ACLED_IMPORT:
        result = {"created": 50_000, "events": 50_000, "unknown_admin1": ["Timbuktu"]}
        result["unknown_rows"] = {"Timbuktu": 15}
    else:
        result = {"created": 50_000, "submissions": 10_000, "respondents": 10_000}
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE, progress=100, finished_at=timezone.now(), result=result
    )
    cache.clear()
    expect(page.get_by_text(done)).to_be_visible(timeout=6000)
    expect(page.locator(".job-stage")).to_have_count(0)
    screenshot(page, f"{name}-04-done-desktop")
    page.set_viewport_size(PHONE)
    screenshot(page, f"{name}-05-done-phone")
