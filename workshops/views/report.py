"""Roll-up page, report draft editor and exports for workshop staff.

Who may do what (through ``workshops.access`` only): every staff role reads the
roll-up, the draft and the aggregated exports; facilitators and organisers edit
the draft; only organisers export contributions one row each, saying why (recorded
in the data access log with the sources asked for).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from workshops import queries
from workshops.access import (
    MODERATE,
    READ,
    get_workshop_for_export,
    get_workshop_for_rows,
    get_workshop_for_user,
)
from workshops.analysis.disclosure import ALL, GENDER, ZONE
from workshops.analysis.rollup import build_rollup
from workshops.models import Job, ReportDraft, ReportSection, Workshop
from workshops.models.report import ExportAuditLog, ExportKind, ReportLanguage
from workshops.report import builder, charts, exports, prose
from workshops.report import render as renderers
from workshops.report.forms import CreateDraftForm, RowExportForm, ScopeForm, SectionForm
from workshops.services import jobs
from workshops.services import report as services

CHART_KEYS = ("categories", "drivers", "zones", "genders", "recommendations")
# While a room sends, the roll-up's numbers change between two reloads: its charts are
# redrawn at most this often (each takes ~0.4 s of a core); its tables are always current.
LIVE_CHART_SECONDS = 30


def _language(value: str) -> str:
    if value not in ReportLanguage.values:
        raise Http404
    return value


def _draft(workshop: Workshop, language: str) -> ReportDraft:
    return get_object_or_404(
        ReportDraft.objects.select_related("workshop"),
        workshop=workshop,
        language=_language(language),
    )


def _section(draft: ReportDraft, key: str) -> ReportSection:
    return get_object_or_404(ReportSection, draft=draft, key=key)


def _attachment(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# --- Roll-up -----------------------------------------------------------------------


@login_required
@require_GET
def rollup(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=READ)
    form = ScopeForm(request.GET or None)
    language = (request.LANGUAGE_CODE or "fr")[:2]
    data = build_rollup(workshop, language=language, scope=form.chosen())
    print_key = charts.fingerprint(data)
    chart_images = [
        {"key": key, "title": charts.chart_title(key, language), "uri": uri}
        for key in CHART_KEYS
        if (uri := charts.chart_uri(data, key, print_key, redraw_every=LIVE_CHART_SECONDS))
    ]
    context_summary = queries.context_summary(workshop)
    context_charts = charts.acled_chart_uris(context_summary, language) if context_summary else {}
    board = reverse("workshops:board", args=[workshop.slug])
    return render(
        request,
        "workshops/report/rollup.html",
        {
            "workshop": workshop,
            "form": form,
            "rollup": data,
            "charts": chart_images,
            "chart_seconds": LIVE_CHART_SECONDS,
            "findings": {
                dimension: [prose.comparison(data, c) for c in data.findings_for(dimension)]
                if data.scope != ALL
                else [
                    prose.comparison(data, c)
                    for scope in data.table_scopes
                    for c in data.findings_for(dimension, scope)
                ]
                for dimension in (ZONE, GENDER)
            },
            "untagged": [
                {
                    "sentence": prose.untagged_sentence(category, n),
                    "url": f"{board}?category={category}&untagged=on",
                }
                for category, n in data.untagged.items()
            ],
            "tables": [
                {"title": builder.table_title(table.category, table.dimension), "table": table}
                for (facet, _dimension), table in data.tables.items()
                if ":" not in facet
            ],
            "context_summary": context_summary,
            "context_charts": context_charts,
        },
    )


# --- Report drafts -----------------------------------------------------------------


@login_required
@require_GET
def report_home(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=READ)
    drafts = list(workshop.report_drafts.all())
    return render(
        request,
        "workshops/report/home.html",
        {
            "workshop": workshop,
            "drafts": drafts,
            "form": CreateDraftForm(),
        },
    )


@login_required
@require_POST
def create_draft(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=MODERATE)
    form = CreateDraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a language for the report."))
        return redirect("report:home", slug=workshop.slug)
    draft = services.build_draft(
        workshop=workshop,
        language=form.cleaned_data["language"],
        sources=form.cleaned_data["sources"],
    )
    jobs.prepare_draft_exports(draft=draft, user=request.user)
    messages.success(
        request, _("The draft is ready. Edit any section; refresh the numbers at any time.")
    )
    return redirect("report:draft", slug=workshop.slug, language=draft.language)


@login_required
@require_GET
def draft(request: HttpRequest, slug: str, language: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=READ)
    report = _draft(workshop, language)
    data = build_rollup(workshop, language=report.language, sources=report.sources)
    sections = renderers.html_sections(report, data)
    meta = {s.key: s for s in report.sections.all()}
    for section in sections:
        section["meta"] = meta[section["key"]]
    return render(
        request,
        "workshops/report/draft.html",
        {
            "workshop": workshop,
            "draft": report,
            "sections": sections,
            "other_drafts": workshop.report_drafts.exclude(pk=report.pk),
            "formats": exports.DRAFT_FORMATS,
        },
    )


@login_required
@require_POST
def refresh(request: HttpRequest, slug: str, language: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=MODERATE)
    report = _draft(workshop, language)
    services.build_draft(workshop=workshop, language=report.language)
    jobs.prepare_draft_exports(draft=report, user=request.user)
    flagged = report.sections.filter(numbers_changed=True).count()
    if flagged:
        messages.warning(
            request,
            ngettext(
                "Numbers refreshed. %(n)s edited section was kept: "
                "check it against the new numbers.",
                "Numbers refreshed. %(n)s edited sections were kept: "
                "check them against the new numbers.",
                flagged,
            )
            % {"n": flagged},
        )
    else:
        messages.success(request, _("Numbers refreshed."))
    return redirect("report:draft", slug=workshop.slug, language=report.language)


@login_required
@require_http_methods(["GET", "POST"])
def edit_section(request: HttpRequest, slug: str, language: str, key: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=MODERATE)
    report = _draft(workshop, language)
    section = _section(report, key)
    if request.method == "POST":
        form = SectionForm(request.POST)
        if form.is_valid():
            version = services.save_section(
                section=section, body=form.cleaned_data["body"], user=request.user
            )
            if version:
                jobs.prepare_draft_exports(draft=report, user=request.user)
                messages.success(
                    request, _("Section saved as version %(n)s.") % {"n": version.number}
                )
            else:
                messages.info(request, _("Nothing changed."))
            return redirect(f"{_draft_url(workshop, report)}#section-{section.key}")
    else:
        form = SectionForm(initial={"body": section.body})
    return render(
        request,
        "workshops/report/section_edit.html",
        {
            "workshop": workshop,
            "draft": report,
            "section": section,
            "form": form,
            "generated_html": renderers.safe_markdown(section.generated),
        },
        status=400 if form.is_bound else 200,
    )


def _draft_url(workshop: Workshop, report: ReportDraft) -> str:
    return reverse("report:draft", kwargs={"slug": workshop.slug, "language": report.language})


@login_required
@require_GET
def section_history(request: HttpRequest, slug: str, language: str, key: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=READ)
    report = _draft(workshop, language)
    section = _section(report, key)
    versions = list(section.versions.select_related("author"))
    by_number = {v.number: v for v in versions}
    newest = versions[0] if versions else None
    try:
        new = by_number.get(int(request.GET.get("b", "")), newest)
        old = by_number.get(int(request.GET.get("a", "")))
    except ValueError:
        new, old = newest, None
    if old is None and new is not None:
        old = next((v for v in versions if v.number < new.number), None)
    diff = services.diff_lines(old.body if old else "", new.body if new else "")
    return render(
        request,
        "workshops/report/section_history.html",
        {
            "workshop": workshop,
            "draft": report,
            "section": section,
            "versions": versions,
            "old": old,
            "new": new,
            "diff": diff,
        },
    )


@login_required
@require_POST
def restore(request: HttpRequest, slug: str, language: str, key: str, number: int) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=MODERATE)
    report = _draft(workshop, language)
    section = _section(report, key)
    version = get_object_or_404(section.versions, number=number)
    restored = services.restore_version(section=section, version=version, user=request.user)
    messages.success(
        request,
        _("Version %(old)s restored as version %(new)s.") % {"old": number, "new": restored.number},
    )
    return redirect("report:history", slug=workshop.slug, language=report.language, key=section.key)


@login_required
@require_POST
def use_generated(request: HttpRequest, slug: str, language: str, key: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=MODERATE)
    report = _draft(workshop, language)
    section = _section(report, key)
    services.use_generated(section=section, user=request.user)
    messages.success(
        request, _("The section now uses the generated text; your edit is kept in its versions.")
    )
    return redirect(f"{_draft_url(workshop, report)}#section-{section.key}")


# --- Exports ---------------------------------------------------------------------------


@login_required
@require_GET
def export_draft(request: HttpRequest, slug: str, language: str, fmt: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=READ)
    report = _draft(workshop, language)
    if fmt not in exports.DRAFT_FORMATS:
        raise Http404
    file = jobs.download_draft(draft=report, fmt=fmt, user=request.user, may_follow_job=True)
    if isinstance(file, Job):  # made in seconds: the job's page refreshes until it is done
        return redirect("report:job", slug=workshop.slug, public_id=file.public_id)
    return _attachment(file.body, file.content_type, file.filename)


@login_required
@require_GET
def export_contributions(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """Aggregated, for every role. ``?level=rows`` leads organisers to the row export."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    if request.GET.get("level") == "rows":
        workshop = get_workshop_for_export(request, slug, rows=True)
        return redirect(f"{reverse('report:rows', args=[workshop.slug])}?fmt={fmt}")
    workshop = get_workshop_for_export(request, slug)
    language = (request.LANGUAGE_CODE or "fr")[:2]
    scope = ScopeForm(request.GET or None).chosen()
    rows = exports.aggregated_rows(build_rollup(workshop, language=language, scope=scope))
    kind = ExportKind.CSV_AGGREGATED if fmt == "csv" else ExportKind.XLSX_AGGREGATED
    ExportAuditLog.record(workshop=workshop, user=request.user, kind=kind, language=language)
    return _spreadsheet(rows, fmt, f"{workshop.slug}-contributions.{fmt}")


@login_required
@require_http_methods(["GET", "POST"])
def export_rows(request: HttpRequest, slug: str) -> HttpResponse:
    """One row per contribution (CSV or XLSX), for organisers who say why (recorded)."""
    workshop = get_workshop_for_rows(request, slug)
    if request.method == "POST":
        form = RowExportForm(request.POST)
        if form.is_valid():
            fmt, sources = form.cleaned_data["fmt"], sorted(form.cleaned_data["sources"])
            language = (request.LANGUAGE_CODE or "fr")[:2]
            ExportAuditLog.record(
                workshop=workshop,
                user=request.user,
                kind=ExportKind.CSV_ROWS if fmt == "csv" else ExportKind.XLSX_ROWS,
                purpose=form.cleaned_data["purpose"],
                filters={"sources": sources},
                language=language,
            )
            if request.POST.get("background"):
                job = jobs.start_rows_export(
                    workshop=workshop,
                    fmt=fmt,
                    sources=sources,
                    language=language,
                    user=request.user,
                )
                return redirect("report:job", slug=workshop.slug, public_id=job.public_id)
            rows = exports.row_level_rows(workshop, sources, language)
            return _spreadsheet(rows, fmt, f"{workshop.slug}-contributions-rows.{fmt}")
    else:
        form = RowExportForm(initial={"fmt": request.GET.get("fmt", "xlsx")})
    return render(
        request,
        "workshops/report/rows.html",
        {"workshop": workshop, "form": form},
        status=400 if form.is_bound else 200,
    )


def _spreadsheet(rows: list[list[str]], fmt: str, name: str) -> HttpResponse:
    if fmt == "csv":
        return _attachment(exports.to_csv(rows), "text/csv; charset=utf-8", name)
    return _attachment(
        exports.to_xlsx(rows, _("Contributions")),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        name,
    )
