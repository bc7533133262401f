"""The project's URLs plus the bare baseline of bench/participant.py (never in production).

With ``BENCH_HISTORY_AT_SEND=1`` a send also writes its history creation record at once
(the deferral of ``workshops/models/history.py`` is switched off): the variant that
``bench/participant_send_path.py`` measures beside the real code.
"""

import os

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import include, path
from django.views.decorators.http import require_http_methods

BASELINE_TABLE = "bench_baseline_row"


class BaselineRow(models.Model):
    """One text column; the table is created by bench/participant.py, never migrated."""

    text = models.TextField()

    class Meta:
        app_label = "workshops"
        managed = False
        db_table = BASELINE_TABLE

    def __str__(self) -> str:
        return self.text[:20]


@require_http_methods(["GET", "POST"])
def baseline(request: HttpRequest) -> HttpResponse:
    """A bare Django view: the CSRF middleware checks the POST, the ORM inserts one row."""
    if request.method == "GET":
        return HttpResponse(get_token(request))
    BaselineRow.objects.create(text=request.POST.get("text", ""))
    return HttpResponse("ok", status=201)


if os.environ.get("BENCH_HISTORY_AT_SEND") == "1":
    from workshops.services import contributions

    contributions.skip_creation_record = lambda contribution: None

urlpatterns = [
    path("bench/baseline/", baseline, name="bench_baseline"),
    path("", include("peaceexchange.urls")),
]
