"""Follow-up of a workshop's recommendations: to whom each is addressed, who in the network
follows it, where it stands, and dated updates with links to evidence.

A recommendation is a ``Contribution`` of category "recommendation"; its follow-up is kept
beside it (``RecommendationFollowUp``, made on the first change). A workshop may share its
follow-up with partners through one unguessable link at a time (``FollowUpShare``), which
staff revoke or replace. Every change is recorded in ``FollowUpChange``, the workshop's
follow-up log (as the network change log).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from workshops.choices import Category
from workshops.models.core import Contribution, Workshop
from workshops.validators import validate_safe_text

MAX_EVIDENCE_LINKS = 10
MAX_LINK_LENGTH = 500


def validate_evidence_links(value) -> None:
    """A list of at most ``MAX_EVIDENCE_LINKS`` web addresses (http or https)."""
    if not isinstance(value, list):
        raise ValidationError(_("Evidence links must be a list of web addresses."))
    if len(value) > MAX_EVIDENCE_LINKS:
        raise ValidationError(
            _("Give at most %(n)d evidence links.") % {"n": MAX_EVIDENCE_LINKS},
            code="too_many_links",
        )
    check = URLValidator(schemes=["http", "https"])
    for link in value:
        if not isinstance(link, str) or len(link) > MAX_LINK_LENGTH:
            raise ValidationError(_("An evidence link is too long."), code="link_too_long")
        try:
            check(link)
        except ValidationError:
            raise ValidationError(
                _("“%(link)s” is not a web address (it starts with https:// or http://)."),
                code="invalid_link",
                params={"link": link[:80]},
            ) from None


def new_share_token() -> str:
    return secrets.token_urlsafe(32)


class Addressee(models.TextChoices):
    NATIONAL_GOVERNMENT = "national_government", _("National government")
    DONORS = "donors", _("Donors")
    UN_MISSION = "un_mission", _("UN mission")
    REGIONAL_BODIES = "regional_bodies", _("Regional bodies (ECOWAS, African Union)")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    OTHER = "other", pgettext_lazy("addressee", "Other")


class FollowUpStatus(models.TextChoices):
    NOT_STARTED = "not_started", pgettext_lazy("follow-up status", "Not started")
    IN_PROGRESS = "in_progress", pgettext_lazy("follow-up status", "In progress")
    ACHIEVED = "achieved", pgettext_lazy("follow-up status", "Achieved")
    DROPPED = "dropped", pgettext_lazy("follow-up status", "Dropped")


class RecommendationFollowUp(models.Model):
    """Where one recommendation of a workshop stands after the workshop."""

    Addressee = Addressee
    Status = FollowUpStatus

    recommendation = models.OneToOneField(
        Contribution,
        on_delete=models.CASCADE,
        related_name="followup",
        limit_choices_to={"category": Category.RECOMMENDATION},
        verbose_name=_("recommendation"),
    )
    addressee = models.CharField(
        _("addressed to"), max_length=30, choices=Addressee.choices, blank=True
    )
    followed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followed_recommendations",
        verbose_name=_("followed by"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("recommendation follow-up")
        verbose_name_plural = _("recommendation follow-ups")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=FollowUpStatus.values), name="followup_valid_status"
            ),
            models.CheckConstraint(
                condition=Q(addressee__in=[*Addressee.values, ""]),
                name="followup_valid_addressee",
            ),
        ]

    def __str__(self) -> str:
        return self.get_status_display()


class FollowUpUpdate(models.Model):
    """A dated note on a recommendation's follow-up, with links to evidence."""

    followup = models.ForeignKey(
        RecommendationFollowUp, on_delete=models.CASCADE, related_name="updates"
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    text = models.TextField(_("what happened"), validators=[validate_safe_text])
    evidence = models.JSONField(
        _("evidence links"), default=list, blank=True, validators=[validate_evidence_links]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("follow-up update")
        verbose_name_plural = _("follow-up updates")
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="followup_update_has_text"),
        ]

    def __str__(self) -> str:
        return str(self.date)


class FollowUpShare(models.Model):
    """The link that shows a workshop's follow-up to partners, read-only and without names.

    One link is active at a time (``revoked_at`` empty); replacing it revokes the old one.
    """

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="followup_shares")
    token = models.CharField(max_length=64, unique=True, default=new_share_token, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("follow-up link")
        verbose_name_plural = _("follow-up links")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop"],
                condition=Q(revoked_at=None),
                name="followup_one_active_share",
            ),
        ]

    def __str__(self) -> str:
        return str(self.created_at)


class FollowUpChange(models.Model):
    """The workshop's follow-up log: who changed what, and when (never the update's text)."""

    class Action(models.TextChoices):
        FOLLOW_UP_CHANGED = "followup_changed", _("Follow-up changed")
        UPDATE_ADDED = "update_added", _("Update added")
        LINK_CREATED = "link_created", _("Sharing link created")
        LINK_REPLACED = "link_replaced", _("Sharing link replaced")
        LINK_REVOKED = "link_revoked", _("Sharing link revoked")

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="followup_changes"
    )
    recommendation = models.ForeignKey(
        Contribution, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=30, choices=Action.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("follow-up change")
        verbose_name_plural = _("follow-up changes")

    def __str__(self) -> str:
        return self.get_action_display()
