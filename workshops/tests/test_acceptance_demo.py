"""Acceptance on the Bamako demo: ``seed_demo`` loads it, it is idempotent, its accounts
work, its data shows the findings of the Bamako report, and the generated draft (text, DOCX,
PDF) states those findings by itself.

The only test module that seeds the demo. It is seeded once for the module (drafts in English
and French included) and rolled back afterwards; findings are counted from the database as
distinct participants, the way a report counts voices: a share is the number of participants
of a group who raised a theme, over the size of that group. The report builder knows nothing
about the demo: the draft tests read the generated text and look for what the report found.
"""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Q
from django.test import Client, override_settings
from docx import Document

from workshops.analysis.rollup import build_rollup
from workshops.choices import Audience, Category, Gender, Horizon
from workshops.models import Contribution, Participant, Theme, Vote, Workshop
from workshops.report import render
from workshops.report.builder import section_titles
from workshops.services.report import build_draft
from workshops.tests.mali_findings import INTERNATIONAL, LONG_TERM_THREE, NATIONAL, STRENGTHS
from workshops.tests.pdf import is_a4, pdf_pages, pdf_text


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


# First in the module: it seeds into a database that holds only this test's fixtures, so it
# must run before the module's shared seed below is set up.
def test_seed_demo_reuses_reference_data_that_already_exists(workshop, regions, zones):
    """Reference data is matched on natural keys, so it mixes with other tests' fixtures;
    the demo groups the regions into zones of its own, the test workshop keeps its own."""
    before = Workshop.objects.count()
    call_command("seed_demo", stdout=io.StringIO())
    assert Workshop.objects.count() == before + 1
    demo = Workshop.objects.get(slug="peace-exchange-bamako")
    assert demo.zones.get(name="North").regions.filter(name__in=["Gao", "Kidal"]).count() == 2
    assert set(zones["North"].regions.values_list("name", flat=True)) == {"Tombouctou", "Gao"}
    assert demo.participants.filter(region=regions["Gao"]).exists()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo and its drafts, seeded once for this module and rolled back; the output."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        output = _seed()
        workshop = Workshop.objects.get(slug="peace-exchange-bamako")
        for language in ("en", "fr"):
            build_draft(workshop=workshop, language=language)
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db):
    return Workshop.objects.get(slug="peace-exchange-bamako")


def test_seed_demo_loads_the_demo_and_prints_the_logins_and_join_code(seeded, demo):
    assert demo.join_code == "PAXM47"
    assert "http://127.0.0.1:8000/" in seeded
    assert "peace-demo-2026" in seeded
    for username in ["organiser", "facilitator", "notetaker", "viewer", "admin"]:
        assert username in seeded
    assert "/j/PAXM47/" in seeded
    assert Participant.objects.filter(workshop=demo).count() == 20
    assert Contribution.objects.filter(workshop=demo).count() >= 150
    assert Theme.objects.filter(workshop=None).count() == 37


def test_demo_workshop_is_organised_by_wanep_mali_and_its_organiser_may_start_one(demo):
    assert demo.organiser.name == "WANEP-Mali"
    assert demo.organiser.member_of.acronym == "WANEP"
    assert demo.organiser.country == demo.country
    membership = demo.organiser.member_of.memberships.get(user__username="organiser")
    assert membership.is_administrator and membership.may_organise
    client = Client()
    client.force_login(membership.user)
    assert "/w/new/" in client.get("/w/").text
    page = client.get("/w/new/")
    assert page.status_code == 200
    assert "WANEP-Mali" in page.text


def test_seed_demo_twice_changes_nothing(demo):
    models = [Workshop, Participant, Contribution, Vote, Theme, Contribution.history.model]
    before = {m: m.objects.count() for m in models}
    output = _seed()
    assert {m: m.objects.count() for m in models} == before
    assert "unchanged" in output


def test_seed_demo_prints_links_for_the_port_make_run_was_given(demo, monkeypatch):
    monkeypatch.setenv("PORT", "8101")
    output = _seed()
    assert "http://127.0.0.1:8101/j/PAXM47/" in output
    assert "Organiser" in output


def test_seed_demo_accounts_log_in_with_the_printed_password(demo, django_user_model):
    for username in ["organiser", "facilitator", "notetaker", "viewer", "admin"]:
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": username, "password": "peace-demo-2026"}
        )
        assert response.status_code == 302, username
        user = django_user_model.objects.get(username=username)
        assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/admin/workshops/workshop/").status_code == 200


def test_demo_staff_hold_their_roles_in_the_demo_workshop(demo):
    roles = dict(demo.memberships.values_list("user__username", "role"))
    assert roles == {
        "organiser": "organiser",
        "facilitator": "facilitator",
        "notetaker": "note_taker",
        "viewer": "viewer",
    }
    assert demo.status == "live"
    for session in demo.sessions.all():
        assert session.staff.filter(username="notetaker").exists()


def voices(workshop, theme, **filters) -> int:
    """Distinct participants who raised ``theme`` (filters on the contribution)."""
    return (
        Contribution.objects.countable()
        .filter(workshop=workshop, themes__slug=theme, **filters)
        .values("author")
        .distinct()
        .count()
    )


def zone_share(workshop, theme, zone: str, category=Category.DRIVER) -> float:
    size = Participant.objects.filter(
        workshop=workshop, region__zones__workshop=workshop, region__zones__name=zone
    ).count()
    return voices(workshop, theme, zone__name=zone, category=category) / size


def gender_share(workshop, theme, gender: str) -> float:
    size = Participant.objects.filter(workshop=workshop, gender=gender).count()
    return voices(workshop, theme, gender=gender) / size


def ranking(workshop, **filters) -> list[tuple[str, int]]:
    rows = (
        Contribution.objects.countable()
        .filter(workshop=workshop, **filters)
        .values("themes__slug")
        .annotate(people=Count("author", distinct=True))
        .order_by("-people", "themes__slug")
    )
    return [(row["themes__slug"], row["people"]) for row in rows]


def test_demo_people_are_twenty_from_every_zone_about_forty_percent_women(demo):
    people = Participant.objects.filter(workshop=demo)
    assert people.count() == 20
    by_zone = dict(
        people.filter(region__zones__workshop=demo)
        .values_list("region__zones__name")
        .annotate(n=Count("id"))
    )
    assert set(by_zone) == {"North", "Centre", "South"}
    assert min(by_zone.values()) >= 5
    women = people.filter(gender=Gender.WOMAN).count()
    assert 0.35 <= women / 20 <= 0.45
    assert 12 <= people.values("organisation").distinct().count() <= 18


def test_demo_has_enough_contributions_in_french_and_english_some_quotable(demo):
    contributions = Contribution.objects.filter(workshop=demo)
    assert contributions.count() >= 150
    french = contributions.filter(language="fr").count()
    english = contributions.filter(language="en").count()
    assert french > english > contributions.count() * 0.25
    assert contributions.filter(quotable=True).count() >= 10
    assert not contributions.filter(themes=None).exists()
    assert demo.sessions.count() == 4


def test_the_three_long_term_drivers_dominate(demo):
    top = ranking(demo, category=Category.DRIVER, horizon=Horizon.LONG_TERM)
    assert {slug for slug, _ in top[:3]} == LONG_TERM_THREE
    assert top[2][1] > top[3][1]


def test_radical_ideologies_is_the_main_dynamic_driver_among_others(demo):
    top = ranking(demo, category=Category.DRIVER, horizon=Horizon.DYNAMIC)
    assert top[0][0] == "radical-ideologies"
    assert top[0][1] > top[1][1]
    assert {"trafficking-spillover", "migration", "elections"} <= {slug for slug, _ in top}


@pytest.mark.parametrize("theme", ["armed-groups", "ethnic-tensions"])
def test_north_and_centre_raise_armed_groups_and_ethnic_tensions_far_more_than_south(demo, theme):
    south = zone_share(demo, theme, "South")
    assert voices(demo, theme, zone__name="South") <= 1
    assert zone_share(demo, theme, "North") >= 3 * south
    assert zone_share(demo, theme, "Centre") >= 3 * south


def test_northerners_raise_criminal_impunity_and_economic_insecurity(demo):
    north = {t: zone_share(demo, t, "North") for t in ["impunity", "economic-insecurity"]}
    assert north["impunity"] > zone_share(demo, "impunity", "Centre")
    assert north["impunity"] > zone_share(demo, "impunity", "South")
    assert north["economic-insecurity"] > 2 * zone_share(demo, "economic-insecurity", "Centre")
    assert min(north.values()) >= 0.5


def test_central_malians_raise_ethnic_tensions_and_land_conflict_most(demo):
    for theme in ["ethnic-tensions", "land-conflict"]:
        centre = zone_share(demo, theme, "Centre")
        assert centre > zone_share(demo, theme, "North")
        assert centre > zone_share(demo, theme, "South")


def test_southerners_raise_corruption_and_economic_insecurity(demo):
    south = zone_share(demo, "corruption", "South")
    assert south > 2 * zone_share(demo, "corruption", "North")
    assert south > 2 * zone_share(demo, "corruption", "Centre")
    assert zone_share(demo, "economic-insecurity", "South") >= 0.5


@pytest.mark.parametrize("theme", ["sgbv", "security-force-abuse"])
def test_women_raise_sgbv_and_abuse_by_security_forces_more_than_men(demo, theme):
    assert gender_share(demo, theme, Gender.WOMAN) > 2 * gender_share(demo, theme, Gender.MAN)
    assert gender_share(demo, theme, Gender.WOMAN) >= 0.5


def test_gender_differences_elsewhere_are_small(demo):
    """Only the planned themes split by gender: zone themes are drawn across genders."""
    for theme in ["state-absence", "governance-justice", "armed-groups", "radical-ideologies"]:
        gap = gender_share(demo, theme, Gender.WOMAN) - gender_share(demo, theme, Gender.MAN)
        assert abs(gap) < 0.25, theme


def test_the_four_strengths_are_present(demo):
    assert {slug for slug, _ in ranking(demo, category=Category.STRENGTH)} == STRENGTHS


def test_recommendations_for_national_and_international_actors_are_ranked_by_votes(demo):
    for audience, expected in [
        (Audience.NATIONAL, NATIONAL),
        (Audience.INTERNATIONAL, INTERNATIONAL),
    ]:
        recommendations = (
            Contribution.objects.filter(
                workshop=demo, category=Category.RECOMMENDATION, audience=audience
            )
            .annotate(n_votes=Count("votes"))
            .prefetch_related("themes")
        )
        assert {t.slug for r in recommendations for t in r.themes.all()} == expected
        counts = [r.n_votes for r in recommendations]
        assert min(counts) >= 1
        assert len(set(counts)) == len(counts), "votes must rank them without ties"


def test_nobody_votes_more_than_their_dots(demo):
    per_person = Vote.objects.filter(participant__workshop=demo).values("participant")
    most = per_person.annotate(n=Count("id")).order_by("-n").first()["n"]
    assert most <= demo.dots_per_participant
    assert not Vote.objects.filter(~Q(contribution__category=Category.RECOMMENDATION)).exists()


def test_seed_demo_refuses_to_run_in_production(db, settings):
    settings.PRODUCTION = True
    before = Contribution.objects.count(), Workshop.objects.count()
    with pytest.raises(CommandError, match="production"):
        _seed()
    assert (Contribution.objects.count(), Workshop.objects.count()) == before


def body(workshop, key, language="en") -> str:
    return workshop.report_drafts.get(language=language).sections.get(key=key).body


def name(slug, language="en") -> str:
    return Theme.objects.get(slug=slug, workshop=None).label(language).lower()


def blocks(markdown: str) -> dict[str, str]:
    """'### Group' blocks of a perceptions section."""
    parts = re.split(r"^### (.+)$", markdown, flags=re.MULTILINE)
    return {parts[k].strip(): parts[k + 1].lower() for k in range(1, len(parts), 2)}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_demo_draft_finds_what_each_zone_raised(demo, language):
    """With 6 or 7 people a zone, only the starkest planned differences pass the rule
    (a group compared with one where nobody raised the theme); the rest are in the tables."""
    zones = blocks(body(demo, "perceptions-zone", language))
    north, centre = (
        zones[label] for label in (("North", "Centre") if language == "en" else ("Nord", "Centre"))
    )
    assert name("armed-groups", language) in north
    assert name("land-conflict", language) in centre
    assert name("armed-groups", language) in centre
    assert ("South" if language == "en" else "Sud") not in zones
    sentence = (
        "6 of the 7 people heard from the north"
        if language == "en"
        else "6 des 7 personnes entendues de la zone nord"
    )
    assert sentence in north


@pytest.mark.parametrize("language", ["en", "fr"])
def test_demo_draft_finds_what_women_raised(demo, language):
    genders = blocks(body(demo, "perceptions-gender", language))
    women = genders["Woman" if language == "en" else "Femme"]
    assert name("sgbv", language) in women
    assert (
        "against none of the 12 men" if language == "en" else "contre aucun des 12 hommes"
    ) in women
    assert not any(k in genders for k in ("Man", "Homme"))


def test_demo_draft_names_radical_ideologies_the_main_dynamic_driver(demo):
    text = body(demo, "dynamic-drivers")
    assert f"main dynamic driver of violent conflict was {name('radical-ideologies')}" in text
    long_term = body(demo, "long-term-drivers").lower()
    firsts = re.findall(r"^- \*\*(.+?)\*\*", long_term, flags=re.MULTILINE)[:3]
    assert set(firsts) == {
        name(s) for s in ("state-absence", "governance-justice", "poverty-youth-unemployment")
    }


def _ranked(text: str) -> list[tuple[str, int]]:
    items = re.findall(
        r"^\d+\. \*\*(.+?)\*\* — (?:(\d+) votes?|fewer than 5 votes)", text, flags=re.MULTILINE
    )
    return [(words, int(votes) if votes else 0) for words, votes in items]


@pytest.mark.parametrize(
    ("key", "audience"),
    [
        ("recommendations-national", Audience.NATIONAL),
        ("recommendations-international", Audience.INTERNATIONAL),
    ],
)
def test_demo_draft_ranks_the_recommendations_by_votes(demo, key, audience):
    """The recommendations themselves, in their own words, most voted first."""
    ranked = _ranked(body(demo, key))
    assert len(ranked) >= 4
    votes = [v for _, v in ranked]
    assert votes == sorted(votes, reverse=True)
    best = (
        Contribution.objects.filter(
            workshop=demo, category=Category.RECOMMENDATION, audience=audience
        )
        .annotate(n=Count("votes"))
        .order_by("-n")
        .first()
    )
    assert ranked[0] == (" ".join(best.text.split()), best.n)
    rollup = build_rollup(demo)
    assert rollup.recommendations[audience][0].pk == best.pk


def test_demo_draft_names_no_participant_or_organisation(demo):
    text = render.to_markdown(demo.report_drafts.get(language="en"))
    for person in demo.participants.exclude(display_name=""):
        assert person.display_name not in text
    for organisation in demo.organisations.all():
        assert organisation.name not in text
    assert demo.organiser.name not in text


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.render
def test_demo_docx_has_every_section_heading(demo, language):
    draft = demo.report_drafts.get(language=language)
    data = render.to_docx(draft, build_rollup(demo, language=language))
    document = Document(io.BytesIO(data))
    headings = {p.text for p in document.paragraphs if p.style.name.startswith("Heading")}
    assert set(section_titles(language)) - {section_titles(language)[0]} <= headings
    assert any(p.style.name == "Title" and p.text == demo.title for p in document.paragraphs)
    assert len(document.inline_shapes) >= 4  # the charts, as pictures
    assert len(document.tables) >= 3


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.render
def test_demo_pdf_has_the_headings_on_a_few_a4_pages(demo, language):
    draft = demo.report_drafts.get(language=language)
    pdf = render.to_pdf(draft, build_rollup(demo, language=language))
    assert 6 <= len(pdf_pages(pdf)) <= 14
    assert is_a4(pdf)
    flat = pdf_text(pdf)
    for title in section_titles(language)[1:]:
        assert " ".join(title.split()) in flat
