"""The zones page: the organiser groups the regions of the workshop's country into zones."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from workshops.access import MANAGE, get_workshop_for_user
from workshops.forms.zones import ZoneGroupingForm
from workshops.models import Region
from workshops.services import zones as zone_service
from workshops.views.confirming import confirm_page, confirmed


@login_required
@require_http_methods(["GET", "POST"])
def zones(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=MANAGE)
    zone_list = list(workshop.zones.annotate(region_count=Count("zone_regions")))
    regions = list(Region.objects.filter(country_id=workshop.country_id).order_by("order", "name"))
    form = ZoneGroupingForm(
        request.POST or None, workshop=workshop, zones=zone_list, regions=regions
    )
    if request.method == "POST" and form.is_valid():
        zone_service.save_grouping(
            workshop=workshop,
            names=form.cleaned_data["names"],
            new_zone=form.cleaned_data["new_zone"],
            placement=form.cleaned_data["placement"],
        )
        messages.success(request, _("Zones saved."))
        return redirect("workshops:zones", slug=workshop.slug)
    return render(
        request,
        "workshops/facilitator/zones.html",
        {"workshop": workshop, "form": form, "region_count": len(regions)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def zones_suggested(request: HttpRequest, slug: str) -> HttpResponse:
    """Start again from the suggested grouping, after a confirmation (works without JS)."""
    workshop = get_workshop_for_user(request, slug, needs=MANAGE)
    back = reverse("workshops:zones", kwargs={"slug": workshop.slug})
    if confirmed(request):
        zone_service.restart_zones(workshop=workshop)
        messages.success(request, _("The zones are the suggested ones again."))
        return redirect(back)
    return confirm_page(
        request,
        workshop=workshop,
        title=_("Suggested zones"),
        question=_("Start again from the suggested zones?"),
        explanation=_(
            "Every region goes back to the zone suggested for %(country)s (one zone per "
            "region where nothing is suggested). Names you gave the zones are lost; what "
            "was said is kept and counted in the zone of its region."
        )
        % {"country": workshop.country.label()},
        button=_("Use the suggested zones"),
        back=back,
    )
