"""Every page of the app as a person sees it, on the Bamako demo workshop.

Staff pages at 1280×800 and 360×740, participant pages at 360×740 and 320 wide, in
French (the default language). On each: no console error, no Content Security Policy
violation, no horizontal scrolling on a phone, no English label left on a French page.

``REVIEW_SCREENSHOTS=1`` also saves a full-page screenshot of each, in French and in
English, under ``artifacts/screenshots/review/`` (slower: for people to look at).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from workshops.choices import SessionStatus
from workshops.models import Interview, Region
from workshops.services.demo import seed_demo
from workshops.services.report import build_draft, save_section
from workshops.tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)

DATA = Path(__file__).resolve().parents[1] / "data"
REVIEW = os.environ.get("REVIEW_SCREENSHOTS") == "1"
NARROW = {"width": 320, "height": 640}

# Labels of the app's own chrome that must not show in English on a French page.
ENGLISH = [
    "Board",
    "Join code",
    "Roll-up",
    "Interviews",
    "Settings",
    "My workshops",
    "Log out",
    "Save",
    "Edit",
    "Open voting",
    "Publish",
    "Workshop code",
    "Send",
]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def demo():
    result = seed_demo()
    workshop = result.workshop
    draft = build_draft(workshop=workshop, language="fr")
    section = draft.sections.order_by("pk").first()
    organiser = workshop.memberships.get(role="organiser").user
    save_section(section=section, body=section.body + "\n\nPremière relecture.", user=organiser)
    save_section(section=section, body=section.body + "\n\nDeuxième relecture.", user=organiser)
    interview = Interview.objects.create(
        workshop=workshop,
        date=workshop.start_date,
        pseudonym="Aminata K.",
        region=Region.objects.get(name="Mopti"),
        consent_noted=True,
        notes="Les jeunes rejoignent les groupes armés faute d'emploi.",
    )
    return workshop, organiser, section, interview


def _watch(page) -> list[str]:
    problems: list[str] = []

    def on_console(message):
        if message.type == "error" or "Refused to" in message.text:
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def _set_language(context, live_server, language: str) -> None:
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )


def _english_left(page) -> list[str]:
    text = page.locator("body").inner_text()
    return [label for label in ENGLISH if re.search(rf"(?<!\w){re.escape(label)}(?!\w)", text)]


def _width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def _too_wide(page) -> list[str]:
    """The first few elements that stick out on the right, to say what to fix."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(el => el.getBoundingClientRect().right > innerWidth + 1)
            .slice(-3).map(el => el.outerHTML.slice(0, 100))"""
    )


def _check(page, problems, name: str, size: dict, failures: list[str]) -> None:
    if problems:
        failures.append(f"{name} {size['width']}: console {problems[:3]}")
    if size["width"] <= 360 and _width(page) > size["width"]:
        failures.append(f"{name} {size['width']}: {_width(page)} px wide {_too_wide(page)}")
    english = _english_left(page)
    if english:
        failures.append(f"{name} {size['width']}: English on a French page {english}")
    problems.clear()


def _staff_pages(workshop, section, upload_id, interview) -> dict[str, str]:
    slug = workshop.slug
    open_session = workshop.sessions.get(status=SessionStatus.OPEN)
    voting = workshop.sessions.get(status=SessionStatus.VOTING)
    draft = [slug, section.draft.language]
    return {
        "01-dashboard": reverse("workshops:dashboard"),
        "02-agenda": reverse("workshops:workshop", args=[slug]),
        "03-board": reverse("workshops:board", args=[slug]),
        "04-session-board": reverse("workshops:session_board", args=[slug, open_session.pk]),
        "05-capture": reverse("workshops:capture", args=[slug, open_session.pk]),
        "06-results": reverse("workshops:results", args=[slug]),
        "07-session-results": reverse("workshops:session_results", args=[slug, voting.pk]),
        "08-projector": reverse("workshops:projector", args=[slug, open_session.pk]),
        "09-projector-votes": reverse("workshops:projector", args=[slug, voting.pk]),
        "10-join-code": reverse("workshops:join_code", args=[slug]),
        "11-join-sheet": reverse("workshops:join_sheet", args=[slug]),
        "12-organisations": reverse("workshops:organisations", args=[slug]),
        "13-participants": reverse("workshops:participants", args=[slug]) + "?purpose=Screens",
        "14-staff": reverse("workshops:staff", args=[slug]),
        "15-settings": reverse("workshops:workshop_edit", args=[slug]),
        "16-session-edit": reverse("workshops:session_edit", args=[slug, open_session.pk]),
        "17-sources": reverse("sources:index", args=[slug]),
        "18-survey-upload": reverse("sources:survey_upload", args=[slug]),
        "19-survey-mapping": reverse("sources:survey_mapping", args=[slug, upload_id]),
        "20-acled-upload": reverse("sources:acled_upload", args=[slug]),
        "21-context": reverse("sources:context", args=[slug]),
        "22-region-spellings": reverse("sources:aliases", args=[slug]),
        "23-interviews": reverse("sources:interviews", args=[slug]),
        "24-interview": reverse("sources:interview", args=[slug, interview.pk]),
        "25-interview-new": reverse("sources:interview_new", args=[slug]),
        "26-rollup": reverse("report:rollup", args=[slug]),
        "27-report-drafts": reverse("report:home", args=[slug]),
        "28-report-draft": reverse("report:draft", args=draft),
        "29-report-section-edit": reverse("report:section", args=[*draft, section.key]),
        "30-report-version-diff": reverse("report:history", args=[*draft, section.key]),
        "31-participant-edit": reverse(
            "workshops:participant_edit", args=[slug, workshop.participants.first().pk]
        ),
        "32-organisation-edit": reverse(
            "workshops:organisation_edit", args=[slug, _unshared_organisation(workshop).pk]
        ),
    }


def _unshared_organisation(workshop):
    return (
        workshop.organisations.annotate(lists=Count("workshops"))
        .filter(lists=1, memberships__isnull=True, organised_workshops__isnull=True)
        .first()
    )


def test_every_staff_page_is_clean_on_desktop_and_phone(browser, live_server, demo, screenshot):
    workshop, organiser, section, interview = demo
    client = Client()
    client.force_login(organiser)
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    _set_language(context, live_server, "fr")
    page = context.new_page()
    problems = _watch(page)

    page.goto(live_server.url + reverse("sources:survey_upload", args=[workshop.slug]))
    page.set_input_files("input[type=file]", str(DATA / "kobo_survey.csv"))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/import/survey/*/")
    upload_id = int(page.url.rstrip("/").rsplit("/", 1)[1])

    pages = _staff_pages(workshop, section, upload_id, interview)
    failures: list[str] = []
    languages = ("fr", "en") if REVIEW else ("fr",)
    for language in languages:
        _set_language(context, live_server, language)
        for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            for name, path in pages.items():
                response = page.goto(live_server.url + path)
                assert response.status == 200, f"{name}: {response.status}"
                if language == "fr":
                    _check(page, problems, name, size, failures)
                if REVIEW:
                    screenshot(page, f"review/staff/{name}-{language}-{size_name}")
    context.close()
    assert not failures, "\n".join(failures)


def test_every_participant_page_is_clean_on_small_phones(browser, live_server, demo, screenshot):
    workshop = demo[0]
    open_session = workshop.sessions.get(status=SessionStatus.OPEN)
    voting = workshop.sessions.get(status=SessionStatus.VOTING)
    code = workshop.join_code
    failures: list[str] = []
    for size in (PHONE, NARROW):
        context = browser.new_context(viewport=size, locale="fr-FR")
        page = context.new_page()
        problems = _watch(page)
        shot = f"review/participant/{size['width']}"

        page.goto(live_server.url + "/")
        _check(page, problems, "landing", size, failures)
        if REVIEW:
            screenshot(page, f"{shot}-01-landing")
        page.locator("#id_code").fill(code)
        page.locator("main form button[type=submit]").click()
        steps = [("02-language", "Français"), ("03-consent", "J'accepte, continuer")]
        for name, button in steps:
            page.wait_for_load_state()
            _check(page, problems, name, size, failures)
            if REVIEW:
                screenshot(page, f"{shot}-{name}")
            page.get_by_role("button", name=button).click()
        pages = {
            "04-profile": f"/j/{code}/profile/",
            "05-sessions": f"/j/{code}/home/",
            "06-contribute": f"/j/{code}/s/{open_session.pk}/",
            "07-vote": f"/j/{code}/s/{voting.pk}/vote/",
            "08-wipe": f"/j/{code}/wipe/",
        }
        for name, path in pages.items():
            response = page.goto(live_server.url + path)
            assert response.status == 200, f"{name}: {response.status}"
            _check(page, problems, name, size, failures)
            if REVIEW:
                screenshot(page, f"{shot}-{name}")
        context.close()
    assert not failures, "\n".join(failures)
