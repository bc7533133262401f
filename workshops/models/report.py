"""Report drafts: generated from the roll-up, edited by staff, versioned, exported."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from workshops.choices import Language
from workshops.models.core import TimeStamped, Workshop
from workshops.validators import remove_unsafe_characters, validate_safe_text


class ReportLanguage(models.TextChoices):
    FRENCH = Language.FRENCH.value, _("French")
    ENGLISH = Language.ENGLISH.value, _("English")


class ReportDraft(TimeStamped):
    """The draft report of a workshop in one language."""

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="report_drafts", verbose_name=_("workshop")
    )
    language = models.CharField(_("language"), max_length=5, choices=ReportLanguage.choices)
    sources = models.JSONField(
        _("sources"), default=list, blank=True, help_text=_("Sources counted; empty means all.")
    )
    refreshed_at = models.DateTimeField(_("numbers refreshed"), default=timezone.now)

    class Meta:
        ordering = ["workshop", "language"]
        verbose_name = _("report draft")
        verbose_name_plural = _("report drafts")
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "language"], name="report_draft_one_per_language"
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=ReportLanguage.values),
                name="report_draft_valid_language",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.language}"


class ReportSection(models.Model):
    draft = models.ForeignKey(ReportDraft, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(_("key"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=200, validators=[validate_safe_text])
    generated = models.TextField(_("generated text"), blank=True, validators=[validate_safe_text])
    body = models.TextField(_("text"), blank=True, validators=[validate_safe_text])
    edited = models.BooleanField(_("edited by a person"), default=False)
    numbers_changed = models.BooleanField(_("numbers changed since edited"), default=False)

    class Meta:
        ordering = ["draft", "order"]
        verbose_name = _("report section")
        verbose_name_plural = _("report sections")
        constraints = [
            models.UniqueConstraint(fields=["draft", "key"], name="report_section_unique_key"),
        ]

    def __str__(self) -> str:
        return self.key


class VersionKind(models.TextChoices):
    GENERATED = "generated", pgettext_lazy("version kind", "Generated")
    EDITED = "edited", pgettext_lazy("version kind", "Edited")
    RESTORED = "restored", pgettext_lazy("version kind", "Restored")


class SectionVersion(models.Model):
    section = models.ForeignKey(ReportSection, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("kind"), max_length=10, choices=VersionKind.choices)
    body = models.TextField(_("text"), blank=True, validators=[validate_safe_text])
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="report_versions",
        null=True,
        blank=True,
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        ordering = ["section", "-number"]
        verbose_name = _("section version")
        verbose_name_plural = _("section versions")
        constraints = [
            models.UniqueConstraint(
                fields=["section", "number"], name="section_version_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.number}"


class ExportKind(models.TextChoices):
    """What was read or exported. Every kind but the report and its aggregates is row-level."""

    DOCX = "docx", "DOCX"
    PDF = "pdf", "PDF"
    MARKDOWN = "md", "Markdown"
    HTML = "html", "HTML"
    CSV_AGGREGATED = "csv", _("Contributions, aggregated (CSV)")
    XLSX_AGGREGATED = "xlsx", _("Contributions, aggregated (XLSX)")
    CSV_ROWS = "csv_rows", _("Contributions, one row each (CSV)")
    XLSX_ROWS = "xlsx_rows", _("Contributions, one row each (XLSX)")
    API_CONTRIBUTIONS = "api_contributions", _("Contribution list (API)")
    API_CONTRIBUTION = "api_contribution", _("One contribution (API)")
    API_PARTICIPANTS = "api_participants", _("Participant list (API)")
    API_PARTICIPANT = "api_participant", _("One participant (API)")
    API_VOTES = "api_votes", _("Votes with participants (API)")
    PARTICIPANT_PAGE = "participant_page", _("Participant list (page)")
    BUILD_REPORT = "build_report", _("Report built (command line)")
    IMPORT_KOBO = "import_kobo", _("Survey import (command line)")
    IMPORT_ACLED = "import_acled", _("ACLED import (command line)")
    PURGE_EXPIRED = "purge_expired", _("Retention purge (command line)")
    BUNDLE = "bundle", _("Venue bundle (encrypted)")


# Aggregates every staff role may take out: no purpose is asked for them.
AGGREGATE_KINDS = frozenset(
    {
        ExportKind.DOCX,
        ExportKind.PDF,
        ExportKind.MARKDOWN,
        ExportKind.HTML,
        ExportKind.CSV_AGGREGATED,
        ExportKind.XLSX_AGGREGATED,
    }
)
PURPOSE_MAX_LENGTH = 500
FILTER_VALUE_MAX_LENGTH = 100


class AccessChannel(models.TextChoices):
    WEB = "web", _("web")
    API = "api", _("API")
    COMMAND = "command", _("command line")


class ExportAuditLog(models.Model):
    """The data access log: who read or exported what, when, from which workshop, and why.

    Every row-level read (exports one row per contribution, the API's contribution,
    participant and vote lists, the participant page, the commands) is recorded here
    with the purpose its reader typed; report exports are recorded too. A record holds
    the filters that were asked for, never the rows that were read.
    """

    workshop = models.ForeignKey(
        Workshop, on_delete=models.CASCADE, related_name="export_logs", verbose_name=_("workshop")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="export_logs",
        null=True,
        blank=True,
        verbose_name=_("who"),
    )
    channel = models.CharField(
        _("through"), max_length=8, choices=AccessChannel.choices, default=AccessChannel.WEB
    )
    kind = models.CharField(_("what"), max_length=20, choices=ExportKind.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    purpose = models.CharField(
        _("purpose"), max_length=PURPOSE_MAX_LENGTH, blank=True, validators=[validate_safe_text]
    )
    language = models.CharField(_("language"), max_length=5, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("data access record")
        verbose_name_plural = _("data access log")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=sorted(AGGREGATE_KINDS)) | ~models.Q(purpose=""),
                name="export_log_row_level_has_purpose",
            ),
        ]

    def __str__(self) -> str:
        return self.kind

    @property
    def row_level(self) -> bool:
        return self.kind not in AGGREGATE_KINDS

    @property
    def who(self) -> str:
        """The reader's user name; the system for a command, or a deleted account."""
        if self.user_id is not None:
            return self.user.get_username()
        if self.channel == AccessChannel.COMMAND:
            return str(_("system (command line)"))
        return str(_("deleted account"))

    @property
    def filters_text(self) -> str:
        return "; ".join(
            f"{key}: {', '.join(value) if isinstance(value, list) else value}"
            for key, value in self.filters.items()
        )

    @classmethod
    def record(
        cls,
        *,
        workshop: Workshop,
        user,
        kind: str,
        purpose: str = "",
        filters: dict | None = None,
        channel: str = AccessChannel.WEB,
        language: str = "",
    ) -> ExportAuditLog:
        """Record one read. ``filters`` keep what was asked for (short strings), not rows."""
        return cls.objects.create(
            workshop=workshop,
            user=user if getattr(user, "is_authenticated", False) else None,
            channel=channel,
            kind=kind,
            filters=_clean_filters(filters or {}),
            purpose=clean_purpose(purpose) if purpose else "",
            language=language,
        )


def clean_purpose(value: str) -> str:
    """The purpose as stored: unsafe characters removed, spaces collapsed, cut to length."""
    return " ".join(remove_unsafe_characters(value).split())[:PURPOSE_MAX_LENGTH]


def _clean_filters(filters: dict) -> dict:
    def one(value) -> str:
        return remove_unsafe_characters(str(value))[:FILTER_VALUE_MAX_LENGTH]

    cleaned = {}
    for key, value in sorted(filters.items()):
        if value in (None, "", [], ()):
            continue
        if isinstance(value, list | tuple):
            cleaned[one(key)] = [one(v) for v in value]
        else:
            cleaned[one(key)] = one(value)
    return cleaned
