"""Other sources of a workshop: survey uploads, region aliases, ACLED events, interviews."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workshops.choices import Gender, OrganisationKind
from workshops.models.core import Participant, Region, TimeStamped, Workshop, Zone
from workshops.validators import validate_safe_text


class ImportUpload(models.Model):
    """An uploaded file kept between the upload and the import step, then deleted."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="import_uploads")
    filename = models.CharField(_("file name"), max_length=200)
    data = models.BinaryField(_("content"))
    # The survey's form (XLSForm .xlsx), when uploaded beside it: better guesses.
    xlsform = models.BinaryField(_("form (XLSForm)"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="import_uploads",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("uploaded file")
        verbose_name_plural = _("uploaded files")

    def __str__(self) -> str:
        return self.filename


class SurveyMapping(models.Model):
    """The last mapping chosen for one survey form, offered at its next import.

    A form is known by its set of columns (``form_key``) or by a form version
    (``__version__`` of KoboToolbox, ``FormVersion`` of ODK Central) seen before.
    """

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="survey_mappings")
    form_key = models.CharField(_("form key"), max_length=64)
    versions = models.JSONField(_("form versions"), default=list, blank=True)
    mapping = models.JSONField(_("mapping"), default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("survey mapping")
        verbose_name_plural = _("survey mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "form_key"], name="survey_mapping_unique_form"
            ),
        ]

    def __str__(self) -> str:
        return self.form_key


def normalise_place(value: str) -> str:
    """A spelling-insensitive key for place names: no case, accents, spaces or dashes."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    return "".join(ch for ch in decomposed.casefold() if ch.isalnum())


class RegionAlias(models.Model):
    """Another spelling of a region used by a source (e.g. Timbuktu for Tombouctou)."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="region_aliases")
    alias = models.CharField(_("spelling"), max_length=100, validators=[validate_safe_text])
    key = models.CharField(max_length=100, editable=False)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="aliases", verbose_name=_("region")
    )

    class Meta:
        ordering = ["alias"]
        verbose_name = _("region spelling")
        verbose_name_plural = _("region spellings")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "key"], name="region_alias_unique_key"),
            models.CheckConstraint(condition=~Q(key=""), name="region_alias_has_key"),
        ]

    def __str__(self) -> str:
        return self.alias

    def save(self, *args, **kwargs) -> None:
        self.key = normalise_place(self.alias)
        super().save(*args, **kwargs)


class AcledEvent(models.Model):
    """One conflict event from the user's own ACLED export (we never ship ACLED data)."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="acled_events")
    event_id_cnty = models.CharField(_("ACLED event id"), max_length=30)
    event_date = models.DateField(_("date"))
    year = models.PositiveSmallIntegerField(_("year"))
    disorder_type = models.CharField(_("disorder type"), max_length=80, blank=True)
    event_type = models.CharField(_("event type"), max_length=80)
    sub_event_type = models.CharField(_("sub-event type"), max_length=80, blank=True)
    actor1 = models.CharField(_("actor 1"), max_length=200, blank=True)
    actor2 = models.CharField(_("actor 2"), max_length=200, blank=True)
    inter1 = models.CharField(_("actor 1 type"), max_length=60, blank=True)
    inter2 = models.CharField(_("actor 2 type"), max_length=60, blank=True)
    interaction = models.CharField(_("interaction"), max_length=120, blank=True)
    civilian_targeting = models.BooleanField(_("civilians targeted"), default=False)
    country = models.CharField(_("country"), max_length=80, blank=True)
    admin1 = models.CharField(_("admin1"), max_length=100, blank=True)
    admin2 = models.CharField(_("admin2"), max_length=100, blank=True)
    location = models.CharField(_("location"), max_length=150, blank=True)
    fatalities = models.PositiveIntegerField(_("fatalities"), default=0)
    timestamp = models.BigIntegerField(_("ACLED timestamp"), default=0)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="acled_events", null=True, blank=True
    )
    zone = models.ForeignKey(
        Zone, on_delete=models.RESTRICT, related_name="acled_events", null=True, blank=True
    )

    class Meta:
        ordering = ["-event_date", "event_id_cnty"]
        verbose_name = _("ACLED event")
        verbose_name_plural = _("ACLED events")
        indexes = [models.Index(fields=["workshop", "zone", "year"], name="acled_zone_year")]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "event_id_cnty"], name="acled_event_unique_per_workshop"
            ),
        ]

    def __str__(self) -> str:
        return self.event_id_cnty


class Interview(TimeStamped):
    """An in-depth interview: who was heard (pseudonymously) and the notes taken."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="interviews")
    date = models.DateField(_("date"))
    pseudonym = models.CharField(
        _("pseudonym"),
        max_length=80,
        help_text=_("Never the person's real name."),
        validators=[validate_safe_text],
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="interviews",
        null=True,
        blank=True,
        verbose_name=_("region"),
    )
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, blank=True)
    organisation_kind = models.CharField(
        _("kind of organisation"), max_length=20, choices=OrganisationKind.choices, blank=True
    )
    interviewer = models.CharField(
        _("interviewer"), max_length=120, blank=True, validators=[validate_safe_text]
    )
    consent_noted = models.BooleanField(
        _("consent noted"),
        default=False,
        help_text=_("The person agreed that what they said may be used, anonymously."),
    )
    notes = models.TextField(_("notes"), blank=True, validators=[validate_safe_text])
    # The person heard, as one voice: the author of every passage coded from the notes.
    # Kept in sync with the region, gender and kind of organisation above.
    voice = models.OneToOneField(
        Participant,
        on_delete=models.SET_NULL,
        related_name="interview",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("voice"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="interviews",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(gender__in=[*Gender.values, ""]), name="interview_valid_gender"
            ),
        ]

    def __str__(self) -> str:
        return self.pseudonym
