"""The network page for its administrators: organisations, staff and grants, invitations by
link, the change log; and the public page where an invited person sets up their account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from workshops.access import get_network_for_user
from workshops.forms.networks import (
    AcceptInvitationForm,
    GrantForm,
    InvitationForm,
    NetworkOrganisationForm,
    ReferenceDocumentForm,
)
from workshops.services import networks as service
from workshops.views.confirming import confirm_page, confirmed

CHANGES_SHOWN = 50


def _page(request, network, *, status=200, **forms) -> HttpResponse:
    context = {
        "network": network,
        "organisation_form": forms.get("organisation_form") or NetworkOrganisationForm(),
        "grant_form": forms.get("grant_form") or GrantForm(),
        "invitation_form": forms.get("invitation_form") or InvitationForm(),
        "reference_form": forms.get("reference_form") or ReferenceDocumentForm(),
        "organisations": network.organisations.select_related("country").order_by("name"),
        "memberships": network.memberships.select_related("user").order_by("user__username"),
        "invitations": network.invitations.filter(accepted_at=None),
        "changes": network.changes.select_related("actor")[:CHANGES_SHOWN],
    }
    return render(request, "workshops/networks/network.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def network_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _page(request, get_network_for_user(request, slug))


@login_required
@require_POST
def organisation_add(request: HttpRequest, slug: str) -> HttpResponse:
    network = get_network_for_user(request, slug)
    form = NetworkOrganisationForm(request.POST)
    if not form.is_valid():
        return _page(request, network, status=422, organisation_form=form)
    service.add_organisation(network=network, actor=request.user, **form.cleaned_data)
    messages.success(request, _("Organisation added."))
    return redirect("networks:network", slug=network.slug)


@login_required
@require_POST
def reference_document(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload or remove the reference .docx the network's Word exports use."""
    network = get_network_for_user(request, slug)
    form = ReferenceDocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, network, status=422, reference_form=form)
    document = None if form.cleaned_data["remove"] else form.cleaned_data["document"]
    service.set_reference_document(network=network, document=document, actor=request.user)
    if document is None:
        messages.success(request, _("Reference document removed."))
    else:
        messages.success(request, _("Reference document saved: Word exports now use it."))
    return redirect("networks:network", slug=network.slug)


@login_required
@require_POST
def grant(request: HttpRequest, slug: str) -> HttpResponse:
    network = get_network_for_user(request, slug)
    form = GrantForm(request.POST)
    if not form.is_valid():
        return _page(request, network, status=422, grant_form=form)
    service.grant_membership(
        network=network,
        user=form.cleaned_data["username"],
        is_administrator=form.cleaned_data["is_administrator"],
        may_organise=form.cleaned_data["may_organise"],
        actor=request.user,
    )
    messages.success(request, _("Membership saved."))
    return redirect("networks:network", slug=network.slug)


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    network = get_network_for_user(request, slug)
    membership = get_object_or_404(network.memberships.select_related("user"), pk=membership_id)
    if membership.user_id == request.user.pk:
        messages.error(request, _("You cannot remove yourself."))
        return redirect("networks:network", slug=network.slug)
    if confirmed(request):
        service.revoke_membership(membership=membership, actor=request.user)
        messages.success(request, _("Membership removed."))
        return redirect("networks:network", slug=network.slug)
    return confirm_page(
        request,
        network=network,
        question=_("Remove %(name)s from %(network)s?")
        % {"name": membership.user.get_username(), "network": network},
        explanation=_("They lose the network's grants; their roles in workshops stay as they are."),
        button=_("Remove"),
        back=reverse("networks:network", kwargs={"slug": network.slug}),
    )


@login_required
@require_POST
def invite(request: HttpRequest, slug: str) -> HttpResponse:
    network = get_network_for_user(request, slug)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return _page(request, network, status=422, invitation_form=form)
    invitation = service.invite(
        network=network,
        actor=request.user,
        accept_url=lambda token: request.build_absolute_uri(
            reverse("networks:accept", kwargs={"token": token})
        ),
        **form.cleaned_data,
    )
    messages.success(
        request,
        _("Invitation sent to %(email)s. Its link: %(link)s")
        % {"email": invitation.email, "link": invitation.link},
    )
    return redirect("networks:network", slug=network.slug)


@require_http_methods(["GET", "POST"])
def accept(request: HttpRequest, token: str) -> HttpResponse:
    """Public: the invited person chooses a username and password (the link is the proof)."""
    try:
        invitation = service.invitation_for_token(token)
    except service.InvitationInvalid as error:
        return render(request, "workshops/networks/accept.html", {"error": str(error)}, status=410)
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = service.accept_invitation(token=token, **form.cleaned_data)
        except service.InvitationInvalid as error:
            return render(
                request, "workshops/networks/accept.html", {"error": str(error)}, status=410
            )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to %(network)s.") % {"network": invitation.network})
        return redirect("workshops:dashboard")
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "workshops/networks/accept.html",
        {"form": form, "invitation": invitation},
        status=status,
    )
