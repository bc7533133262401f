"""Staff pages for other sources: survey and ACLED imports, region spellings, interviews.

Who may do what (decided here, enforced by the access helper):
- imports (survey, ACLED) and region spellings need MODERATE (facilitator or organiser):
  they write many rows at once;
- interviews are recorded and coded with CAPTURE (note-takers too): it is note-taking;
- the sources overview and the ACLED context page need READ (viewers too).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from workshops import queries
from workshops.access import CAPTURE, MODERATE, READ, get_workshop_for_user
from workshops.models import ImportUpload, Interview, RegionAlias, Workshop
from workshops.report import charts as report_charts
from workshops.services import imports, jobs
from workshops.services import interviews as interview_codes
from workshops.services.contributions import ClientIdConflict
from workshops.sources import acled, kobo, xlsform
from workshops.sources.forms import (
    AcledUploadForm,
    CodePassageForm,
    InterviewForm,
    RegionAliasForm,
    SurveyMappingForm,
    SurveyUploadForm,
)
from workshops.sources.regions import RegionMatcher


def _sources_url(workshop: Workshop) -> str:
    return reverse("sources:index", kwargs={"slug": workshop.slug})


@login_required
@require_GET
def index(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=READ)
    counts = {
        "survey": workshop.contributions.filter(source="survey").count(),
        "interviews": workshop.interviews.count(),
        "acled": workshop.acled_events.count(),
        "aliases": workshop.region_aliases.count(),
    }
    return render(
        request,
        "workshops/sources/index.html",
        {"workshop": workshop, "counts": counts},
    )


# --- Survey import ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def survey_upload(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=MODERATE)
    form = SurveyUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            kobo.parse_survey(data, upload.name)
        except kobo.SurveyFileError as error:
            form.add_error("file", str(error))
        else:
            stored = imports.store_upload(
                workshop=workshop,
                filename=upload.name,
                data=data,
                user=request.user,
                xlsform=form.cleaned_data["xlsform"],
            )
            return redirect("sources:survey_mapping", slug=workshop.slug, upload_id=stored.pk)
    return render(
        request,
        "workshops/sources/survey_upload.html",
        {"workshop": workshop, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_mapping(request: HttpRequest, slug: str, upload_id: int) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=MODERATE)
    upload = get_object_or_404(ImportUpload, workshop=workshop, pk=upload_id)
    try:
        survey = kobo.parse_survey(bytes(upload.data), upload.filename)
    except kobo.SurveyFileError as error:  # the stored file was checked; this is defensive
        imports.discard_upload(upload=upload)
        messages.error(request, str(error))
        return redirect("sources:survey_upload", slug=workshop.slug)
    guess = queries.survey_mapping_for(workshop, survey, _form_of(upload))
    region_column = guess.region
    if request.method == "POST":
        region_column = request.POST.get("region_column", guess.region)
        if region_column not in {c.key for c in survey.columns}:
            region_column = ""
    shown_region_column = request.POST.get("shown_region_column", guess.region)
    guess.region = region_column
    unknown = kobo.unknown_region_values(survey, guess, RegionMatcher.for_workshop(workshop))
    form = SurveyMappingForm(
        request.POST or None,
        survey=survey,
        workshop=workshop,
        initial_mapping=guess,
        unknown_values=unknown,
    )
    status = 200
    if request.method == "POST":
        if region_column != shown_region_column and unknown:
            # New spellings to map appeared with the new column: show them first.
            messages.warning(
                request,
                _("The region column changed: map its unknown values, then import again."),
            )
            status = 400
        elif form.is_valid():
            try:
                kobo.check_mapping(survey, form.mapping())
            except kobo.SurveyFileError as error:
                form.add_error(None, str(error))
                status = 400
            else:
                # A task: a large export takes longer than a request may (the job page).
                job = jobs.start_survey_import(
                    upload=upload,
                    mapping=form.mapping(),
                    user=request.user,
                    language=get_language(),
                )
                return redirect("report:job", slug=workshop.slug, public_id=job.public_id)
        else:
            status = 400
    preview_keys = form.preview_keys
    return render(
        request,
        "workshops/sources/survey_mapping.html",
        {
            "workshop": workshop,
            "upload": upload,
            "survey": survey,
            "form": form,
            "shown_region_column": region_column,
            "preview_keys": preview_keys,
            "preview_rows": survey.preview(preview_keys),
        },
        status=status,
    )


def _form_of(upload: ImportUpload) -> xlsform.XLSForm | None:
    """The survey's XLSForm uploaded beside it (checked at the upload), if any."""
    if not upload.xlsform:
        return None
    try:
        return xlsform.parse_xlsform(bytes(upload.xlsform))
    except xlsform.XLSFormError:  # checked at the upload; this is defensive
        return None


def survey_summary(result: imports.SurveyImportResult) -> str:
    text = _(
        "%(created)s new contributions from %(submissions)s submissions; "
        "%(unchanged)s were already imported."
    ) % {
        "created": imports.grouped(result.created),
        "submissions": imports.grouped(result.submissions),
        "unchanged": imports.grouped(result.unchanged),
    }
    if result.conflicts:
        text += " " + _(
            "%(conflicts)s answers changed since they were imported; the stored ones were kept."
        ) % {"conflicts": imports.grouped(result.conflicts)}
    if result.unknown_regions:
        text += " " + _("Left without region: %(values)s.") % {
            "values": imports.with_counts(result.unknown_regions, result.unknown_rows)
        }
    return text


@login_required
@require_POST
def survey_discard(request: HttpRequest, slug: str, upload_id: int) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=MODERATE)
    imports.discard_upload(upload=get_object_or_404(ImportUpload, workshop=workshop, pk=upload_id))
    messages.info(request, _("The uploaded file was discarded."))
    return redirect(_sources_url(workshop))


# --- Region spellings ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def aliases(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=MODERATE)
    form = RegionAliasForm(request.POST or None, workshop=workshop)
    if request.method == "POST" and form.is_valid():
        moved = imports.add_alias(
            workshop=workshop,
            spelling=form.cleaned_data["alias"],
            region=form.cleaned_data["region"],
        )
        messages.success(
            request,
            _("Spelling saved; %(moved)d conflict events matched again.") % {"moved": moved},
        )
        return redirect("sources:aliases", slug=workshop.slug)
    rows = workshop.region_aliases.select_related("region")
    return render(
        request,
        "workshops/sources/aliases.html",
        {"workshop": workshop, "form": form, "aliases": rows},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def alias_delete(request: HttpRequest, slug: str, alias_id: int) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=MODERATE)
    imports.delete_alias(alias=get_object_or_404(RegionAlias, workshop=workshop, pk=alias_id))
    messages.info(request, _("Spelling removed."))
    return redirect("sources:aliases", slug=workshop.slug)


# --- ACLED ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def acled_upload(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=MODERATE)
    form = AcledUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        try:
            # Read here too, so that a refused file is said at once, on the form.
            acled.parse_acled(data)
        except acled.AcledFileError as error:
            form.add_error("file", str(error))
        else:
            # A task, with its progress on the job page: a 20 MB export takes seconds.
            upload = imports.store_upload(
                workshop=workshop,
                filename=form.cleaned_data["file"].name,
                data=data,
                user=request.user,
            )
            job = jobs.start_acled_import(upload=upload, user=request.user, language=get_language())
            return redirect("report:job", slug=workshop.slug, public_id=job.public_id)
    return render(
        request,
        "workshops/sources/acled_upload.html",
        {"workshop": workshop, "form": form},
        status=400 if form.errors else 200,
    )


def acled_summary(result: imports.AcledResult) -> list[str]:
    """What an ACLED import did, then what is left to do (unmatched region names)."""
    text = _("%(created)s new events, %(updated)s updated, %(unchanged)s unchanged.") % {
        "created": imports.grouped(result.created),
        "updated": imports.grouped(result.updated),
        "unchanged": imports.grouped(result.unchanged),
    }
    if result.other_country:
        text += " " + _("%(count)s events of another country skipped.") % {
            "count": imports.grouped(result.other_country)
        }
    lines = [text]
    if result.unknown_admin1:
        lines.append(
            _("No region matches: %(values)s. Add region spellings for them.")
            % {"values": imports.with_counts(result.unknown_admin1, result.unknown_rows)}
        )
    return lines


@login_required
@require_GET
def context(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=READ)
    summary = queries.context_summary(workshop)
    charts = {}
    if summary is not None:
        charts = report_charts.acled_chart_uris(summary, get_language())
    return render(
        request,
        "workshops/sources/context.html",
        {
            "workshop": workshop,
            "summary": summary,
            "charts": charts,
        },
    )


# --- Interviews --------------------------------------------------------------------------


@login_required
@require_GET
def interviews(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=CAPTURE)
    rows = workshop.interviews.select_related("region")
    coded = interview_codes.coded_counts(workshop=workshop)
    for interview in rows:
        interview.coded = coded.get(interview.pk, 0)
    return render(
        request,
        "workshops/sources/interviews.html",
        {"workshop": workshop, "interviews": rows},
    )


@login_required
@require_http_methods(["GET", "POST"])
def interview_edit(
    request: HttpRequest, slug: str, interview_id: int | None = None
) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=CAPTURE)
    interview = None
    if interview_id is not None:
        interview = get_object_or_404(Interview, workshop=workshop, pk=interview_id)
    form = InterviewForm(request.POST or None, instance=interview, workshop=workshop)
    if request.method == "POST" and form.is_valid():
        saved = interview_codes.save_interview(workshop=workshop, form=form, user=request.user)
        messages.success(request, _("Interview saved."))
        return redirect("sources:interview", slug=workshop.slug, interview_id=saved.pk)
    return render(
        request,
        "workshops/sources/interview_form.html",
        {"workshop": workshop, "form": form, "interview": interview},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def interview_detail(request: HttpRequest, slug: str, interview_id: int) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=CAPTURE)
    interview = get_object_or_404(
        Interview.objects.select_related("region"), workshop=workshop, pk=interview_id
    )
    form = CodePassageForm(request.POST or None, workshop=workshop, interview=interview)
    if request.method == "POST" and form.is_valid():
        try:
            submission = interview_codes.code_passage(
                interview=interview, user=request.user, **form.cleaned_data
            )
        except ClientIdConflict:
            form.add_error("passage", _("This passage is already coded differently."))
        else:
            if submission.created:
                messages.success(request, _("Passage coded as a contribution."))
            else:
                messages.info(request, _("This passage was already coded."))
            return redirect("sources:interview", slug=workshop.slug, interview_id=interview.pk)
    coded = interview_codes.coded_contributions(interview=interview)
    return render(
        request,
        "workshops/sources/interview_detail.html",
        {"workshop": workshop, "interview": interview, "form": form, "coded": coded},
        status=400 if form.errors else 200,
    )
