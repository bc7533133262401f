"""Background jobs (services/jobs.py, views/jobs.py): long exports and the survey import
run as tasks; the job page refreshes itself until done and then offers the file, checked
like the export itself. Tasks run at once here (ImmediateBackend), and once through the
real database worker (``db_worker``)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from workshops.choices import StaffRole
from workshops.models import ExportAuditLog, ImportUpload, Job, JobKind, JobStatus
from workshops.services import jobs
from workshops.services.report import build_draft
from workshops.sources import kobo
from workshops.tests.deploy_servers import database_url
from workshops.tests.report_factories import one_contribution

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture(autouse=True)
def immediate(settings):
    settings.TASKS = IMMEDIATE


@pytest.fixture
def draft(workshop, regions):
    one_contribution(workshop, regions)
    return build_draft(workshop=workshop, language="en")


def _start_url(workshop, fmt="md"):
    return reverse("report:export_job", args=[workshop.slug, "en", fmt])


def _job_url(job, name="report:job"):
    return reverse(name, args=[job.workshop.slug, job.public_id])


def test_a_draft_export_runs_as_a_job_and_its_page_offers_the_file(
    client_for, organiser, draft, workshop
):
    client = client_for(organiser)
    response = client.post(_start_url(workshop))
    job = Job.objects.get()
    assert response["Location"] == _job_url(job)
    assert (job.kind, job.status, job.progress) == (JobKind.DRAFT_EXPORT, JobStatus.DONE, 100)
    page = client.get(response["Location"]).text
    assert "Done" in page and 'http-equiv="refresh"' not in page
    assert _job_url(job, "report:job_download") in page
    download = client.get(_job_url(job, "report:job_download"))
    assert download["Content-Disposition"].endswith('-report-en.md"')
    assert download.content.startswith(b"# ")
    assert ExportAuditLog.objects.filter(kind="md", user=organiser).count() == 1


def test_a_queued_job_shows_its_state_and_refreshes_itself_without_javascript(
    client_for, organiser, draft, workshop, settings
):
    settings.TASKS = DATABASE  # no worker runs in this test: the job stays queued
    client = client_for(organiser)
    job_page = client.post(_start_url(workshop))["Location"]
    job = Job.objects.get()
    assert job.status == JobStatus.QUEUED
    page = client.get(job_page).text
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "Waiting for the worker" in page
    assert client.get(_job_url(job, "report:job_download")).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_a_queued_job(client_for, organiser, draft, workshop, settings):
    settings.TASKS = DATABASE
    client = client_for(organiser)
    job_page = client.post(_start_url(workshop, "html"))["Location"]
    assert Job.objects.get().status == JobStatus.QUEUED

    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)

    job = Job.objects.get()
    assert (job.status, job.progress) == (JobStatus.DONE, 100)
    assert job.started_at <= job.finished_at
    assert client.get(job_page).status_code == 200
    assert b"<html" in client.get(_job_url(job, "report:job_download")).content


def test_a_row_export_in_the_background_is_recorded_once_and_kept_for_download(
    client_for, organiser, draft, workshop
):
    client = client_for(organiser)
    response = client.post(
        reverse("report:rows", args=[workshop.slug]),
        {"fmt": "csv", "purpose": "Coding the notes", "background": "1"},
    )
    job = Job.objects.get()
    assert response["Location"] == _job_url(job)
    assert (job.kind, job.status) == (JobKind.ROWS_EXPORT, JobStatus.DONE)
    text = client.get(_job_url(job, "report:job_download")).content.decode("utf-8-sig")
    assert "Armed groups (driver)" in text  # the one contribution's text
    log = ExportAuditLog.objects.get(kind="csv_rows")
    assert (log.user, log.purpose) == (organiser, "Coding the notes")


def test_a_survey_that_cannot_be_read_fails_with_the_reason(client_for, facilitator, workshop):
    upload = ImportUpload.objects.create(workshop=workshop, filename="x.csv", data=b"a|b\n1|2\n")
    mapping = kobo.Mapping.from_json({"columns": {}})
    job = jobs.start_survey_import(upload=upload, mapping=mapping, user=facilitator)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    page = client_for(facilitator).get(_job_url(job)).text
    assert "Failed" in page and "semicolons" in page
    assert ImportUpload.objects.filter(pk=upload.pk).exists()


def test_another_persons_job_is_not_found(client_for, organiser, facilitator, draft, workshop):
    client_for(organiser).post(_start_url(workshop))
    job = Job.objects.get()
    assert client_for(facilitator).get(_job_url(job)).status_code == 404
    assert client_for(facilitator).get(_job_url(job, "report:job_download")).status_code == 404


def test_outsiders_get_404(client_for, organiser, outsider, draft, workshop):
    client_for(organiser).post(_start_url(workshop))
    job = Job.objects.get()
    outsider_client = client_for(outsider)
    assert outsider_client.post(_start_url(workshop)).status_code == 404
    assert outsider_client.get(_job_url(job)).status_code == 404
    assert outsider_client.get(_job_url(job, "report:job_download")).status_code == 404


def test_a_row_export_job_is_refused_once_its_owner_is_only_a_viewer(
    client_for, organiser, draft, workshop
):
    client = client_for(organiser)
    client.post(
        reverse("report:rows", args=[workshop.slug]),
        {"fmt": "csv", "purpose": "Coding the notes", "background": "1"},
    )
    job = Job.objects.get()
    workshop.memberships.filter(user=organiser).update(role=StaffRole.VIEWER)
    assert client.get(_job_url(job)).status_code == 403
    assert client.get(_job_url(job, "report:job_download")).status_code == 403


def test_viewers_may_not_start_a_row_export_job(client_for, viewer, draft, workshop):
    response = client_for(viewer).post(
        reverse("report:rows", args=[workshop.slug]),
        {"fmt": "csv", "purpose": "Coding the notes", "background": "1"},
    )
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_wrong_methods_get_405(client_for, organiser, draft, workshop):
    client = client_for(organiser)
    assert client.get(_start_url(workshop)).status_code == 405
    client.post(_start_url(workshop))
    job = Job.objects.get()
    assert client.post(_job_url(job)).status_code == 405
    assert client.post(_job_url(job, "report:job_download")).status_code == 405


@pytest.mark.parametrize("others", [0, 20])
def test_the_job_page_reads_a_fixed_number_of_queries(
    client_for, organiser, draft, workshop, django_assert_num_queries, others
):
    client = client_for(organiser)
    for _ in range(others + 1):
        client.post(_start_url(workshop))
    job = Job.objects.order_by("created_at").first()
    with django_assert_num_queries(7):
        client.get(_job_url(job))


def test_compose_runs_the_database_worker_next_to_the_app_servers():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    worker = compose["services"]["worker"]
    assert worker["command"][:3] == ["python", "manage.py", "db_worker"]
    assert worker["environment"]["DJANGO_ENV"] == "production"
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_finished_jobs_are_forgotten_after_a_day_with_their_files(
    client_for, organiser, draft, workshop
):
    client = client_for(organiser)
    client.post(_start_url(workshop))
    old = Job.objects.get()
    Job.objects.filter(pk=old.pk).update(finished_at=old.finished_at - dt.timedelta(hours=25))
    assert client.get(_job_url(old, "report:job_download")).status_code == 404
    client.post(_start_url(workshop))
    assert list(Job.objects.values_list("pk", flat=True)) != [old.pk]
    assert Job.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_the_worker_process_runs_a_job_queued_by_the_app(
    client_for, organiser, draft, workshop, settings
):
    """As in production: the app queues, a separate ``manage.py db_worker`` process runs it."""
    settings.TASKS = DATABASE
    client = client_for(organiser)
    job_page = client.post(_start_url(workshop))["Location"]
    assert Job.objects.get().status == JobStatus.QUEUED
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "LOG_LEVEL": "ERROR",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    job = Job.objects.get()
    assert (job.status, job.progress) == (JobStatus.DONE, 100)
    assert "Done" in client.get(job_page).text
    assert client.get(_job_url(job, "report:job_download")).content.startswith(b"# ")
