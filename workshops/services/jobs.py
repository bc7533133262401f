"""Background jobs: long exports and imports run as tasks (django-tasks), never in the
request, so no request waits for them or meets the proxy's time limit.

A view starts a job (``start_*``), which stores a ``Job`` and enqueues ``run_job``; the
job page polls the ``Job`` row (a meta refresh, no JavaScript needed) and offers its file
once done. The work itself is the existing public entry points, unchanged:
``report.exports.export_draft``, ``report.exports.row_level_rows`` with ``to_csv`` /
``to_xlsx``, ``services.imports.import_survey`` and ``import_acled``. Progress is by
stage (queued, running, done); the imports also report their stage (reading the file,
storing rows) and the rows stored so far (``report_progress``, ``progress_of``).

Production runs the database backend with ``manage.py db_worker``; development and the
tests run each task at once (``ImmediateBackend``), see ``TASKS`` in settings.
"""

from __future__ import annotations

import dataclasses
import logging

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from workshops.models import (
    ExportAuditLog,
    ImportUpload,
    Job,
    JobKind,
    JobStatus,
    ReportDraft,
    Workshop,
)
from workshops.models.jobs import KEEP_JOB_FILES
from workshops.report import exports
from workshops.services.imports import discard_upload, import_acled, import_survey
from workshops.sources import acled, kobo

log = logging.getLogger(__name__)

# How long a finished job's file can be downloaded (``Job.has_file``).
KEEP_FILES = KEEP_JOB_FILES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def forget_old_jobs() -> int:
    """Delete jobs finished more than ``KEEP_FILES`` ago, with their files: a row-level
    export must not stay in the database for ever. Run at every job start."""
    deleted, _counts = Job.objects.filter(finished_at__lt=timezone.now() - KEEP_FILES).delete()
    return deleted


# --- Progress of an import ------------------------------------------------------------------
# In the cache, not on the job row: an import is one transaction, and its own writes (the
# job row's too) stay invisible to the job page until it ends. Production's CACHE_URL
# (Redis) is shared by the worker and the web processes; with a per-process cache the
# page shows the job's status alone.

READING, STORING = "reading", "storing"
PROGRESS_SECONDS = 6 * 3600


def _progress_key(job: Job) -> str:
    return f"job-progress:{job.public_id}"


def report_progress(job: Job, *, stage: str, done: int = 0, total: int = 0) -> None:
    progress = {"stage": stage, "done": done, "total": total}
    try:
        cache.set(_progress_key(job), progress, PROGRESS_SECONDS)
    except Exception:  # a cache that is down must not fail the import it only reports on
        log.warning("progress of job %s not reported: the cache failed", job.pk)


def progress_of(job: Job) -> dict | None:
    """``{"stage", "done", "total", "percent"}`` of a running import, or None."""
    progress = cache.get(_progress_key(job)) if not job.finished else None
    if progress is None:
        return None
    # 10 % once running, 20 % once the file is read, then by rows stored.
    share = progress["done"] / progress["total"] if progress["total"] else 0
    percent = 10 if progress["stage"] == READING else 20 + round(80 * share)
    return {**progress, "percent": min(percent, 99)}


def _start(*, workshop: Workshop, user, kind: str, params: dict) -> Job:
    forget_old_jobs()
    job = Job.objects.create(workshop=workshop, created_by=user, kind=kind, params=params)
    # The database backend stores the task in the same transaction as the job: a worker
    # never sees one without the other.
    run_job.enqueue(job.pk)
    return job


def prepared_export(*, draft: ReportDraft, fmt: str) -> Job | None:
    """The stored file of ``draft`` in ``fmt`` made for exactly what the draft shows now
    (its fingerprint computed now: roll-up and document, no rendering), or None: not a
    prepared format (``REPORT_PREPARED_EXPORTS``), or nothing stored matches (an edit, a
    new number, a deploy since). The one lookup of every way to get a draft's file: the
    job path (``start_draft_export``), the web download and the API."""
    if fmt not in settings.REPORT_PREPARED_EXPORTS:
        return None
    fingerprint = exports.current_fingerprint(report=draft, fmt=fmt)
    return _made_file(draft=draft, fmt=fmt, fingerprint=fingerprint)


def _give_prepared(made: Job, *, draft: ReportDraft, user) -> exports.DraftFile:
    """The file of ``made`` (from ``prepared_export``) for a download in the response,
    recorded in the audit log as this person's read."""
    data = Job.objects.filter(pk=made.pk).values_list("data", flat=True).get()
    _record_read(made, draft=draft, user=user)
    return exports.DraftFile(
        bytes(data), made.content_type, made.filename, made.params.get("fingerprint", "")
    )


def start_draft_export(*, draft: ReportDraft, fmt: str, user) -> Job:
    """A job making the draft's file; for a prepared format (``REPORT_PREPARED_EXPORTS``)
    whose file was already made for exactly what the draft shows now, a finished job with
    a copy of that file, recorded in the audit log as this person's read."""
    made = prepared_export(draft=draft, fmt=fmt)
    if made is not None:
        return _copy_of(made, draft=draft, user=user)
    return _queue_draft_export(draft=draft, fmt=fmt, user=user)


def download_draft(
    *, draft: ReportDraft, fmt: str, user, may_follow_job: bool
) -> exports.DraftFile | Job:
    """The draft's file for a download link (the web's GET, the API): the prepared copy
    when it matches what the draft shows now (``prepared_export``, the job path's lookup),
    recorded as this person's read; otherwise, for a prepared format (one that takes
    seconds to make) and a caller that can send the person to a job's page
    (``may_follow_job``: the web), a job making it afresh; otherwise the file made now,
    in the request, as before."""
    made = prepared_export(draft=draft, fmt=fmt)
    if made is not None:
        return _give_prepared(made, draft=draft, user=user)
    if may_follow_job and fmt in settings.REPORT_PREPARED_EXPORTS:
        return _queue_draft_export(draft=draft, fmt=fmt, user=user)
    return exports.export_draft(report=draft, fmt=fmt, user=user)


def _queue_draft_export(*, draft: ReportDraft, fmt: str, user) -> Job:
    """A job making the draft's file afresh (the caller found no prepared one)."""
    return _start(
        workshop=draft.workshop,
        user=user,
        kind=JobKind.DRAFT_EXPORT,
        params={"draft": draft.pk, "fmt": fmt},
    )


def prepare_draft_exports(*, draft: ReportDraft, user) -> list[Job]:
    """Make the draft's files of the prepared formats now, in the background, after the
    draft changed (built, refreshed, a section saved): the download that follows is the
    stored file, if the numbers have not moved since (``start_draft_export`` checks).

    A format with a preparation still queued gets no second one (it reads the draft
    when it runs); older prepared files of the draft are deleted (only the last one can
    match). ``user`` is the person whose change it follows; nothing is recorded as read
    until someone downloads it."""
    started = []
    for fmt in settings.REPORT_PREPARED_EXPORTS:
        prepared = Job.objects.filter(
            workshop=draft.workshop,
            kind=JobKind.DRAFT_EXPORT,
            params__draft=draft.pk,
            params__fmt=fmt,
            params__prepared=True,
        )
        if prepared.filter(status=JobStatus.QUEUED).exists():
            continue
        prepared.filter(status__in=[JobStatus.DONE, JobStatus.FAILED]).delete()
        started.append(
            _start(
                workshop=draft.workshop,
                user=user,
                kind=JobKind.DRAFT_EXPORT,
                params={"draft": draft.pk, "fmt": fmt, "prepared": True},
            )
        )
    return started


def _made_file(*, draft: ReportDraft, fmt: str, fingerprint: str) -> Job | None:
    """The latest finished export of the draft in ``fmt`` with this fingerprint, prepared
    or asked for by anyone allowed to read the draft, whose file is still kept."""
    return (
        Job.objects.defer("data")
        .filter(
            workshop=draft.workshop,
            kind=JobKind.DRAFT_EXPORT,
            status=JobStatus.DONE,
            params__draft=draft.pk,
            params__fmt=fmt,
            params__fingerprint=fingerprint,
            finished_at__gte=timezone.now() - KEEP_FILES,
        )
        .exclude(filename="")
        .first()
    )


def _copy_of(made: Job, *, draft: ReportDraft, user) -> Job:
    now = timezone.now()
    data = Job.objects.filter(pk=made.pk).values_list("data", flat=True).get()
    job = Job.objects.create(
        workshop=draft.workshop,
        created_by=user,
        kind=JobKind.DRAFT_EXPORT,
        params={**made.params, "prepared": False, "copy_of": str(made.public_id)},
        status=JobStatus.DONE,
        progress=100,
        started_at=now,
        finished_at=now,
        data=data,
        content_type=made.content_type,
        filename=made.filename,
    )
    _record_read(made, draft=draft, user=user)
    return job


def _record_read(made: Job, *, draft: ReportDraft, user) -> None:
    kind, _content_type = exports.DRAFT_FORMATS[made.params["fmt"]]
    ExportAuditLog.record(workshop=draft.workshop, user=user, kind=kind, language=draft.language)


def start_rows_export(*, workshop: Workshop, fmt: str, sources: list, language: str, user):
    """The caller has recorded the read, with its purpose, in the data access log."""
    return _start(
        workshop=workshop,
        user=user,
        kind=JobKind.ROWS_EXPORT,
        params={"fmt": fmt, "sources": sources, "language": language},
    )


def start_acled_import(*, upload: ImportUpload, user, language: str) -> Job:
    """``language``: the one a refused file is explained in (the user's)."""
    return _start(
        workshop=upload.workshop,
        user=user,
        kind=JobKind.ACLED_IMPORT,
        params={"upload": upload.pk, "language": language},
    )


def start_survey_import(
    *, upload: ImportUpload, mapping: kobo.Mapping, user, language: str = "en"
) -> Job:
    return _start(
        workshop=upload.workshop,
        user=user,
        kind=JobKind.SURVEY_IMPORT,
        params={"upload": upload.pk, "mapping": mapping.to_json(), "language": language},
    )


@task()
def run_job(job_id: int) -> str:
    """Run one job; its outcome is on the ``Job`` row (the task's return value is its status)."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, progress=10, started_at=timezone.now()
    )
    if not claimed:  # already run (a task delivered twice) or deleted
        return "skipped"
    job = Job.objects.select_related("workshop", "created_by").get(pk=job_id)
    language = job.params.get("language") or "en"
    try:
        with override(language):
            RUNNERS[job.kind](job)
    except Exception as error:
        # The reason for people when it is theirs (a file that cannot be read); otherwise a
        # plain message, and the details in the log (never the data).
        known = isinstance(error, kobo.SurveyFileError | acled.AcledFileError)
        if not known:
            log.exception("background job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            finished_at=timezone.now(),
            message=str(error) if known else _("The job failed. Try again, or ask for help."),
        )
        return JobStatus.FAILED
    finally:
        cache.delete(_progress_key(job))
    job.status, job.progress, job.finished_at = JobStatus.DONE, 100, timezone.now()
    job.save()
    return JobStatus.DONE


def _draft_export(job: Job) -> None:
    draft = ReportDraft.objects.select_related("workshop").get(
        pk=job.params["draft"], workshop=job.workshop
    )
    prepared = bool(job.params.get("prepared"))
    file = exports.export_draft(
        report=draft, fmt=job.params["fmt"], user=job.created_by, record=not prepared
    )
    job.data, job.content_type, job.filename = file.body, file.content_type, file.filename
    job.params = {**job.params, "fingerprint": file.fingerprint}


def _rows_export(job: Job) -> None:
    fmt = job.params["fmt"]
    rows = exports.row_level_rows(job.workshop, job.params["sources"], job.params["language"])
    if fmt == "csv":
        job.data, job.content_type = exports.to_csv(rows), "text/csv; charset=utf-8"
    else:
        job.data, job.content_type = exports.to_xlsx(rows, _("Contributions")), XLSX
    job.filename = f"{job.workshop.slug}-contributions-rows.{fmt}"


def _stored(job: Job):
    def progress(done: int, total: int) -> None:
        report_progress(job, stage=STORING, done=done, total=total)

    return progress


def _survey_import(job: Job) -> None:
    upload = ImportUpload.objects.get(pk=job.params["upload"], workshop=job.workshop)
    report_progress(job, stage=READING)
    survey = kobo.parse_survey(bytes(upload.data), upload.filename)
    mapping = kobo.Mapping.from_json(job.params["mapping"])
    report_progress(job, stage=STORING)
    result = import_survey(
        workshop=job.workshop,
        survey=survey,
        mapping=mapping,
        user=job.created_by,
        progress=_stored(job),
    )
    discard_upload(upload=upload)
    job.result = dataclasses.asdict(result)


def _acled_import(job: Job) -> None:
    upload = ImportUpload.objects.get(pk=job.params["upload"], workshop=job.workshop)
    report_progress(job, stage=READING)
    parsed = acled.parse_acled(bytes(upload.data))
    report_progress(job, stage=STORING)
    result = import_acled(workshop=job.workshop, parsed=parsed, progress=_stored(job))
    discard_upload(upload=upload)
    job.result = dataclasses.asdict(result)


RUNNERS = {
    JobKind.DRAFT_EXPORT: _draft_export,
    JobKind.ROWS_EXPORT: _rows_export,
    JobKind.SURVEY_IMPORT: _survey_import,
    JobKind.ACLED_IMPORT: _acled_import,
}
