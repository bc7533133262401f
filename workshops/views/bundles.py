"""The venue bundle page: organisers download the workshop as one encrypted file, and
upload a bundle of the same workshop made on another instance (docs/deploy.md, "Venue
laptop"). A bundle holds row-level data: only organisers (after a second factor when
the participants are at risk), and each download is recorded with its purpose."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from workshops.access import get_workshop_for_rows
from workshops.forms.bundles import BundleExportForm, BundleImportForm
from workshops.models import Workshop
from workshops.models.report import ExportAuditLog, ExportKind
from workshops.services import bundles

TEMPLATE = "workshops/report/bundle.html"


def _page(request, workshop: Workshop, *, export=None, upload=None, result=None, status=200):
    return render(
        request,
        TEMPLATE,
        {
            "workshop": workshop,
            "export_form": export or BundleExportForm(),
            "import_form": upload or BundleImportForm(),
            "result": result,
            "summary": bundles.summary_lines(result, conflicts=False) if result else [],
            "conflicts": [bundles.conflict_line(c) for c in result.conflicts] if result else [],
        },
        status=status,
    )


@login_required
@require_GET
def bundle(request: HttpRequest, slug: str) -> HttpResponse:
    return _page(request, get_workshop_for_rows(request, slug))


@login_required
@require_POST
def bundle_export(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_rows(request, slug)
    form = BundleExportForm(request.POST)
    if not form.is_valid():
        return _page(request, workshop, export=form, status=400)
    data = bundles.export_bundle(workshop=workshop, passphrase=form.cleaned_data["key"])
    ExportAuditLog.record(
        workshop=workshop,
        user=request.user,
        kind=ExportKind.BUNDLE,
        purpose=form.cleaned_data["purpose"],
        language=(request.LANGUAGE_CODE or "")[:2],
    )
    response = HttpResponse(data, content_type="application/octet-stream")
    filename = bundles.bundle_filename(workshop.slug)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def bundle_import(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_rows(request, slug)
    form = BundleImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, workshop, upload=form, status=400)
    try:
        result = bundles.import_bundle(
            data=form.cleaned_data["file"].read(),
            passphrase=form.cleaned_data["key"],
            slug=workshop.slug,
        )
    except bundles.BundleError as error:
        form.add_error(None, str(error))
        return _page(request, workshop, upload=form, status=400)
    return _page(request, workshop, result=result)
