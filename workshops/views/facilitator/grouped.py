"""The grouped view: a workshop's (or a session's) contributions by theme, and moving them.

"Untagged" comes first, then one group per theme of the workshop, each with its count and
its newest items ("show all N" pages through one group). Facilitators move an item with a
plain form (no JavaScript needed), by keyboard or by drag and drop; everyone who may read
the board sees the groups, which poll like the board (204 while nothing changed). The
projector mode shows published items only, large, without controls.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from workshops import changes, queries
from workshops.access import MODERATE, READ, get_session_for_user, get_workshop_for_user
from workshops.forms.facilitator import GroupMoveForm
from workshops.models import Theme
from workshops.services import moderation
from workshops.views import polls
from workshops.views.facilitator.running import _safe_next

# What the no-JavaScript move form and "show all" keep in the page's address.
KEPT = ("group", "page")
# The event a move sends (HX-Trigger) so that the groups refresh at once.
CHANGED = "grouped-changed"


def _themes(workshop):
    return list(Theme.objects.for_workshop(workshop).order_by("workshop_id", "name"))


def _grouped(request: HttpRequest, workshop, session=None) -> HttpResponse:
    # Unchanged polls with a fresh token are answered by the poll middleware, as the board's.
    version = changes.version(workshop.pk)
    if polls.unchanged_without_token(request, version):
        return polls.no_change()
    themes = _themes(workshop)
    groups = queries.theme_groups(workshop, session, themes=themes)
    kept = {k: request.GET[k] for k in KEPT if request.GET.get(k)}
    page = None
    one = next((g for g in groups if g.key == kept.get("group")), None)
    if one is not None:
        items = queries.theme_group_items(workshop, session, theme=one.theme)
        page = Paginator(items, queries.PAGE_SIZE).get_page(kept.get("page"))
        one.items = list(page.object_list)
        groups = [one]
    else:
        kept = {}
    here = f"{request.path}?{urlencode(kept)}" if kept else request.path
    context = {
        "workshop": workshop,
        "session": session,
        "groups": groups,
        "themes": themes,
        "one": one,
        "page": page,
        "kept": urlencode(kept),
        "here": here,
        "moving": (request.GET.get("move", ""), request.GET.get("from", "")),
        "poll_url": polls.poll_url(request, workshop.pk, kept, version),
        "poll_every": queries.POLL_EVERY,
        "untagged": queries.UNTAGGED,
    }
    if request.htmx:
        return render(request, "workshops/facilitator/_grouped_list.html", context)
    return render(request, "workshops/facilitator/grouped.html", context)


@login_required
@require_GET
def workshop_grouped(request: HttpRequest, slug: str) -> HttpResponse:
    return _grouped(request, get_workshop_for_user(request, slug, needs=READ))


@login_required
@require_GET
def session_grouped(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, slug, session_id, needs=READ)
    return _grouped(request, session.workshop, session)


def _grouped_projector(request: HttpRequest, workshop, session=None) -> HttpResponse:
    version = changes.version(workshop.pk)
    if polls.unchanged_without_token(request, version):
        return polls.no_change()
    groups = queries.theme_groups(
        workshop,
        session,
        themes=_themes(workshop),
        per_group=queries.PROJECTOR_GROUP_SIZE,
        published_only=True,
    )
    context = {
        "workshop": workshop,
        "session": session,
        "groups": [g for g in groups if g.count],
        "poll_url": polls.poll_url(request, workshop.pk, {}, version),
        "poll_every": queries.POLL_EVERY,
    }
    if request.htmx:
        return render(request, "workshops/facilitator/_grouped_projector_live.html", context)
    return render(request, "workshops/facilitator/grouped_projector.html", context)


@login_required
@require_GET
def workshop_grouped_projector(request: HttpRequest, slug: str) -> HttpResponse:
    return _grouped_projector(request, get_workshop_for_user(request, slug, needs=READ))


@login_required
@require_GET
def session_grouped_projector(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, slug, session_id, needs=READ)
    return _grouped_projector(request, session.workshop, session)


@login_required
@require_POST
def grouped_move(request: HttpRequest, slug: str) -> HttpResponse:
    """Move (or add) one contribution to a theme's group; back to the group it came from."""
    workshop = get_workshop_for_user(request, slug, needs=MODERATE)
    back = _safe_next(request, reverse("workshops:grouped", kwargs={"slug": slug}))
    form = GroupMoveForm(
        request.POST, workshop=workshop, themes=Theme.objects.for_workshop(workshop)
    )
    if not form.is_valid():
        errors = list(form.errors.get("__all__", []))
        for name in ("contribution", "source", "target", "mode"):
            errors += [f"{form.fields[name].label}: {e}" for e in form.errors.get(name, [])]
        if request.htmx:
            return HttpResponse(" ".join(errors), status=400, content_type="text/plain")
        for error in errors:
            messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    moderation.move_to_theme(
        workshop=workshop,
        contribution=data["contribution"],
        source=data["source"],
        target=data["target"],
        keep_source=data["mode"] == form.ADD,
    )
    if request.htmx:
        return HttpResponse(status=204, headers={"HX-Trigger": CHANGED})
    messages.success(request, _("Theme added.") if data["mode"] == form.ADD else _("Moved."))
    source = data["source"]
    # Back where the facilitator was working: the group the item came from.
    return redirect(f"{back.split('#')[0]}#group-{source.pk if source else queries.UNTAGGED}")
