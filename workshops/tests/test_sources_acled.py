"""ACLED imports: both layouts, three date formats, upsert on timestamp, context summary."""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from hypothesis import given, settings
from hypothesis import strategies as st
from model_bakery import baker

from workshops.models import AcledEvent, RegionAlias
from workshops.models.sources import normalise_place
from workshops.queries import context_summary
from workshops.report.charts import acled_charts
from workshops.services import bulk, imports
from workshops.services.imports import import_acled, remap_regions
from workshops.sources.acled import ACLED_CITATION, AcledFileError, parse_acled, parse_date
from workshops.sources.regions import RegionMatcher, gazetteer
from workshops.tests.export_factories import ACLED_COLUMNS, acled_csv, acled_rows, to_csv

DATA = Path(__file__).parent / "data"
MALI = json.loads((Path(__file__).parents[2] / "fixtures" / "mali.json").read_text())


def _parsed(name):
    return parse_acled((DATA / name).read_bytes())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-01-31", dt.date(2023, 1, 31)),
        ("16 May 2025", dt.date(2025, 5, 16)),
        ("31-01-2023", dt.date(2023, 1, 31)),
        ("16 June 2020", dt.date(2020, 6, 16)),
        ("yesterday", None),
    ],
)
def test_the_three_acled_date_formats_are_read(value, expected):
    assert parse_date(value) == expected


def test_current_layout_is_read_with_text_actor_types():
    parsed = _parsed("acled_current.csv")
    assert parsed.layout == "current"
    first = parsed.rows[0]
    assert first.event_id_cnty == "MLI30001"
    assert first.values["event_date"] == dt.date(2023, 1, 31)
    assert first.values["inter1"] == "Rebel group"
    assert first.values["civilian_targeting"] is True
    assert parsed.rows[1].values["event_date"] == dt.date(2023, 5, 16)
    assert parsed.rows[2].values["event_date"] == dt.date(2024, 1, 31)


def test_old_layout_numeric_codes_become_labels():
    parsed = _parsed("acled_old.csv")
    assert parsed.layout == "old"
    first = parsed.rows[0]
    assert first.values["inter1"] == "Identity militia"
    assert first.values["interaction"] == "Identity militia-Civilians"
    assert parsed.rows[2].values["interaction"] == "Rioters"


def test_import_maps_admin1_to_regions_and_zones_and_skips_other_countries(workshop, regions):
    RegionAlias.objects.create(workshop=workshop, alias="Timbuktu", region=regions["Tombouctou"])
    result = import_acled(workshop=workshop, parsed=_parsed("acled_current.csv"))
    assert (result.created, result.other_country) == (6, 1)
    assert result.unknown_admin1 == ["Menaka"]
    event = AcledEvent.objects.get(event_id_cnty="MLI30002")
    assert event.region == regions["Tombouctou"]
    assert event.zone.name == "North"
    assert AcledEvent.objects.get(event_id_cnty="MLI30006").zone is None
    assert not AcledEvent.objects.filter(event_id_cnty="BFO10001").exists()


def test_reimport_changes_nothing_and_newer_timestamp_wins(workshop, regions):
    import_acled(workshop=workshop, parsed=_parsed("acled_current.csv"))
    again = import_acled(workshop=workshop, parsed=_parsed("acled_current.csv"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    old = import_acled(workshop=workshop, parsed=_parsed("acled_old.csv"))
    assert (old.created, old.updated, old.unchanged) == (3, 1, 1)
    assert AcledEvent.objects.get(event_id_cnty="MLI30002").fatalities == 15
    assert AcledEvent.objects.get(event_id_cnty="MLI30003").fatalities == 5  # older ignored
    assert AcledEvent.objects.get(event_id_cnty="MLI20002").region == regions["Ségou"]


def test_stored_events_are_looked_up_in_chunks_with_the_same_result(workshop, monkeypatch):
    monkeypatch.setattr(imports, "ID_CHUNK", 2)  # 6 events: three lookups
    import_acled(workshop=workshop, parsed=_parsed("acled_current.csv"))
    again = import_acled(workshop=workshop, parsed=_parsed("acled_current.csv"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    old = import_acled(workshop=workshop, parsed=_parsed("acled_old.csv"))
    assert (old.created, old.updated, old.unchanged) == (3, 1, 1)


def test_dry_run_writes_nothing(workshop):
    result = import_acled(workshop=workshop, parsed=_parsed("acled_current.csv"), dry_run=True)
    assert result.created == 6
    assert not AcledEvent.objects.exists()


def test_a_new_spelling_moves_events_into_their_zone(workshop, regions):
    data = acled_csv(4, admin1=["Tinbouctou", "Gao"])
    result = import_acled(workshop=workshop, parsed=parse_acled(data))
    assert result.unknown_admin1 == ["Tinbouctou"] and result.unknown_rows == {"Tinbouctou": 2}
    RegionAlias.objects.create(workshop=workshop, alias="Tinbouctou", region=regions["Tombouctou"])
    assert remap_regions(workshop=workshop) == 2
    assert AcledEvent.objects.filter(region=regions["Tombouctou"]).count() == 2


@pytest.mark.parametrize(
    ("spelling", "region"),
    [
        ("Timbuktu", "Tombouctou"),
        ("TOMBOUCTOU", "Tombouctou"),
        ("Segou", "Ségou"),
        ("Menaka", "Ménaka"),
        ("Taoudeni", "Taoudénit"),
        ("Bamako District", "Bamako"),
        ("District de Bamako", "Bamako"),
        ("Goundam", "Tombouctou"),  # an admin2 unit
        ("Bandiagara", "Mopti"),
        ("kidal", "Kidal"),
    ],
)
def test_the_gazetteer_matches_french_english_and_other_spellings(
    workshop, regions, spelling, region
):
    expected = regions.get(region) or baker.make(
        "workshops.Region", country=workshop.country, name=region
    )
    assert RegionMatcher.for_workshop(workshop).match(spelling) == expected


def test_a_workshop_spelling_wins_over_the_gazetteer(workshop, regions):
    RegionAlias.objects.create(workshop=workshop, alias="Goundam", region=regions["Mopti"])
    assert RegionMatcher.for_workshop(workshop).match("Goundam") == regions["Mopti"]


def test_timbuktu_events_land_in_the_north_without_a_spelling_added(workshop, regions):
    import_acled(workshop=workshop, parsed=parse_acled(acled_csv(16, admin1=["Timbuktu"])))
    north = workshop.zone_of(regions["Tombouctou"])
    assert north.name == "North"
    assert AcledEvent.objects.filter(zone=north).count() == 16


def test_every_gazetteer_region_is_a_region_of_the_reference_data():
    names = {row["fields"]["name"] for row in MALI if row["model"] == "workshops.region"}
    assert set(gazetteer("ML").values()) == names
    assert gazetteer("XX") == {}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"a,b\n1,2\n", "missing"),
        (b"event_id_cnty,event_date,event_type,admin1,fatalities\n", "no events"),
        ("event_id_cnty;event_date\nX;caf\xe9".encode("latin-1"), "UTF-8"),
        (b"x" * (20 * 1024 * 1024 + 1), "larger than"),
    ],
)
def test_bad_acled_files_get_a_clear_message(content, message):
    with pytest.raises(AcledFileError, match=message):
        parse_acled(content)


HEADER = b"event_id_cnty,event_date,event_type,admin1,fatalities,country,timestamp\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"MLI2,someday,Battles,Gao,2,Mali,1\n", "Line 3: someday is not a date"),
        (b",2024-01-02,Battles,Gao,2,Mali,1\n", "Line 3 has no event id"),
        (b"MLI2,2024-01-02,Battles,Gao,two,Mali,1\n", "Line 3: two in fatalities is not a number"),
        (b"MLI2,2024-01-02,Battles,Gao,2,Mali,-5\n", "Line 3: -5 in timestamp is not a number"),
        # Past what PostgreSQL's integer column holds: refused, not a database error.
        (
            b"MLI2,2024-01-02,Battles,Gao,2147483648,Mali,1\n",
            "Line 3: 2147483648 in fatalities is larger than any such value can be",
        ),
        (b'MLI2,2024-01-02,Battles,"Gao,2,Mali,1\n', "Line 3: a quoted value is never closed"),
        (b'MLI2,2024-01-02,Battles,"Ga"o,2,Mali,1\n', "Line 3: a quote inside a value"),
        (
            b"MLI2,2024-01-02,Battles,Gao,2,Mali,1,extra\n",
            "Line 3 has 8 values but the header has 7",
        ),
        (b"MLI2,2024-01-02,Bat", "Line 3 has 3 values but the header has 7"),  # cut last row
    ],
)
def test_a_malformed_acled_file_is_refused_whole_with_its_line(workshop, body, message):
    good = b"MLI1,2024-01-01,Battles,Gao,2,Mali,1\n"
    with pytest.raises(AcledFileError, match=message):
        import_acled(workshop=workshop, parsed=parse_acled(HEADER + good + body))
    assert not AcledEvent.objects.exists()


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n  \n"])
def test_an_empty_acled_file_says_it_is_empty(content):
    with pytest.raises(AcledFileError, match="The file is empty"):
        parse_acled(content)


def test_command_errors_follow_the_language_option(workshop, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    for language, text in [("en", "The file is empty"), ("fr", "Le fichier est vide")]:
        with pytest.raises(CommandError, match=text):
            call_command(
                "import_acled",
                str(empty),
                workshop=workshop.slug,
                purpose="Week",
                language=language,
            )


def test_context_summary_counts_by_zone_year_and_type(workshop, regions):
    assert context_summary(workshop) is None
    RegionAlias.objects.create(workshop=workshop, alias="Timbuktu", region=regions["Tombouctou"])
    import_acled(workshop=workshop, parsed=_parsed("acled_current.csv"))
    import_acled(workshop=workshop, parsed=_parsed("acled_old.csv"))
    summary = context_summary(workshop)
    assert summary["events"] == 9
    assert summary["fatalities"] == 3 + 15 + 5 + 0 + 0 + 20 + 157 + 4 + 1
    assert summary["years"] == [2019, 2020, 2023, 2024, 2025]
    north = next(zone for zone in summary["zones"] if zone["zone"] == "North")
    assert north["by_year"][2023] == {"events": 2, "fatalities": 18}
    assert north["cells"][2] == {"events": 2, "fatalities": 18}
    assert summary["unmapped_events"] == 1  # Menaka
    assert summary["event_types"][0] == {"event_type": "Battles", "events": 3, "fatalities": 39}
    assert summary["attribution"].startswith(ACLED_CITATION)
    assert "terms of use" in summary["attribution"]


def test_context_summary_query_count_does_not_grow(
    workshop, regions, django_assert_max_num_queries
):
    import_acled(workshop=workshop, parsed=_parsed("acled_current.csv"))
    with django_assert_max_num_queries(6):
        context_summary(workshop)
    import_acled(workshop=workshop, parsed=_parsed("acled_old.csv"))
    with django_assert_max_num_queries(6):
        context_summary(workshop)


@pytest.mark.render
def test_charts_are_svg_and_png(workshop, regions):
    import_acled(workshop=workshop, parsed=_parsed("acled_current.csv"))
    summary = context_summary(workshop)
    svg = acled_charts(summary)
    assert svg["by_zone_year"].lstrip().startswith("<?xml") and "<svg" in svg["by_event_type"]
    png = acled_charts(summary, image_format="png")
    assert png["by_zone_year"][:4] == b"\x89PNG"


def test_command_imports_and_reports(workshop):
    out = io.StringIO()
    call_command(
        "import_acled",
        str(DATA / "acled_old.csv"),
        workshop=workshop.slug,
        purpose="Survey week",
        stdout=out,
    )
    assert "5 rows (old layout): 5 new" in out.getvalue()
    assert AcledEvent.objects.count() == 5


def test_command_dry_run_and_errors(workshop, tmp_path):
    out = io.StringIO()
    call_command(
        "import_acled",
        str(DATA / "acled_current.csv"),
        workshop=workshop.slug,
        purpose="Survey week",
        dry_run=True,
        stdout=out,
    )
    assert "Dry run" in out.getvalue() and "Menaka" in out.getvalue()
    assert not AcledEvent.objects.exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(CommandError, match="not an ACLED export"):
        call_command("import_acled", str(bad), workshop=workshop.slug, purpose="Survey week")


@settings(max_examples=200, deadline=None)
@given(content=st.binary(max_size=2000))
def test_any_bytes_give_events_or_a_clear_error(content):
    try:
        parse_acled(content)
    except AcledFileError as error:
        assert str(error)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.text(alphabet=st.characters(), max_size=30), min_size=5, max_size=5))
def test_any_row_values_are_read_or_reported(values):
    header = "event_id_cnty,event_date,event_type,admin1,fatalities"
    row = ",".join('"' + v.replace('"', '""') + '"' for v in values)
    try:
        parsed = parse_acled(f"{header}\n{row}\n".encode("utf-8", "surrogatepass"))
    except AcledFileError as error:
        assert str(error)
    else:
        assert len(parsed.rows) == 1


# --- insert_rows instead of bulk_create: the same rows stored ------------------------------


def _varied_export() -> bytes:
    """An export that takes every branch of the parser: old numeric interaction codes,
    blank and decimal numbers, long and accented text cut to its field, unknown and
    other-country places, an event twice (the newer wins), civilians targeted or not."""
    rows = acled_rows(60, admin1=["Tombouctou", "Timbuktu", "Ségou", "Gao", "Nowhere", ""])
    column = {name: i for i, name in enumerate(ACLED_COLUMNS)}
    for i, row in enumerate(rows[1:], start=1):
        if i % 3 == 0:
            row[column["civilian_targeting"]] = ""
        if i % 4 == 0:
            row[column["interaction"]] = "17"
            row[column["inter1"]], row[column["inter2"]] = "1", "7"
        if i % 5 == 0:
            row[column["fatalities"]], row[column["year"]] = "3.0", ""
        if i % 7 == 0:
            row[column["actor1"]] = "Milice d’autodéfense « Dan Na Ambassagou » " * 10
            row[column["location"]] = "Ségou – Markala ✓ " * 20
        if i % 11 == 0:
            row[column["country"]] = "Burkina Faso"
        if i % 13 == 0:
            row[column["event_date"]] = "16 May 2025"
    newer = list(rows[2])
    newer[column["timestamp"]], newer[column["fatalities"]] = "1999999999", "9"
    rows.append(newer)
    return to_csv(rows, delimiter=",", bom=False, quote_all=False)


def _bulk_create_import(workshop, parsed):
    """The new events as the import stored them before 4 Dec 2026 (bulk_create)."""
    matcher = RegionMatcher.for_workshop(workshop)
    latest = {}
    for row in parsed.rows:
        country = normalise_place(row.values["country"])
        if country and country != normalise_place(workshop.country.name):
            continue
        kept = latest.get(row.event_id_cnty)
        if kept is None or row.values["timestamp"] > kept.values["timestamp"]:
            latest[row.event_id_cnty] = row
    new = []
    for event_id, row in latest.items():
        region = matcher.match(row.values["admin1"])
        values = {**row.values, "region": region, "zone": workshop.zone_of(region)}
        new.append(AcledEvent(workshop=workshop, event_id_cnty=event_id, **values))
    AcledEvent.objects.bulk_create(new, batch_size=500)


def _stored_rows():
    fields = [f.attname for f in AcledEvent._meta.concrete_fields if f.name != "id"]
    return {row["event_id_cnty"]: row for row in AcledEvent.objects.values(*fields)}


def test_the_events_stored_are_those_bulk_create_stored_field_by_field(
    workshop, regions, monkeypatch
):
    RegionAlias.objects.create(workshop=workshop, alias="Timbuktu", region=regions["Tombouctou"])
    parsed = parse_acled(_varied_export())
    _bulk_create_import(workshop, parsed)
    before = _stored_rows()
    AcledEvent.objects.all().delete()
    monkeypatch.setattr(bulk, "CHUNK", 7)  # several chunks
    result = import_acled(workshop=workshop, parsed=parse_acled(_varied_export()))
    after = _stored_rows()
    assert result.created == len(before) == 55  # 60, less 5 of Burkina Faso
    assert after.keys() == before.keys()
    for event_id, row in before.items():
        for name, value in row.items():
            assert (event_id, name, after[event_id][name]) == (event_id, name, value)
    # Every branch was taken: regions, zones, none; codes; cut text; the newer twin.
    assert {row["zone_id"] is None for row in after.values()} == {True, False}
    assert any(row["interaction"] == "State forces-Civilians" for row in after.values())
    assert max(len(row["location"]) for row in after.values()) == 150
    assert after["MLI2"]["fatalities"] == 9
    assert {row["civilian_targeting"] for row in after.values()} == {True, False}


def test_an_event_stored_meanwhile_refuses_the_whole_import(workshop, regions, monkeypatch):
    real = workshop.zone_id_of

    def someone_else_first(region_id):
        # Another import stores MLI12 after this one read the stored events.
        if not AcledEvent.objects.filter(event_id_cnty="MLI12").exists():
            AcledEvent.objects.create(
                workshop=workshop, event_id_cnty="MLI12", event_date=dt.date(2023, 1, 1), year=2023
            )
        return real(region_id)

    monkeypatch.setattr(workshop, "zone_id_of", someone_else_first)
    with pytest.raises(AcledFileError, match="being imported at the same time"):
        import_acled(workshop=workshop, parsed=parse_acled(acled_csv(12)))
    assert not AcledEvent.objects.exists()


def test_a_negative_fatality_count_is_still_refused_by_the_database(workshop, monkeypatch):
    parsed = parse_acled(acled_csv(3))
    parsed.rows[1].values["fatalities"] = -1  # the parser refuses it; the check holds anyway
    with pytest.raises(IntegrityError):
        import_acled(workshop=workshop, parsed=parsed)
    assert not AcledEvent.objects.exists()
