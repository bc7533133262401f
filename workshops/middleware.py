"""Participants never see Django's technical 404 page, even in development (DEBUG)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404

from workshops.views.errors import is_participant_path, page_not_found


class ParticipantNotFoundMiddleware:
    """Under the join paths with DEBUG on, a 404 is the friendly participant page.

    Two sources of Django's technical page: a view raising ``Http404`` and a path no
    URL matches (``resolver_match`` stays None). A 404 a view renders itself (an
    unknown join code) is already friendly and kept.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and is_participant_path(request.path)
            and getattr(request, "resolver_match", None) is None
            and not getattr(response, "friendly_error", False)
        ):
            return page_not_found(request)
        return response

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404) and is_participant_path(request.path):
            return page_not_found(request)
        return None
