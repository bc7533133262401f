"""Follow-up of a workshop's recommendations: the list, one recommendation's tracking and
dated updates, the link that shares the follow-up with partners, and that shared page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from workshops.access import (
    followup_editors,
    get_recommendation_for_followup,
    get_share_for_token,
    get_workshop_for_followup,
)
from workshops.analysis.programme import (
    country_name,
    followup_of,
    recommendations_with_followup,
)
from workshops.forms.followup import FollowUpForm, UpdateForm
from workshops.models import FollowUpShare, FollowUpStatus, FollowUpUpdate, Theme
from workshops.services import followup as service
from workshops.views.confirming import confirm_page, confirmed

CHANGES_SHOWN = 50


def _recommendations(workshop, *, with_updates: bool = False) -> list:
    qs = recommendations_with_followup([workshop.pk]).prefetch_related(
        Prefetch("themes", queryset=Theme.objects.order_by("name"))
    )
    if with_updates:
        qs = qs.prefetch_related(
            Prefetch("followup__updates", queryset=FollowUpUpdate.objects.order_by("-date", "-pk"))
        )
    found = list(qs)
    for recommendation in found:
        recommendation.tracking = followup_of(recommendation)
    return found


@login_required
@require_GET
def followup_list(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_followup(request, slug)
    share = None
    if workshop.may_follow_up:
        share = FollowUpShare.objects.filter(workshop=workshop, revoked_at=None).first()
    context = {
        "workshop": workshop,
        "recommendations": _recommendations(workshop),
        "share": share,
        "share_url": request.build_absolute_uri(
            reverse("followup:shared", kwargs={"token": share.token})
        )
        if share
        else "",
        "changes": workshop.followup_changes.select_related("actor")[:CHANGES_SHOWN],
    }
    return render(request, "workshops/followup/list.html", context)


def _detail(request, recommendation, *, status=200, followup_form=None, update_form=None):
    workshop = recommendation.workshop
    tracking = followup_of(recommendation)
    if followup_form is None and workshop.may_follow_up:
        followup_form = FollowUpForm(
            editors=followup_editors(workshop),
            initial={
                "addressee": tracking.addressee if tracking else "",
                "followed_by": tracking.followed_by_id if tracking else None,
                "status": tracking.status if tracking else FollowUpStatus.NOT_STARTED,
            },
        )
    if update_form is None and workshop.may_follow_up:
        update_form = UpdateForm(initial={"date": timezone.localdate()})
    context = {
        "workshop": workshop,
        "recommendation": recommendation,
        "tracking": tracking,
        "updates": tracking.updates.all() if tracking else [],
        "themes": recommendation.themes.order_by("name"),
        "followup_form": followup_form,
        "update_form": update_form,
    }
    return render(request, "workshops/followup/detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_followup(request: HttpRequest, slug: str, contribution_id: int) -> HttpResponse:
    """GET: the recommendation's follow-up. POST: change to whom it is addressed, who
    follows it and its status (organisers and the network's staff)."""
    recommendation = get_recommendation_for_followup(
        request, slug, contribution_id, edit=request.method == "POST"
    )
    if request.method == "GET":
        return _detail(request, recommendation)
    workshop = recommendation.workshop
    form = FollowUpForm(request.POST, editors=followup_editors(workshop))
    if not form.is_valid():
        return _detail(request, recommendation, status=422, followup_form=form)
    service.save_followup(recommendation=recommendation, actor=request.user, **form.cleaned_data)
    messages.success(request, _("Follow-up saved."))
    return redirect(
        "followup:recommendation", slug=workshop.slug, contribution_id=recommendation.pk
    )


@login_required
@require_POST
def add_update(request: HttpRequest, slug: str, contribution_id: int) -> HttpResponse:
    recommendation = get_recommendation_for_followup(request, slug, contribution_id, edit=True)
    form = UpdateForm(request.POST)
    if not form.is_valid():
        return _detail(request, recommendation, status=422, update_form=form)
    service.add_update(recommendation=recommendation, actor=request.user, **form.cleaned_data)
    messages.success(request, _("Update added."))
    return redirect(
        "followup:recommendation",
        slug=recommendation.workshop.slug,
        contribution_id=recommendation.pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
def share(request: HttpRequest, slug: str) -> HttpResponse:
    """Create the sharing link, or replace it (the old link stops working: confirmed first)."""
    workshop = get_workshop_for_followup(request, slug, edit=True)
    existing = FollowUpShare.objects.filter(workshop=workshop, revoked_at=None).exists()
    if request.method == "POST" and (not existing or confirmed(request)):
        service.share(workshop=workshop, actor=request.user)
        messages.success(request, _("The sharing link is ready: copy it below."))
        return redirect("followup:list", slug=workshop.slug)
    if not existing:
        return confirm_page(
            request,
            workshop=workshop,
            back=reverse("followup:list", kwargs={"slug": workshop.slug}),
            question=_("Create a link to share this follow-up?"),
            explanation=_(
                "Anyone with the link can read the recommendations and their follow-up, "
                "without names. You can revoke it at any time."
            ),
            button=_("Create the link"),
        )
    return confirm_page(
        request,
        workshop=workshop,
        back=reverse("followup:list", kwargs={"slug": workshop.slug}),
        question=_("Replace the sharing link?"),
        explanation=_("The current link stops working: partners who have it need the new one."),
        button=_("Replace the link"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_followup(request, slug, edit=True)
    if confirmed(request):
        if service.revoke_share(workshop=workshop, actor=request.user):
            messages.success(request, _("The sharing link no longer works."))
        return redirect("followup:list", slug=workshop.slug)
    return confirm_page(
        request,
        workshop=workshop,
        back=reverse("followup:list", kwargs={"slug": workshop.slug}),
        question=_("Revoke the sharing link?"),
        explanation=_("Partners who have it can no longer read the follow-up."),
        button=_("Revoke the link"),
    )


@require_GET
def shared(request: HttpRequest, token: str) -> HttpResponse:
    """Public, read-only: the workshop's recommendations and their follow-up, for partners.

    No personal data: no participant, no staff member, no vote count; not indexed."""
    link = get_share_for_token(token)
    workshop = link.workshop
    response = render(
        request,
        "workshops/followup/shared.html",
        {
            "workshop": workshop,
            "country": country_name(workshop.country, get_language() or "en"),
            "recommendations": _recommendations(workshop, with_updates=True),
        },
    )
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-store"
    return response
