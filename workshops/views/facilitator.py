"""Staff pages (built out in the facilitator issue)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from workshops.access import get_workshop_for_user, workshops_for_user


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    workshops = workshops_for_user(request.user).select_related("country", "organiser")
    return render(request, "workshops/facilitator/dashboard.html", {"workshops": workshops})


@login_required
@require_GET
def workshop_detail(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug)
    sessions = workshop.sessions.all()
    return render(
        request,
        "workshops/facilitator/workshop.html",
        {"workshop": workshop, "sessions": sessions},
    )
