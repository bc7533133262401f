"""Theme suggestions on the board in Debian's Chromium: a click accepts one, the key 1
accepts the first, bulk-accept tags a selection. Screenshots at 360×740 and 1280×800."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from workshops.models import Theme
from workshops.services.demo import FIXTURES, _read
from workshops.tests.browser.conftest import DESKTOP, PHONE
from workshops.tests.browser.test_facilitator_live import assert_no_csp_violation, log_in, new_page
from workshops.tests.facilitator_factories import board_url, make_contribution

pytestmark = pytest.mark.django_db(transaction=True)


def library():
    themes = {}
    for row in _read(FIXTURES / "themes.json"):
        fields = row["fields"]
        themes[fields["slug"]] = Theme.objects.create(
            slug=fields["slug"],
            name=fields["name"],
            name_fr=fields["name_fr"],
            description=fields["description"],
        )
    return themes


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_facilitator_accepts_suggested_themes_by_click_key_and_bulk(
    browser, live_server, facilitator, workshop, session, screenshot, viewport, name
):
    themes = library()
    land = make_contribution(workshop, session, text="les troupeaux des éleveurs ds nos champs")
    armed = make_contribution(workshop, session, text="armed men on motorbikes raid the villages")
    bribes = make_contribution(workshop, session, text="a chaque barrage faut payer les policiers")
    grants = make_contribution(
        workshop, session, text="les subventions des bailleurs arrivent jamais"
    )
    context, page = new_page(browser, viewport)
    log_in(page, live_server, facilitator, board_url(workshop))
    item = page.locator(f"#c{land.pk}")
    expect(item.locator(".suggestion")).to_have_count(3)
    screenshot(page, f"facilitator/suggestions-01-board-{name}")

    item.locator(".suggestion").first.click()  # one click accepts
    expect(page.locator(f"#c{land.pk} .suggestions")).to_have_count(0)
    assert list(land.themes.all()) == [themes["land-conflict"]]

    page.locator(f"#pick{armed.pk}").focus()  # the key 1 accepts the first suggestion
    page.keyboard.press("1")
    expect(page.locator(f"#c{armed.pk} .suggestions")).to_have_count(0)
    assert list(armed.themes.all()) == [themes["armed-groups"]]

    page.locator(f"#pick{bribes.pk}").check()
    page.locator(f"#pick{grants.pk}").check()
    page.select_option("#bulk-action", "accept")
    page.locator("#bulk button[type=submit]").click()
    expect(page.get_by_text("Suggested theme accepted for 2 contributions.")).to_be_visible()
    assert list(bribes.themes.all()) == [themes["corruption"]]
    assert list(grants.themes.all()) == [themes["funding"]]
    screenshot(page, f"facilitator/suggestions-02-accepted-{name}")
    assert_no_csp_violation(page)
    context.close()


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_facilitator_searches_pages_and_hides_all_matching(
    browser, live_server, facilitator, workshop, session, screenshot, viewport, name
):
    for i in range(55):
        make_contribution(workshop, session, text=f"Élections reportées dans le cercle {i}")
    other = make_contribution(workshop, session, text="Les routes sont coupées")
    context, page = new_page(browser, viewport)
    log_in(page, live_server, facilitator, board_url(workshop))
    page.fill('input[name="q"]', "ELECTIONS")
    page.locator(".board-filters button[type=submit]").click()
    expect(page.locator(".board-counts")).to_contain_text("55 matching")
    expect(page.locator(".board-item")).to_have_count(50)
    expect(page.locator(".board-pages")).to_contain_text("Page 1 of 2")
    screenshot(page, f"facilitator/search-01-matching-{name}")
    page.get_by_role("link", name="Older").click()
    expect(page.locator(".board-item")).to_have_count(5)
    page.select_option("#bulk-action", "hide")
    page.locator("#bulk-all").check()
    page.locator("#bulk button[type=submit]").click()
    expect(page.get_by_text("Hidden.")).to_be_visible()
    assert workshop.contributions.filter(status="hidden").count() == 55
    other.refresh_from_db()
    assert other.status == "published"
    screenshot(page, f"facilitator/search-02-all-hidden-{name}")
    assert_no_csp_violation(page)
    context.close()


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_theme_picker_filters_as_you_type_in_both_languages(
    browser, live_server, facilitator, workshop, session, screenshot, viewport, name
):
    themes = library()
    contribution = make_contribution(workshop, session, text="Les champs sont occupés")
    context, page = new_page(browser, viewport)
    log_in(page, live_server, facilitator, board_url(workshop))
    find = page.locator("#bulk-themes-find")
    find.fill("FONCIERS")  # the French name, typed in capitals, on the English page
    shown = page.evaluate(
        "Array.from(document.querySelectorAll('#bulk-themes option'))"
        ".filter(o => !o.hidden).map(o => o.value)"
    )
    assert shown == [str(themes["land-conflict"].pk)]
    find.press("Enter")
    screenshot(page, f"facilitator/theme-picker-{name}")
    page.locator(f"#pick{contribution.pk}").check()
    page.select_option("#bulk-action", "tag")
    page.locator("#bulk button[type=submit]").click()
    expect(page.get_by_text("Themes added.")).to_be_visible()
    assert list(contribution.themes.all()) == [themes["land-conflict"]]
    assert_no_csp_violation(page)
    context.close()
