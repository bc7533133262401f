"""Participant pages: join by code, language, consent, profile, contribute, vote, wipe.

Every page is a plain form (POST → redirect → GET) and works without JavaScript.
``static/js/participant.js`` only enhances: it sends through the shared outbox
(``X-Requested-With: outbox``, see ``workshops/views/outbox.py``), gets a fragment back
(one round trip, no redirect), and queues offline sends.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.core import get_usage, is_ratelimited

from workshops import queries
from workshops.access import (
    get_contribution_for_participant,
    get_participant_for_request,
    get_session_for_join_code,
    get_workshop_for_join_code,
)
from workshops.analysis.suppression import shown
from workshops.choices import Language, ModerationStatus, SessionStatus, Source, WorkshopStatus
from workshops.forms.participant import (
    ConsentForm,
    ContributeForm,
    EditContributionForm,
    JoinForm,
    ProfileForm,
    VoteForm,
    new_client_id,
)
from workshops.models import BreakoutSession, Participant, Region, Vote, Workshop, hash_token
from workshops.services.contributions import ClientIdConflict, submit_contribution
from workshops.services.participants import (
    JoinRefused,
    VoteRefused,
    cast_votes,
    edit_contribution,
    forget_device,
    join_workshop,
    update_profile,
    withdraw_contribution,
)
from workshops.validators import printable
from workshops.views.outbox import sent_by_outbox

TEMPLATES = "workshops/participant/"


# --- Rate limits: keyed on the device token, since a whole room shares one IP ------


def participant_key(group: str, request: HttpRequest) -> str:
    token = request.COOKIES.get(settings.PARTICIPANT_COOKIE_NAME, "")
    if token:
        return "p:" + hash_token(token)
    return "ip:" + request.META.get("REMOTE_ADDR", "")


def send_rate(group: str, request: HttpRequest) -> str:
    return settings.PARTICIPANT_SEND_RATE


def join_failure_rate(group: str, request: HttpRequest) -> str:
    """Wrong codes one device may try: enough to mistype, too few to guess."""
    return settings.PARTICIPANT_JOIN_FAILURE_RATE


def join_failure_ip_rate(group: str, request: HttpRequest) -> str:
    """Wrong codes a whole network may try: room-sized, since a room shares one IP."""
    return settings.PARTICIPANT_JOIN_FAILURE_IP_RATE


def new_participant_ip_rate(group: str, request: HttpRequest) -> str:
    """New participants one network may add to a workshop: a whole room joining."""
    return settings.PARTICIPANT_NEW_IP_RATE


def new_participant_workshop_rate(group: str, request: HttpRequest) -> str:
    """New participants a workshop takes from all networks together."""
    return settings.PARTICIPANT_NEW_WORKSHOP_RATE


def _new_participant_refusal(request: HttpRequest, workshop: Workshop) -> str | None:
    """Count one new participant against the caps; why not, when one is full.

    Keyed on the workshop and the source address, at room scale (300 phones behind one
    address joining in two minutes pass; a script minting a hundred a second is stopped
    there), then on the workshop alone, for many addresses at once. A network already
    over its cap is not counted against the workshop, so it cannot fill the workshop's.
    """
    limits = [
        (
            "participant-new-ip",
            _workshop_ip_key(workshop),
            new_participant_ip_rate,
            _(
                "Very many phones joined from this network just now. Wait two minutes, "
                "then press “I agree, continue” again."
            ),
        ),
        (
            "participant-new-workshop",
            _workshop_key(workshop),
            new_participant_workshop_rate,
            _(
                "Very many phones joined this workshop just now. Wait a few minutes, "
                "then press “I agree, continue” again."
            ),
        ),
    ]
    for group, key, rate, refusal in limits:
        usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
        if usage is not None and usage["should_limit"]:
            return refusal
    return None


def _workshop_ip_key(workshop: Workshop) -> Callable[[str, HttpRequest], str]:
    return lambda group, request: f"{workshop.pk}:{request.META.get('REMOTE_ADDR', '')}"


def _workshop_key(workshop: Workshop) -> Callable[[str, HttpRequest], str]:
    return lambda group, request: str(workshop.pk)


GUESS_COOKIE = "pe_guess"  # not the participant cookie: a random id, linked to nothing


def device_key(group: str, request: HttpRequest) -> str:
    """The device guessing: its participant token, else its device cookie."""
    token = request.COOKIES.get(settings.PARTICIPANT_COOKIE_NAME, "")
    if token:
        return "p:" + hash_token(token)
    return "d:" + hash_token(request.COOKIES.get(GUESS_COOKIE, ""))


def _has_device(request: HttpRequest) -> bool:
    return bool(
        request.COOKIES.get(settings.PARTICIPANT_COOKIE_NAME) or request.COOKIES.get(GUESS_COOKIE)
    )


def _wrong_code_limited(request: HttpRequest) -> bool:
    """Count one wrong code; is this device, or its network, guessing?

    Per device first, then per IP address with a room-sized allowance. Only a wrong code
    is ever counted: the right code is never throttled, so one phone guessing cannot lock
    the room out of joining. A client without cookies (a script dropping them) counts
    only against its network's room-sized allowance. When the cache cannot count (Redis
    is down, ``RATELIMIT_FAIL_OPEN``), wrong codes are refused until it is back.
    """
    limits = [("participant-join-failures-ip", "ip", join_failure_ip_rate)]
    if _has_device(request):
        limits.insert(0, ("participant-join-failures", device_key, join_failure_rate))
    limited = False
    for group, key, rate in limits:
        usage = get_usage(request, group=group, key=key, rate=rate, increment=True)
        if usage is None:
            limited = limited or getattr(settings, "RATELIMIT_ENABLE", True)
        else:
            limited = limited or usage["should_limit"]
    return limited


def _ensure_device_cookie(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Give a phone that has not joined a random device id, so its guesses count alone."""
    if not _has_device(request):
        response.set_cookie(
            GUESS_COOKIE,
            new_client_id(),
            max_age=settings.PARTICIPANT_COOKIE_MAX_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


def _too_many_guesses(request: HttpRequest) -> HttpResponse:
    return _render(request, "too_many_codes.html", status=429)


# --- Page decorator: workshop from the code, participant from the cookie -----------


def participant_page(*, joined: bool = True, live: bool = True) -> Callable:
    """Resolve ``code`` to a workshop (clear pages for unknown or closed ones) and the
    phone's participant; pages that need a participant send others to the start."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, code: str, **kwargs) -> HttpResponse:
            if "session_id" in kwargs:
                workshop, kwargs["session"] = get_session_for_join_code(
                    code, kwargs.pop("session_id")
                )
            else:
                workshop = get_workshop_for_join_code(code)
            participant = None
            if workshop is not None:
                try:
                    participant = get_participant_for_request(request, workshop)
                except Http404:
                    if joined:
                        raise
                    # a phone from another workshop may join this one
            # The right code is never throttled: only a wrong one is checked and counted,
            # so others behind the room's IP address mistyping never lock a phone out.
            if workshop is None:
                if _wrong_code_limited(request):
                    return _too_many_guesses(request)
                return _render(request, "unknown_code.html", status=404)
            if live and workshop.status != WorkshopStatus.LIVE:
                return _render(
                    request,
                    "workshop_closed.html",
                    {
                        "workshop": workshop,
                        "not_started": workshop.status == WorkshopStatus.DRAFT,
                    },
                    status=403,
                )
            if joined and participant is None:
                if request.method == "POST" and "text" in request.POST:
                    return _rejoin(request, workshop)
                return redirect("participant:start", code=workshop.join_code)
            return view(request, workshop, participant, **kwargs)

        return wrapper

    return decorator


def _rejoin(request: HttpRequest, workshop: Workshop) -> HttpResponse:
    """The phone is no longer linked (cookie expired or wiped): give the text back."""
    context = {"workshop": workshop, "text": printable(request.POST.get("text", ""))}
    if sent_by_outbox(request):
        context["problem"] = _("This phone is no longer linked to the workshop. Join again.")
        return _render(request, "_send_problem.html", context, status=401)
    return _render(request, "rejoin.html", context, status=401)


def _render(request: HttpRequest, name: str, context=None, status: int = 200) -> HttpResponse:
    """Render a participant template (the enums come from ``context_processors.choices``)."""
    return render(request, TEMPLATES + name, context, status=status)


def _set_device_cookie(response: HttpResponse, token: str) -> None:
    response.set_cookie(
        settings.PARTICIPANT_COOKIE_NAME,
        token,
        max_age=settings.PARTICIPANT_COOKIE_MAX_AGE,
        path="/j/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _contribution_language() -> str:
    language = (get_language() or "fr")[:2]
    return language if language in Language.values else Language.OTHER


# --- Join, language, consent, profile ------------------------------------------------


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    form = JoinForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        workshop = get_workshop_for_join_code(form.cleaned_data["code"])
        if workshop is not None:
            return redirect("participant:start", code=workshop.join_code)
        if _wrong_code_limited(request):
            return _too_many_guesses(request)
        form.add_error("code", _("No workshop has this code. Check it and try again."))
    if form.errors:
        status = 400
    response = _render(
        request,
        "join.html",
        {"form": form, "wiped": "wiped" in request.GET},
        status=status,
    )
    return _ensure_device_cookie(request, response)


@require_GET
@participant_page(joined=False)
def start(request: HttpRequest, workshop: Workshop, participant: Participant | None):
    """The QR code's link: choose a language, then consent. A joined phone goes on."""
    if participant is not None:
        return redirect("participant:home", code=workshop.join_code)
    offered = [code for code, _name in settings.LANGUAGES if code in (workshop.languages or [])]
    return _render(
        request,
        "start.html",
        {"workshop": workshop, "offered": offered or [code for code, _n in settings.LANGUAGES]},
    )


@require_http_methods(["GET", "POST"])
@participant_page(joined=False)
def consent(request: HttpRequest, workshop: Workshop, participant: Participant | None):
    """ "I agree" makes a participant, once: the form's one-time key finds it again when
    the answer was lost and the phone sends the form a second time."""
    if participant is not None:
        return redirect("participant:home", code=workshop.join_code)
    if request.method == "GET":
        form = ConsentForm(initial={"consent_key": new_client_id()})
        return _render(request, "consent.html", {"workshop": workshop, "form": form})
    form = ConsentForm(request.POST)
    if not form.is_valid():
        fresh = ConsentForm(initial={"consent_key": new_client_id()})
        return _consent_page(request, workshop, fresh, ConsentForm.out_of_date, status=400)
    try:
        _participant, token = join_workshop(
            workshop=workshop,
            language=_contribution_language(),
            consent_key=form.cleaned_data["consent_key"],
            admit=lambda: _new_participant_refusal(request, workshop),
        )
    except JoinRefused as refused:  # the form keeps its key: pressing again is a retry
        return _consent_page(request, workshop, form, str(refused), status=429)
    response = redirect("participant:profile", code=workshop.join_code)
    _set_device_cookie(response, token)
    return response


def _consent_page(request, workshop, form, problem, *, status) -> HttpResponse:
    """The consent page again with what went wrong; a refused key is kept for the retry."""
    context = {"workshop": workshop, "form": form, "problem": problem}
    return _render(request, "consent.html", context, status=status)


@require_http_methods(["GET", "POST"])
@participant_page()
def profile(request: HttpRequest, workshop: Workshop, participant: Participant):
    organisations = workshop.organisations.order_by("name")
    regions = Region.objects.filter(country_id=workshop.country_id).order_by("order", "name")
    initial = {
        "display_name": participant.display_name,
        "organisation": participant.organisation_id
        or ("other" if participant.organisation_kind else ""),
        "region": participant.region_id or "",
        "gender": participant.gender,
    }
    form = ProfileForm(
        request.POST or None, initial=initial, organisations=organisations, regions=regions
    )
    if request.method == "POST" and form.is_valid():
        update_profile(participant=participant, **form.cleaned_data)
        messages.success(request, _("Your profile is saved."))
        return _after_profile(workshop)
    status = 400 if form.errors else 200
    return _render(
        request,
        "profile.html",
        {"workshop": workshop, "participant": participant, "form": form},
        status=status,
    )


def _after_profile(workshop: Workshop) -> HttpResponse:
    """Straight to the session when only one is open: one page fewer on a slow link."""
    open_sessions = list(
        workshop.sessions.filter(status=SessionStatus.OPEN).values_list("pk", flat=True)[:2]
    )
    if len(open_sessions) == 1:
        return redirect("participant:session", code=workshop.join_code, session_id=open_sessions[0])
    return redirect("participant:home", code=workshop.join_code)


@require_GET
@participant_page()
def home(request: HttpRequest, workshop: Workshop, participant: Participant):
    sessions = workshop.sessions.exclude(status=SessionStatus.PLANNED).annotate(
        mine=Count("contributions", filter=_mine(participant))
    )
    return _render(
        request,
        "home.html",
        {"workshop": workshop, "participant": participant, "sessions": sessions},
    )


def _mine(participant: Participant) -> Q:
    return Q(contributions__author=participant)


# --- Contribute, edit, withdraw ---------------------------------------------------------


def _session_context(workshop, participant, session, form, **extra) -> dict:
    own = list(participant.contributions.filter(session=session).order_by("-created_at", "-pk"))
    context = {
        "workshop": workshop,
        "participant": participant,
        "session": session,
        "form": form,
        "own": own,
        "max_length": settings.CONTRIBUTION_MAX_LENGTH,
        **extra,
    }
    if session.status == SessionStatus.CLOSED:
        context["results"] = _results(session)
    return context


def _results(session: BreakoutSession) -> list[dict]:
    ranked = (
        session.contributions.published()
        .annotate(dots=Count("votes"))
        .filter(dots__gt=0)
        .order_by("-dots", "pk")
    )
    return [{"text": c.text, "dots": shown(c.dots)} for c in ranked]


@require_http_methods(["GET", "POST"])
@participant_page()
def session(
    request: HttpRequest, workshop: Workshop, participant: Participant, session: BreakoutSession
) -> HttpResponse:
    """The contribute page: the guiding question, the form and my own contributions."""
    if request.method == "GET":
        form = ContributeForm(session=session)
        return _render(
            request, "session.html", _session_context(workshop, participant, session, form)
        )
    return _send(request, workshop, participant, session)


def _send(request, workshop, participant, session) -> HttpResponse:
    """Store one send exactly once, and answer with the new row or the page."""
    form = ContributeForm(request.POST, session=session)
    if is_ratelimited(
        request, group="participant-send", key=participant_key, rate=send_rate, increment=True
    ):
        return _send_problem(
            request,
            workshop,
            participant,
            session,
            form,
            _("You are sending very fast. Wait a minute and send again; your text is kept."),
            status=429,
        )
    if not session.accepts_contributions:
        return _send_problem(
            request,
            workshop,
            participant,
            session,
            form,
            _("This session is not taking contributions now. Your text is kept below."),
            status=409 if session.status != SessionStatus.OPEN else 400,
        )
    if not form.is_valid():
        return _send_problem(request, workshop, participant, session, form, None, status=400)
    data = form.cleaned_data
    try:
        submission = submit_contribution(
            workshop=workshop,
            session=session,
            client_id=data["client_id"],
            text=data["text"],
            category=data["category"],
            horizon=data.get("horizon", ""),
            audience=data.get("audience", ""),
            quotable=data["quotable"],
            language=_contribution_language(),
            source=Source.PHONE,
            author=participant,
        )
    except ClientIdConflict:
        fresh = request.POST.copy()
        fresh["client_id"] = new_client_id()
        return _send_problem(
            request,
            workshop,
            participant,
            session,
            ContributeForm(fresh, session=session),
            _("This form could not be sent as it is. Your text is below: send it again."),
            status=409,
        )
    contribution = submission.contribution
    if sent_by_outbox(request):
        return _sent_row(request, workshop, session, contribution, created=submission.created)
    if submission.created:
        messages.success(request, _("Thank you, your contribution is received."))
    else:
        messages.info(request, _("This contribution was already received."))
    return redirect(
        reverse(
            "participant:session", kwargs={"code": workshop.join_code, "session_id": session.pk}
        )
        + "#mine"
    )


def _sent_row(request, workshop, session, contribution, *, created: bool) -> HttpResponse:
    """The script's answer to a send: the new row of "my contributions", nothing more.

    Its withdraw form carries the CSRF token the phone has just sent (it passed the
    check, so it is valid): no new token is made and no cookie goes back to the phone.
    The row needs none of the context processors either.
    """
    token = request.POST.get("csrfmiddlewaretoken") or request.META.get("HTTP_X_CSRFTOKEN", "")
    context = {
        "ModerationStatus": ModerationStatus,
        "workshop": workshop,
        "session": session,
        "contribution": contribution,
        "csrf_token": token,
    }
    html = render_to_string(TEMPLATES + "_contribution_row.html", context)
    return HttpResponse(html, status=201 if created else 200)


def _send_problem(
    request, workshop, participant, session, form, problem, *, status
) -> HttpResponse:
    """The send did not go through: the whole page again (or a fragment), the sender's
    own text kept (never another row's)."""
    context = {"problem": problem}
    if sent_by_outbox(request):
        context["errors"] = [
            _("%(field)s: %(error)s") % {"field": form.fields[name].label or "", "error": error}
            if name != "__all__"
            else str(error)
            for name, errors in (form.errors.items() if form.is_bound else [])
            for error in errors
        ]
        context["text"] = form["text"].value() or ""
        context["form"] = form
        return _render(request, "_send_problem.html", context, status=status)
    return _render(
        request,
        "session.html",
        _session_context(workshop, participant, session, form, **context),
        status=status,
    )


@require_http_methods(["GET", "POST"])
@participant_page()
def edit(request: HttpRequest, workshop: Workshop, participant: Participant, contribution_id: int):
    contribution = get_contribution_for_participant(participant, contribution_id)
    session_url = _session_url(workshop, contribution.session_id)
    if contribution.session is None or not contribution.session.accepts_contributions:
        messages.error(request, _("The session is closed: contributions can no longer change."))
        return redirect(session_url)
    form = EditContributionForm(request.POST or None, contribution=contribution)
    if request.method == "POST" and form.is_valid():
        edit_contribution(contribution=contribution, **form.cleaned_data)
        messages.success(request, _("Your contribution is updated."))
        return redirect(session_url + "#mine")
    return _render(
        request,
        "edit.html",
        {"workshop": workshop, "contribution": contribution, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@participant_page()
def withdraw(
    request: HttpRequest, workshop: Workshop, participant: Participant, contribution_id: int
):
    contribution = get_contribution_for_participant(participant, contribution_id)
    session_url = _session_url(workshop, contribution.session_id)
    if contribution.session is None or not contribution.session.accepts_contributions:
        messages.error(request, _("The session is closed: contributions can no longer change."))
        return redirect(session_url)
    withdraw_contribution(contribution=contribution)
    messages.success(request, _("Your contribution is withdrawn."))
    return redirect(session_url + "#mine")


def _session_url(workshop: Workshop, session_id: int | None) -> str:
    if session_id is None:
        return reverse("participant:home", kwargs={"code": workshop.join_code})
    return reverse(
        "participant:session", kwargs={"code": workshop.join_code, "session_id": session_id}
    )


# --- Vote ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@participant_page()
def vote(
    request: HttpRequest, workshop: Workshop, participant: Participant, session: BreakoutSession
):
    if session.status != SessionStatus.VOTING:
        messages.error(request, _("Voting is not open in this session."))
        return redirect(_session_url(workshop, session.pk))
    mine = list(
        Vote.objects.filter(participant=participant, contribution__session=session).values_list(
            "contribution_id", flat=True
        )
    )
    form = VoteForm(
        request.POST or None,
        initial={"choices": [str(pk) for pk in mine]},
        contributions=session.contributions.published().order_by("category", "pk"),
        session=session,
        dots=workshop.dots_per_participant,
    )
    if request.method == "POST" and form.is_valid():
        try:
            cast_votes(
                participant=participant,
                session=session,
                contributions=form.cleaned_data["choices"],
            )
        except VoteRefused as refused:  # voting closed since the form was checked
            form.add_error("choices", str(refused))
        else:
            messages.success(
                request, _("Your votes are saved. You may change them until voting closes.")
            )
            return redirect("participant:vote", code=workshop.join_code, session_id=session.pk)
    return _render(
        request,
        "vote.html",
        {
            "workshop": workshop,
            "session": session,
            "form": form,
            "contributions": form.contributions,
            "dots": workshop.dots_per_participant,
            "used": len(mine),
        },
        status=400 if form.errors else 200,
    )


# --- Wipe this phone, status for the script --------------------------------------------


@require_http_methods(["GET", "POST"])
@participant_page(joined=False, live=False)
def wipe(request: HttpRequest, workshop: Workshop, participant: Participant | None):
    if request.method == "GET":
        return _render(request, "wipe.html", {"workshop": workshop})
    if participant is not None:
        forget_device(participant=participant)
    response = redirect(reverse("participant:join") + "?wiped=1")
    response.delete_cookie(settings.PARTICIPANT_COOKIE_NAME, path="/j/", samesite="Lax")
    response.delete_cookie(GUESS_COOKIE, samesite="Lax")  # nothing left on the phone
    # Browsers that know this header also empty the offline queue and the cache.
    response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


@require_GET
@participant_page(joined=False, live=False)
def status(request: HttpRequest, workshop: Workshop, participant: Participant | None):
    """A few bytes to follow open/voting/closed; 304 when unchanged. The script follows
    ``status_events`` (views/events.py) and polls this where it cannot."""
    body, etag = queries.phone_states(workshop.pk)
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """Keeps the last copy of participant pages so a reload without network still shows
    the form and the offline queue. Served under /j/ so that its scope covers the pages."""
    response = render(request, TEMPLATES + "sw.js", content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response


# --- CSRF failure: never lose what was typed --------------------------------------------


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A phone kept a page open for hours and the CSRF check failed: give the text back.

    On the contribute page the whole form comes back filled in (with a fresh token);
    elsewhere a plain page explains what happened, with any text shown.
    """
    problem = _("This page had expired. Your text is kept below: press Send again.")
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    if match is not None and match.view_name == "participant:session" and request.method == "POST":
        workshop = get_workshop_for_join_code(match.kwargs["code"])
        participant = get_participant_for_request(request, workshop) if workshop else None
        if participant is not None:
            session = BreakoutSession.objects.filter(
                workshop=workshop, pk=match.kwargs["session_id"]
            ).first()
            if session is not None:
                form = ContributeForm(request.POST, session=session)
                return _send_problem(
                    request, workshop, participant, session, form, problem, status=403
                )
    context = {"problem": problem, "text": printable(request.POST.get("text", ""))}
    if sent_by_outbox(request):
        return _render(request, "_send_problem.html", context, status=403)
    return _render(request, "csrf_failure.html", context, status=403)
