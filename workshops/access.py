"""Who may do what: one access helper per main object, used by every view.

Deny by default. Someone with no role in a workshop gets 404 (we do not even
confirm that it exists); someone whose role is too weak for the action gets 403.
No permission logic lives anywhere else.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from workshops.choices import StaffRole
from workshops.models import BreakoutSession, Contribution, OrganisationMembership, Workshop

# What each action needs, from the weakest role up.
READ = StaffRole.VIEWER
CAPTURE = StaffRole.NOTE_TAKER
MODERATE = StaffRole.FACILITATOR
MANAGE = StaffRole.ORGANISER


def role_in_workshop(user, workshop: Workshop) -> str | None:
    """The strongest role ``user`` holds in ``workshop``, or None for an outsider."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return StaffRole.ORGANISER
    cache = getattr(user, "_workshop_roles", None)
    if cache is None:
        cache = user._workshop_roles = {}
    if workshop.pk in cache:
        return cache[workshop.pk]
    roles = list(workshop.memberships.filter(user=user).values_list("role", flat=True))
    roles += OrganisationMembership.objects.filter(
        user=user, organisation_id=workshop.organiser_id
    ).values_list("role", flat=True)
    best = max(roles, key=StaffRole.rank, default=None)
    cache[workshop.pk] = best
    return best


def has_role(user, workshop: Workshop, needed: str) -> bool:
    role = role_in_workshop(user, workshop)
    return role is not None and StaffRole.rank(role) >= StaffRole.rank(needed)


def get_workshop_for_user(request: HttpRequest, slug: str, *, needs: str = READ) -> Workshop:
    """The workshop, with ``role`` set on it; 404 for outsiders, 403 for a weaker role."""
    workshop = get_object_or_404(Workshop.objects.select_related("country", "organiser"), slug=slug)
    role = role_in_workshop(request.user, workshop)
    if role is None:
        raise Http404
    if StaffRole.rank(role) < StaffRole.rank(needs):
        raise PermissionDenied
    workshop.role = role
    return workshop


def get_session_for_user(
    request: HttpRequest, slug: str, session_id: int, *, needs: str = READ
) -> BreakoutSession:
    """A session of a workshop the user may see.

    A note-taker captures only in sessions they are assigned to (or sessions with
    no staff assigned); stronger roles may act in any session.
    """
    workshop = get_workshop_for_user(request, slug, needs=needs)
    session = get_object_or_404(BreakoutSession, workshop=workshop, pk=session_id)
    session.workshop = workshop
    if needs == CAPTURE and workshop.role == StaffRole.NOTE_TAKER:
        assigned = session.staff.all()
        if assigned and request.user not in assigned:
            raise PermissionDenied
    return session


def get_contribution_for_user(
    request: HttpRequest, slug: str, contribution_id: int, *, needs: str = READ
) -> Contribution:
    workshop = get_workshop_for_user(request, slug, needs=needs)
    contribution = get_object_or_404(
        Contribution.objects.select_related("session", "author"),
        workshop=workshop,
        pk=contribution_id,
    )
    contribution.workshop = workshop
    return contribution


def workshops_for_user(user):
    """Every workshop the user has a role in, for lists."""
    if not user.is_authenticated:
        return Workshop.objects.none()
    if user.is_superuser:
        return Workshop.objects.all()
    return Workshop.objects.filter(
        Q(memberships__user=user) | Q(organiser__memberships__user=user)
    ).distinct()


def organisations_user_may_organise(user):
    """Organisations in whose name ``user`` may create a workshop (organiser staff)."""
    from workshops.models import Organisation

    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role=StaffRole.ORGANISER
    ).distinct()
