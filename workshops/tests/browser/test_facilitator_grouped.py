"""The grouped view by theme in Debian's Chromium: a move by keyboard, by drag and drop and
by the plain form without JavaScript; counts that change at once and when another
facilitator themes; the projector mode. Screenshots at 360×740 and 1280×800."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from model_bakery import baker
from playwright.sync_api import expect

from workshops.services import moderation
from workshops.tests.browser.conftest import DESKTOP, PHONE
from workshops.tests.browser.test_facilitator_live import assert_no_csp_violation, log_in, new_page
from workshops.tests.facilitator_factories import make_contribution

pytestmark = pytest.mark.django_db(transaction=True)
VIEWPORTS = [(PHONE, "phone"), (DESKTOP, "desktop")]


def grouped_url(workshop, session):
    return reverse("workshops:session_grouped", args=[workshop.slug, session.pk])


def count(page, key):
    return page.locator(f"#group-{key} .group-count")


@pytest.fixture
def room(workshop, session, theme):
    """Two themes (one the workshop's own) and three untagged contributions."""
    land = baker.make(
        "workshops.Theme", slug="land-conflict", name="Land conflict", name_fr="Conflits fonciers"
    )
    water = baker.make("workshops.Theme", workshop=workshop, slug="water", name="Water points")
    items = [
        make_contribution(workshop, session, text="Les troupeaux passent dans les champs"),
        make_contribution(workshop, session, text="Men with guns on the road to the market"),
        make_contribution(workshop, session, text="Le forage du village est en panne"),
    ]
    return {"armed": theme, "land": land, "water": water, "items": items}


@pytest.mark.parametrize(("viewport", "name"), VIEWPORTS)
def test_facilitator_moves_by_keyboard_and_counts_change_at_once(
    browser, live_server, facilitator, workshop, session, room, screenshot, viewport, name
):
    water, herds, guns, well = room["water"], *room["items"]
    context, page = new_page(browser, viewport)
    log_in(page, live_server, facilitator, grouped_url(workshop, session))
    expect(count(page, "none")).to_have_text("3")
    screenshot(page, f"facilitator/grouped-01-untagged-{name}")

    item = page.locator(f"#gnone-c{well.pk}")  # the newest: first of its group
    item.focus()
    page.keyboard.press("m")
    find = item.locator(".theme-find")
    expect(find).to_be_focused()
    page.keyboard.type("WATER")  # filters as you type, whatever the case
    screenshot(page, f"facilitator/grouped-02-keyboard-picker-{name}")
    page.keyboard.press("Enter")
    expect(count(page, water.pk)).to_have_text("1")
    expect(count(page, "none")).to_have_text("2")
    expect(page.locator(f"#g{water.pk}-c{well.pk}")).to_be_visible()
    assert list(well.themes.all()) == [water]
    # The keyboard goes on with the next item of the group it left.
    expect(page.locator(f"#gnone-c{guns.pk}")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator(f"#gnone-c{herds.pk}")).to_be_focused()

    # Another facilitator themes one: it shows without a reload.
    moderation.tag_themes(workshop=workshop, contributions=[herds], themes=[room["land"]])
    expect(count(page, room["land"].pk)).to_have_text("1", timeout=5000)
    expect(count(page, "none")).to_have_text("1")
    screenshot(page, f"facilitator/grouped-03-moved-{name}")
    assert_no_csp_violation(page)
    context.close()


@pytest.mark.parametrize(("viewport", "name"), VIEWPORTS)
def test_facilitator_moves_by_drag_and_drop(
    browser, live_server, facilitator, workshop, session, room, screenshot, viewport, name
):
    armed, land = room["armed"], room["land"]
    herds = room["items"][0]  # the oldest: last of "Untagged", just above "Armed groups"
    context, page = new_page(browser, viewport)
    log_in(page, live_server, facilitator, grouped_url(workshop, session))
    # On a phone the groups are stacked: the drop target is scrolled into view first
    # (a drag does not scroll the page).
    page.locator(f"#group-{land.pk}").scroll_into_view_if_needed()
    page.locator(f"#gnone-c{herds.pk}").drag_to(page.locator(f"#group-{armed.pk}"))
    expect(count(page, armed.pk)).to_have_text("1")
    expect(count(page, "none")).to_have_text("2")
    assert list(herds.themes.all()) == [armed]
    # From one theme to another: the theme it leaves is replaced.
    page.locator(f"#group-{land.pk}").scroll_into_view_if_needed()
    page.locator(f"#g{armed.pk}-c{herds.pk}").drag_to(page.locator(f"#group-{land.pk}"))
    expect(count(page, land.pk)).to_have_text("1")
    expect(count(page, armed.pk)).to_have_text("0")
    assert list(herds.themes.all()) == [land]
    screenshot(page, f"facilitator/grouped-04-dropped-{name}")
    assert_no_csp_violation(page)
    context.close()


@pytest.mark.parametrize(("viewport", "name"), VIEWPORTS)
def test_facilitator_moves_with_the_plain_form_without_javascript(
    browser, live_server, facilitator, workshop, session, room, screenshot, viewport, name
):
    land, herds = room["land"], room["items"][0]
    context = browser.new_context(viewport=viewport, locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, facilitator, grouped_url(workshop, session))
    page.locator(f"#gnone-c{herds.pk} .move-link").click()
    form = page.locator(f"#gnone-c{herds.pk} .move-form")
    expect(form).to_be_visible()
    form.locator("select").select_option(str(land.pk))
    screenshot(page, f"facilitator/grouped-05-nojs-form-{name}")
    form.get_by_role("button", name="Move", exact=True).click()
    expect(page.get_by_text("Moved.")).to_be_visible()
    assert page.url.endswith("#group-none")  # back to the group it left
    expect(count(page, land.pk)).to_have_text("1")
    expect(count(page, "none")).to_have_text("2")
    assert list(herds.themes.all()) == [land]
    screenshot(page, f"facilitator/grouped-06-nojs-moved-{name}")
    context.close()


@pytest.mark.parametrize(("viewport", "name"), VIEWPORTS)
def test_the_projector_shows_the_groups_and_the_board_links_them(
    browser, live_server, viewer, workshop, session, room, screenshot, viewport, name
):
    herds, guns, _well = room["items"]
    moderation.tag_themes(workshop=workshop, contributions=[herds], themes=[room["land"]])
    moderation.tag_themes(workshop=workshop, contributions=[guns], themes=[room["armed"]])
    context, page = new_page(browser, viewport)
    board = reverse("workshops:session_board", args=[workshop.slug, session.pk])
    log_in(page, live_server, viewer, reverse("workshops:workshop", args=[workshop.slug]))
    expect(page.get_by_role("link", name="By theme")).to_have_count(2)  # nav and the session
    screenshot(page, f"facilitator/grouped-00-agenda-link-{name}")
    page.goto(f"{live_server.url}{board}")
    screenshot(page, f"facilitator/grouped-00-board-link-{name}")
    page.get_by_role("link", name="By theme").last.click()
    expect(page).to_have_url(re.compile(re.escape(grouped_url(workshop, session)) + "$"))
    expect(page.locator(".move-link")).to_have_count(0)  # a viewer only reads
    screenshot(page, f"facilitator/grouped-07-viewer-{name}")
    page.get_by_role("link", name="Projector").click()
    expect(page.locator(".projector-group")).to_have_count(3)  # untagged, armed, land
    expect(page.locator(f"#group-{room['water'].pk}")).to_have_count(0)  # empty: not shown
    screenshot(page, f"facilitator/grouped-08-projector-{name}")
    moderation.tag_themes(
        workshop=workshop, contributions=[room["items"][2]], themes=[room["water"]]
    )
    expect(page.locator(f"#group-{room['water'].pk}")).to_be_visible(timeout=5000)
    assert_no_csp_violation(page)
    context.close()
