"""Reference data shipped in fixtures/ and workshops/reference/: countries, regions, the
zones each country suggests, the theme library."""

from io import StringIO

import pytest
from django.core.management import call_command
from model_bakery import baker

from workshops.models import Country, Region, Theme, Zone
from workshops.reference import countries
from workshops.services.demo import load_reference_data
from workshops.services.zones import suggested_grouping
from workshops.sources.regions import RegionMatcher, gazetteer

MALI = {
    "North": {"Tombouctou", "Gao", "Kidal", "Ménaka", "Taoudénit"},
    "Centre": {"Mopti", "Ségou"},
    "South": {"Kayes", "Koulikoro", "Sikasso", "Bamako"},
}


def test_the_fixtures_load_with_loaddata_into_an_empty_database(db):
    call_command("loaddata", "mali", "themes", stdout=StringIO())
    assert Country.objects.get().code == "ML"
    assert Theme.objects.filter(workshop=None).count() == 37


def test_mali_suggests_its_north_centre_and_south_with_french_names(db):
    ref = load_reference_data()
    grouping = suggested_grouping(ref.countries["ML"])
    assert {zone.name: {r.name for r in zone.regions} for zone in grouping} == MALI
    assert [zone.name_fr for zone in grouping] == ["Nord", "Centre", "Sud"]
    assert Region.objects.filter(country__code="ML").count() == 11
    assert not Zone.objects.exists()  # zones belong to workshops, none is stored here


def test_the_theme_library_has_the_contract_slugs_in_both_languages(db):
    themes = load_reference_data().themes
    assert themes["armed-groups"].label("fr") == "Groupes armés"
    assert themes["sgbv"].label("en") == "Sexual and gender-based violence"
    assert all(theme.name and theme.name_fr for theme in themes.values())


def test_loading_reference_data_twice_adds_nothing(db):
    load_reference_data()
    counts = Country.objects.count(), Region.objects.count()
    load_reference_data()
    assert (Country.objects.count(), Region.objects.count()) == counts


# The shipped countries: ISO 3166-1 code → number of admin1 units in the file.
ADMIN1 = {
    "BJ": 12, "BF": 13, "CV": 22, "CI": 14, "GM": 6, "GH": 16, "GN": 8, "GW": 9, "LR": 15,
    "ML": 11, "MR": 15, "NE": 8, "NG": 37, "SN": 14, "SL": 5, "TG": 5, "TD": 23,
}  # fmt: skip


def test_the_reference_files_hold_the_ecowas_states_mauritania_and_chad_in_both_languages():
    shipped = countries()
    assert {code: len(data["regions"]) for code, data in shipped.items()} == ADMIN1
    for code, data in shipped.items():
        assert data["name_en"] and data["name_fr"] and data["source"]
        for row in data["regions"]:
            assert row["code"].startswith(f"{code}-")
            assert row["name_en"] and row["name_fr"]
        assert len({row["code"] for row in data["regions"]}) == len(data["regions"])
    assert shipped["TD"]["name_fr"] == "Tchad"
    assert shipped["CI"]["name_fr"] == "Côte d'Ivoire"


def test_loading_stores_every_country_and_region_with_french_names(db):
    ref = load_reference_data()
    assert Country.objects.count() == len(ADMIN1)
    assert Country.objects.get(code="SN").label("fr") == "Sénégal"
    for code, count in ADMIN1.items():
        assert Region.objects.filter(country__code=code).count() == count
    assert not Region.objects.filter(code="").exists()
    assert not Region.objects.filter(name_fr="").exists()
    # Mali keeps its fixture's regions; a country without suggested zones suggests one per
    # region (a workshop starts with them: test_workshop_zones.py).
    assert Region.objects.get(code="ML-6").name == "Tombouctou"
    assert len(suggested_grouping(ref.countries["ML"])) == 3
    assert len(suggested_grouping(ref.countries["NE"])) == 8
    assert ref.regions["Tombouctou"].country.code == "ML"
    assert Region.objects.get(code="NG-FC").label("fr") == "Territoire de la capitale fédérale"


def test_the_gazetteer_resolves_a_niger_region_in_french_and_english(db):
    load_reference_data()
    workshop = baker.make("workshops.Workshop", country=Country.objects.get(code="NE"))
    matcher = RegionMatcher.for_workshop(workshop)
    tillaberi = Region.objects.get(code="NE-6")
    assert matcher.match("Tillabéri") == tillaberi
    assert matcher.match("TILLABERI") == tillaberi
    assert matcher.match("Niamey").code == "NE-8"
    assert gazetteer("NE")["tillaberi"] == "NE-6"


def test_the_mali_gazetteer_keeps_its_aliases_and_gains_the_reference_names():
    keys = gazetteer("ML")
    assert keys["timbuktu"] == "Tombouctou"  # ML.json
    assert keys["taoudenit"] == "Taoudénit"
    assert gazetteer("SN")["thies"] == "SN-TH"


def test_the_command_loads_every_shipped_country_once(db):
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    countries, regions = Country.objects.count(), Region.objects.count()
    assert countries >= 17 and Country.objects.filter(code="NE").exists()
    call_command("load_reference_data", stdout=out)
    assert (Country.objects.count(), Region.objects.count()) == (countries, regions)
    assert "(added: 0 countries, 0 regions, 0 themes)" in out.getvalue()


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "themes)."), ("fr", "thèmes).")],
)
def test_the_command_reports_in_the_chosen_language(db, language, expected):
    out = StringIO()
    call_command("load_reference_data", "--language", language, stdout=out)
    assert expected in out.getvalue()
    again = StringIO()
    call_command("load_reference_data", "--language", language, stdout=again)
    assert ("0 countries" if language == "en" else "0 pays") in again.getvalue()
