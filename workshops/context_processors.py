"""What every page's template may compare against: states and kinds as their enums.

Templates write ``session.status == SessionStatus.OPEN``, never ``== "open"``. Fragments
rendered without a request (the phone's sent row) pass the enums they need themselves.
"""

from django.http import HttpRequest

from workshops.choices import (
    Audience,
    Category,
    Horizon,
    Language,
    ModerationStatus,
    SessionStatus,
    WorkshopStatus,
)


def choices(request: HttpRequest) -> dict:
    return {
        "Audience": Audience,
        "Category": Category,
        "Horizon": Horizon,
        "Language": Language,
        "ModerationStatus": ModerationStatus,
        "SessionStatus": SessionStatus,
        "WorkshopStatus": WorkshopStatus,
    }
