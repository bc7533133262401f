"""Test data for the roll-up and the report: a workshop shaped like the Mali report.

Uses the canonical theme slugs (the contract between helpers). Nothing here is
read by the code under test: tests assert that the analysis *finds* these patterns.
"""

from __future__ import annotations

import uuid

from workshops.choices import Audience, Category, Gender, Horizon, Source
from workshops.models import Contribution, Participant, Theme, Vote

LIBRARY = {
    "state-absence": ("Limited presence of the state", "Faible présence de l'État"),
    "governance-justice": ("Poor governance and justice", "Mauvaise gouvernance et justice"),
    "corruption": ("Corruption", "Corruption"),
    "impunity": ("Criminal impunity", "Impunité criminelle"),
    "poverty-youth-unemployment": (
        "Poverty and youth unemployment",
        "Pauvreté et chômage des jeunes",
    ),
    "radical-ideologies": ("Spread of radical ideologies", "Propagation des idéologies radicales"),
    "armed-groups": ("Armed groups", "Groupes armés"),
    "ethnic-tensions": ("Ethnic tensions", "Tensions ethniques"),
    "land-conflict": ("Land conflict", "Conflits fonciers"),
    "trafficking-spillover": (
        "Trafficking and regional spill-over",
        "Trafics et contagion régionale",
    ),
    "migration": ("Migration", "Migration"),
    "elections": ("Elections", "Élections"),
    "sgbv": ("Sexual and gender-based violence", "Violences sexuelles et basées sur le genre"),
    "security-force-abuse": (
        "Abuse by government agents or security forces",
        "Abus des agents de l'État ou des forces de sécurité",
    ),
    "economic-insecurity": ("Economic insecurity", "Insécurité économique"),
    "local-knowledge": ("Local knowledge", "Connaissance locale"),
    "local-legitimacy": ("Local legitimacy", "Légitimité locale"),
    "rapid-response": ("Capacity for rapid response", "Capacité de réaction rapide"),
    "cultural-sensitivity": ("Cultural sensitivity", "Sensibilité culturelle"),
    "physical-threats": (
        "Physical threats to peacebuilders",
        "Menaces physiques contre les artisans de paix",
    ),
    "funding": ("Access to financial resources", "Accès aux ressources financières"),
    "trained-staff": ("Lack of trained staff", "Manque de personnel formé"),
    "logistics": ("Logistical constraints", "Contraintes logistiques"),
    "information-sharing": ("Information sharing", "Partage d'informations"),
    "distrust": (
        "Distrust between civil society and politicians",
        "Méfiance entre société civile et élus",
    ),
    "civic-education": (
        "Civic education and a spirit of peace",
        "Éducation civique et esprit de paix",
    ),
    "youth-employment": ("Employment for young people", "Emploi des jeunes"),
    "reintegration": ("Reintegration of ex-combatants", "Réintégration des ex-combattants"),
    "cve-strategy": (
        "National strategy against violent extremism",
        "Stratégie nationale contre l'extrémisme violent",
    ),
    "dialogue-frameworks": (
        "Dialogue between state and civil society",
        "Dialogue entre l'État et la société civile",
    ),
    "women-youth-participation": (
        "Participation of women and youth in the peace agreement",
        "Participation des femmes et des jeunes à l'accord de paix",
    ),
    "beyond-military": ("Beyond military action", "Au-delà de l'action militaire"),
    "state-presence": (
        "A functional state presence in every commune",
        "Une présence effective de l'État dans chaque commune",
    ),
    "national-reconciliation": (
        "Peace and reconciliation as a national priority",
        "La paix et la réconciliation, priorité nationale",
    ),
    "women-youth-grassroots": (
        "Prioritise women, youth and grassroots organisations",
        "Priorité aux femmes, aux jeunes et aux organisations de base",
    ),
    "visit-regions": ("Visit the regions and local CSOs", "Visiter les régions et les OSC locales"),
    "capacity-building": (
        "Training and coaching for local peacebuilders",
        "Formation et accompagnement des artisans de paix locaux",
    ),
}

NATIONAL = [
    "civic-education",
    "youth-employment",
    "reintegration",
    "cve-strategy",
    "information-sharing",
    "dialogue-frameworks",
    "women-youth-participation",
]
INTERNATIONAL = [
    "beyond-military",
    "state-presence",
    "national-reconciliation",
    "women-youth-grassroots",
    "visit-regions",
    "capacity-building",
]
STRENGTHS = ["local-knowledge", "local-legitimacy", "rapid-response", "cultural-sensitivity"]
CHALLENGES = ["physical-threats", "funding", "trained-staff", "logistics", "distrust"]

# How many of the 12 participants of each zone raise each theme (drivers).
ZONE_DRIVERS = {
    "North": {"armed-groups": 10, "impunity": 9, "economic-insecurity": 9, "ethnic-tensions": 6},
    "Centre": {"armed-groups": 9, "ethnic-tensions": 10, "land-conflict": 9},
    "South": {"corruption": 9, "economic-insecurity": 9, "armed-groups": 1},
}
LONG_TERM = {"state-absence": 30, "governance-justice": 26, "poverty-youth-unemployment": 24}
DYNAMIC = {"radical-ideologies": 25, "trafficking-spillover": 9, "migration": 7, "elections": 6}
PER_ZONE = 12


def library_themes() -> dict[str, Theme]:
    themes = {}
    for slug, (name, name_fr) in LIBRARY.items():
        themes[slug], _ = Theme.objects.get_or_create(
            slug=slug, workshop=None, defaults={"name": name, "name_fr": name_fr}
        )
    return themes


class _Builder:
    def __init__(self, workshop):
        self.workshop = workshop
        self.pending: list[tuple[Contribution, list[Theme]]] = []

    def add(self, author, category, theme, *, horizon="", audience="", text=None, quotable=False):
        contribution = Contribution(
            workshop=self.workshop,
            client_id=uuid.uuid4().hex,
            category=category,
            horizon=horizon,
            audience=audience,
            text=text or f"{theme.name} ({category})",
            language="fr",
            source=Source.PHONE if author.pk % 3 else Source.NOTE,
            author=author,
            zone_id=self.workshop.zone_id_of(author.region_id),
            region=author.region,
            gender=author.gender,
            quotable=quotable,
        )
        self.pending.append((contribution, [theme]))
        return contribution

    def save(self) -> list[Contribution]:
        stored = Contribution.objects.bulk_create([c for c, _ in self.pending])
        Through = Contribution.themes.through
        Through.objects.bulk_create(
            [
                Through(contribution_id=c.pk, theme_id=t.pk)
                for c, (_, themes) in zip(stored, self.pending, strict=True)
                for t in themes
            ]
        )
        return stored


def make_mali_like_workshop(workshop, regions) -> dict:
    """36 participants (12 per zone, half women) and contributions with known patterns."""
    themes = library_themes()
    zone_regions = {"North": regions["Gao"], "Centre": regions["Mopti"], "South": regions["Bamako"]}
    people = {
        zone: Participant.objects.bulk_create(
            [
                Participant(
                    workshop=workshop,
                    region=region,
                    gender=Gender.WOMAN if k % 2 == 0 else Gender.MAN,
                    display_name=f"Secret Name {zone} {k}",
                )
                for k in range(PER_ZONE)
            ]
        )
        for zone, region in zone_regions.items()
    }
    # Interleaved by zone and gender, so that "the first n" spreads evenly.
    everyone = [p for trio in zip(*people.values(), strict=True) for p in trio]
    women = [p for p in everyone if p.gender == Gender.WOMAN]
    men = [p for p in everyone if p.gender == Gender.MAN]
    build = _Builder(workshop)
    for slug, n in LONG_TERM.items():
        for person in everyone[:n]:
            build.add(person, Category.DRIVER, themes[slug], horizon=Horizon.LONG_TERM)
    for slug, n in DYNAMIC.items():
        for person in everyone[-n:]:
            build.add(person, Category.DRIVER, themes[slug], horizon=Horizon.DYNAMIC)
    for zone, counts in ZONE_DRIVERS.items():
        for slug, n in counts.items():
            for k, person in enumerate(people[zone][:n]):
                build.add(
                    person,
                    Category.DRIVER,
                    themes[slug],
                    quotable=k == 0,
                    text=f"Quote about {slug} from {zone}",
                )
            # A loud voice repeats itself: still one participant.
            build.add(people[zone][0], Category.DRIVER, themes[slug])
    for slug, (w, m) in {"sgbv": (14, 2), "security-force-abuse": (12, 2)}.items():
        for person in women[:w] + men[:m]:
            build.add(person, Category.DRIVER, themes[slug])
    for k, slug in enumerate(STRENGTHS):
        for person in everyone[: 20 - 3 * k]:
            build.add(person, Category.STRENGTH, themes[slug])
    for k, slug in enumerate(CHALLENGES):
        for person in everyone[k : k + 18 - 2 * k]:
            build.add(person, Category.CHALLENGE, themes[slug])
    recs = []
    for audience, slugs in ((Audience.NATIONAL, NATIONAL), (Audience.INTERNATIONAL, INTERNATIONAL)):
        for k, slug in enumerate(slugs):
            author = everyone[k]
            recs.append(
                (
                    build.add(
                        author,
                        Category.RECOMMENDATION,
                        themes[slug],
                        audience=audience,
                        quotable=True,
                        text=f"Recommendation {slug}",
                    ),
                    30 - 3 * k,
                )
            )
    build.save()
    Vote.objects.bulk_create(
        [Vote(participant=p, contribution=c) for c, n in recs for p in everyone[:n]]
    )
    return {"themes": themes, "people": people, "everyone": everyone}


def one_contribution(workshop, regions) -> Contribution:
    """The smallest workshop that has something to report: one tagged driver."""
    themes = library_themes()
    person = Participant.objects.create(
        workshop=workshop, region=regions["Gao"], gender=Gender.WOMAN
    )
    build = _Builder(workshop)
    build.add(person, Category.DRIVER, themes["armed-groups"], horizon=Horizon.DYNAMIC)
    return build.save()[0]
