"""Report drafts: generated from the roll-up, edited by staff, versioned, exported."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from workshops.choices import Language
from workshops.models.core import TimeStamped, Workshop
from workshops.validators import validate_safe_text


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
    DOCX = "docx", "DOCX"
    PDF = "pdf", "PDF"
    MARKDOWN = "md", "Markdown"
    HTML = "html", "HTML"
    CSV_AGGREGATED = "csv", _("Contributions, aggregated (CSV)")
    XLSX_AGGREGATED = "xlsx", _("Contributions, aggregated (XLSX)")
    CSV_ROWS = "csv_rows", _("Contributions, one row each (CSV)")
    XLSX_ROWS = "xlsx_rows", _("Contributions, one row each (XLSX)")


class ExportAuditLog(models.Model):
    """Who exported what, and when. Row-level exports are always recorded here."""

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
    kind = models.CharField(_("what"), max_length=12, choices=ExportKind.choices)
    language = models.CharField(_("language"), max_length=5, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export record")
        verbose_name_plural = _("export records")

    def __str__(self) -> str:
        return self.kind
