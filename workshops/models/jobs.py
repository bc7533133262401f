"""Background jobs: an export or import that may take longer than a request may, run by
a task (``services/jobs.py``), with its state for the page and its file for download."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workshops.models.core import Workshop


class JobKind(models.TextChoices):
    DRAFT_EXPORT = "draft_export", _("Report draft export")
    ROWS_EXPORT = "rows_export", _("Contributions, one row each")
    SURVEY_IMPORT = "survey_import", _("Survey import")
    ACLED_IMPORT = "acled_import", _("ACLED import")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for the worker")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


FINISHED = (JobStatus.DONE, JobStatus.FAILED)
IMPORTS = (JobKind.SURVEY_IMPORT, JobKind.ACLED_IMPORT)
# A finished job's file (row-level data, perhaps) is offered this long, then deleted.
KEEP_JOB_FILES = dt.timedelta(hours=24)


class Job(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="jobs")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    kind = models.CharField(_("what"), max_length=20, choices=JobKind.choices)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    # Percent done, by stage: the wrapped exports report no progress of their own.
    progress = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    data = models.BinaryField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=JobKind.values), name="job_valid_kind"),
            models.CheckConstraint(
                condition=Q(status__in=JobStatus.values), name="job_valid_status"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="job_progress_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def has_file(self) -> bool:
        fresh = self.finished_at is None or timezone.now() - self.finished_at < KEEP_JOB_FILES
        return self.status == JobStatus.DONE and bool(self.filename) and fresh
