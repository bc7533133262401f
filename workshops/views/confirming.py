"""The confirm page of a destructive action, for every part of the site.

It works without JavaScript: the action's link leads here, and the button posts the
action again with ``confirmed=yes``.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def confirmed(request: HttpRequest) -> bool:
    """Whether a destructive action was confirmed: a POST from its confirm page."""
    return request.method == "POST" and request.POST.get("confirmed") == "yes"


def confirm_page(
    request: HttpRequest,
    *,
    question: str,
    button: str,
    back: str,
    explanation: str = "",
    title: str = "",
    workshop=None,
    network=None,
) -> HttpResponse:
    """The question, what happens, confirm or cancel; titled after the workshop or network."""
    return render(
        request,
        "workshops/confirm.html",
        {
            "workshop": workshop,
            "network": network,
            "title": title or question,
            "question": question,
            "explanation": explanation,
            "button": button,
            "back": back,
        },
    )
