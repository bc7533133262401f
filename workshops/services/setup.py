"""Setting a workshop up: staff, organisations, participants, agenda, session states."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from workshops.choices import Gender, OrganisationKind, SessionStatus, StaffRole
from workshops.models import (
    BreakoutSession,
    Organisation,
    Participant,
    Region,
    Workshop,
    WorkshopMembership,
)
from workshops.services import zones
from workshops.services.retention import anonymise_participant


@dataclass
class ImportResult:
    """Rows stored, or the errors per line (then nothing was stored)."""

    created: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@transaction.atomic
def create_workshop(*, form, user) -> Workshop:
    """Save a workshop from its form; its creator becomes its organiser."""
    workshop = form.save()
    WorkshopMembership.objects.update_or_create(
        workshop=workshop, user=user, defaults={"role": StaffRole.ORGANISER}
    )
    zones.start_zones(workshop=workshop)
    return workshop


@transaction.atomic
def save_workshop(*, form) -> Workshop:
    """Save a workshop's edited details (the form checked them); a new country brings
    its suggested zones."""
    country_changed = "country" in form.changed_data
    workshop = form.save()
    if country_changed:
        zones.restart_zones(workshop=workshop)
    return workshop


@transaction.atomic
def set_staff_role(*, workshop: Workshop, user, role: str) -> WorkshopMembership:
    membership, _created = WorkshopMembership.objects.update_or_create(
        workshop=workshop, user=user, defaults={"role": role}
    )
    return membership


@transaction.atomic
def remove_staff(*, workshop: Workshop, membership_id: int) -> None:
    workshop.memberships.filter(pk=membership_id).delete()


@transaction.atomic
def add_organisation(*, workshop: Workshop, data: dict) -> Organisation:
    """Link an organisation to the workshop, creating it if its name is new."""
    name = data["name"].strip()
    organisation = Organisation.objects.filter(name__iexact=name).first()
    if organisation is None:
        organisation = Organisation.objects.create(
            name=name,
            acronym=data.get("acronym", ""),
            kind=data.get("kind") or OrganisationKind.GRASSROOTS,
            home_region=data.get("home_region"),
            network=data.get("network", ""),
        )
    workshop.organisations.add(organisation)
    return organisation


@transaction.atomic
def save_organisation(*, form) -> Organisation:
    return form.save()


@transaction.atomic
def add_participant(*, workshop: Workshop, form) -> Participant:
    """Add a participant to the workshop's list from its form."""
    participant = form.save(commit=False)
    participant.workshop = workshop
    participant.save()
    form.save_m2m()
    return participant


@transaction.atomic
def save_participant(*, form) -> Participant:
    return form.save()


def remove_participant(*, participant: Participant) -> bool:
    """Take a participant off the workshop's list; True when the row was deleted.

    Someone who has said and voted nothing (an entry made by mistake) is deleted.
    Otherwise deleting would take their votes out of the results, so they are
    anonymised instead, as at the retention date: what they said and voted stays.
    """
    with transaction.atomic():
        if not participant.contributions.exists() and not participant.votes.exists():
            participant.delete()
            return True
        anonymise_participant(participant)
        return False


def unlink_organisation(*, workshop: Workshop, organisation: Organisation) -> int:
    """Take ``organisation`` off the workshop's list, unless participants of this
    workshop belong to it: then nothing changes and their number is returned."""
    members = organisation.participants.filter(workshop=workshop).count()
    if members:
        return members
    workshop.organisations.remove(organisation)
    return 0


def _choice(value: str, choices) -> str | None:
    """A TextChoices value from its value or its label, any case; None when unknown."""
    wanted = value.strip().lower()
    for choice_value, label in choices:
        if wanted in (str(choice_value).lower(), str(label).lower()):
            return choice_value
    return None


def import_organisations(*, workshop: Workshop, rows) -> ImportResult:
    """Columns: name (required), acronym, kind, region, network. All or nothing."""
    regions = {r.name.lower(): r for r in Region.objects.filter(country_id=workshop.country_id)}
    result, prepared = ImportResult(), []
    for line, row in rows:
        name = row.get("name", "")
        if not name:
            result.errors.append((line, _("The name is missing.")))
            continue
        if len(name) > 200:
            result.errors.append((line, _("The name is longer than 200 characters.")))
            continue
        kind = OrganisationKind.GRASSROOTS
        if row.get("kind"):
            kind = _choice(row["kind"], OrganisationKind.choices)
            if kind is None:
                result.errors.append((line, _("Unknown kind of organisation.")))
                continue
        region = None
        if row.get("region"):
            region = regions.get(row["region"].lower())
            if region is None:
                result.errors.append((line, _("Unknown region.")))
                continue
        prepared.append(
            {
                "name": name,
                "acronym": row.get("acronym", "")[:30],
                "kind": kind,
                "home_region": region,
                "network": row.get("network", "")[:100],
            }
        )
    if not rows:
        result.errors.append((1, _("No rows under the header.")))
    if result.errors:
        return result
    with transaction.atomic():
        for data in prepared:
            add_organisation(workshop=workshop, data=data)
    result.created = len(prepared)
    return result


def import_participants(*, workshop: Workshop, rows) -> ImportResult:
    """Columns: name, organisation, region, gender, role (all optional). All or nothing."""
    regions = {r.name.lower(): r for r in Region.objects.filter(country_id=workshop.country_id)}
    organisations = {}
    for organisation in workshop.organisations.all():
        organisations[organisation.name.lower()] = organisation
        if organisation.acronym:
            organisations[organisation.acronym.lower()] = organisation
    result, prepared = ImportResult(), []
    for line, row in rows:
        errors = []
        name = row.get("name", "") or row.get("display_name", "")
        if len(name) > 80:
            errors.append(_("The name is longer than 80 characters."))
        organisation = None
        if row.get("organisation"):
            organisation = organisations.get(row["organisation"].lower())
            if organisation is None:
                errors.append(_("Unknown organisation: add it to the workshop first."))
        region = None
        if row.get("region"):
            region = regions.get(row["region"].lower())
            if region is None:
                errors.append(_("Unknown region."))
        gender = ""
        if row.get("gender"):
            gender = Gender.parse(row["gender"])
            if not gender:
                errors.append(_("Unknown gender."))
        result.errors.extend((line, error) for error in errors)
        if not errors:
            prepared.append(
                Participant(
                    workshop=workshop,
                    display_name=name,
                    organisation=organisation,
                    organisation_kind=organisation.kind if organisation else "",
                    region=region,
                    gender=gender,
                    role=row.get("role", "")[:100],
                )
            )
    if not rows:
        result.errors.append((1, _("No rows under the header.")))
    if result.errors:
        return result
    with transaction.atomic():
        for participant in prepared:
            participant.save()
    result.created = len(prepared)
    return result


@transaction.atomic
def save_session(*, form, workshop: Workshop) -> BreakoutSession:
    session = form.save(commit=False)
    session.workshop = workshop
    if session.pk is None:
        last = workshop.sessions.aggregate(last=Max("order"))["last"]
        session.order = (last or 0) + 1
    session.save()
    form.save_m2m()
    return session


@transaction.atomic
def move_session(*, session: BreakoutSession, direction: str) -> None:
    """Swap the session with its neighbour in the agenda; orders are renumbered 1..n."""
    sessions = list(
        BreakoutSession.objects.select_for_update()
        .filter(workshop_id=session.workshop_id)
        .order_by("order", "starts_at", "pk")
    )
    index = next(i for i, s in enumerate(sessions) if s.pk == session.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(sessions):
        sessions[index], sessions[other] = sessions[other], sessions[index]
    for position, item in enumerate(sessions, start=1):
        if item.order != position:
            item.order = position
            item.save(update_fields=["order", "updated_at"])


SESSION_TRANSITIONS = {
    "open": SessionStatus.OPEN,
    "close": SessionStatus.CLOSED,
    "open_voting": SessionStatus.VOTING,
    "close_voting": SessionStatus.CLOSED,
}


@transaction.atomic
def set_session_status(*, session: BreakoutSession, action: str) -> BreakoutSession:
    session.status = SESSION_TRANSITIONS[action]
    session.save(update_fields=["status", "updated_at"])
    return session
