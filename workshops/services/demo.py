"""The reference data and the Bamako demo workshop, built from the files in ``fixtures/``.

``seed_demo()`` is idempotent: reference data is matched on natural keys (country
code, zone and region names, theme slugs), accounts on usernames, and the demo
workshop is built once, from a fixed random seed, so every fresh database gets
the same demo. The content file (``fixtures/demo/bamako.json``) says how many
distinct participants of each zone or gender raise each theme, so that the demo
reproduces the findings of the Bamako Peace Exchange report.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from workshops import changes
from workshops.choices import Category, Gender, Source, StaffRole, WorkshopStatus
from workshops.models import (
    BreakoutSession,
    Contribution,
    Country,
    Network,
    NetworkMembership,
    Organisation,
    Participant,
    Region,
    Theme,
    Vote,
    Workshop,
    WorkshopMembership,
)
from workshops.reference import countries
from workshops.services.contributions import submit_contribution
from workshops.services.zones import start_zones

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
DEMO_CONTENT = FIXTURES / "demo" / "bamako.json"
DEMO_SLUG = "peace-exchange-bamako"
DEMO_PASSWORD = "peace-demo-2026"  # noqa: S105 - printed on purpose; refused in production
SEED = 2018  # the year of the Bamako Peace Exchange
# The demo's network: its national office WANEP-Mali organises the demo workshop, and the
# demo organiser administers the network and may organise workshops (the network page).
DEMO_NETWORK = {
    "name": "West Africa Network for Peacebuilding",
    "acronym": "WANEP",
    "slug": "wanep",
}

# username → role in the demo workshop (None: Django admin only)
DEMO_ACCOUNTS: list[tuple[str, str | None]] = [
    ("organiser", StaffRole.ORGANISER),
    ("facilitator", StaffRole.FACILITATOR),
    ("notetaker", StaffRole.NOTE_TAKER),
    ("viewer", StaffRole.VIEWER),
    ("admin", None),
]


class DemoRefused(Exception):
    """The demo creates accounts with a known password: never in production."""


@dataclass
class ReferenceData:
    countries: dict[str, Country] = field(default_factory=dict)
    regions: dict[str, Region] = field(default_factory=dict)
    themes: dict[str, Theme] = field(default_factory=dict)


@dataclass
class DemoResult:
    workshop: Workshop
    created: bool
    accounts: list[tuple[str, str | None]]
    password: str


def _read(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


@transaction.atomic
def load_reference_data() -> ReferenceData:
    """Mali (country, regions), every shipped country and the theme library, matched on
    natural keys (zones belong to each workshop: ``services.zones``).

    The files are Django fixtures (``manage.py loaddata mali themes`` loads them
    into an empty database); here they are applied without trusting their
    primary keys, so running this on any database only adds what is missing.
    """
    ref = ReferenceData()
    rows = _read(FIXTURES / "mali.json")
    by_pk: dict[tuple[str, int], object] = {}
    for row in rows:
        model, pk, fields = row["model"], row["pk"], row["fields"]
        if model == "workshops.country":
            obj, _ = Country.objects.get_or_create(
                code=fields["code"], defaults={"name": fields["name"]}
            )
            ref.countries[obj.code] = obj
        elif model == "workshops.region":
            country = by_pk[("workshops.country", fields["country"])]
            obj, _ = Region.objects.get_or_create(
                country=country, name=fields["name"], defaults={"order": fields["order"]}
            )
            ref.regions[obj.name] = obj
        else:  # pragma: no cover - the file holds only these two models
            raise ValueError(f"unexpected model {model} in mali.json")
        by_pk[(model, pk)] = obj

    for row in _read(FIXTURES / "themes.json"):
        fields = row["fields"]
        theme, _ = Theme.objects.get_or_create(
            slug=fields["slug"],
            workshop=None,
            defaults={
                "name": fields["name"],
                "name_fr": fields["name_fr"],
                "description": fields["description"],
            },
        )
        if not theme.description and fields["description"]:  # themes seeded before there was one
            theme.description = fields["description"]
            theme.save(update_fields=["description"])
        ref.themes[theme.slug] = theme
    _load_countries(ref)
    return ref


def _load_countries(ref: ReferenceData) -> None:
    """Every shipped country and its admin1 regions (``workshops/reference``), in bulk.

    A region already stored (Mali's, from the fixture) is matched on its ISO code or
    either name and gets the code and French name; a new region is stored under its
    English name. Zones are not stored here: each workshop gets its country's suggested
    grouping when it is created (``services.zones.start_zones``). A handful of queries,
    whatever the number of countries.
    """
    shipped = countries()
    stored = {c.code: c for c in Country.objects.filter(code__in=shipped)}
    Country.objects.bulk_create(
        [
            Country(code=code, name=data["name_en"])
            for code, data in shipped.items()
            if code not in stored
        ]
    )
    by_code = {c.code: c for c in Country.objects.filter(code__in=shipped)}
    renamed = []
    for code, data in shipped.items():
        country = by_code[code]
        if country.name_fr != data["name_fr"]:
            country.name_fr = data["name_fr"]
            renamed.append(country)
        ref.countries[code] = country
    Country.objects.bulk_update(renamed, ["name_fr"])

    regions_of: dict[int, list[Region]] = {}
    for region in Region.objects.filter(country__in=by_code.values()):
        regions_of.setdefault(region.country_id, []).append(region)
    changed: list[Region] = []
    pending: list[tuple[Country, dict, int]] = []
    for code, data in shipped.items():
        country = by_code[code]
        for order, row in enumerate(data["regions"], start=1):
            names = {row["code"], row["name_en"], row["name_fr"]}
            region = next(
                (r for r in regions_of.get(country.pk, []) if {r.code, r.name} & names), None
            )
            if region is None:
                pending.append((country, row, order))
            elif (region.code, region.name_fr) != (row["code"], row["name_fr"]):
                region.code, region.name_fr = row["code"], row["name_fr"]
                changed.append(region)
    Region.objects.bulk_update(changed, ["code", "name_fr"])
    created = Region.objects.bulk_create(
        [
            Region(
                country=country,
                name=row["name_en"],
                name_fr=row["name_fr"],
                code=row["code"],
                order=order,
            )
            for country, row, order in pending
        ]
    )
    for region in [*changed, *created, *(r for rs in regions_of.values() for r in rs)]:
        ref.regions.setdefault(region.name, region)


def _ensure_accounts(password: str) -> dict:
    """Demo accounts by username; a password is set only when the account is created."""
    User = get_user_model()
    users = {}
    hashed = None  # hashed once: the demo accounts share one known password
    for username, role in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"is_staff": role is None, "is_superuser": role is None},
        )
        if created:
            hashed = hashed or make_password(password)
            user.password = hashed
            user.save(update_fields=["password"])
        users[username] = user
    return users


def _ensure_memberships(workshop: Workshop, users: dict) -> None:
    for username, role in DEMO_ACCOUNTS:
        if role is not None:
            WorkshopMembership.objects.get_or_create(
                workshop=workshop, user=users[username], defaults={"role": role}
            )


def _ensure_network(workshop: Workshop, users: dict) -> Network:
    """WANEP with the demo's organisations (the organiser is its national office in the
    workshop's country) and the demo organiser as an administrator who may organise."""
    network, _ = Network.objects.get_or_create(
        slug=DEMO_NETWORK["slug"],
        defaults={"name": DEMO_NETWORK["name"], "acronym": DEMO_NETWORK["acronym"]},
    )
    Organisation.objects.filter(network=DEMO_NETWORK["acronym"], member_of=None).update(
        member_of=network
    )
    Organisation.objects.filter(pk=workshop.organiser_id).update(
        member_of=network, country=workshop.country_id
    )
    NetworkMembership.objects.update_or_create(
        network=network,
        user=users["organiser"],
        defaults={"is_administrator": True, "may_organise": True},
    )
    return network


def seed_demo(*, password: str = DEMO_PASSWORD) -> DemoResult:
    """Load the reference data and the demo workshop once; later calls change nothing."""
    if getattr(settings, "PRODUCTION", False):
        raise DemoRefused("The demo creates accounts with a known password.")
    with transaction.atomic():
        ref = load_reference_data()
        users = _ensure_accounts(password)
        workshop = Workshop.objects.filter(slug=DEMO_SLUG).first()
        created = workshop is None
        if created:
            workshop = _DemoBuilder(ref, _read(DEMO_CONTENT), users).build()
        _ensure_memberships(workshop, users)
        _ensure_network(workshop, users)
    return DemoResult(workshop=workshop, created=created, accounts=DEMO_ACCOUNTS, password=password)


class _DemoBuilder:
    """Builds the demo workshop from the content file with a fixed random seed."""

    def __init__(self, ref: ReferenceData, content: dict, users: dict):
        self.ref = ref
        self.content = content
        self.notetaker = users["notetaker"]
        self.session_staff = [users["facilitator"], users["notetaker"]]
        self.rng = random.Random(SEED)
        self.counter = 0
        self.day = timezone.localdate() - dt.timedelta(days=1)

    def build(self) -> Workshop:
        self.workshop = self._workshop()
        self.participants = self._participants()
        self.sessions = self._sessions()
        self._contributions("drivers", Category.DRIVER, self.content["driver_plan"])
        self._contributions("strengths", Category.STRENGTH, self.content["strength_plan"])
        self._contributions("challenges", Category.CHALLENGE, self.content["challenge_plan"])
        self._recommendations()
        return self.workshop

    def _at(self, hhmm: str) -> dt.datetime:
        hour, minute = (int(part) for part in hhmm.split(":"))
        naive = dt.datetime.combine(self.day, dt.time(hour, minute))
        return timezone.make_aware(naive)

    def _organisation(self, spec: dict) -> Organisation:
        return organisation_from_spec(spec, self.ref.regions)

    def _workshop(self) -> Workshop:
        spec = self.content["workshop"]
        workshop = Workshop.objects.create(
            title=spec["title"],
            slug=DEMO_SLUG,
            join_code=spec["join_code"],
            location=spec["location"],
            country=self.ref.countries[spec["country"]],
            languages=spec["languages"],
            status=WorkshopStatus.LIVE,
            start_date=self.day,
            end_date=self.day + dt.timedelta(days=1),
            organiser=self._organisation(spec["organiser"]),
            dots_per_participant=spec["dots_per_participant"],
            retention_until=self.day + dt.timedelta(days=spec["retention_days"]),
        )
        self.zones = {zone.name: zone for zone in start_zones(workshop=workshop)}
        return workshop

    def _participants(self) -> list[Participant]:
        organisations = {
            spec["key"]: self._organisation(spec) for spec in self.content["organisations"]
        }
        self.workshop.organisations.set(organisations.values())
        consent_at = self._at("08:30")
        people = []
        for spec in self.content["participants"]:
            organisation = organisations[spec["organisation"]]
            people.append(
                Participant.objects.create(
                    workshop=self.workshop,
                    display_name=spec["display_name"],
                    region=self.ref.regions[spec["region"]],
                    gender=spec["gender"],
                    organisation=organisation,
                    organisation_kind=organisation.kind,
                    role=spec["role"],
                    language=spec["language"],
                    consent_at=consent_at,
                )
            )
        return people

    def _sessions(self) -> dict[str, BreakoutSession]:
        sessions = {}
        for order, spec in enumerate(self.content["sessions"], start=1):
            session = BreakoutSession.objects.create(
                workshop=self.workshop,
                title=spec["title"],
                guiding_question=spec["guiding_question"],
                focus=spec["focus"],
                order=order,
                status=spec["status"],
                starts_at=self._at(spec["starts"]),
                ends_at=self._at(spec["ends"]),
            )
            session.participants.set(self.participants)
            session.staff.set(self.session_staff)
            sessions[spec["key"]] = session
        return sessions

    def _speakers(self, plan: dict) -> list[Participant]:
        """Exactly the planned number of distinct participants per zone or gender.

        Within a zone, women and men are drawn in proportion to their numbers, so
        that the only gender differences are the planned ones.
        """
        chosen: list[Participant] = []
        for zone_name, count in plan.get("by_zone", {}).items():
            zone_id = self.zones[zone_name].pk
            group = [
                p for p in self.participants if self.workshop.zone_id_of(p.region_id) == zone_id
            ]
            women = [p for p in group if p.gender == Gender.WOMAN]
            others = [p for p in group if p.gender != Gender.WOMAN]
            from_women = min(len(women), round(count * len(women) / len(group)))
            from_women = max(from_women, count - len(others))
            chosen += self.rng.sample(women, from_women)
            chosen += self.rng.sample(others, count - from_women)
        for gender, count in plan.get("by_gender", {}).items():
            group = [p for p in self.participants if p.gender == Gender(gender)]
            chosen += self.rng.sample(group, count)
        return chosen

    def _text_for(self, theme_slug: str, participant: Participant) -> tuple[str, str, bool]:
        variants = self.content["texts"][theme_slug]
        language = participant.language
        if self.rng.random() < 0.2:  # people switch language now and then
            language = "en" if language == "fr" else "fr"
        matching = [v for v in variants if v["language"] == language] or variants
        variant = self.rng.choice(matching)
        text = variant["text"].format(region=participant.region.name)
        quotable = variant["quotable"] and self.rng.random() < 0.5
        return text, variant["language"], quotable

    def _submit(self, *, session: BreakoutSession, author: Participant, **fields) -> Contribution:
        self.counter += 1
        by_phone = self.rng.random() < 0.55
        return submit_contribution(
            workshop=self.workshop,
            session=session,
            client_id=f"demo-{self.counter}",
            author=author,
            source=Source.PHONE if by_phone else Source.NOTE,
            created_by=None if by_phone else self.notetaker,
            **fields,
        ).contribution

    def _spread(self, session: BreakoutSession, contributions: list[Contribution]) -> None:
        """Timestamps spread evenly over the session, in the order of creation."""
        if not contributions:
            return
        step = (session.ends_at - session.starts_at) / (len(contributions) + 1)
        for index, contribution in enumerate(contributions, start=1):
            contribution.created_at = session.starts_at + step * index
        Contribution.objects.bulk_update(contributions, ["created_at"])

    def _contributions(self, session_key: str, category: str, plan: list[dict]) -> None:
        session = self.sessions[session_key]
        pairs = [(item, speaker) for item in plan for speaker in self._speakers(item)]
        self.rng.shuffle(pairs)
        made = []
        for item, speaker in pairs:
            text, language, quotable = self._text_for(item["theme"], speaker)
            made.append(
                self._submit(
                    session=session,
                    author=speaker,
                    text=text,
                    language=language,
                    quotable=quotable,
                    category=category,
                    horizon=item.get("horizon", ""),
                    themes=[self.ref.themes[item["theme"]]],
                )
            )
        self._spread(session, made)

    def _recommendations(self) -> None:
        session = self.sessions["recommendations"]
        made = []
        for spec in self.content["recommendations"]:
            made.append(
                self._submit(
                    session=session,
                    author=self.rng.choice(self.participants),
                    text=spec["text"],
                    language=spec["language"],
                    quotable=False,
                    category=Category.RECOMMENDATION,
                    audience=spec["audience"],
                    themes=[self.ref.themes[spec["theme"]]],
                )
            )
        self._spread(session, made)
        self._votes(session, made)

    def _votes(self, session: BreakoutSession, recommendations: list[Contribution]) -> None:
        """Each recommendation gets its planned number of votes, within everyone's dots."""
        dots = {p.pk: self.workshop.dots_per_participant for p in self.participants}
        voted_at = session.ends_at - dt.timedelta(minutes=15)
        votes = []
        specs = self.content["recommendations"]
        for contribution, spec in sorted(
            zip(recommendations, specs, strict=True), key=lambda pair: -pair[1]["votes"]
        ):
            # Those with the most dots left vote first (ties broken by the seeded random).
            order = sorted(self.participants, key=lambda p: (-dots[p.pk], self.rng.random()))
            for participant in order[: spec["votes"]]:
                dots[participant.pk] -= 1
                votes.append(
                    Vote(participant=participant, contribution=contribution, created_at=voted_at)
                )
        if min(dots.values()) < 0:  # pragma: no cover - guards the content file
            raise ValueError("the demo plans more votes than participants have dots")
        Vote.objects.bulk_create(votes)
        changes.bump(self.workshop.pk)


def organisation_from_spec(spec: dict, regions: dict) -> Organisation:
    """The organisation a content file describes (name, acronym, kind, home region,
    network), found by name or created: organisations are shared by the network."""
    organisation, _ = Organisation.objects.get_or_create(
        name=spec["name"],
        defaults={
            "acronym": spec["acronym"],
            "kind": spec["kind"],
            "home_region": regions[spec["home_region"]],
            "network": spec["network"],
        },
    )
    return organisation
