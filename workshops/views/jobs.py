"""Background jobs' pages: start a report export as a task, follow it (the page refreshes
itself until the job is done, without JavaScript), download its file. Access is checked
again on every request, like the export itself (``access.get_job_for_user``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from workshops.access import READ, get_job_for_user, get_workshop_for_user
from workshops.models import Job, JobKind, JobStatus, ReportDraft
from workshops.report import exports
from workshops.services import jobs
from workshops.services.imports import AcledResult, SurveyImportResult
from workshops.views.sources import acled_summary, survey_summary

REFRESH_SECONDS = 2


@login_required
@require_POST
def start_draft_export(request: HttpRequest, slug: str, language: str, fmt: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=READ)
    if fmt not in exports.DRAFT_FORMATS:
        raise Http404
    draft = get_object_or_404(ReportDraft, workshop=workshop, language=language)
    draft.workshop = workshop
    job = jobs.start_draft_export(draft=draft, fmt=fmt, user=request.user)
    return redirect("report:job", slug=workshop.slug, public_id=job.public_id)


BACK = {JobKind.SURVEY_IMPORT: "sources:index", JobKind.ACLED_IMPORT: "sources:context"}


def _back_url(job: Job) -> str:
    return reverse(BACK.get(job.kind, "report:home"), args=[job.workshop.slug])


def _summary(job: Job) -> list[str]:
    if job.status != JobStatus.DONE or not job.result:
        return []
    if job.kind == JobKind.SURVEY_IMPORT:
        return [survey_summary(SurveyImportResult(**job.result))]
    if job.kind == JobKind.ACLED_IMPORT:
        return acled_summary(AcledResult(**job.result))
    return []


@login_required
@require_GET
def job(request: HttpRequest, slug: str, public_id) -> HttpResponse:
    job = get_job_for_user(request, slug, public_id)
    return render(
        request,
        "workshops/report/job.html",
        {
            "workshop": job.workshop,
            "job": job,
            "summary": _summary(job),
            "progress": jobs.progress_of(job),
            "refresh": None if job.finished else REFRESH_SECONDS,
            "back_url": _back_url(job),
        },
    )


@login_required
@require_GET
def job_download(request: HttpRequest, slug: str, public_id) -> HttpResponse:
    job = get_job_for_user(request, slug, public_id)
    if not job.has_file:
        raise Http404
    data = Job.objects.filter(pk=job.pk).values_list("data", flat=True).get()
    response = HttpResponse(bytes(data), content_type=job.content_type)
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    response["Cache-Control"] = "no-store"
    return response
