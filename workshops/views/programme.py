"""A network's programme across its workshops, for the network's staff: workshops by country
and year, themes raised, how findings moved between two chosen workshops, recommendations
with their follow-up, a chart, and PDF and XLSX exports."""

from __future__ import annotations

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from workshops.access import NETWORK_MEMBER, get_network_for_user
from workshops.analysis.programme import (
    COUNTRY,
    YEAR,
    build_programme,
    followup_of,
    recommendations_with_followup,
)
from workshops.choices import Category
from workshops.forms.programme import PairForm
from workshops.models import FollowUpStatus, Workshop
from workshops.report import programme as render_programme

EXPORTS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _labelled(by_category: dict) -> list[tuple[str, object]]:
    """(the category's label, what the programme has for it), in the categories' order."""
    return [(str(Category(c).label), found) for c, found in by_category.items()]


def _context(request: HttpRequest, slug: str) -> dict:
    network = get_network_for_user(request, slug, needs=NETWORK_MEMBER)
    workshops = list(
        Workshop.objects.filter(organiser__member_of=network)
        .select_related("country", "organiser")
        .order_by("start_date", "pk")
    )
    language = (get_language() or "en")[:2]
    programme = build_programme(workshops, language=language)
    by_key = {pw.workshop.slug: pw for pw in programme.workshops}
    data = request.GET if {"first", "later"} & set(request.GET) else None
    if data is None and len(workshops) >= 2:
        data = {"first": workshops[0].slug, "later": workshops[-1].slug}
    form = PairForm(data, workshops=workshops)
    pair, movements = None, []
    if data is not None and form.is_valid():
        pair = sorted(
            (by_key[form.cleaned_data["first"]], by_key[form.cleaned_data["later"]]),
            key=lambda pw: (pw.workshop.start_date, pw.workshop.pk),
        )
        movements = programme.movements(*pair)
    recommendations = list(recommendations_with_followup([w.pk for w in workshops]))
    for recommendation in recommendations:
        recommendation.tracking = followup_of(recommendation)
    statuses = Counter(
        r.tracking.status if r.tracking else FollowUpStatus.NOT_STARTED for r in recommendations
    )
    return {
        "network": network,
        "programme": programme,
        "themes_by_category": _labelled(programme.themes_by_category),
        "by_country": _labelled(programme.tables(COUNTRY)),
        "by_year": _labelled(programme.tables(YEAR)),
        "form": form,
        "pair": pair,
        "movements": movements,
        "recommendations": recommendations,
        "statuses": [(label, statuses.get(value, 0)) for value, label in FollowUpStatus.choices],
        "chart": render_programme.chart_uri(programme),
    }


@login_required
@require_GET
def programme(request: HttpRequest, slug: str) -> HttpResponse:
    return render(request, "workshops/programme/programme.html", _context(request, slug))


@login_required
@require_GET
def export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    if fmt not in EXPORTS:
        raise Http404
    context = _context(request, slug)
    body = (render_programme.to_pdf if fmt == "pdf" else render_programme.to_xlsx)(context)
    response = HttpResponse(body, content_type=EXPORTS[fmt])
    name = f"programme-{context['network'].slug}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
