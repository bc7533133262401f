"""The programme view of a network: its workshops by country and year, the themes raised
(one audited programme release), how findings moved between two workshops, the
recommendations with their follow-up, the chart and the PDF and XLSX exports."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from types import SimpleNamespace

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_bakery import baker

from conftest import group_zones
from workshops.analysis import programme as analysis
from workshops.analysis.disclosure import ALL, audit
from workshops.analysis.rollup import build_rollup
from workshops.choices import Category, Gender, Source, WorkshopStatus
from workshops.forms.programme import PairForm
from workshops.models import (
    Contribution,
    Network,
    NetworkMembership,
    Participant,
    Workshop,
    Zone,
    ZoneRegion,
)
from workshops.services import followup as followup_service
from workshops.tests.report_factories import library_themes, make_mali_like_workshop

ANY_TEXT = st.one_of(
    st.text(alphabet=st.characters(), max_size=200),
    st.sampled_from(["a", "b", "\x00", "\ud800", "x" * 5000]),
    st.text(alphabet=st.characters(min_codepoint=0x0590, max_codepoint=0x06FF), min_size=1),
)


@pytest.fixture
def network(organisation):
    network = Network.objects.create(name="West Africa Network", acronym="WANEP", slug="wanep")
    organisation.member_of = network
    organisation.save(update_fields=["member_of"])
    return network


@pytest.fixture
def member(django_user_model, network):
    user = django_user_model.objects.create_user(username="moussa")
    NetworkMembership.objects.create(network=network, user=user)
    return user


def later_workshop(
    organisation, country, regions, *, slug="gao-2026", year=2026, people=20, armed=0
):
    """A later workshop where land conflict rose and armed groups fell."""
    workshop = baker.make(
        Workshop,
        slug=slug,
        title=f"Peace Exchange — Gao {year}",
        country=country,
        organiser=organisation,
        start_date=dt.date(year, 3, 2),
        end_date=dt.date(year, 3, 3),
        status=WorkshopStatus.CLOSED,
    )
    if country.code == "ML":
        group_zones(workshop, regions)
    else:  # one zone per region, as a new workshop in a country without a suggestion
        for region in set(regions.values()):
            zone = baker.make(Zone, workshop=workshop, name=region.name, name_fr=region.name)
            baker.make(ZoneRegion, workshop=workshop, zone=zone, region=region)
    themes = library_themes()
    everyone = Participant.objects.bulk_create(
        [
            Participant(
                workshop=workshop,
                region=regions["Gao"] if k % 2 else regions["Mopti"],
                gender=Gender.WOMAN if k % 2 else Gender.MAN,
                display_name=f"Hidden Person {k}",
            )
            for k in range(people)
        ]
    )
    raised = {"land-conflict": people - 2, "armed-groups": armed}
    stored = []
    for slug_, n in raised.items():
        for person in everyone[:n]:
            stored.append(
                (
                    Contribution(
                        workshop=workshop,
                        client_id=uuid.uuid4().hex,
                        category=Category.DRIVER,
                        text=f"{slug_} said by {person.display_name}",
                        source=Source.NOTE,
                        author=person,
                        zone_id=workshop.zone_id_of(person.region_id),
                        region=person.region,
                        gender=person.gender,
                    ),
                    themes[slug_],
                )
            )
    made = Contribution.objects.bulk_create([c for c, _t in stored])
    Contribution.themes.through.objects.bulk_create(
        [
            Contribution.themes.through(contribution_id=c.pk, theme_id=t.pk)
            for c, (_c, t) in zip(made, stored, strict=True)
        ]
    )
    return workshop


@pytest.fixture
def first(workshop, regions):
    workshop.start_date, workshop.end_date = dt.date(2018, 5, 2), dt.date(2018, 5, 3)
    workshop.save()
    make_mali_like_workshop(workshop, regions)
    return workshop


@pytest.fixture
def later(organisation, country, regions):
    return later_workshop(organisation, country, regions)


# --- The analysis ---------------------------------------------------------------------------


def test_each_workshops_release_is_the_one_its_roll_up_prints(first, later):
    releases = analysis.workshop_releases(
        list(Workshop.objects.select_related("country").order_by("pk"))
    )
    for workshop in (first, later):
        rollup = build_rollup(workshop)
        assert releases[workshop.pk].release.fingerprint() == rollup.release.release.fingerprint()


def test_the_programme_release_passes_the_audit_and_prints_nothing_a_roll_up_hides(first, later):
    programme = analysis.build_programme(Workshop.objects.select_related("country"))
    assert programme.audit.ok
    assert audit(programme._protected).ok  # audited again from scratch
    for pw in programme.workshops:
        rollup = build_rollup(pw.workshop)
        for key in rollup.release.release.keys:
            if (pw.key, key) not in programme.release:
                assert not analysis._linked(key)  # what the programme sums is always there
                continue  # not reachable from the programme's cells: left to the roll-up
            shown_there = rollup.display(key)
            shown_here = programme.display((pw.key, key))
            if shown_there is None or not shown_there.isdigit():
                assert shown_here is None or not shown_here.isdigit(), key
            else:
                assert shown_here == shown_there, key


def test_programme_counts_are_the_sums_of_the_workshops(first, later, regions):
    programme = analysis.build_programme(Workshop.objects.select_related("country"))
    land = library_themes()["land-conflict"]
    shown = programme.display(("p-theme", Category.DRIVER, land.pk))
    in_first = build_rollup(first).release.release
    key = ("theme", ALL, Category.DRIVER, land.pk)
    expected = 18 + (in_first.value(key) if key in in_first else 0)
    assert shown == str(expected)
    assert programme.voices == 36 + 18  # two of the 20 never said anything
    years = programme.table(Category.DRIVER, analysis.YEAR)
    assert [g.label for g in years.groups] == ["2018", "2026"]
    row = next(r for r in years.rows if r.theme == land)
    assert row.cells[1] == "18"


def test_small_programme_counts_read_below_five_and_the_audit_holds(
    first, organisation, country, regions
):
    later_workshop(organisation, country, regions, slug="tiny", year=2027, people=12, armed=2)
    programme = analysis.build_programme(Workshop.objects.select_related("country"))
    armed = library_themes()["armed-groups"]
    years = programme.table(Category.DRIVER, analysis.YEAR)
    row = next(r for r in years.rows if r.theme == armed)
    assert row.cells[years.groups.index(next(g for g in years.groups if g.key == 2027))] in (
        "<5",
        "×",
    )
    assert programme.audit.ok


def test_movements_between_two_workshops_rise_and_fall(first, later):
    programme = analysis.build_programme(Workshop.objects.select_related("country"))
    a, b = programme.workshops
    themes = library_themes()
    moved = {(m.theme.slug, m.rising) for m in programme.movements(a, b)}
    assert ("land-conflict", True) in moved
    assert ("armed-groups", False) in moved
    assert all(m.comparison.q_value < 0.10 for m in programme.movements(a, b))
    reverse_moved = {(m.theme.slug, m.rising) for m in programme.movements(b, a)}
    assert ("land-conflict", False) in reverse_moved
    assert themes["land-conflict"].pk in programme.themes


def test_no_movement_between_two_alike_workshops(organisation, country, regions):
    one = later_workshop(organisation, country, regions, slug="a", year=2024)
    two = later_workshop(organisation, country, regions, slug="b", year=2025)
    programme = analysis.build_programme(
        Workshop.objects.select_related("country").filter(pk__in=[one.pk, two.pk])
    )
    a, b = programme.workshops
    assert programme.movements(a, b) == []


def test_a_programme_that_fails_its_audit_prints_only_voice_counts(first, later):
    programme = analysis.build_programme(Workshop.objects.select_related("country"))
    land = library_themes()["land-conflict"]
    assert programme.display(("p-theme", Category.DRIVER, land.pk)) is not None
    programme.audit = SimpleNamespace(ok=False)
    assert programme.display(("p-theme", Category.DRIVER, land.pk)) is None
    assert programme.display(("p-voices",)) == "54"
    assert programme.themes_by_category == {}
    a, b = programme.workshops
    assert programme.movements(a, b) == []


@pytest.mark.parametrize("many", [1, 4])
def test_programme_build_queries_do_not_grow_with_workshops(
    organisation, country, regions, many, django_assert_num_queries
):
    for k in range(many):
        later_workshop(organisation, country, regions, slug=f"w{k}", year=2020 + k, people=11)
    workshops = list(Workshop.objects.select_related("country"))
    # contributions, theme links, votes, zones, regions in zones, themes
    with django_assert_num_queries(6):
        analysis.build_programme(workshops)


# --- The page and its exports -------------------------------------------------------------


def p_url(network, **query):
    url = reverse("followup:programme", kwargs={"slug": network.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def e_url(network, fmt):
    return reverse("followup:programme_export", kwargs={"slug": network.slug, "fmt": fmt})


@pytest.fixture
def tracked(first, organiser):
    recommendation = Contribution.objects.filter(
        workshop=first, category=Category.RECOMMENDATION
    ).first()
    followup_service.save_followup(
        recommendation=recommendation,
        addressee="un_mission",
        followed_by=None,
        status="achieved",
        actor=organiser,
    )
    return recommendation


def test_a_member_sees_the_programme(client_for, member, network, first, later, tracked):
    page = client_for(member).get(p_url(network)).content.decode()
    assert first.title in page and later.title in page
    assert "Land conflict" in page
    assert "rising" in page and "falling" in page
    assert tracked.text in page
    assert "Achieved: <strong>1</strong>" in page
    assert "Hidden Person" not in page and "Secret Name" not in page
    assert 'src="data:image/svg+xml;base64,' in page


def test_the_two_workshops_are_chosen_on_the_page(client_for, member, network, first, later):
    client = client_for(member)
    page = client.get(p_url(network, first=later.slug, later=first.slug)).content.decode()
    assert "rising" in page  # put in date order whatever the choice
    same = client.get(p_url(network, first=first.slug, later=first.slug))
    assert same.status_code == 200
    assert "Choose two different workshops." in same.content.decode()
    unknown = client.get(p_url(network, first="nope", later=first.slug))
    assert unknown.status_code == 200
    assert "Select a valid choice" in unknown.content.decode()


def test_the_page_is_in_french(client_for, member, network, first, later):
    client = client_for(member)
    client.cookies["pe_lang"] = "fr"
    page = client.get(p_url(network)).content.decode()
    assert "Programme de WANEP" in page
    assert "Conflits fonciers" in page


def test_workshop_staff_outside_the_network_get_404(client_for, organiser, network, first):
    assert client_for(organiser).get(p_url(network)).status_code == 404
    assert client_for(organiser).get(e_url(network, "xlsx")).status_code == 404


def test_an_outsider_gets_404(client_for, outsider, network):
    assert client_for(outsider).get(p_url(network)).status_code == 404


def test_anonymous_is_sent_to_sign_in(client_for, network):
    response = client_for(None).get(p_url(network))
    assert response.status_code == 302 and reverse("login") in response.url


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_wrong_method_is_405(client_for, member, network, method):
    assert getattr(client_for(member), method)(p_url(network)).status_code == 405
    assert getattr(client_for(member), method)(e_url(network, "pdf")).status_code == 405


def test_an_unknown_export_format_is_404(client_for, member, network):
    assert client_for(member).get(e_url(network, "docx")).status_code == 404


def test_a_network_without_workshops_has_an_empty_programme(client_for, member, network):
    page = client_for(member).get(p_url(network)).content.decode()
    assert "No workshop yet" in page


def test_the_xlsx_holds_the_printed_numbers(client_for, member, network, first, later, tracked):
    from openpyxl import load_workbook  # noqa: PLC0415 - only this test reads XLSX

    response = client_for(member).get(e_url(network, "xlsx"))
    assert response.status_code == 200
    assert 'filename="programme-wanep.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Workshops", "By country", "By year", "Movements", "Recommendations"]
    workshops = list(book["Workshops"].values)
    assert workshops[1][0] == first.title and workshops[1][3] == 36
    by_year = list(book["By year"].values)
    land = next(row for row in by_year if row[1] == "Land conflict")
    assert land[3] == 18  # 2026
    assert any(row[1] == "Land conflict" and row[2] == "rising" for row in book["Movements"].values)
    assert any(row[3] == "Achieved" for row in book["Recommendations"].values)
    for sheet in book:
        for row in sheet.values:
            for value in row:
                assert not (isinstance(value, int) and 0 < value < 5 and sheet.title != "Workshops")


@pytest.mark.render
def test_the_pdf_has_the_programme(client_for, member, network, first, later):
    from pypdf import PdfReader  # noqa: PLC0415 - only this test reads PDF

    response = client_for(member).get(e_url(network, "pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Programme of WANEP" in text
    assert "Land conflict" in text
    assert later.title in text


@pytest.mark.parametrize("many", [1, 4])
def test_page_queries_do_not_grow_with_workshops(
    client_for, member, network, organisation, country, regions, many, django_assert_num_queries
):
    for k in range(many):
        w = later_workshop(organisation, country, regions, slug=f"w{k}", year=2020 + k, people=11)
        Contribution.objects.create(
            workshop=w,
            category=Category.RECOMMENDATION,
            text=f"Recommendation {k}",
            source=Source.NOTE,
            client_id=f"r{k}",
        )
    client = client_for(member)
    client.get(p_url(network))  # warm the protection cache: the count is of the page itself
    # session, user, network, membership, workshops, contributions, theme links, votes,
    # zones, regions in zones, themes, recommendations
    with django_assert_num_queries(12):
        assert client.get(p_url(network)).status_code == 200


def test_workshops_in_two_countries_make_a_table_by_country(first, organisation, regions):
    niger = baker.make("workshops.Country", code="NE", name="Niger", name_fr="Niger")
    tillaberi = baker.make("workshops.Region", country=niger, name="Tillabéri")
    later_workshop(
        organisation, niger, {"Gao": tillaberi, "Mopti": tillaberi}, slug="niamey", year=2026
    )
    programme = analysis.build_programme(Workshop.objects.select_related("country"))
    assert programme.audit.ok
    table = programme.tables(analysis.COUNTRY)[Category.DRIVER]
    assert [g.label for g in table.groups] == ["Mali", "Niger"]
    land = next(r for r in table.rows if r.theme.slug == "land-conflict")
    assert land.cells[1] == "18"
    assert table.sizes == ["36", "18"]


@pytest.mark.fuzz
@settings(max_examples=100, suppress_health_check=list(HealthCheck), deadline=None)
@given(first=ANY_TEXT, later=ANY_TEXT)
def test_any_pair_of_workshops_is_valid_or_refused(first, later):
    workshops = [
        SimpleNamespace(slug="a", title="A", start_date=dt.date(2018, 1, 1)),
        SimpleNamespace(slug="b", title="B", start_date=dt.date(2026, 1, 1)),
    ]
    form = PairForm(data={"first": first, "later": later}, workshops=workshops)
    if form.is_valid():
        assert {form.cleaned_data["first"], form.cleaned_data["later"]} == {"a", "b"}
    else:
        assert form.errors
