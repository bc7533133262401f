"""One workshop from end to end, with two browsers: a facilitator on a laptop and a
participant's phone in French, without an account. Every step goes through the real
pages: login, agenda, join by code, consent, profile, contribute, live board,
moderation, voting, projector, roll-up and report draft."""

from __future__ import annotations

import re
import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import expect

from conftest import PASSWORD
from workshops.choices import ModerationStatus, SessionStatus
from workshops.models import Contribution, Vote
from workshops.tests.browser.conftest import DESKTOP, PHONE

pytestmark = pytest.mark.django_db(transaction=True)

IDEA = "Les jeunes sans emploi sont recrutés par les groupes armés."


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def watch_console(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


def test_a_phone_joins_contributes_and_votes_while_the_facilitator_runs_the_session(
    browser, live_server, facilitator, workshop, session, regions, screenshot
):
    session.status = SessionStatus.PLANNED
    session.save()
    workshop.premoderation = False
    workshop.save()

    # The facilitator logs in on the login page and opens the session from the agenda.
    desk = browser.new_context(viewport=DESKTOP, locale="en-GB")
    desk.add_cookies([{"name": "pe_lang", "value": "en", "url": live_server.url}])
    staff = desk.new_page()
    staff_errors = watch_console(staff)
    agenda = reverse("workshops:workshop", args=[workshop.slug])
    staff.goto(f"{live_server.url}{reverse('login')}?next={agenda}")
    staff.fill('input[name="username"]', facilitator.username)
    staff.fill('input[name="password"]', PASSWORD)
    staff.click('main button[type="submit"]')
    staff.wait_for_url(re.compile(re.escape(f"{live_server.url}{agenda}") + "$"))
    staff.get_by_role("button", name="Open session").first.click()
    session.refresh_from_db()
    assert session.status == SessionStatus.OPEN
    board = reverse("workshops:session_board", args=[workshop.slug, session.pk])
    staff.goto(live_server.url + board)
    expect(staff.locator("#c-none, .board-item")).to_have_count(0)

    # A phone in French, no account: the code typed on the landing page.
    phone_context = browser.new_context(viewport=PHONE, locale="fr-FR")
    phone = phone_context.new_page()
    phone_errors = watch_console(phone)
    phone.goto(live_server.url + "/")
    phone.get_by_label("Code de l'atelier").fill(workshop.join_code.lower())
    phone.get_by_role("button", name="Rejoindre").click()
    phone.get_by_role("button", name="Français").click()
    phone.get_by_role("button", name="J'accepte, continuer").click()
    phone.get_by_label("Région où vous travaillez").select_option(label="Mopti")
    phone.get_by_label("Genre").select_option(label="Femme")
    phone.get_by_role("button", name="Enregistrer et continuer").click()
    expect(phone.get_by_role("heading", name=session.title)).to_be_visible()
    phone.get_by_label("Votre contribution").fill(IDEA)
    phone.get_by_role("button", name="Envoyer").click()
    sent_at = time.monotonic()

    # Issue 4's acceptance criterion: the board shows it within 2 s.
    expect(staff.get_by_text(IDEA)).to_be_visible(timeout=2000)
    seen_after = time.monotonic() - sent_at
    print(f"board showed the phone contribution after {seen_after:.2f} s")
    assert seen_after <= 2.0, f"the board showed the contribution after {seen_after:.2f} s"
    contribution = Contribution.objects.get()
    assert contribution.source == "phone" and contribution.language == "fr"
    assert contribution.region.name == "Mopti" and contribution.gender == "woman"
    screenshot(staff, "e2e/01-board-with-phone-contribution")
    screenshot(phone, "e2e/02-phone-sent")

    # Moderation: hide, publish again, tag a theme.
    item = staff.locator(f"#c{contribution.pk}")
    item.get_by_role("button", name="Hide").click()
    expect(item.get_by_role("button", name="Publish")).to_be_visible()
    contribution.refresh_from_db()
    assert contribution.status == ModerationStatus.HIDDEN
    item.get_by_role("button", name="Publish").click()
    expect(item.get_by_role("button", name="Hide")).to_be_visible()
    contribution.refresh_from_db()
    assert contribution.status == ModerationStatus.PUBLISHED
    staff.check(f"#pick{contribution.pk}")
    staff.select_option("#bulk-action", "tag")
    staff.fill("#bulk-new-theme", "Chômage des jeunes")
    staff.click("#bulk button[type=submit]")
    expect(staff.get_by_text("Themes added.")).to_be_visible()
    assert list(contribution.themes.values_list("name", flat=True)) == ["Chômage des jeunes"]

    # Voting: the facilitator opens it, the phone votes.
    staff.get_by_role("button", name="Open voting").click()
    expect(staff.get_by_role("button", name="Close voting")).to_be_visible()
    # The phone notices by itself (its event stream) and reloads its page: a reload by the
    # test at the same moment would abort one of the two navigations.
    vote_link = phone.get_by_role("link", name="Voter")
    expect(vote_link).to_be_visible(timeout=10_000)
    vote_link.click()
    phone.get_by_label(IDEA).check()
    phone.get_by_role("button", name="Enregistrer mes votes").click()
    expect(phone.locator(".msg")).to_contain_text("Vos votes sont enregistrés")
    assert Vote.objects.get().contribution_id == contribution.pk
    screenshot(phone, "e2e/03-phone-voted")

    # The projector shows the result.
    staff.goto(live_server.url + reverse("workshops:projector", args=[workshop.slug, session.pk]))
    results = staff.locator(".projector-results li")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(IDEA)
    expect(results.first.locator(".dots")).to_have_text("1")
    screenshot(staff, "e2e/04-projector-results")

    # The roll-up counts the contribution (exactly: it is not a person) and the one voice;
    # one person is too few for any table by zone or gender.
    staff.goto(live_server.url + reverse("report:rollup", args=[workshop.slug]))
    expect(staff.get_by_text("Nothing to count yet")).to_have_count(0)
    expect(staff.locator(".card .fs-4").first).to_have_text("1")
    expect(staff.get_by_text("Too few people were heard for tables")).to_be_visible()
    screenshot(staff, "e2e/05-rollup")

    # The French report draft is written from the data: the phone's source and the sources.
    staff.goto(live_server.url + reverse("report:home", args=[workshop.slug]))
    staff.select_option("select[name=language]", "fr")
    staff.get_by_role("button", name="Write the draft").click()
    main = staff.locator("main")
    expect(main).to_contain_text("Sources utilisées (contributions) : téléphone (1).")
    expect(main).to_contain_text("Moins de 10 personnes ont été entendues")
    screenshot(staff, "e2e/06-report-draft")

    assert not [e for e in staff_errors + phone_errors if "Content Security Policy" in e]
    phone_context.close()
    desk.close()


def test_note_taker_captures_without_javascript(
    browser, live_server, note_taker, workshop, session, screenshot
):
    context = browser.new_context(viewport=DESKTOP, locale="en-GB", java_script_enabled=False)
    context.add_cookies([{"name": "pe_lang", "value": "en", "url": live_server.url}])
    page = context.new_page()
    capture = reverse("workshops:capture", args=[workshop.slug, session.pk])
    page.goto(f"{live_server.url}{reverse('login')}?next={capture}")
    page.fill('input[name="username"]', note_taker.username)
    page.fill('input[name="password"]', PASSWORD)
    page.click('main button[type="submit"]')
    page.wait_for_url(re.compile(re.escape(f"{live_server.url}{capture}") + "$"))

    page.fill('textarea[name="text"]', "Women mediators are trusted by both sides")
    page.locator("label[for$='category_1']").click()  # the second category: strength
    page.get_by_role("button", name="Save").click()
    expect(page.locator('textarea[name="text"]')).to_have_value("")
    expect(page.locator("#recent-notes")).to_contain_text("Women mediators are trusted")
    stored = Contribution.objects.get()
    assert stored.text == "Women mediators are trusted by both sides"
    assert stored.category == "strength" and stored.source == "note"
    assert stored.created_by_id == note_taker.pk
    page.reload()  # reloading the page after a save does not send it again
    assert Contribution.objects.count() == 1
    screenshot(page, "e2e/07-capture-no-js")
    context.close()
