"""Reference data shipped in fixtures/: Mali's zones and regions, the theme library."""

from io import StringIO

from django.core.management import call_command

from workshops.models import Country, Region, Theme, Zone
from workshops.services.demo import load_reference_data

MALI = {
    "North": {"Tombouctou", "Gao", "Kidal", "Ménaka", "Taoudénit"},
    "Centre": {"Mopti", "Ségou"},
    "South": {"Kayes", "Koulikoro", "Sikasso", "Bamako"},
}


def test_the_fixtures_load_with_loaddata_into_an_empty_database(db):
    call_command("loaddata", "mali", "themes", stdout=StringIO())
    assert Country.objects.get().code == "ML"
    assert Theme.objects.filter(workshop=None).count() == 37


def test_mali_regions_sit_in_their_zones_with_french_names(db):
    load_reference_data()
    for zone_name, regions in MALI.items():
        zone = Zone.objects.get(name=zone_name)
        assert set(zone.regions.values_list("name", flat=True)) == regions
    assert [z.label("fr") for z in Zone.objects.order_by("order")] == ["Nord", "Centre", "Sud"]
    assert Region.objects.count() == 11


def test_the_theme_library_has_the_contract_slugs_in_both_languages(db):
    themes = load_reference_data().themes
    assert themes["armed-groups"].label("fr") == "Groupes armés"
    assert themes["sgbv"].label("en") == "Sexual and gender-based violence"
    assert all(theme.name and theme.name_fr for theme in themes.values())


def test_loading_reference_data_twice_adds_nothing(db):
    load_reference_data()
    counts = Country.objects.count(), Zone.objects.count(), Region.objects.count()
    load_reference_data()
    assert (Country.objects.count(), Zone.objects.count(), Region.objects.count()) == counts
