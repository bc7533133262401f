"""A phone at 360×740 in French: join → consent → profile → contribute → own list → vote
→ wipe; offline sends; the same flow without JavaScript. Screenshots of every page go to
artifacts/screenshots/participant/."""

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from model_bakery import baker
from playwright.sync_api import expect

from workshops.choices import Category, SessionStatus
from workshops.models import Contribution, Participant, Vote
from workshops.tests.browser.conftest import PHONE
from workshops.tests.participant_factories import contribution_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def phone_context(browser):
    context = browser.new_context(viewport=PHONE, locale="fr-FR", device_scale_factor=1)
    yield context
    context.close()


@pytest.fixture
def no_js_context(browser):
    context = browser.new_context(viewport=PHONE, locale="fr-FR", java_script_enabled=False)
    yield context
    context.close()


def _joined(context, live_server, workshop):
    participant = baker.make(Participant, workshop=workshop)
    token = participant.issue_token()
    participant.save()
    context.add_cookies(
        [
            {
                "name": settings.PARTICIPANT_COOKIE_NAME,
                "value": token,
                "url": live_server.url + "/j/",
                "httpOnly": True,
                "sameSite": "Lax",
            }
        ]
    )
    return participant


def _session_path(session):
    return f"/j/{session.workshop.join_code}/s/{session.pk}/"


def _targets_too_small(page) -> list[str]:
    """Visible buttons, fields and choice labels smaller than 44 px."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
            'button, .button, input[type=text], select, textarea, .choices label, .check, .foot a'
          )].filter(el => el.offsetParent !== null)
            .map(el => [el, el.getBoundingClientRect()])
            .filter(([el, r]) => r.height < 44 || r.width < 44)
            .map(([el, r]) => el.outerHTML.slice(0, 80) + ' ' + r.width + 'x' + r.height)"""
    )


def _fits(page, width=PHONE["width"]) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_phone_joins_contributes_votes_and_wipes_in_french(
    phone_context, live_server, workshop, session, regions, screenshot
):
    page = phone_context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    page.goto(live_server.url + "/")
    screenshot(page, "participant/00-landing")
    page.get_by_label("Code de l'atelier").fill(workshop.join_code.lower())
    page.get_by_role("button", name="Rejoindre").click()

    expect(page.get_by_role("heading", name="Choisissez votre langue")).to_be_visible()
    screenshot(page, "participant/01-language")
    page.get_by_role("button", name="Français").click()

    expect(page.get_by_role("heading", name="Avant de commencer")).to_be_visible()
    screenshot(page, "participant/02-consent")
    page.get_by_role("button", name="J'accepte, continuer").click()

    expect(page.get_by_role("heading", name="À propos de vous (facultatif)")).to_be_visible()
    assert _targets_too_small(page) == []
    screenshot(page, "participant/03-profile")
    page.get_by_label("Région où vous travaillez").select_option(label="Mopti")
    page.get_by_label("Genre").select_option(label="Femme")
    page.get_by_role("button", name="Enregistrer et continuer").click()

    expect(page.get_by_role("heading", name=session.title)).to_be_visible()
    expect(page.locator(".question")).to_have_text(session.guiding_question)
    assert _targets_too_small(page) == []
    assert _fits(page)
    screenshot(page, "participant/04-contribute")
    page.get_by_label("Votre contribution").fill("L'État est absent dans nos communes.")
    page.get_by_label("Long terme").check()
    page.get_by_role("button", name="Envoyer").click()

    row = page.locator("#own li[id^=c]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("L'État est absent dans nos communes.")
    expect(page.get_by_label("Votre contribution")).to_have_value("")
    stored = Contribution.objects.get()
    assert stored.source == "phone" and stored.horizon == "long_term"
    assert stored.region.name == "Mopti" and stored.gender == "woman"
    assert stored.language == "fr"
    screenshot(page, "participant/05-own-list")

    row.get_by_role("link", name="Modifier").click()
    expect(page.get_by_role("heading", name="Modifier ma contribution")).to_be_visible()
    screenshot(page, "participant/06-edit")
    page.get_by_label("Votre contribution").fill("L'État est absent dans nos communes rurales.")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#own")).to_contain_text("communes rurales")

    others = baker.make(Participant, workshop=workshop, _quantity=2)
    for i, other in enumerate(others):
        contribution_of(other, session, text=f"Idée numéro {i}", category=Category.DRIVER)
    session.status = SessionStatus.VOTING
    session.save()
    page.reload()
    page.get_by_role("link", name="Voter").click()
    screenshot(page, "participant/07-vote")
    page.get_by_label("Idée numéro 1").check()
    page.get_by_role("button", name="Enregistrer mes votes").click()
    expect(page.locator(".msg")).to_contain_text("Vos votes sont enregistrés")
    assert Vote.objects.get().contribution.text == "Idée numéro 1"

    session.status = SessionStatus.CLOSED
    session.save()
    page.goto(live_server.url + _session_path(session))
    expect(page.get_by_role("heading", name="Résultats du vote")).to_be_visible()
    screenshot(page, "participant/08-results")

    page.goto(live_server.url + f"/j/{workshop.join_code}/home/")
    screenshot(page, "participant/09-sessions")
    page.get_by_role("link", name="Effacer ce téléphone").click()
    screenshot(page, "participant/10-wipe")
    page.get_by_role("button", name="Effacer ce téléphone").click()
    expect(page.locator(".msg")).to_contain_text("Ce téléphone ne contient plus rien")
    screenshot(page, "participant/11-wiped")
    names = {c["name"] for c in phone_context.cookies()}
    assert settings.PARTICIPANT_COOKIE_NAME not in names
    assert page.evaluate("() => localStorage.length") == 0
    assert Participant.objects.get(pk=stored.author_id).token_hash is None
    assert not [e for e in errors if "Content Security Policy" in e]


def test_three_contributions_written_offline_arrive_exactly_once(
    phone_context, live_server, workshop, session, screenshot
):
    _joined(phone_context, live_server, workshop)
    page = phone_context.new_page()
    url = live_server.url + _session_path(session)
    page.goto(url)
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller")
    page.reload()

    phone_context.set_offline(True)
    for i in range(3):
        page.get_by_label("Votre contribution").fill(f"Écrit sans réseau {i}")
        page.get_by_role("button", name="Envoyer").click()
    expect(page.locator("#own li.pending")).to_have_count(3)
    expect(page.locator("#pe-sending")).to_contain_text("3")
    screenshot(page, "participant/12-offline-queue")
    assert Contribution.objects.count() == 0

    page.reload()  # still offline: the page comes from the service worker's copy
    expect(page.locator("#own li.pending")).to_have_count(3)
    screenshot(page, "participant/13-offline-after-reload")

    phone_context.set_offline(False)
    expect(page.locator("#own li.pending")).to_have_count(0, timeout=15000)
    expect(page.locator("#own li[id^=c]")).to_have_count(3)
    texts = sorted(Contribution.objects.values_list("text", flat=True))
    assert texts == [f"Écrit sans réseau {i}" for i in range(3)]
    assert page.evaluate("() => localStorage.getItem('pe-outbox:participant')") is None

    page.reload()
    expect(page.locator("#own li[id^=c]")).to_have_count(3)
    assert Contribution.objects.count() == 3


def test_conflicting_resend_keeps_my_text_and_never_shows_the_stored_one(
    phone_context, live_server, workshop, session, screenshot
):
    participant = _joined(phone_context, live_server, workshop)
    page = phone_context.new_page()
    page.goto(live_server.url + _session_path(session))
    client_id = page.locator("[name=client_id]").input_value()
    contribution_of(participant, session, text="Déjà reçu", client_id=client_id)
    page.get_by_label("Votre contribution").fill("Mon nouveau texte")
    page.get_by_role("button", name="Envoyer").click()
    problem = page.locator("[data-problem]")
    expect(problem).to_be_visible()
    expect(problem).not_to_contain_text("Déjà reçu")  # never the stored row's words
    expect(page.get_by_label("Votre contribution")).to_have_value("Mon nouveau texte")
    screenshot(page, "participant/14-conflict")
    assert Contribution.objects.count() == 1


def test_session_status_change_is_followed_without_reloading(
    phone_context, live_server, workshop, session
):
    _joined(phone_context, live_server, workshop)
    page = phone_context.new_page()
    page.clock.install()
    page.goto(live_server.url + _session_path(session))
    session.status = SessionStatus.VOTING
    session.save()
    page.clock.run_for(25000)
    expect(page.get_by_role("link", name="Voter")).to_be_visible(timeout=10000)


def test_the_whole_flow_works_without_javascript(
    no_js_context, live_server, workshop, session, screenshot
):
    page = no_js_context.new_page()
    page.goto(live_server.url + f"/j/{workshop.join_code}/")
    page.get_by_role("button", name="Français").click()
    page.get_by_role("button", name="J'accepte, continuer").click()
    page.get_by_role("link", name="Passer").click()
    page.get_by_role("link", name=session.title).click()
    page.get_by_label("Votre contribution").fill("Sans JavaScript aussi")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator(".msg-success")).to_contain_text("Merci")
    expect(page.locator("#own")).to_contain_text("Sans JavaScript aussi")
    assert re.search(r"#mine$", page.url)
    screenshot(page, "participant/15-no-js-sent")
    assert Contribution.objects.get().text == "Sans JavaScript aussi"


def test_pages_fit_a_320_pixel_screen(browser, live_server, workshop, session, screenshot):
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="fr-FR")
    _joined(context, live_server, workshop)
    page = context.new_page()
    for path, name in [
        (f"/j/{workshop.join_code}/", "16-320-home"),
        (_session_path(session), "17-320-contribute"),
        (f"/j/{workshop.join_code}/profile/", "18-320-profile"),
    ]:
        page.goto(live_server.url + path)
        assert _fits(page, 320), path
        assert _targets_too_small(page) == [], path
        screenshot(page, f"participant/{name}")
    context.close()


def test_a_row_sent_by_the_script_can_be_withdrawn_at_once(
    phone_context, live_server, workshop, session, screenshot
):
    """The row a send returns carries the phone's own CSRF token: its form works."""
    _joined(phone_context, live_server, workshop)
    page = phone_context.new_page()
    page.goto(live_server.url + _session_path(session))
    page.get_by_label("Votre contribution").fill("Une idée envoyée trop vite.")
    page.get_by_label("Long terme").check()
    page.get_by_role("button", name="Envoyer").click()
    row = page.locator("#own li[id^=c]")
    expect(row).to_have_count(1)
    screenshot(page, "participant/18-sent-row")
    row.get_by_role("button", name="Retirer").click()
    expect(page.locator("#own li[id^=c]")).to_have_count(0)
    screenshot(page, "participant/19-withdrawn")
    assert not Contribution.objects.exists()
