"""Staff set-up pages: dashboard, workshop, staff, organisations, participants, agenda."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from workshops.access import (
    MANAGE,
    MODERATE,
    READ,
    get_organisation_for_user,
    get_participant_for_user,
    get_session_for_user,
    get_workshop_for_rows,
    get_workshop_for_user,
    networks_for_user,
    organisations_for_new_workshop,
    organisations_of,
    organisations_user_may_organise,
    workshops_for_user,
)
from workshops.choices import Category
from workshops.forms.facilitator import (
    EditOrganisationForm,
    MoveForm,
    OrganisationForm,
    ParticipantForm,
    PasteForm,
    SessionForm,
    SessionStatusForm,
    StaffForm,
    WorkshopForm,
)
from workshops.links import absolute_url
from workshops.models.report import ExportAuditLog, ExportKind
from workshops.report.forms import PurposeForm
from workshops.services import setup
from workshops.views.confirming import confirm_page, confirmed


def join_qr_svg(request: HttpRequest, workshop) -> tuple[str, str]:
    """The absolute join link and its QR code as inline SVG (no Pillow)."""
    url = absolute_url(workshop.join_url(), request)
    svg = segno.make(url, error="m").svg_inline(scale=4, omitsize=True, title=workshop.join_code)
    return url, svg


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    workshops = workshops_for_user(request.user).select_related("country", "organiser")
    may_create = organisations_user_may_organise(request.user).exists()
    return render(
        request,
        "workshops/facilitator/dashboard.html",
        {
            "workshops": workshops,
            "may_create": may_create,
            "networks": networks_for_user(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def workshop_create(request: HttpRequest) -> HttpResponse:
    organisers = organisations_for_new_workshop(request)
    form = WorkshopForm(request.POST or None, organisers=organisers)
    if request.method == "POST" and form.is_valid():
        workshop = setup.create_workshop(form=form, user=request.user)
        messages.success(request, _("Workshop created."))
        return redirect(workshop)
    return render(request, "workshops/facilitator/workshop_form.html", {"form": form})


@login_required
@require_GET
def workshop_detail(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug)
    sessions = list(
        workshop.sessions.all()
        .prefetch_related("staff")
        .annotate(participant_count=Count("participants", distinct=True))
        .order_by("order", "starts_at", "pk")
    )
    labels = dict(Category.choices)
    for session in sessions:
        session.focus_labels = [labels.get(value, value) for value in session.focus or []]
    context = {
        "workshop": workshop,
        "sessions": sessions,
        "status_actions": SessionStatusForm.base_fields["action"].choices,
    }
    return render(request, "workshops/facilitator/workshop.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def workshop_edit(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=MANAGE)
    form = WorkshopForm(request.POST or None, instance=workshop)
    if request.method == "POST" and form.is_valid():
        setup.save_workshop(form=form)
        messages.success(request, _("Workshop saved."))
        return redirect(workshop)
    return render(
        request, "workshops/facilitator/workshop_form.html", {"form": form, "workshop": workshop}
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=MANAGE)
    form = StaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        setup.set_staff_role(
            workshop=workshop, user=form.cleaned_data["username"], role=form.cleaned_data["role"]
        )
        messages.success(request, _("Staff member saved."))
        return redirect("workshops:staff", slug=workshop.slug)
    memberships = workshop.memberships.select_related("user").order_by("user__username")
    return render(
        request,
        "workshops/facilitator/staff.html",
        {"workshop": workshop, "form": form, "memberships": memberships},
    )


@login_required
@require_http_methods(["GET", "POST"])
def staff_remove(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=MANAGE)
    membership = get_object_or_404(workshop.memberships.select_related("user"), pk=membership_id)
    if not confirmed(request) and membership.user_id != request.user.pk:
        return confirm_page(
            request,
            workshop=workshop,
            title=_("Remove a staff member"),
            question=_("Remove %(name)s from this workshop's staff?")
            % {"name": membership.user.get_username()},
            explanation=_("They will no longer see this workshop. You can add them again later."),
            button=_("Remove"),
            back=reverse("workshops:staff", kwargs={"slug": workshop.slug}),
        )
    if membership.user_id == request.user.pk:
        messages.error(request, _("You cannot remove yourself."))
    else:
        setup.remove_staff(workshop=workshop, membership_id=membership.pk)
        messages.success(request, _("Staff member removed."))
    return redirect("workshops:staff", slug=workshop.slug)


def _simple_form(request, workshop, form, *, title, back) -> HttpResponse:
    """The one-form page shared by the add and edit views: `back` names the list to go back to."""
    return render(
        request,
        "workshops/facilitator/simple_form.html",
        {"workshop": workshop, "form": form, "title": title, "back": back},
    )


@login_required
@require_GET
def organisations(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug)
    items = organisations_of(workshop).select_related("home_region").order_by("name")
    return render(
        request,
        "workshops/facilitator/organisations.html",
        {"workshop": workshop, "organisations": items},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_add(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=MANAGE)
    form = OrganisationForm(request.POST or None, country=workshop.country)
    if request.method == "POST" and form.is_valid():
        setup.add_organisation(workshop=workshop, data=form.cleaned_data)
        messages.success(request, _("Organisation added."))
        return redirect("workshops:organisations", slug=workshop.slug)
    return _simple_form(
        request, workshop, form, title=_("Add an organisation"), back="workshops:organisations"
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, slug: str, organisation_id: int) -> HttpResponse:
    workshop, organisation = get_organisation_for_user(
        request, slug, organisation_id, for_change=True
    )
    form = EditOrganisationForm(
        request.POST or None, instance=organisation, country=workshop.country
    )
    if request.method == "POST" and form.is_valid():
        setup.save_organisation(form=form)
        messages.success(request, _("Organisation saved."))
        return redirect("workshops:organisations", slug=workshop.slug)
    return render(
        request,
        "workshops/facilitator/organisation_form.html",
        {"workshop": workshop, "form": form, "organisation": organisation},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_remove(request: HttpRequest, slug: str, organisation_id: int) -> HttpResponse:
    workshop, organisation = get_organisation_for_user(request, slug, organisation_id)
    if not confirmed(request):
        return confirm_page(
            request,
            workshop=workshop,
            title=_("Take an organisation off the list"),
            question=_("Take %(name)s off this workshop's list?") % {"name": organisation.name},
            explanation=_("It stays known to the network and can be added again."),
            button=_("Take off the list"),
            back=reverse("workshops:organisations", kwargs={"slug": workshop.slug}),
        )
    members = setup.unlink_organisation(workshop=workshop, organisation=organisation)
    if members:
        messages.error(
            request,
            ngettext(
                "%(name)s stays on the list: %(n)d participant belongs to it. "
                "Change their organisation first.",
                "%(name)s stays on the list: %(n)d participants belong to it. "
                "Change their organisation first.",
                members,
            )
            % {"name": organisation.name, "n": members},
        )
    else:
        messages.success(
            request,
            _("%(name)s is no longer on this workshop's list.") % {"name": organisation.name},
        )
    return redirect("workshops:organisations", slug=workshop.slug)


def _paste_import(request, workshop, importer, *, title, columns, back):
    form = PasteForm(request.POST or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        result = importer(workshop=workshop, rows=form.rows())
        if result.ok:
            messages.success(request, _("%(n)d lines imported.") % {"n": result.created})
            return redirect(back, slug=workshop.slug)
        errors = result.errors
    return render(
        request,
        "workshops/facilitator/paste_form.html",
        {
            "workshop": workshop,
            "form": form,
            "errors": errors,
            "title": title,
            "columns": columns,
            "back": back,
        },
        status=422 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_import(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=MANAGE)
    return _paste_import(
        request,
        workshop,
        setup.import_organisations,
        title=_("Paste organisations"),
        columns="name,acronym,kind,region,network",
        back="workshops:organisations",
    )


@login_required
@require_GET
def participants(request: HttpRequest, slug: str) -> HttpResponse:
    """The participant list (names): row-level, for organisers, recorded at each visit.

    The purpose is asked once per browser session and workshop (``?change`` asks again).
    """
    workshop = get_workshop_for_rows(request, slug)
    key = f"row_level_purpose:{workshop.pk}"
    if "change" in request.GET:
        request.session.pop(key, None)
    form = PurposeForm(request.GET if "purpose" in request.GET else None)
    if form.is_bound and form.is_valid():
        request.session[key] = form.cleaned_data["purpose"]
    purpose = request.session.get(key) if not form.is_bound or form.is_valid() else None
    if not purpose:
        return render(
            request,
            "workshops/facilitator/participants_purpose.html",
            {"workshop": workshop, "form": form},
            status=400 if form.is_bound else 200,
        )
    ExportAuditLog.record(
        workshop=workshop, user=request.user, kind=ExportKind.PARTICIPANT_PAGE, purpose=purpose
    )
    items = workshop.participants.in_the_room().select_related("organisation", "region")
    return render(
        request,
        "workshops/facilitator/participants.html",
        {"workshop": workshop, "participants": items, "purpose": purpose},
    )


@login_required
@require_http_methods(["GET", "POST"])
def participant_add(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=MANAGE)
    form = ParticipantForm(request.POST or None, workshop=workshop)
    if request.method == "POST" and form.is_valid():
        setup.add_participant(workshop=workshop, form=form)
        messages.success(request, _("Participant added."))
        return redirect("workshops:participants", slug=workshop.slug)
    return _simple_form(
        request, workshop, form, title=_("Add a participant"), back="workshops:participants"
    )


@login_required
@require_http_methods(["GET", "POST"])
def participant_edit(request: HttpRequest, slug: str, participant_id: int) -> HttpResponse:
    participant = get_participant_for_user(request, slug, participant_id)
    workshop = participant.workshop
    form = ParticipantForm(request.POST or None, instance=participant, workshop=workshop)
    if request.method == "POST" and form.is_valid():
        setup.save_participant(form=form)
        messages.success(request, _("Participant saved."))
        return redirect("workshops:participants", slug=workshop.slug)
    return render(
        request,
        "workshops/facilitator/participant_form.html",
        {"workshop": workshop, "form": form, "participant": participant},
    )


@login_required
@require_http_methods(["GET", "POST"])
def participant_remove(request: HttpRequest, slug: str, participant_id: int) -> HttpResponse:
    participant = get_participant_for_user(request, slug, participant_id)
    if not confirmed(request):
        return confirm_page(
            request,
            workshop=participant.workshop,
            title=_("Remove a participant"),
            question=_("Remove %(name)s from the workshop?")
            % {"name": participant.display_name or _("this participant")},
            explanation=_(
                "Someone who has said and voted nothing is deleted. Someone who has spoken or "
                "voted keeps their contributions and votes, anonymously. This cannot be undone."
            ),
            button=_("Remove this participant"),
            back=reverse(
                "workshops:participant_edit",
                kwargs={"slug": participant.workshop.slug, "participant_id": participant.pk},
            ),
        )
    if setup.remove_participant(participant=participant):
        messages.success(request, _("Participant removed."))
    else:
        messages.success(
            request,
            _(
                "This participant had already spoken or voted: their name, role, "
                "organisation and phone link are removed; what they said and voted stays, "
                "anonymously."
            ),
        )
    return redirect("workshops:participants", slug=participant.workshop.slug)


@login_required
@require_http_methods(["GET", "POST"])
def participant_import(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=MANAGE)
    return _paste_import(
        request,
        workshop,
        setup.import_participants,
        title=_("Paste participants"),
        columns="name,organisation,region,gender,role",
        back="workshops:participants",
    )


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=MANAGE)
    form = SessionForm(request.POST or None, workshop=workshop)
    if request.method == "POST" and form.is_valid():
        setup.save_session(form=form, workshop=workshop)
        messages.success(request, _("Session added to the agenda."))
        return redirect(workshop)
    return _simple_form(request, workshop, form, title=_("New session"), back="workshops:workshop")


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, slug, session_id, needs=MANAGE)
    workshop = session.workshop
    form = SessionForm(request.POST or None, instance=session, workshop=workshop)
    if request.method == "POST" and form.is_valid():
        setup.save_session(form=form, workshop=workshop)
        messages.success(request, _("Session saved."))
        return redirect(workshop)
    return _simple_form(request, workshop, form, title=session.title, back="workshops:workshop")


@login_required
@require_POST
def session_move(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, slug, session_id, needs=MANAGE)
    form = MoveForm(request.POST)
    if form.is_valid():
        setup.move_session(session=session, direction=form.cleaned_data["direction"])
    return redirect(session.workshop)


@login_required
@require_POST
def session_status(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, slug, session_id, needs=MODERATE)
    form = SessionStatusForm(request.POST)
    if form.is_valid():
        setup.set_session_status(session=session, action=form.cleaned_data["action"])
        messages.success(
            request,
            _("%(session)s: %(status)s.")
            % {"session": session.title, "status": session.get_status_display()},
        )
    else:
        messages.error(request, _("Unknown action."))
    if request.POST.get("next") == "board":
        return redirect("workshops:session_board", slug=slug, session_id=session.pk)
    return redirect(session.workshop)


@login_required
@require_GET
def join_code(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=READ)
    url, svg = join_qr_svg(request, workshop)
    return render(
        request,
        "workshops/facilitator/join_code.html",
        {"workshop": workshop, "join_link": url, "qr_svg": svg},
    )


@login_required
@require_GET
def join_sheet(request: HttpRequest, slug: str) -> HttpResponse:
    """A printable A4 sheet with the code and the QR code, for the room's doors and tables."""
    workshop = get_workshop_for_user(request, slug, needs=READ)
    url, svg = join_qr_svg(request, workshop)
    return render(
        request,
        "workshops/facilitator/join_sheet.html",
        {"workshop": workshop, "join_link": url, "qr_svg": svg},
    )
