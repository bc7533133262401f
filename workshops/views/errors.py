"""Error pages 400/403/404/500: translated, in the participant layout under the join
paths and the staff layout elsewhere, each with a way back; the 403 says what role the
action needs (the message of the access helpers' ``PermissionDenied``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext as _

PARTICIPANT_PREFIX = "/j/"


def is_participant_path(path: str) -> bool:
    """Whether ``path`` is a participant page (the join paths), which get the light layout."""
    return path.startswith(PARTICIPANT_PREFIX)


def render_error(
    request: HttpRequest, status: int, *, reason: str = "", context_processors: bool = True
) -> HttpResponse:
    participant = is_participant_path(request.path)
    context = {
        "status": status,
        "reason": reason,
        "layout": (
            "workshops/base_participant.html" if participant else "workshops/base_facilitator.html"
        ),
        "back_url": reverse("participant:join") if participant else reverse("home"),
        "participant": participant,
    }
    template = loader.get_template(f"errors/{status}.html")
    if context_processors:
        body = template.render(context, request)
    else:  # 500: no database, no session (what failed may be either)
        body = template.render({**context, "layout": "errors/plain.html"})
    response = HttpResponse(body, status=status)
    response.friendly_error = True
    return response


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return render_error(request, 400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    reason = ""
    if isinstance(exception, PermissionDenied) and exception.args:
        reason = str(exception.args[0])
    return render_error(request, 403, reason=reason or _("Your role does not allow this."))


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render_error(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render_error(request, 500, context_processors=False)
