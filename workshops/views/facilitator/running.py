"""Running a workshop live: quick capture, boards, moderation, results, projector."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from workshops import changes, queries
from workshops.access import (
    CAPTURE,
    MODERATE,
    READ,
    get_contribution_for_user,
    get_session_for_user,
    get_workshop_for_user,
    may,
)
from workshops.analysis import duplicates, suggest
from workshops.choices import ModerationStatus, SessionStatus, Source
from workshops.filters import BoardFilter
from workshops.forms.facilitator import (
    BulkModerationForm,
    CaptureForm,
    ContributionEditForm,
    StatusForm,
)
from workshops.models import Theme, versions_of
from workshops.services import moderation
from workshops.services.contributions import ClientIdConflict, submit_contribution
from workshops.views import polls
from workshops.views.facilitator import board_items
from workshops.views.facilitator.setup import join_qr_svg
from workshops.views.outbox import sent_by_outbox

STICKY = ("category", "horizon", "audience")


def _wants_json(request: HttpRequest) -> bool:
    """The outbox's send, or a client asking for JSON (the benchmark)."""
    return sent_by_outbox(request) or "application/json" in request.headers.get("Accept", "")


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


# --- Quick capture -------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def capture(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    """One box for note-takers. Plain form without JavaScript; JSON with it."""
    session = get_session_for_user(request, slug, session_id, needs=CAPTURE)
    workshop = session.workshop
    if request.method == "POST":
        form = CaptureForm(request.POST, session=session)
        if not form.is_valid():
            if _wants_json(request):
                return JsonResponse({"status": "invalid", "errors": form.errors}, status=400)
            return _render_capture(request, session, form, status=400)
        data = form.cleaned_data
        try:
            submission = submit_contribution(
                workshop=workshop,
                session=session,
                client_id=data["client_id"],
                text=data["text"],
                category=data["category"],
                horizon=data["horizon"],
                audience=data["audience"],
                quotable=data["quotable"],
                author=data["speaker"],
                zone=data["zone"],
                gender=data["gender"],
                language=(request.LANGUAGE_CODE or "fr")[:2],
                source=Source.NOTE,
                created_by=request.user,
            )
        except ClientIdConflict:
            message = _("This note was already saved with different content.")
            if _wants_json(request):
                return JsonResponse({"status": "conflict", "error": message}, status=409)
            messages.error(request, message)
            return redirect("workshops:capture", slug=slug, session_id=session.pk)
        if _wants_json(request):
            return JsonResponse(
                {
                    "status": "saved" if submission.created else "duplicate",
                    "id": submission.contribution.pk,
                },
                status=201 if submission.created else 200,
            )
        messages.success(request, _("Saved."))
        sticky = {name: data[name] for name in STICKY if data.get(name)}
        url = reverse("workshops:capture", kwargs={"slug": slug, "session_id": session.pk})
        return redirect(f"{url}?{urlencode(sticky)}" if sticky else url)
    initial = {name: request.GET[name] for name in STICKY if request.GET.get(name)}
    form = CaptureForm(session=session)
    form.initial.update(initial)
    return _render_capture(request, session, form)


def _render_capture(request, session, form, status=200):
    recent = (
        session.contributions.filter(created_by=request.user)
        .select_related("author")
        .order_by("-created_at", "-pk")[:8]
    )
    return render(
        request,
        "workshops/facilitator/capture.html",
        {"workshop": session.workshop, "session": session, "form": form, "recent": recent},
        status=status,
    )


# --- Live boards ---------------------------------------------------------------


def _board(request: HttpRequest, workshop, session=None) -> HttpResponse:
    # An unchanged poll with a fresh token never gets here (``views/polls.py``): this is a
    # change, a token past its minute, or the cache unreachable. A poll without a token
    # (a script) still gets 204, after the full checks.
    version = changes.version(workshop.pk)
    if polls.unchanged_without_token(request, version):
        return polls.no_change()
    query = polls.poll_query(request)
    if request.htmx:  # a poll: one render per change for every board of the room
        return polls.shared_fragment(
            request,
            workshop,
            version,
            query,
            lambda extra: render_to_string(
                "workshops/facilitator/_board_list.html",
                _board_context(request, workshop, session, query, extra),
                request,
            ),
        )
    context = _board_context(request, workshop, session, query)
    context["poll_url"] = polls.poll_url(request, workshop.pk, query, version)
    return render(request, "workshops/facilitator/board.html", context)


def _board_context(
    request: HttpRequest, workshop, session, query: dict, shared: dict | None = None
) -> dict:
    """What the board shows; ``shared``: the placeholders of a render shared by every
    board (``polls.shared_fragment``), whose items are kept per state (``board_items``)."""
    themes = Theme.objects.for_workshop(workshop).order_by("workshop_id", "name")
    filters = BoardFilter(
        request.GET,
        queries.board_contributions(workshop, session),
        workshop=workshop,
        themes=themes,
    )
    page = Paginator(filters.qs, queries.PAGE_SIZE).get_page(request.GET.get("page"))
    contributions = list(page.object_list)
    if may(workshop, MODERATE):
        _attach_suggestions(workshop, contributions, themes)
        found = duplicates.for_contributions(workshop, contributions)
        for contribution in contributions:
            contribution.duplicates = found.get(contribution.pk, [])
    context = {
        "workshop": workshop,
        "session": session,
        "contributions": contributions,
        "filters": filters.form,
        "counts": queries.counts(workshop, session),
        "poll_every": queries.POLL_EVERY,
        "themes": themes,
        "bulk_actions": BulkModerationForm.ACTIONS,
        "here": f"{request.path}?{urlencode(query)}" if query else request.path,
        "page": page,
        "page_query": urlencode({k: v for k, v in query.items() if k != "page"}),
        **(shared or {}),
    }
    context["items"] = board_items.render(contributions, context, request, keep=shared is not None)
    return context


def _attach_suggestions(workshop, contributions, themes) -> None:
    """The three likeliest themes of each untagged contribution shown, for one click."""
    untagged = [
        c for c in contributions if not c.theme_list and c.status != ModerationStatus.MERGED
    ]
    found = suggest.for_contributions(workshop, untagged, themes)
    for contribution in untagged:
        contribution.suggestions = found.get(contribution.pk, [])


@login_required
@require_GET
def workshop_board(request: HttpRequest, slug: str) -> HttpResponse:
    return _board(request, get_workshop_for_user(request, slug, needs=READ))


@login_required
@require_GET
def session_board(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, slug, session_id, needs=READ)
    return _board(request, session.workshop, session)


# --- Moderation ----------------------------------------------------------------


@login_required
@require_POST
def moderate(request: HttpRequest, slug: str) -> HttpResponse:
    """One form for the actions on the selected contributions of a board."""
    workshop = get_workshop_for_user(request, slug, needs=MODERATE)
    back = _safe_next(request, reverse("workshops:board", kwargs={"slug": slug}))
    form = BulkModerationForm(
        request.POST,
        workshop=workshop,
        themes=Theme.objects.for_workshop(workshop).order_by("workshop_id", "name"),
    )
    if not form.is_valid():
        for error in form.errors.get("__all__", []) + form.errors.get("ids", []):
            messages.error(request, error)
        for name in ("action", "themes", "new_theme"):
            for error in form.errors.get(name, []):
                messages.error(request, f"{form.fields[name].label}: {error}")
        return redirect(back)
    data = form.cleaned_data
    selected = list(data["ids"].order_by("created_at", "pk"))
    action = data["action"]
    if action == form.PUBLISH:
        moderation.set_status(contributions=selected, status=ModerationStatus.PUBLISHED)
        messages.success(request, _("Published."))
    elif action == form.HIDE:
        moderation.set_status(contributions=selected, status=ModerationStatus.HIDDEN)
        messages.success(request, _("Hidden."))
    elif action == form.QUOTABLE:
        try:
            moderation.set_quotable(contributions=selected)
        except moderation.ModerationError as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Marked quotable."))
    elif action == form.TAG:
        moderation.tag_themes(
            workshop=workshop,
            contributions=selected,
            themes=data["themes"],
            new_theme=data["new_theme"],
        )
        messages.success(request, _("Themes added."))
    elif action == form.ACCEPT:
        n = moderation.accept_suggestions(
            workshop=workshop,
            contributions=selected,
            themes=Theme.objects.for_workshop(workshop),
        )
        messages.success(
            request,
            ngettext(
                "Suggested theme accepted for %(n)d contribution.",
                "Suggested theme accepted for %(n)d contributions.",
                n,
            )
            % {"n": n},
        )
    elif action == form.MERGE:
        keep, *duplicates = selected
        try:
            moderation.merge_contributions(
                keep=keep,
                duplicates=duplicates,
                themes=data["themes"],
                new_theme=data["new_theme"],
            )
        except moderation.ModerationError as refused:  # changed since the form was checked
            messages.error(request, str(refused))
        else:
            n = len(duplicates)
            messages.success(request, _("%(n)d merged into the earliest one.") % {"n": n})
    return redirect(back)


@login_required
@require_POST
def contribution_status(request: HttpRequest, slug: str, contribution_id: int) -> HttpResponse:
    contribution = get_contribution_for_user(request, slug, contribution_id, needs=MODERATE)
    form = StatusForm(request.POST)
    if form.is_valid():
        moderation.set_status(contributions=[contribution], status=form.cleaned_data["status"])
    else:
        messages.error(request, _("Unknown action."))
    return redirect(_safe_next(request, reverse("workshops:board", kwargs={"slug": slug})))


@login_required
@require_http_methods(["GET", "POST"])
def contribution_edit(request: HttpRequest, slug: str, contribution_id: int) -> HttpResponse:
    contribution = get_contribution_for_user(request, slug, contribution_id, needs=MODERATE)
    form = ContributionEditForm(request.POST or None, instance=contribution)
    back = _safe_next(request, reverse("workshops:board", kwargs={"slug": slug}))
    if request.method == "POST" and form.is_valid():
        moderation.edit_as_moderator(contribution=contribution, data=form.cleaned_data)
        messages.success(
            request,
            _("Contribution saved; the history records what changed, not the previous wording."),
        )
        return redirect(back)
    history = versions_of(contribution, limit=20)
    return render(
        request,
        "workshops/facilitator/contribution_edit.html",
        {
            "workshop": contribution.workshop,
            "contribution": contribution,
            "form": form,
            "history": history,
            "next": back,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- Results and projector -------------------------------------------------------


@login_required
@require_GET
def workshop_results(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = get_workshop_for_user(request, slug, needs=READ)
    return _results(request, workshop)


@login_required
@require_GET
def session_results(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    session = get_session_for_user(request, slug, session_id, needs=READ)
    return _results(request, session.workshop, session)


def _results(request, workshop, session=None):
    return render(
        request,
        "workshops/facilitator/results.html",
        {
            "workshop": workshop,
            "session": session,
            "results": queries.voting_results(workshop, session),
        },
    )


@login_required
@require_GET
def projector(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    """The room screen: question, code and QR, counts, what arrives, results."""
    session = get_session_for_user(request, slug, session_id, needs=READ)
    workshop = session.workshop
    version = changes.version(workshop.pk)  # unchanged polls stop before (views/polls.py)
    if polls.unchanged_without_token(request, version):
        return polls.no_change()
    show_results = session.status in (SessionStatus.VOTING, SessionStatus.CLOSED)
    context = {
        "workshop": workshop,
        "session": session,
        "counts": queries.counts(workshop, session),
        "latest": queries.board_contributions(workshop, session)
        .published()
        .prefetch_related(None)[:6],
        "results": queries.voting_results(workshop, session, limit=5) if show_results else None,
        "poll_url": polls.poll_url(request, workshop.pk, {}, version),
        "poll_every": queries.POLL_EVERY,
    }
    if request.htmx:
        return render(request, "workshops/facilitator/_projector_live.html", context)
    context["join_link"], context["qr_svg"] = join_qr_svg(request, workshop)
    return render(request, "workshops/facilitator/projector.html", context)
