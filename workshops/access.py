"""Who may do what: one access helper per main object, used by every view.

Deny by default. Someone with no role in a workshop gets 404 (we do not even
confirm that it exists); someone whose role is too weak for the action gets 403.
No permission logic lives anywhere else: the helpers set ``role`` on the workshop
they return, and templates ask ``{% if workshop|may:"manage" %}`` (``nav_tags``),
which calls ``may`` below. ``role_allows`` is the one rank comparison.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from workshops.choices import Category, StaffRole
from workshops.models import (
    BreakoutSession,
    Contribution,
    FollowUpShare,
    Job,
    JobKind,
    Network,
    NetworkMembership,
    Organisation,
    OrganisationMembership,
    Participant,
    Workshop,
    normalise_join_code,
)
from workshops.models.jobs import IMPORTS

# What each action needs, from the weakest role up.
READ = StaffRole.VIEWER
CAPTURE = StaffRole.NOTE_TAKER
MODERATE = StaffRole.FACILITATOR
MANAGE = StaffRole.ORGANISER
# Row-level data (one row per contribution with its zone, gender or author; participant
# lists; votes with pseudonyms) is for organisers, on the web, the API and the command
# line alike. Every read of it is recorded with a purpose (``ExportAuditLog.record``).
ROW_LEVEL = StaffRole.ORGANISER
# The names templates use for them: ``workshop|may:"moderate"``.
ACTIONS = {
    "read": READ,
    "capture": CAPTURE,
    "moderate": MODERATE,
    "manage": MANAGE,
    "rows": ROW_LEVEL,
}


def role_allows(role: str | None, needed: str) -> bool:
    """Whether ``role`` is at least as strong as ``needed`` (an outsider's None: never)."""
    return role is not None and StaffRole.rank(role) >= StaffRole.rank(needed)


def may(workshop: Workshop, action: str) -> bool:
    """Whether the role an access helper set on ``workshop`` allows ``action``.

    ``action`` is a name of ``ACTIONS`` or a role; a workshop no helper returned
    (no ``role``) allows nothing.
    """
    return role_allows(getattr(workshop, "role", None), ACTIONS.get(action, action))


def role_needed_message(needed: str) -> str:
    """What the 403 page says: the role an action needs ("You need the organiser role.")."""
    return _("You need the %(role)s role (or a stronger one) in this workshop.") % {
        "role": StaffRole(needed).label.lower()
    }


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


def get_workshop_for_user(request: HttpRequest, slug: str, *, needs: str = READ) -> Workshop:
    """The workshop, with ``role`` set on it; 404 for outsiders, 403 for a weaker role."""
    workshop = get_object_or_404(Workshop.objects.select_related("country", "organiser"), slug=slug)
    role = role_in_workshop(request.user, workshop)
    if role is None:
        raise Http404
    if not role_allows(role, needs):
        raise PermissionDenied(role_needed_message(needs))
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
            raise PermissionDenied(
                _("You need to be assigned to this session to take notes in it.")
            )
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


def get_participant_for_user(
    request: HttpRequest, slug: str, participant_id: int, *, needs: str = MANAGE
) -> Participant:
    """A participant of a workshop the user may manage (names are for organisers).

    People in the room only: survey respondents and interviewees are kept by their imports.
    """
    workshop = get_workshop_for_user(request, slug, needs=needs)
    participant = get_object_or_404(
        Participant.objects.in_the_room().select_related("organisation", "region"),
        workshop=workshop,
        pk=participant_id,
    )
    participant.workshop = workshop
    return participant


def organisations_of(workshop: Workshop):
    """The workshop's list of organisations, each with ``shared`` and ``members``.

    Organisations are shared by the whole network. ``shared`` says whether changing one
    would change what others see: another workshop lists it, it has staff, or it
    organises a workshop. ``members`` counts this workshop's participants in it.
    """
    others = Workshop.organisations.through.objects.filter(organisation=OuterRef("pk")).exclude(
        workshop=workshop
    )
    staff = OrganisationMembership.objects.filter(organisation=OuterRef("pk"))
    organises = Workshop.objects.filter(organiser=OuterRef("pk"))
    return workshop.organisations.annotate(
        shared=ExpressionWrapper(
            Q(Exists(others)) | Q(Exists(staff)) | Q(Exists(organises)),
            output_field=BooleanField(),
        ),
        members=Count("participants", filter=Q(participants__workshop=workshop)),
    )


def get_organisation_for_user(
    request: HttpRequest,
    slug: str,
    organisation_id: int,
    *,
    needs: str = MANAGE,
    for_change: bool = False,
) -> tuple[Workshop, Organisation]:
    """An organisation on the list of a workshop the user may manage (``organisations_of``).

    With ``for_change``, one that is ``shared`` is 403: other workshops or the
    network's staff rely on it, so the network's admins change it. Taking it off
    this workshop's list is allowed either way.
    """
    workshop = get_workshop_for_user(request, slug, needs=needs)
    organisation = get_object_or_404(organisations_of(workshop), pk=organisation_id)
    if for_change and organisation.shared:
        raise PermissionDenied(
            _(
                "Other workshops or the network's staff rely on this organisation: "
                "ask your network's administrator to change it."
            )
        )
    return workshop, organisation


class SecondFactorRequired(PermissionDenied):
    """403 for staff who are not verified with a second factor on a workshop whose
    participants are at risk; the page tells them to enrol or to sign in again."""


def is_verified(user) -> bool:
    """Signed in with a second factor in this session (django-otp's ``OTPMiddleware``).
    A user that middleware did not wrap (an API token) is never verified."""
    check = getattr(user, "is_verified", None)
    return bool(check is not None and check())


def get_workshop_for_rows(request: HttpRequest, slug: str) -> Workshop:
    """A workshop whose row-level data the user may read: organisers only, 403 for the
    other roles, 404 for outsiders (the caller records the read with its purpose).
    When its participants are at risk, only after a second factor (403 with guidance)."""
    workshop = get_workshop_for_user(request, slug, needs=ROW_LEVEL)
    if workshop.participants_at_risk and not is_verified(request.user):
        raise SecondFactorRequired(
            _("Sign in with your second factor to read this workshop row by row.")
        )
    return workshop


def get_workshop_for_export(request: HttpRequest, slug: str, *, rows: bool = False) -> Workshop:
    """A workshop to export contributions from: every role exports aggregates; one
    row per contribution (``rows``) is row-level data (``get_workshop_for_rows``)."""
    if rows:
        return get_workshop_for_rows(request, slug)
    return get_workshop_for_user(request, slug, needs=READ)


def get_job_for_user(request: HttpRequest, slug: str, public_id) -> Job:
    """A background job the user started, checked again like the work it does (a row
    export needs what ``get_workshop_for_rows`` needs): 404 for outsiders and for another
    person's job (its file is their read, recorded with their purpose), 403 for a role
    that no longer allows it."""
    workshop = get_workshop_for_user(request, slug, needs=READ)
    job = get_object_or_404(
        Job.objects.defer("data"), workshop=workshop, public_id=public_id, created_by=request.user
    )
    if job.kind == JobKind.ROWS_EXPORT:
        workshop = get_workshop_for_rows(request, slug)
    elif job.kind in IMPORTS and not role_allows(workshop.role, MODERATE):
        raise PermissionDenied(role_needed_message(MODERATE))
    job.workshop = workshop
    return job


def workshops_for_user(user):
    """Every workshop the user has a role in, for lists."""
    if not user.is_authenticated:
        return Workshop.objects.none()
    if user.is_superuser:
        return Workshop.objects.all()
    return Workshop.objects.filter(
        Q(memberships__user=user) | Q(organiser__memberships__user=user)
    ).distinct()


# --- Participants (no account: a device token in a cookie) ------------------------


def _one(queryset):
    """The single row of ``queryset`` or None, without the ORDER BY of ``first()``."""
    try:
        return queryset.get()
    except queryset.model.DoesNotExist:
        return None


def get_workshop_for_join_code(code: str) -> Workshop | None:
    """The workshop a participant joins with ``code`` (case-insensitive), or None."""
    normalised = normalise_join_code(code)
    if not normalised:
        return None
    return _one(Workshop.objects.filter(join_code=normalised))


def get_session_for_join_code(
    code: str, session_id: int
) -> tuple[Workshop | None, BreakoutSession | None]:
    """The workshop of ``code`` and its session ``session_id`` in one query.

    (None, None) for an unknown code; 404 for a session of another workshop.
    """
    session = _one(
        BreakoutSession.objects.select_related("workshop").filter(
            workshop__join_code=normalise_join_code(code), pk=session_id
        )
    )
    if session is not None:
        return session.workshop, session
    workshop = get_workshop_for_join_code(code)
    if workshop is not None:
        raise Http404
    return None, None


def get_participant_for_request(request: HttpRequest, workshop: Workshop) -> Participant | None:
    """The participant this phone's cookie belongs to in ``workshop``.

    None when the phone has not joined (or was wiped); 404 when the cookie belongs
    to a participant of another workshop (we do not say what it can see there).
    """
    cached = getattr(request, "_participant", None)
    if cached is not None and cached.workshop_id == workshop.pk:
        return cached
    token = request.COOKIES.get(settings.PARTICIPANT_COOKIE_NAME, "")
    if not token or len(token) > 100:
        return None
    participant = _one(Participant.objects.select_related("region").with_zone().for_token(token))
    if participant is None:
        return None
    if participant.workshop_id != workshop.pk:
        raise Http404
    participant.workshop = workshop
    request._participant = participant
    return participant


def get_contribution_for_participant(
    participant: Participant, contribution_id: int
) -> Contribution:
    """One of the participant's own contributions; 404 for anyone else's."""
    contribution = get_object_or_404(
        Contribution.objects.select_related("session"),
        pk=contribution_id,
        workshop_id=participant.workshop_id,
        author=participant,
    )
    contribution.workshop = participant.workshop
    return contribution


def organisations_for_new_workshop(request: HttpRequest):
    """The organisations the user may create a workshop for; 403 when there is none."""
    organisers = organisations_user_may_organise(request.user)
    if not organisers.exists():
        raise PermissionDenied(
            _(
                "You need the organiser role in an organisation, or a network's permission "
                "to organise workshops. Ask your network's administrator."
            )
        )
    return organisers


def organisations_user_may_organise(user):
    """Organisations in whose name ``user`` may create a workshop.

    Organiser staff of the organisation, and members of a network who may organise:
    every organisation of that network (its national offices and member organisations).
    """
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(
        Q(memberships__user=user, memberships__role=StaffRole.ORGANISER)
        | Q(member_of__memberships__user=user, member_of__memberships__may_organise=True)
    ).distinct()


# --- Networks ------------------------------------------------------------------------

NETWORK_ADMIN = "admin"
NETWORK_MEMBER = "member"


def get_network_for_user(request: HttpRequest, slug: str, *, needs: str = NETWORK_ADMIN) -> Network:
    """The network, with ``membership`` set; 404 for outsiders, 403 for a member who is
    not an administrator when ``needs`` is ``NETWORK_ADMIN``. Superusers administer all."""
    network = get_object_or_404(Network, slug=slug)
    user = request.user
    if not user.is_authenticated or not user.is_active:
        raise Http404
    membership = _one(NetworkMembership.objects.filter(network=network, user=user))
    if user.is_superuser:
        membership = membership or NetworkMembership(
            network=network, user=user, is_administrator=True, may_organise=True
        )
    if membership is None:
        raise Http404
    if needs == NETWORK_ADMIN and not membership.is_administrator:
        raise PermissionDenied(_("You need to be an administrator of this network."))
    network.membership = membership
    return network


def networks_for_user(user):
    """The networks the user belongs to, for the dashboard."""
    if not user.is_authenticated:
        return Network.objects.none()
    if user.is_superuser:
        return Network.objects.all()
    return Network.objects.filter(memberships__user=user).distinct()


# --- Recommendation follow-up ----------------------------------------------------------


def is_network_staff(user, workshop: Workshop) -> bool:
    """Whether ``user`` is staff of the network whose organisation organised ``workshop``."""
    network_id = workshop.organiser.member_of_id
    if network_id is None or not user.is_authenticated or not user.is_active:
        return False
    return NetworkMembership.objects.filter(network_id=network_id, user=user).exists()


def get_workshop_for_followup(request: HttpRequest, slug: str, *, edit: bool = False) -> Workshop:
    """A workshop whose recommendations' follow-up the user may read (every role, and the
    staff of the organiser's network) or, with ``edit``, change (organisers and the
    network's staff): 404 for outsiders, 403 for a role that may only read.
    ``may_follow_up`` is set on the workshop for templates."""
    workshop = get_object_or_404(Workshop.objects.select_related("country", "organiser"), slug=slug)
    role = role_in_workshop(request.user, workshop)
    network_staff = is_network_staff(request.user, workshop)
    if role is None and not network_staff:
        raise Http404
    may_edit = network_staff or role_allows(role, MANAGE)
    if edit and not may_edit:
        raise PermissionDenied(
            _(
                "You need the organiser role in this workshop, or to be staff of its "
                "network, to change the follow-up."
            )
        )
    workshop.role = role
    workshop.may_follow_up = may_edit
    return workshop


def get_recommendation_for_followup(
    request: HttpRequest, slug: str, contribution_id: int, *, edit: bool = False
) -> Contribution:
    """One agreed recommendation (counted: not hidden nor merged) of such a workshop."""
    workshop = get_workshop_for_followup(request, slug, edit=edit)
    recommendation = get_object_or_404(
        Contribution.objects.countable().filter(category=Category.RECOMMENDATION),
        workshop=workshop,
        pk=contribution_id,
    )
    recommendation.workshop = workshop
    return recommendation


def followup_editors(workshop: Workshop):
    """Who may be named as following a recommendation: the staff of the organiser's
    network, and the workshop's own organisers."""
    users = get_user_model().objects.filter(is_active=True)
    found = Q(workshop_memberships__workshop=workshop, workshop_memberships__role=MANAGE)
    if workshop.organiser.member_of_id is not None:
        found |= Q(network_memberships__network_id=workshop.organiser.member_of_id)
    return users.filter(found).distinct().order_by("username")


def get_share_for_token(token: str) -> FollowUpShare:
    """The active sharing link with ``token``; 404 for an unknown or revoked one."""
    if not token or len(token) > 64:
        raise Http404
    share = _one(
        FollowUpShare.objects.select_related("workshop__country", "workshop__organiser").filter(
            token=token, revoked_at=None
        )
    )
    if share is None:
        raise Http404
    return share
