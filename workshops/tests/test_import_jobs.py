"""Survey and ACLED imports as background jobs, with their progress on the job page
(services/jobs.py report_progress / progress_of, views/jobs.py, report/job.html)."""

from __future__ import annotations

import dataclasses
import html
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from workshops.choices import StaffRole
from workshops.models import AcledEvent, ImportUpload, Job, JobKind, JobStatus
from workshops.services import bulk, imports, jobs
from workshops.services.imports import import_acled, import_survey, store_upload
from workshops.sources.acled import parse_acled
from workshops.sources.kobo import guess_mapping, parse_survey
from workshops.tests.export_factories import acled_csv, kobo_csv, peace_survey

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def immediate(settings):
    settings.TASKS = IMMEDIATE
    cache.clear()


def _job_url(job):
    return reverse("report:job", args=[job.workshop.slug, job.public_id])


def _running(workshop, user, kind=JobKind.ACLED_IMPORT, **fields):
    """A started import job (``fields`` override: a finished one, with its result)."""
    return Job.objects.create(
        workshop=workshop,
        created_by=user,
        kind=kind,
        **{"status": JobStatus.RUNNING, "progress": 10, "started_at": timezone.now(), **fields},
    )


def test_an_acled_upload_is_imported_by_a_job_in_the_users_language(
    client_for, facilitator, workshop, regions
):
    client = client_for(facilitator)
    with (DATA / "acled_current.csv").open("rb") as handle:
        response = client.post(
            reverse("sources:acled_upload", args=[workshop.slug]),
            {"file": handle},
            HTTP_ACCEPT_LANGUAGE="fr",
        )
    job = Job.objects.get()
    assert (job.kind, job.status, job.params["language"]) == (
        JobKind.ACLED_IMPORT,
        JobStatus.DONE,
        "fr",
    )
    assert response["Location"] == _job_url(job)
    assert AcledEvent.objects.filter(workshop=workshop).count() == job.result["created"] == 6
    page = client.get(_job_url(job), HTTP_ACCEPT_LANGUAGE="fr").text
    assert "6 nouveaux événements" in page and "Menaka" in page
    assert 'http-equiv="refresh"' not in page  # done: no more refreshing


def test_a_refused_acled_file_starts_no_job_and_stores_nothing(client_for, organiser, workshop):
    cut = acled_csv(5)[:-40]
    response = client_for(organiser).post(
        reverse("sources:acled_upload", args=[workshop.slug]),
        {"file": SimpleUploadedFile("acled.csv", cut)},
    )
    assert response.status_code == 400 and "Nothing was imported" in response.text
    assert not Job.objects.exists() and not ImportUpload.objects.exists()


def test_viewers_may_not_start_an_acled_import(client_for, viewer, workshop):
    response = client_for(viewer).post(
        reverse("sources:acled_upload", args=[workshop.slug]),
        {"file": SimpleUploadedFile("acled.csv", acled_csv(3))},
    )
    assert response.status_code == 403 and not Job.objects.exists()


def test_an_import_job_page_is_404_for_outsiders_and_403_once_its_owner_only_reads(
    client_for, facilitator, outsider, workshop
):
    job = _running(workshop, facilitator)
    assert client_for(outsider).get(_job_url(job)).status_code == 404
    client = client_for(facilitator)
    assert client.get(_job_url(job)).status_code == 200
    workshop.memberships.filter(user=facilitator).update(role=StaffRole.VIEWER)
    assert client.get(_job_url(job)).status_code == 403
    assert client.post(_job_url(job)).status_code == 405


@pytest.mark.parametrize(
    ("stage", "done", "total", "text", "percent"),
    [
        (jobs.READING, 0, 0, "Reading the file…", 10),
        (jobs.STORING, 12000, 50000, "12,000 of 50,000 rows stored", 39),
    ],
)
def test_a_running_import_shows_its_stage_and_rows_and_refreshes_itself(
    client_for, facilitator, workshop, stage, done, total, text, percent
):
    job = _running(workshop, facilitator)
    jobs.report_progress(job, stage=stage, done=done, total=total)
    page = client_for(facilitator).get(_job_url(job)).text
    assert text in page
    assert f'value="{percent}"' in page
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "<script" not in page.split("</head>")[0].split("<meta http-equiv")[1]


def test_the_progress_is_french_for_french_users(client_for, facilitator, workshop):
    job = _running(workshop, facilitator, kind=JobKind.SURVEY_IMPORT)
    jobs.report_progress(job, stage=jobs.STORING, done=5000, total=50000)
    page = client_for(facilitator).get(_job_url(job), HTTP_ACCEPT_LANGUAGE="fr").text
    assert "5\xa0000 sur 50\xa0000 lignes enregistrées" in page
    jobs.report_progress(job, stage=jobs.READING)
    page = client_for(facilitator).get(_job_url(job), HTTP_ACCEPT_LANGUAGE="fr").text
    assert "Lecture du fichier…" in page


@pytest.mark.parametrize(
    ("language", "lines"),
    [
        (
            "en",
            [
                "12,345 new events, 1,234 updated, 50,000 unchanged. "
                "2,500 events of another country skipped.",
                "No region matches: Tinbouctou (1,500). Add region spellings for them.",
            ],
        ),
        (
            "fr",
            [
                "12\xa0345 nouveaux événements, 1\xa0234 mis à jour, 50\xa0000 inchangés. "
                "2\xa0500 événements d'un autre pays ignorés.",
                "Aucune région ne correspond : Tinbouctou (1\xa0500). "
                "Ajoutez des graphies de régions pour elles.",
            ],
        ),
    ],
)
def test_a_done_acled_job_shows_its_counts_grouped_in_the_users_language(
    client_for, facilitator, workshop, language, lines
):
    result = imports.AcledResult(
        created=12345,
        updated=1234,
        unchanged=50000,
        other_country=2500,
        unknown_admin1=["Tinbouctou"],
        unknown_rows={"Tinbouctou": 1500},
    )
    job = _done(workshop, facilitator, JobKind.ACLED_IMPORT, result)
    page = client_for(facilitator).get(_job_url(job), HTTP_ACCEPT_LANGUAGE=language).text
    for line in lines:
        assert line in html.unescape(page)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "49,990 new contributions from 10,000 submissions; 1,000 were already imported."),
        (
            "fr",
            "49\xa0990 nouvelles contributions issues de 10\xa0000 soumissions ; "
            "1\xa0000 étaient déjà importées.",
        ),
    ],
)
def test_a_done_survey_job_shows_its_counts_grouped_in_the_users_language(
    client_for, facilitator, workshop, language, text
):
    result = imports.SurveyImportResult(created=49990, submissions=10000, unchanged=1000)
    job = _done(workshop, facilitator, JobKind.SURVEY_IMPORT, result)
    page = client_for(facilitator).get(_job_url(job), HTTP_ACCEPT_LANGUAGE=language).text
    assert text in html.unescape(page)


def _done(workshop, user, kind, result):
    return _running(
        workshop,
        user,
        kind,
        status=JobStatus.DONE,
        progress=100,
        finished_at=timezone.now(),
        result=dataclasses.asdict(result),
    )


def test_a_finished_job_forgets_its_progress(client_for, facilitator, workshop, regions):
    upload = store_upload(workshop=workshop, filename="a.csv", data=acled_csv(3), user=facilitator)
    seen = []
    original = jobs.report_progress

    def spy(job, **kwargs):
        seen.append(kwargs["stage"])
        original(job, **kwargs)

    jobs.report_progress = spy
    try:
        job = jobs.start_acled_import(upload=upload, user=facilitator, language="en")
    finally:
        jobs.report_progress = original
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert seen[:2] == [jobs.READING, jobs.STORING] and seen[-1] == jobs.STORING
    assert jobs.progress_of(job) is None
    assert cache.get(f"job-progress:{job.public_id}") is None


def test_the_survey_import_reports_the_answers_stored(workshop, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 7)
    survey = parse_survey(kobo_csv(peace_survey(10)), "export.csv")
    seen = []
    result = import_survey(
        workshop=workshop,
        survey=survey,
        mapping=guess_mapping(survey),
        progress=lambda done, total: seen.append((done, total)),
    )
    total = result.created
    assert seen[-1] == (total, total)
    assert [done for done, _ in seen] == [*range(7, total, 7), total]


def test_the_acled_import_reports_the_events_stored(workshop, regions, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 4)
    seen = []
    result = import_acled(
        workshop=workshop,
        parsed=parse_acled(acled_csv(10)),
        progress=lambda done, total: seen.append((done, total)),
    )
    assert result.created == 10
    assert seen == [(4, 10), (8, 10), (10, 10)]


@pytest.mark.parametrize("events", [3, 30])
def test_an_acled_job_page_reads_a_fixed_number_of_queries(
    client_for, facilitator, workshop, regions, events, django_assert_num_queries
):
    upload = store_upload(
        workshop=workshop, filename="a.csv", data=acled_csv(events), user=facilitator
    )
    job = jobs.start_acled_import(upload=upload, user=facilitator, language="en")
    client = client_for(facilitator)
    client.get(_job_url(job))
    # Session, user, workshop and role (access), the job; the summary reads nothing more.
    with django_assert_num_queries(6):
        client.get(_job_url(job))


def test_an_import_goes_on_when_the_cache_cannot_take_its_progress(
    workshop, regions, facilitator, monkeypatch
):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(jobs.cache, "set", down)
    upload = store_upload(workshop=workshop, filename="a.csv", data=acled_csv(3), user=facilitator)
    job = jobs.start_acled_import(upload=upload, user=facilitator, language="en")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and AcledEvent.objects.count() == 3
