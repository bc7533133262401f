"""Networks: a peacebuilding network (e.g. WANEP) with national offices and member organisations.

A network's administrators add organisations and staff and grant who may organise workshops.
A national office is an ``Organisation`` of kind "network" with ``network`` set and a country;
the programme view reads every workshop organised by one of the network's organisations.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from workshops.validators import validate_reference_docx, validate_safe_text


class Network(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True, validators=[validate_safe_text])
    acronym = models.CharField(
        _("acronym"), max_length=30, blank=True, validators=[validate_safe_text]
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="NetworkMembership",
        related_name="staff_networks",
        blank=True,
    )
    reference_document = models.FileField(
        _("reference Word document"),
        upload_to="networks/reference/",
        blank=True,
        validators=[validate_reference_docx],
        help_text=_(
            "A .docx whose styles, header and footer (a logo, for instance) the Word exports "
            "of the network's workshops use."
        ),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self) -> str:
        return self.acronym or self.name


class NetworkMembership(models.Model):
    """A person's standing in a network: administrator, and whether they may organise workshops."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="network_memberships"
    )
    is_administrator = models.BooleanField(
        _("network administrator"),
        default=False,
        help_text=_("Adds organisations and staff, and grants who may organise workshops."),
    )
    may_organise = models.BooleanField(
        _("may organise workshops"),
        default=False,
        help_text=_("May create workshops in the name of the network's organisations."),
    )

    class Meta:
        verbose_name = _("network member")
        verbose_name_plural = _("network members")
        constraints = [
            models.UniqueConstraint(fields=["network", "user"], name="network_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.network} · {self.user}"


class NetworkInvitation(models.Model):
    """An invitation to join a network's staff, sent by link (signed, expiring, single use).

    The link carries a signed token of this row's ``key``; accepting it once sets
    ``accepted_at`` and creates the account and its ``NetworkMembership``.
    """

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email"))
    key = models.CharField(max_length=64, unique=True, editable=False)
    is_administrator = models.BooleanField(_("network administrator"), default=False)
    may_organise = models.BooleanField(_("may organise workshops"), default=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("network invitation")
        verbose_name_plural = _("network invitations")

    def __str__(self) -> str:
        return f"{self.network} · {self.email}"


class NetworkChange(models.Model):
    """The network's change log: who granted, revoked, added or invited what, and when."""

    class Action(models.TextChoices):
        ORGANISATION_ADDED = "organisation_added", _("Organisation added")
        MEMBERSHIP_GRANTED = "membership_granted", _("Membership granted or changed")
        MEMBERSHIP_REVOKED = "membership_revoked", _("Membership revoked")
        INVITATION_SENT = "invitation_sent", _("Invitation sent")
        INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
        REFERENCE_DOCUMENT = "reference_document", _("Reference Word document changed")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("network change")
        verbose_name_plural = _("network changes")

    def __str__(self) -> str:
        return f"{self.network} · {self.get_action_display()}"
