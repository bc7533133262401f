"""The workshop domain: reference data, workshops, people, sessions, contributions."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from workshops.choices import (
    Audience,
    Category,
    Gender,
    Horizon,
    Language,
    ModerationStatus,
    OrganisationKind,
    SessionKind,
    SessionStatus,
    Source,
    StaffRole,
    VoiceKind,
    WorkshopStatus,
)
from workshops.validators import fold, validate_safe_text

# Unambiguous alphabet for codes read aloud or typed on a phone: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
JOIN_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
JOIN_CODE_LENGTH = 6


def generate_join_code(length: int = JOIN_CODE_LENGTH) -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(length))


def normalise_join_code(value: str) -> str:
    """Codes are case-insensitive; spaces and dashes people type are ignored."""
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


def generate_public_id() -> str:
    return secrets.token_hex(6)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class BilingualName(models.Model):
    """Reference data shown in French and English (zones, themes)."""

    name = models.CharField(_("name (English)"), max_length=120, validators=[validate_safe_text])
    name_fr = models.CharField(
        _("name (French)"), max_length=120, blank=True, validators=[validate_safe_text]
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label()

    def label(self, language: str | None = None) -> str:
        language = (language or get_language() or "en")[:2]
        if language == "fr" and self.name_fr:
            return self.name_fr
        return self.name


# --- Reference data --------------------------------------------------------------


class Country(models.Model):
    code = models.CharField(_("ISO code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_fr = models.CharField(_("name (French)"), max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.name

    def label(self, language: str | None = None) -> str:
        language = (language or get_language() or "en")[:2]
        return self.name_fr if language == "fr" and self.name_fr else self.name


class Region(models.Model):
    """A first-level division of a country (reference data); a workshop puts it in a zone."""

    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="regions", verbose_name=_("country")
    )
    name = models.CharField(_("name"), max_length=100)
    name_fr = models.CharField(_("name (French)"), max_length=100, blank=True)
    code = models.CharField(_("ISO 3166-2 code"), max_length=6, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["country", "order", "name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "name"], name="region_unique_name_per_country"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def label(self, language: str | None = None) -> str:
        language = (language or get_language() or "en")[:2]
        return self.name_fr if language == "fr" and self.name_fr else self.name


class Organisation(TimeStamped):
    name = models.CharField(_("name"), max_length=200, unique=True, validators=[validate_safe_text])
    acronym = models.CharField(
        _("acronym"), max_length=30, blank=True, validators=[validate_safe_text]
    )
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=OrganisationKind.choices,
        default=OrganisationKind.GRASSROOTS,
    )
    home_region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="organisations",
        null=True,
        blank=True,
        verbose_name=_("home region"),
    )
    network = models.CharField(
        _("network membership"),
        max_length=100,
        blank=True,
        help_text=_("The peacebuilding network it belongs to, e.g. WANEP."),
        validators=[validate_safe_text],
    )
    member_of = models.ForeignKey(
        "workshops.Network",
        on_delete=models.PROTECT,
        related_name="organisations",
        null=True,
        blank=True,
        verbose_name=_("network"),
        help_text=_("The network this organisation or national office belongs to."),
    )
    country = models.ForeignKey(
        Country,
        on_delete=models.PROTECT,
        related_name="organisations",
        null=True,
        blank=True,
        verbose_name=_("country"),
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="OrganisationMembership",
        related_name="staff_organisations",
        blank=True,
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.acronym or self.name


class OrganisationMembership(models.Model):
    """Site staff of a network: they hold ``role`` in every workshop the network organises."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_memberships"
    )
    role = models.CharField(
        _("role"), max_length=20, choices=StaffRole.choices, default=StaffRole.VIEWER
    )

    class Meta:
        verbose_name = _("organisation staff member")
        verbose_name_plural = _("organisation staff members")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="organisation_membership_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role}"


class ThemeQuerySet(models.QuerySet):
    def for_workshop(self, workshop) -> ThemeQuerySet:
        """The shared library's themes and the workshop's own."""
        return self.filter(Q(workshop=None) | Q(workshop=workshop))


class Theme(BilingualName):
    """A theme from the shared library (no workshop) or specific to one workshop."""

    slug = models.SlugField(_("slug"), max_length=80)
    workshop = models.ForeignKey(
        "Workshop",
        on_delete=models.CASCADE,
        related_name="own_themes",
        null=True,
        blank=True,
        verbose_name=_("workshop"),
        help_text=_("Empty for a theme of the shared library."),
    )
    description = models.TextField(_("description"), blank=True, validators=[validate_safe_text])

    objects = ThemeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            models.UniqueConstraint(
                fields=["slug"], condition=Q(workshop=None), name="theme_unique_library_slug"
            ),
            models.UniqueConstraint(
                fields=["workshop", "slug"],
                condition=Q(workshop__isnull=False),
                name="theme_unique_workshop_slug",
            ),
        ]


# --- Workshops ---------------------------------------------------------------------


class Workshop(TimeStamped):
    title = models.CharField(_("title"), max_length=200, validators=[validate_safe_text])
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    location = models.CharField(
        _("location"), max_length=200, blank=True, validators=[validate_safe_text]
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    country = models.ForeignKey(
        Country, on_delete=models.PROTECT, related_name="workshops", verbose_name=_("country")
    )
    languages = models.JSONField(
        _("languages"), default=list, help_text=_("Languages offered to participants.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=WorkshopStatus.choices, default=WorkshopStatus.DRAFT
    )
    join_code = models.CharField(
        _("join code"), max_length=12, unique=True, default=generate_join_code, editable=False
    )
    organiser = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="organised_workshops",
        verbose_name=_("organising organisation"),
    )
    organisations = models.ManyToManyField(
        Organisation,
        related_name="workshops",
        blank=True,
        verbose_name=_("participating organisations"),
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="WorkshopMembership", related_name="staff_workshops"
    )
    premoderation = models.BooleanField(
        _("pre-moderation"),
        default=False,
        help_text=_("Contributions from phones wait for a facilitator before they are shown."),
    )
    dots_per_participant = models.PositiveSmallIntegerField(_("votes per participant"), default=5)
    retention_until = models.DateField(
        _("keep data until"),
        null=True,
        blank=True,
        help_text=_("After this date personal data of participants is deleted."),
    )
    participants_at_risk = models.BooleanField(
        _("participants at risk"),
        default=False,
        help_text=_(
            "Staff must sign in with a second factor before they export or read contributions "
            "row by row."
        ),
    )

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("workshop")
        verbose_name_plural = _("workshops")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="workshop_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(dots_per_participant__gte=1) & Q(dots_per_participant__lte=20),
                name="workshop_dots_between_1_and_20",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("workshops:workshop", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The workshop cannot end before it starts.")})
        self.join_code = normalise_join_code(self.join_code)

    @property
    def is_live(self) -> bool:
        return self.status == WorkshopStatus.LIVE

    def join_url(self) -> str:
        return reverse("participant:join_code", kwargs={"code": self.join_code})

    def zones_by_region(self) -> dict[int, Zone]:
        """Region id → zone of this workshop's grouping (one query, then kept on the object)."""
        cached = self.__dict__.get("_zones_by_region")
        if cached is None:
            cached = self.__dict__["_zones_by_region"] = {
                link.region_id: link.zone
                for link in ZoneRegion.objects.filter(workshop=self).select_related("zone")
            }
        return cached

    @staticmethod
    def prime_zones(workshops) -> None:
        """Read the groupings of several workshops in one query (``zones_by_region``)."""
        missing = {w.pk: w for w in workshops if "_zones_by_region" not in w.__dict__}
        if not missing:
            return
        for workshop in missing.values():
            workshop.__dict__["_zones_by_region"] = {}
        for link in ZoneRegion.objects.filter(workshop__in=list(missing)).select_related("zone"):
            missing[link.workshop_id].__dict__["_zones_by_region"][link.region_id] = link.zone

    def zone_of(self, region: Region | None) -> Zone | None:
        """The zone this workshop puts ``region`` in (None: no region, or not grouped)."""
        return self.zones_by_region().get(region.pk) if region is not None else None

    def zone_id_of(self, region_id: int | None) -> int | None:
        zone = self.zones_by_region().get(region_id) if region_id else None
        return zone.pk if zone is not None else None

    def forget_zones(self) -> None:
        """Drop the cached grouping (after the organiser regrouped the regions)."""
        self.__dict__.pop("_zones_by_region", None)


class Zone(BilingualName):
    """A comparison zone of one workshop (e.g. North / Centre / South Mali): the organiser
    groups the regions of the workshop's country into its zones (``ZoneRegion``)."""

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="zones", verbose_name=_("workshop")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    regions = models.ManyToManyField(
        Region, through="ZoneRegion", related_name="zones", verbose_name=_("regions")
    )

    class Meta:
        ordering = ["workshop_id", "order", "name"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "name"], name="zone_unique_name_per_workshop"
            ),
        ]


class ZoneRegion(models.Model):
    """A region of the workshop's country in one of the workshop's zones (one zone at most).

    ``workshop`` repeats the zone's, so that the database keeps a region in one zone per
    workshop; ``clean()`` and ``services.zones`` keep both the same."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="zone_regions")
    zone = models.ForeignKey(Zone, on_delete=models.CASCADE, related_name="zone_regions")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="zone_regions")

    class Meta:
        verbose_name = _("region of a zone")
        verbose_name_plural = _("regions of zones")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "region"], name="zone_region_one_zone_per_workshop"
            ),
        ]

    def __str__(self) -> str:
        return str(self.region_id)

    def clean(self) -> None:
        errors = {}
        if self.zone_id and self.workshop_id and self.zone.workshop_id != self.workshop_id:
            errors["zone"] = _("The zone belongs to another workshop.")
        if (
            self.region_id
            and self.workshop_id
            and self.region.country_id != self.workshop.country_id
        ):
            errors["region"] = _("The region must belong to the workshop's country.")
        if errors:
            raise ValidationError(errors)


class WorkshopMembership(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workshop_memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=StaffRole.choices)

    class Meta:
        verbose_name = _("workshop staff member")
        verbose_name_plural = _("workshop staff members")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "user"], name="workshop_membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=StaffRole.values), name="workshop_membership_valid_role"
            ),
        ]

    def __str__(self) -> str:
        return self.get_role_display()


class ParticipantQuerySet(models.QuerySet):
    def for_token(self, token: str) -> ParticipantQuerySet:
        return self.filter(token_hash=hash_token(token))

    def with_zone(self) -> ParticipantQuerySet:
        """Annotate ``zone_in_workshop``: the zone of the region in the workshop's grouping,
        read in the same query (a phone's send then needs no lookup of its own)."""
        return self.annotate(
            zone_in_workshop=Subquery(
                ZoneRegion.objects.filter(
                    workshop_id=OuterRef("workshop_id"), region_id=OuterRef("region_id")
                ).values("zone_id")[:1]
            )
        )

    def in_the_room(self) -> ParticipantQuerySet:
        """Workshop participants, without survey respondents and interviewees."""
        return self.filter(kind=VoiceKind.PARTICIPANT)


class Participant(TimeStamped):
    """A person taking part, without an account. Everything but the token is optional."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    public_id = models.CharField(
        _("public id"), max_length=16, unique=True, default=generate_public_id, editable=False
    )
    display_name = models.CharField(
        _("display name"), max_length=80, blank=True, validators=[validate_safe_text]
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="participants",
        null=True,
        blank=True,
        verbose_name=_("organisation"),
    )
    organisation_kind = models.CharField(
        _("kind of organisation"), max_length=20, choices=OrganisationKind.choices, blank=True
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="participants",
        null=True,
        blank=True,
        verbose_name=_("region"),
    )
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, blank=True)
    role = models.CharField(_("role"), max_length=100, blank=True, validators=[validate_safe_text])
    language = models.CharField(_("language"), max_length=5, blank=True)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    # Hash of the consent form's one-time key: a retried consent finds this participant.
    consent_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    # A voice: one person whose words are counted once. Workshop participants join in the
    # room; survey respondents (one per submission) and interviewees come from the sources.
    kind = models.CharField(
        _("kind of voice"), max_length=12, choices=VoiceKind.choices, default=VoiceKind.PARTICIPANT
    )
    external_id = models.CharField(
        _("id in its source"),
        max_length=100,
        blank=True,
        help_text=_("A survey submission's id (_uuid, instanceID), so a re-import adds no one."),
    )

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.CheckConstraint(
                condition=Q(gender__in=[*Gender.values, ""]), name="participant_valid_gender"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=VoiceKind.values), name="participant_valid_kind"
            ),
            models.UniqueConstraint(
                fields=["workshop", "external_id"],
                condition=~Q(external_id=""),
                name="participant_unique_external_id",
            ),
            models.UniqueConstraint(
                fields=["workshop", "consent_key"],
                condition=~Q(consent_key=""),
                name="participant_unique_consent_key",
            ),
            # Only people in the room hold a device token.
            models.CheckConstraint(
                condition=Q(kind=VoiceKind.PARTICIPANT) | Q(token_hash__isnull=True),
                name="participant_token_only_in_the_room",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or f"#{self.public_id}"

    def issue_token(self) -> str:
        """Give this participant a fresh device token; only its hash is stored."""
        token = secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        return token

    @property
    def zone_id(self) -> int | None:
        """The zone of the participant's region in the workshop's grouping."""
        if "zone_in_workshop" in self.__dict__:  # ParticipantQuerySet.with_zone()
            return self.zone_in_workshop
        return self.workshop.zone_id_of(self.region_id)


class BreakoutSession(TimeStamped):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200, validators=[validate_safe_text])
    kind = models.CharField(
        _("kind"), max_length=10, choices=SessionKind.choices, default=SessionKind.BREAKOUT
    )
    guiding_question = models.TextField(
        _("guiding question"), blank=True, validators=[validate_safe_text]
    )
    focus = models.JSONField(
        _("focus"), default=list, blank=True, help_text=_("Categories this session collects.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    participants = models.ManyToManyField(
        Participant, related_name="sessions", blank=True, verbose_name=_("participants")
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="assigned_sessions",
        blank=True,
        verbose_name=_("staff"),
    )

    class Meta:
        ordering = ["workshop", "order", "starts_at", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | Q(starts_at__isnull=True)
                | Q(ends_at__gt=F("starts_at")),
                name="session_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status__in=SessionStatus.values), name="session_valid_status"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("A session must end after it starts.")})
        unknown = set(self.focus or []) - set(Category.values)
        if unknown:
            raise ValidationError({"focus": _("Unknown category in the focus.")})

    @property
    def accepts_contributions(self) -> bool:
        return self.status == SessionStatus.OPEN

    @property
    def default_category(self) -> str:
        return self.focus[0] if self.focus else Category.OBSERVATION


class ContributionQuerySet(models.QuerySet):
    def published(self) -> ContributionQuerySet:
        return self.filter(status=ModerationStatus.PUBLISHED)

    def countable(self) -> ContributionQuerySet:
        """What analysis counts: published, or pending where no one moderates."""
        return self.exclude(status__in=[ModerationStatus.HIDDEN, ModerationStatus.MERGED])


class Contribution(TimeStamped):
    # No index of their own: the indexes in Meta begin with these columns. (Every
    # index is one more write on each phone's send.)
    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="contributions", db_index=False
    )
    session = models.ForeignKey(
        BreakoutSession,
        on_delete=models.CASCADE,
        related_name="contributions",
        null=True,
        blank=True,
        verbose_name=_("session"),
        db_index=False,
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    horizon = models.CharField(
        _("driver horizon"), max_length=10, choices=Horizon.choices, blank=True
    )
    audience = models.CharField(_("audience"), max_length=15, choices=Audience.choices, blank=True)
    text = models.TextField(_("text"), validators=[validate_safe_text])
    # The text folded (validators.fold): the board's search, accent- and case-insensitive on
    # SQLite and PostgreSQL alike, in the one query that lists the board.
    search_text = models.TextField(editable=False, default="")
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.FRENCH
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    author = models.ForeignKey(
        Participant,
        on_delete=models.SET_NULL,
        related_name="contributions",
        null=True,
        blank=True,
        verbose_name=_("author"),
    )
    # Snapshot of the author's demographics when they spoke: analysis must not
    # change when a participant later edits the profile.
    zone = models.ForeignKey(
        Zone,
        on_delete=models.RESTRICT,  # a zone goes with its workshop, not alone
        related_name="contributions",
        null=True,
        blank=True,
        verbose_name=_("zone"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="contributions",
        null=True,
        blank=True,
        verbose_name=_("region"),
    )
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices, blank=True)
    themes = models.ManyToManyField(
        Theme, related_name="contributions", blank=True, verbose_name=_("themes")
    )
    quotable = models.BooleanField(_("may be quoted anonymously"), default=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ModerationStatus.choices,
        default=ModerationStatus.PUBLISHED,
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="merged",
        null=True,
        blank=True,
        verbose_name=_("merged into"),
    )
    client_id = models.CharField(
        _("client id"),
        max_length=100,
        help_text=_("Generated by the sender so that a repeated send is stored once."),
    )
    interview = models.ForeignKey(
        "Interview",
        on_delete=models.SET_NULL,
        related_name="contributions",
        null=True,
        blank=True,
        verbose_name=_("interview"),
        help_text=_("The interview this passage was coded from."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="captured_contributions",
        null=True,
        blank=True,
        verbose_name=_("captured by"),
    )

    # History keeps who changed what kind of thing and when, never the words: a withdrawn or
    # edited wording must not be recoverable from any table (docs/participant.md).
    history = HistoricalRecords(excluded_fields=["updated_at", "search_text", "text"])
    objects = ContributionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        indexes = [
            models.Index(fields=["workshop", "-created_at"], name="contribution_recent"),
            models.Index(fields=["workshop", "category", "status"], name="contribution_category"),
            models.Index(fields=["session", "-created_at"], name="contribution_session_recent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "client_id"], name="contribution_unique_client_id"
            ),
            models.CheckConstraint(condition=~Q(client_id=""), name="contribution_has_client_id"),
            models.CheckConstraint(condition=~Q(text=""), name="contribution_has_text"),
            models.CheckConstraint(
                condition=Q(category=Category.DRIVER) | Q(horizon=""),
                name="contribution_horizon_only_for_drivers",
            ),
            models.CheckConstraint(
                condition=Q(horizon__in=[*Horizon.values, ""]),
                name="contribution_valid_horizon",
            ),
            models.CheckConstraint(
                condition=Q(category=Category.RECOMMENDATION) | Q(audience=""),
                name="contribution_audience_only_for_recommendations",
            ),
            models.CheckConstraint(
                condition=Q(audience__in=[*Audience.values, ""]),
                name="contribution_valid_audience",
            ),
            models.CheckConstraint(
                condition=Q(category__in=Category.values), name="contribution_valid_category"
            ),
            models.CheckConstraint(
                condition=Q(source__in=Source.values), name="contribution_valid_source"
            ),
            models.CheckConstraint(
                condition=Q(gender__in=[*Gender.values, ""]), name="contribution_valid_gender"
            ),
            models.CheckConstraint(
                condition=(Q(status=ModerationStatus.MERGED) & Q(merged_into__isnull=False))
                | (~Q(status=ModerationStatus.MERGED) & Q(merged_into__isnull=True)),
                name="contribution_merged_iff_target",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=F("pk")), name="contribution_not_merged_into_itself"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]

    def save(self, *args, **kwargs):
        self.refresh_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "text" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    # The horizon/audience rule (also in the database: see the constraints above).
    @staticmethod
    def takes_horizon(category: str) -> bool:
        """Only a driver of conflict has a horizon."""
        return category == Category.DRIVER

    @staticmethod
    def takes_audience(category: str) -> bool:
        """Only a recommendation has an audience."""
        return category == Category.RECOMMENDATION

    @classmethod
    def kept_details(
        cls, category: str, horizon: str | None = "", audience: str | None = ""
    ) -> tuple[str, str]:
        """The horizon and audience a contribution of ``category`` keeps; others are dropped."""
        return (
            (horizon or "") if cls.takes_horizon(category) else "",
            (audience or "") if cls.takes_audience(category) else "",
        )

    @classmethod
    def detail_errors(cls, category: str, horizon: str, audience: str) -> dict[str, str]:
        """Friendly messages for a horizon or audience given to the wrong category."""
        errors = {}
        if horizon and not cls.takes_horizon(category):
            errors["horizon"] = _("Only a driver of conflict has a horizon.")
        if audience and not cls.takes_audience(category):
            errors["audience"] = _("Only a recommendation has an audience.")
        return errors

    def clean(self) -> None:
        errors = self.detail_errors(self.category, self.horizon, self.audience)
        if self.merged_into_id and self.merged_into_id == self.pk:
            errors["merged_into"] = _("A contribution cannot be merged into itself.")
        if self.session_id and self.workshop_id and self.session.workshop_id != self.workshop_id:
            errors["session"] = _("The session belongs to another workshop.")
        if self.zone_id and self.workshop_id and self.zone.workshop_id != self.workshop_id:
            errors["zone"] = _("The zone belongs to another workshop.")
        if errors:
            raise ValidationError(errors)

    def refresh_search_text(self) -> None:
        """Called by ``save()``; call it before a ``bulk_create``."""
        self.search_text = fold(self.text)

    def snapshot_author(self) -> None:
        """Copy the author's region, zone and gender as they are now."""
        if self.author is None:
            return
        self.region = self.author.region
        if "zone_in_workshop" in self.author.__dict__:  # read with the author
            self.zone_id = self.author.zone_in_workshop
        else:
            self.zone_id = self.workshop.zone_id_of(self.author.region_id)
        self.gender = self.author.gender

    # Whose agreement makes a contribution quotable: the phone's own tick at send, the
    # speaker's agreement ticked by the note-taker at capture. Staff may un-quote these
    # later, never quote them (issue 12, item 4).
    QUOTED_ONLY_BY_THE_SPEAKER = (Source.PHONE, Source.NOTE)

    def staff_may_set_quotable(self, quotable: bool) -> bool:
        """Whether staff may change ``quotable`` to ``quotable`` after it was stored."""
        return not quotable or self.quotable or self.source not in self.QUOTED_ONLY_BY_THE_SPEAKER

    def same_content_as(self, other: Contribution) -> bool:
        """Whether a repeated send carries the same content from the same sender (the
        exactly-once rule): the same text from another participant's phone is not a
        repeat, and must not get that phone's row back."""
        return (
            self.author_id == other.author_id
            and self.text == other.text
            and self.category == other.category
            and self.horizon == other.horizon
            and self.audience == other.audience
            and self.session_id == other.session_id
        )


class Vote(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "contribution"], name="vote_one_per_participant"
            ),
        ]

    def __str__(self) -> str:
        return f"vote {self.pk}"
