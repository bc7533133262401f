"""Prepared report files (issue 15 item 7): when a draft changes, its files of the
prepared formats are made in the background; a download of the same draft with the same
numbers is a copy of that file, recorded as that person's read, and anything else (an
edit, a new number) is made afresh. Tasks run at once here (ImmediateBackend); the
prepared format in these tests is HTML (charts drawn, no WeasyPrint: fast)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from workshops.models import ExportAuditLog, Job, JobKind, JobStatus
from workshops.report import exports, render
from workshops.services import jobs
from workshops.services.report import build_draft, save_section
from workshops.tests.report_factories import one_contribution

pytestmark = pytest.mark.django_db

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def prepared_html(settings):
    settings.TASKS = IMMEDIATE
    settings.REPORT_PREPARED_EXPORTS = ["html"]


@pytest.fixture
def draft(workshop, regions):
    one_contribution(workshop, regions)
    return build_draft(workshop=workshop, language="en")


def _section_url(workshop, key):
    return reverse("report:section", args=[workshop.slug, "en", key])


def _start_url(workshop, fmt="html"):
    return reverse("report:export_job", args=[workshop.slug, "en", fmt])


def _prepared():
    return Job.objects.filter(kind=JobKind.DRAFT_EXPORT, params__prepared=True)


def _edit(client, workshop, draft, text="A sentence the facilitator added."):
    section = draft.sections.exclude(key="title-page").first()
    response = client.post(_section_url(workshop, section.key), {"body": text})
    assert response.status_code == 302
    return section


def test_saving_a_section_prepares_the_file_and_records_no_read(
    client_for, facilitator, workshop, draft
):
    _edit(client_for(facilitator), workshop, draft)
    job = _prepared().get()
    assert (job.status, job.params["fmt"], job.created_by) == ("done", "html", facilitator)
    assert b"A sentence the facilitator added." in bytes(job.data)
    assert len(job.params["fingerprint"]) == 64
    assert not ExportAuditLog.objects.exists()  # nobody has read it yet


def test_a_download_of_the_same_draft_is_the_prepared_file_recorded_as_its_readers(
    client_for, facilitator, viewer, workshop, draft, monkeypatch
):
    _edit(client_for(facilitator), workshop, draft)
    prepared = _prepared().get()

    def no_second_rendering(*args, **kwargs):
        raise AssertionError("the prepared file should have been served")

    monkeypatch.setattr(render, "to_html", no_second_rendering)
    client = client_for(viewer)
    response = client.post(_start_url(workshop))
    job = Job.objects.exclude(pk=prepared.pk).get()
    assert response["Location"] == reverse("report:job", args=[workshop.slug, job.public_id])
    assert (job.status, job.created_by, job.params["copy_of"]) == (
        JobStatus.DONE,
        viewer,
        str(prepared.public_id),
    )
    download = client.get(reverse("report:job_download", args=[workshop.slug, job.public_id]))
    assert download.content == bytes(prepared.data)
    log = ExportAuditLog.objects.get()
    assert (log.user, log.kind, log.language) == (viewer, "html", "en")


def test_new_numbers_or_an_edit_make_the_file_afresh(
    client_for, facilitator, viewer, workshop, regions, draft
):
    _edit(client_for(facilitator), workshop, draft)
    prepared = _prepared().get()
    for _ in range(6):  # the chart of categories draws another number
        one_contribution(workshop, regions)
    client_for(viewer).post(_start_url(workshop))
    fresh = Job.objects.exclude(pk=prepared.pk).get()
    assert "copy_of" not in fresh.params
    assert fresh.params["fingerprint"] != prepared.params["fingerprint"]

    _edit(client_for(facilitator), workshop, draft, "Another sentence.")
    again = _prepared().get()  # the older prepared file is gone: it could never match
    assert again.pk != prepared.pk
    assert b"Another sentence." in bytes(again.data)


def test_only_the_prepared_formats_are_prepared_and_others_start_a_job(
    client_for, organiser, workshop, draft, settings
):
    settings.REPORT_PREPARED_EXPORTS = []
    _edit(client_for(organiser), workshop, draft)
    assert not _prepared().exists()
    client_for(organiser).post(_start_url(workshop, "md"))
    assert Job.objects.get().params == {
        "draft": draft.pk,
        "fmt": "md",
        "fingerprint": Job.objects.get().params["fingerprint"],
    }


def test_a_queued_preparation_is_not_queued_twice(organiser, workshop, draft, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    jobs.prepare_draft_exports(draft=draft, user=organiser)
    jobs.prepare_draft_exports(draft=draft, user=organiser)
    assert _prepared().filter(status=JobStatus.QUEUED).count() == 1


def test_the_refreshed_numbers_and_a_new_draft_are_prepared(client_for, organiser, workshop):
    client = client_for(organiser)
    response = client.post(reverse("report:create", args=[workshop.slug]), {"language": "en"})
    assert response.status_code == 302
    assert _prepared().get().status == JobStatus.DONE
    client.post(reverse("report:refresh", args=[workshop.slug, "en"]))
    assert _prepared().count() == 1  # the new one; the one before could not match


def test_a_viewer_may_not_edit_and_nothing_is_prepared(client_for, viewer, workshop, draft):
    section = draft.sections.exclude(key="title-page").first()
    response = client_for(viewer).post(_section_url(workshop, section.key), {"body": "x"})
    assert response.status_code == 403
    assert not Job.objects.exists()


def test_an_outsider_gets_404_and_is_given_no_prepared_file(
    client_for, facilitator, outsider, workshop, draft
):
    _edit(client_for(facilitator), workshop, draft)
    section = draft.sections.exclude(key="title-page").first()
    client = client_for(outsider)
    assert client.post(_section_url(workshop, section.key), {"body": "x"}).status_code == 404
    assert client.post(_start_url(workshop)).status_code == 404
    assert Job.objects.count() == 1 and not ExportAuditLog.objects.exists()


def test_serving_a_prepared_file_reads_a_fixed_number_of_queries(
    facilitator, viewer, workshop, regions, draft
):
    """The fingerprint reads the roll-up (a fixed number of queries) and the document;
    the file is one query, whatever the number of contributions."""

    def queries_to_serve():
        jobs.prepare_draft_exports(draft=draft, user=facilitator)
        with CaptureQueriesContext(connection) as captured:
            job = jobs.start_draft_export(draft=draft, fmt="html", user=viewer)
        assert "copy_of" in job.params
        return len(captured)

    for _ in range(10):
        one_contribution(workshop, regions)
    small = queries_to_serve()
    for _ in range(40):
        one_contribution(workshop, regions)
    assert queries_to_serve() == small


def test_the_fingerprint_is_the_same_for_the_same_draft_and_numbers(workshop, draft):
    first = exports.current_fingerprint(report=draft, fmt="html")
    assert exports.current_fingerprint(report=draft, fmt="html") == first
    assert exports.current_fingerprint(report=draft, fmt="pdf") != first


def test_a_new_renderer_version_means_another_fingerprint(monkeypatch):
    """A file prepared before a deploy that changed the renderer is not served after it."""
    built = exports.document.Document(title="T", language="en", sections=[], images=None)
    before = exports.draft_fingerprint("pdf", built, None, None)
    monkeypatch.setattr(exports, "renderer_version", lambda: "another deploy")
    assert exports.draft_fingerprint("pdf", built, None, None) != before


# --- Every way to get a file: the web's GET and the API use the same lookup -------------

STAFF = ["organiser", "facilitator", "note_taker", "viewer"]


def _get_url(workshop, fmt="html"):
    return reverse("report:export", args=[workshop.slug, "en", fmt])


def _api_url(workshop, fmt="html"):
    return f"/api/v1/workshops/{workshop.slug}/report.{fmt}?language=en"


def _api_client(user):
    from rest_framework.test import APIClient  # noqa: PLC0415 - only the API tests need it

    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _no_rendering(monkeypatch, *names):
    def no_rendering(*args, **kwargs):
        raise AssertionError("the prepared file should have been served")

    for name in names or ("to_html", "to_pdf", "to_docx"):
        monkeypatch.setattr(render, name, no_rendering)


@pytest.fixture
def prepared(organiser, draft):
    jobs.prepare_draft_exports(draft=draft, user=organiser)
    return _prepared().get()


@pytest.mark.parametrize("role", STAFF)
def test_a_get_of_an_unchanged_draft_is_the_prepared_file_recorded_as_its_readers(
    request, client_for, workshop, prepared, monkeypatch, role
):
    user = request.getfixturevalue(role)
    _no_rendering(monkeypatch)
    response = client_for(user).get(_get_url(workshop))
    assert response.status_code == 200
    assert response.content == bytes(prepared.data)
    assert response["Content-Disposition"] == f'attachment; filename="{prepared.filename}"'
    assert "no-store" in response["Cache-Control"]
    log = ExportAuditLog.objects.get()
    assert (log.user, log.kind, log.language) == (user, "html", "en")
    assert Job.objects.count() == 1  # served from the prepared job: no copy to follow


@pytest.mark.parametrize("role", STAFF)
def test_the_api_gives_every_staff_role_the_prepared_file_of_an_unchanged_draft(
    request, workshop, prepared, monkeypatch, role
):
    user = request.getfixturevalue(role)
    _no_rendering(monkeypatch)
    response = _api_client(user).get(_api_url(workshop))
    assert response.status_code == 200
    assert response.content == bytes(prepared.data)
    assert "no-store" in response["Cache-Control"]
    log = ExportAuditLog.objects.get()
    assert (log.user, log.kind, log.language) == (user, "html", "en")


def test_a_prepared_pdf_is_served_to_a_get_and_to_the_api_without_weasyprint(
    client_for, organiser, viewer, workshop, draft, settings, monkeypatch
):
    settings.REPORT_PREPARED_EXPORTS = ["pdf"]
    drawn = []

    def fake_pdf(built, data):
        drawn.append(built.title)
        return b"%PDF-1.7 prepared"

    monkeypatch.setattr(render, "to_pdf", fake_pdf)
    jobs.prepare_draft_exports(draft=draft, user=organiser)
    assert len(drawn) == 1
    assert client_for(viewer).get(_get_url(workshop, "pdf")).content == b"%PDF-1.7 prepared"
    assert _api_client(viewer).get(_api_url(workshop, "pdf")).content == b"%PDF-1.7 prepared"
    assert len(drawn) == 1  # neither download rendered it again
    assert ExportAuditLog.objects.filter(user=viewer, kind="pdf").count() == 2


def test_a_get_after_new_numbers_never_gets_the_stale_file_but_a_fresh_job(
    client_for, viewer, workshop, regions, prepared
):
    for _ in range(6):  # the chart of categories draws another number
        one_contribution(workshop, regions)
    client = client_for(viewer)
    response = client.get(_get_url(workshop))
    fresh = Job.objects.exclude(pk=prepared.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("report:job", args=[workshop.slug, fresh.public_id])
    assert (fresh.created_by, fresh.status) == (viewer, JobStatus.DONE)
    assert "copy_of" not in fresh.params
    assert fresh.params["fingerprint"] != prepared.params["fingerprint"]
    page = client.get(response["Location"])  # the job's page, then its file: no JavaScript
    download = reverse("report:job_download", args=[workshop.slug, fresh.public_id])
    assert download in page.content.decode()
    assert client.get(download).content != bytes(prepared.data)
    assert ExportAuditLog.objects.get().user == viewer


def test_the_api_renders_afresh_after_an_edit_and_never_serves_the_stale_file(
    facilitator, viewer, workshop, draft, prepared
):
    section = draft.sections.exclude(key="title-page").first()
    save_section(
        section=section, body="A sentence edited after the file was made.", user=facilitator
    )
    response = _api_client(viewer).get(_api_url(workshop))
    assert response.status_code == 200
    assert response.content != bytes(prepared.data)
    assert b"A sentence edited after the file was made." in response.content
    assert Job.objects.get() == prepared  # made in the request, as before: no job


def test_a_get_after_an_edit_gets_a_fresh_file(client_for, facilitator, workshop, draft, prepared):
    section = draft.sections.exclude(key="title-page").first()
    save_section(section=section, body="An edit nobody prepared.", user=facilitator)
    client = client_for(facilitator)
    response = client.get(_get_url(workshop))
    assert response.status_code == 302
    fresh = Job.objects.exclude(pk=prepared.pk).get()
    assert b"An edit nobody prepared." in bytes(fresh.data)


def test_a_format_that_is_not_prepared_is_made_in_the_get_as_before(
    client_for, viewer, workshop, prepared
):
    response = client_for(viewer).get(_get_url(workshop, "md"))
    assert response.status_code == 200 and response.content.startswith(b"# ")
    assert Job.objects.get() == prepared


def test_an_outsider_gets_404_on_the_get_and_the_api_and_no_file(
    client_for, outsider, workshop, prepared
):
    assert client_for(outsider).get(_get_url(workshop)).status_code == 404
    assert _api_client(outsider).get(_api_url(workshop)).status_code == 404
    assert not ExportAuditLog.objects.exists()
    assert Job.objects.get() == prepared


def test_anonymous_gets_no_prepared_file(client_for, workshop, prepared):
    response = client_for(None).get(_get_url(workshop))
    assert response.status_code == 302 and "login" in response["Location"]
    assert _api_client(None).get(_api_url(workshop)).status_code in (401, 403)
    assert not ExportAuditLog.objects.exists()


def test_the_get_export_refuses_post_and_the_api_refuses_post(
    client_for, organiser, workshop, prepared
):
    assert client_for(organiser).post(_get_url(workshop)).status_code == 405
    assert _api_client(organiser).post(_api_url(workshop), {}, format="json").status_code == 405
    assert not ExportAuditLog.objects.exists()


def test_a_get_of_a_prepared_file_reads_as_many_queries_with_many_contributions(
    client_for, organiser, viewer, workshop, regions, draft, django_assert_num_queries
):
    """Session and access, the fingerprint (the roll-up and the document: a fixed number
    of queries), the lookup, the file and the audit log: 18 with one contribution, 19 with
    41 (the roll-up reads quotes once a theme is mentioned by enough people), no more with
    more."""
    client = client_for(viewer)

    def get_prepared(expected):
        jobs.prepare_draft_exports(draft=draft, user=organiser)
        with django_assert_num_queries(expected):
            assert client.get(_get_url(workshop)).status_code == 200

    get_prepared(18)
    for _ in range(40):
        one_contribution(workshop, regions)
    get_prepared(19)
    for _ in range(40):
        one_contribution(workshop, regions)
    get_prepared(19)
