"""Who may do what: one access helper per main object, used by every view.

Deny by default. Someone with no role in a workshop gets 404 (we do not even
confirm that it exists); someone whose role is too weak for the action gets 403.
No permission logic lives anywhere else.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connections
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from workshops.choices import StaffRole
from workshops.models import (
    BreakoutSession,
    Contribution,
    Organisation,
    OrganisationMembership,
    Participant,
    Region,
    Workshop,
    hash_token,
    normalise_join_code,
)

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
    participant = _one(Participant.objects.select_related("region").for_token(token))
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


def organisations_user_may_organise(user):
    """Organisations in whose name ``user`` may create a workshop (organiser staff)."""
    if not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.all()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role=StaffRole.ORGANISER
    ).distinct()


# --- A phone's send: workshop, session and participant in one query ----------------
#
# Every send looks up the same three rows. Through the ORM that is two queries whose
# SQL is compiled again on every request (about 1 ms each here, more than the database
# takes to answer). The send path uses one hand-written SELECT instead, built once per
# process from the models' own fields and read back with the converters the ORM would
# apply, so the instances are the same as the ORM's. Anything unusual (no cookie, a
# cookie of another workshop, an unknown code or session) takes the general path above,
# so its answers (404, the join page) do not change.


class _Columns:
    """``model``'s concrete columns under ``alias`` in a SELECT, and the way back."""

    def __init__(self, model, alias: str):
        self.model = model
        self.alias = alias
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [field.attname for field in self.fields]

    def select(self, quote) -> str:
        return ", ".join(f"{self.alias}.{quote(field.column)}" for field in self.fields)

    def converters(self, connection) -> list[tuple[int, list, object]]:
        found = []
        for index, field in enumerate(self.fields):
            column = field.get_col(self.alias)
            functions = connection.ops.get_db_converters(column) + column.get_db_converters(
                connection
            )
            if functions:
                found.append((index, functions, column))
        return found


_SEND_COLUMNS = (
    _Columns(BreakoutSession, "s"),
    _Columns(Workshop, "w"),
    _Columns(Participant, "p"),
    _Columns(Region, "r"),
)
_send_queries: dict[str, tuple[str, list]] = {}


def _send_query(connection) -> tuple[str, list]:
    """The SQL and converters for ``connection``'s database, made once per process.

    Only names from the models go into the SQL; the code, session id and token hash
    are parameters.
    """
    if connection.alias not in _send_queries:
        q = connection.ops.quote_name

        def table(model, alias: str) -> str:
            return f"{q(model._meta.db_table)} {alias}"

        select = ", ".join(columns.select(q) for columns in _SEND_COLUMNS)
        sql = (
            f"SELECT {select} FROM {table(BreakoutSession, 's')} "  # noqa: S608
            f"INNER JOIN {table(Workshop, 'w')} ON w.{q('id')} = s.{q('workshop_id')} "
            f"INNER JOIN {table(Participant, 'p')} ON p.{q('workshop_id')} = w.{q('id')} "
            f"AND p.{q('token_hash')} = %s "
            f"LEFT OUTER JOIN {table(Region, 'r')} ON r.{q('id')} = p.{q('region_id')} "
            f"WHERE w.{q('join_code')} = %s AND s.{q('id')} = %s"
        )
        _send_queries[connection.alias] = (
            sql,
            [columns.converters(connection) for columns in _SEND_COLUMNS],
        )
    return _send_queries[connection.alias]


def _build(columns: _Columns, values: list, converters, connection):
    for index, functions, expression in converters:
        value = values[index]
        for function in functions:
            value = function(value, expression, connection)
        values[index] = value
    return columns.model.from_db(connection.alias, columns.attnames, values)


def find_session_for_phone(
    request: HttpRequest, code: str, session_id: int
) -> tuple[Workshop, BreakoutSession] | None:
    """The workshop of ``code`` and its session ``session_id`` when this phone has
    joined that workshop, in one query; the participant is kept for
    ``get_participant_for_request``. None otherwise: then use
    ``get_session_for_join_code`` and ``get_participant_for_request``."""
    token = request.COOKIES.get(settings.PARTICIPANT_COOKIE_NAME, "")
    normalised = normalise_join_code(code)
    if not token or len(token) > 100 or not normalised:
        return None
    connection = connections[BreakoutSession.objects.db]
    sql, converters = _send_query(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [hash_token(token), normalised, session_id])
        row = cursor.fetchone()
    if row is None:
        return None
    instances, start = [], 0
    for columns, found in zip(_SEND_COLUMNS, converters, strict=True):
        values = list(row[start : start + len(columns.fields)])
        start += len(columns.fields)
        instances.append(_build(columns, values, found, connection))
    session, workshop, participant, region = instances
    session.workshop = workshop
    participant.workshop = workshop
    participant.region = region if participant.region_id is not None else None
    request._participant = participant
    return workshop, session
