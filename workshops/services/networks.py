"""Writes on networks: organisations, staff and their grants, invitations by link.

Every change is recorded in ``NetworkChange`` (shown on the network page). An invitation
link carries a signed token of the invitation's key: it expires after
``settings.NETWORK_INVITATION_DAYS`` and is used once.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workshops.choices import OrganisationKind
from workshops.models import (
    Network,
    NetworkChange,
    NetworkInvitation,
    NetworkMembership,
    Organisation,
)

SALT = "workshops.network-invitation"


class InvitationInvalid(Exception):
    """The link is unknown, altered, expired or already used; the message says which."""


def _log(network, actor, action, detail=""):
    NetworkChange.objects.create(network=network, actor=actor, action=action, detail=detail[:300])


def _grants(is_administrator: bool, may_organise: bool) -> str:
    parts = []
    if is_administrator:
        parts.append(_("administrator"))
    if may_organise:
        parts.append(_("may organise workshops"))
    return ", ".join(parts) or _("member")


@transaction.atomic
def create_network(*, name: str, acronym: str, slug: str, administrator) -> Network:
    network = Network.objects.create(name=name, acronym=acronym, slug=slug)
    grant_membership(
        network=network, user=administrator, is_administrator=True, may_organise=True, actor=None
    )
    return network


@transaction.atomic
def add_organisation(
    *, network: Network, name: str, acronym: str, kind: str, country, actor
) -> Organisation:
    """A member organisation or a national office (kind "network") of ``network``."""
    organisation, _created = Organisation.objects.get_or_create(
        name=name,
        defaults={"acronym": acronym, "kind": kind, "network": network.acronym or network.name},
    )
    organisation.member_of = network
    organisation.country = country
    organisation.save(update_fields=["member_of", "country"])
    label = _("national office") if kind == OrganisationKind.NETWORK else _("member organisation")
    _log(
        network,
        actor,
        NetworkChange.Action.ORGANISATION_ADDED,
        f"{organisation.name} ({label}, {country})",
    )
    return organisation


@transaction.atomic
def grant_membership(
    *, network: Network, user, is_administrator: bool, may_organise: bool, actor
) -> NetworkMembership:
    membership, _created = NetworkMembership.objects.update_or_create(
        network=network,
        user=user,
        defaults={"is_administrator": is_administrator, "may_organise": may_organise},
    )
    _log(
        network,
        actor,
        NetworkChange.Action.MEMBERSHIP_GRANTED,
        f"{user.get_username()}: {_grants(is_administrator, may_organise)}",
    )
    return membership


@transaction.atomic
def revoke_membership(*, membership: NetworkMembership, actor) -> None:
    network, username = membership.network, membership.user.get_username()
    membership.delete()
    _log(network, actor, NetworkChange.Action.MEMBERSHIP_REVOKED, username)


def invitation_token(invitation: NetworkInvitation) -> str:
    return signing.dumps(invitation.key, salt=SALT)


@transaction.atomic
def invite(
    *, network: Network, email: str, is_administrator: bool, may_organise: bool, actor, accept_url
) -> NetworkInvitation:
    """Create the invitation and email its link (console in development, SMTP in production).

    ``accept_url`` builds the absolute link from the token.
    """
    invitation = NetworkInvitation.objects.create(
        network=network,
        email=email,
        key=secrets.token_urlsafe(32),
        is_administrator=is_administrator,
        may_organise=may_organise,
        invited_by=actor,
    )
    _log(
        network,
        actor,
        NetworkChange.Action.INVITATION_SENT,
        f"{email}: {_grants(is_administrator, may_organise)}",
    )
    link = accept_url(invitation_token(invitation))
    invitation.link = link
    transaction.on_commit(
        lambda: send_mail(
            _("Invitation to %(network)s on Peace Exchange") % {"network": network},
            _(
                "You are invited to join %(network)s on Peace Exchange. Open this link to "
                "choose your username and password (valid %(days)d days, once):\n\n%(link)s\n"
            )
            % {"network": network, "days": settings.NETWORK_INVITATION_DAYS, "link": link},
            None,
            [email],
            fail_silently=True,
        )
    )
    return invitation


def invitation_for_token(token: str) -> NetworkInvitation:
    """The open invitation a link's token names; ``InvitationInvalid`` otherwise."""
    try:
        key = signing.loads(token, salt=SALT, max_age=settings.NETWORK_INVITATION_DAYS * 86400)
    except signing.SignatureExpired:
        raise InvitationInvalid(_("This invitation has expired. Ask for a new one.")) from None
    except signing.BadSignature:
        raise InvitationInvalid(_("This invitation link is not valid.")) from None
    invitation = NetworkInvitation.objects.select_related("network").filter(key=key).first()
    if invitation is None:
        raise InvitationInvalid(_("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise InvitationInvalid(_("This invitation has already been used."))
    return invitation


@transaction.atomic
def accept_invitation(*, token: str, username: str, password: str):
    """Create the account and its membership; the link cannot be used again."""
    invitation = invitation_for_token(token)
    invitation = NetworkInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None:
        raise InvitationInvalid(_("This invitation has already been used."))
    user = get_user_model().objects.create_user(
        username=username, email=invitation.email, password=password
    )
    NetworkMembership.objects.create(
        network=invitation.network,
        user=user,
        is_administrator=invitation.is_administrator,
        may_organise=invitation.may_organise,
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _log(invitation.network, user, NetworkChange.Action.INVITATION_ACCEPTED, username)
    return user


@transaction.atomic
def set_reference_document(*, network: Network, document, actor) -> None:
    """Store (``document``, an uploaded .docx) or remove (None) the network's reference
    Word document; the old file is deleted; the change is logged."""
    old = network.reference_document.name
    if document is not None:
        network.reference_document.save(document.name, document, save=False)
    else:
        network.reference_document = ""
    network.save(update_fields=["reference_document"])
    if old and old != network.reference_document.name:
        transaction.on_commit(lambda: network.reference_document.storage.delete(old))
    _log(
        network,
        actor,
        NetworkChange.Action.REFERENCE_DOCUMENT,
        _("uploaded") if document is not None else _("removed"),
    )
