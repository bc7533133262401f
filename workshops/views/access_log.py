"""The data access log of a workshop: who read or exported what, when and why.

Organisers only (``get_workshop_for_rows``): the log names the people who read
row-level data. Newest first, 50 a page, a fixed number of queries.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from workshops.access import get_workshop_for_rows
from workshops.models import ExportAuditLog

PER_PAGE = 50


@login_required
@require_GET
def access_log(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_rows(request, slug)
    records = ExportAuditLog.objects.filter(workshop=workshop).select_related("user")
    page = Paginator(records, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "workshops/facilitator/access_log.html",
        {"workshop": workshop, "page": page},
    )
