"""Shared fixtures: a small workshop and the people around it.

Personas: ``organiser``, ``facilitator``, ``note_taker`` and ``viewer`` hold that
role in ``workshop``; ``outsider`` is staff of ``other_workshop`` only. ``events`` is
``workshop`` with the two sample ACLED files imported.
Tests build their own data with these and model-bakery; no demo data needed.
"""

import datetime as dt
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from model_bakery import baker

from workshops.choices import Category, Gender, SessionStatus, StaffRole, WorkshopStatus
from workshops.models import RegionAlias
from workshops.services.imports import import_acled
from workshops.sources.acled import parse_acled
from workshops.tests.report_factories import one_contribution

PASSWORD = "correct horse battery staple"  # noqa: S105
DATA = Path(__file__).parent / "workshops" / "tests" / "data"


@pytest.fixture(autouse=True)
def _fast_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.LANGUAGE_CODE = "en"
    # Phones' event streams are answered once under WSGI, as in production (views/events.py).
    settings.PARTICIPANT_EVENTS_WSGI_SECONDS = 0
    # Rate limits count in the cache: each test starts with none spent.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def country(db):
    return baker.make("workshops.Country", code="ML", name="Mali")


# The Mali layout every test workshop groups its regions into (zones belong to a workshop).
ZONES = [("North", "Nord"), ("Centre", "Centre"), ("South", "Sud")]
LAYOUT = {
    "Tombouctou": "North",
    "Gao": "North",
    "Mopti": "Centre",
    "Ségou": "Centre",
    "Bamako": "South",
    "Sikasso": "South",
}


@pytest.fixture
def regions(country):
    return {name: baker.make("workshops.Region", country=country, name=name) for name in LAYOUT}


def group_zones(workshop, regions=None):
    """Give ``workshop`` the North / Centre / South zones, with the regions of ``LAYOUT``."""
    zones = {
        name: baker.make("workshops.Zone", workshop=workshop, name=name, name_fr=fr, order=i)
        for i, (name, fr) in enumerate(ZONES)
    }
    regions = regions or {r.name: r for r in workshop.country.regions.filter(name__in=LAYOUT)}
    for name, region in regions.items():
        if name in LAYOUT:
            baker.make(
                "workshops.ZoneRegion", workshop=workshop, zone=zones[LAYOUT[name]], region=region
            )
    return zones


@pytest.fixture
def zones(workshop):
    """The ``workshop``'s zones by English name."""
    return {zone.name: zone for zone in workshop.zones.all()}


@pytest.fixture
def organisation(db, regions):
    return baker.make("workshops.Organisation", name="WANEP Mali", acronym="WANEP", network="WANEP")


def _make_workshop(country, organisation, slug, title):
    today = dt.date(2026, 11, 28)
    workshop = baker.make(
        "workshops.Workshop",
        slug=slug,
        title=title,
        location="Bamako",
        country=country,
        organiser=organisation,
        start_date=today,
        end_date=today + dt.timedelta(days=1),
        status=WorkshopStatus.LIVE,
        languages=["fr", "en"],
    )
    group_zones(workshop)
    return workshop


@pytest.fixture
def workshop(country, organisation, regions):
    return _make_workshop(country, organisation, "peace-exchange-test", "Peace Exchange — Test")


@pytest.fixture
def other_workshop(country, regions):
    other_org = baker.make("workshops.Organisation", name="Another network", acronym="AN")
    return _make_workshop(country, other_org, "other-exchange", "Other Exchange")


def _staff(django_user_model, username, workshop, role):
    user = django_user_model.objects.create_user(username=username, password=PASSWORD)
    if workshop is not None:
        baker.make("workshops.WorkshopMembership", workshop=workshop, user=user, role=role)
    return user


@pytest.fixture
def organiser(django_user_model, workshop):
    return _staff(django_user_model, "olivia", workshop, StaffRole.ORGANISER)


@pytest.fixture
def facilitator(django_user_model, workshop):
    return _staff(django_user_model, "fatou", workshop, StaffRole.FACILITATOR)


@pytest.fixture
def note_taker(django_user_model, workshop):
    return _staff(django_user_model, "nando", workshop, StaffRole.NOTE_TAKER)


@pytest.fixture
def viewer(django_user_model, workshop):
    return _staff(django_user_model, "victor", workshop, StaffRole.VIEWER)


@pytest.fixture
def outsider(django_user_model, other_workshop):
    return _staff(django_user_model, "oscar", other_workshop, StaffRole.ORGANISER)


@pytest.fixture
def client_for():
    """``client_for(user)`` is a test client logged in as ``user`` (None: anonymous)."""

    def make(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def session(workshop):
    return baker.make(
        "workshops.BreakoutSession",
        workshop=workshop,
        title="Drivers of violent conflict",
        guiding_question="What drives violent conflict where you live?",
        focus=[Category.DRIVER],
        status=SessionStatus.OPEN,
        order=1,
    )


@pytest.fixture
def participant(workshop, regions):
    return baker.make(
        "workshops.Participant",
        workshop=workshop,
        region=regions["Gao"],
        gender=Gender.WOMAN,
        display_name="",
    )


@pytest.fixture
def events(workshop, regions):
    """The two sample ACLED files: 9 events, 205 fatalities, 1 outside the workshop's regions."""
    RegionAlias.objects.create(workshop=workshop, alias="Timbuktu", region=regions["Tombouctou"])
    for name in ("acled_current.csv", "acled_old.csv"):
        import_acled(workshop=workshop, parsed=parse_acled((DATA / name).read_bytes()))
    one_contribution(workshop, regions)
    return workshop


@pytest.fixture
def theme(db):
    """A library theme (no workshop): armed groups."""
    return baker.make(
        "workshops.Theme", slug="armed-groups", name="Armed groups", name_fr="Groupes armés"
    )
