"""How the second-workshop data files were made (run once; the files are the data).

    .venv/bin/python workshops/tests/data/second_workshop/make_data.py

Writes ``workshop.json``, ``survey_mopti.csv`` (a KoboToolbox CSV export) and
``survey_coding.json`` next to this script, from the plan below and a fixed seed.
Nothing reads this script: the loader and the expected numbers
(``workshops/tests/second_workshop.py``) read the files it wrote. Edit the files by
hand or change the plan and run it again; the tests check the findings either way.
"""

from __future__ import annotations

import csv
import io
import json
import random
import uuid
from pathlib import Path

HERE = Path(__file__).parent
rng = random.Random(2026)

ORGANISATIONS = [
    ("aflg", "Association des Femmes Leaders de Gao", "AFLG", "women_led", "Gao"),
    ("jat", "Jeunesse Active de Tombouctou", "JAT", "youth_led", "Tombouctou"),
    ("cicm", "Comité Inter-Communautaire de Ménaka", "CICM", "grassroots", "Ménaka"),
    ("upd", "Union des Pasteurs du Delta", "UPD", "grassroots", "Mopti"),
    ("cdim", "Cercle de Dialogue Interreligieux de Mopti", "CDIM", "faith_based", "Mopti"),
    ("fbs", "Femmes Bâtisseuses de Ségou", "FBS", "women_led", "Ségou"),
    ("rrcc", "Réseau des Radios Communautaires du Centre", "RRCC", "network", "Ségou"),
    ("pjps", "Plateforme Jeunes et Paix de Sikasso", "PJPS", "youth_led", "Sikasso"),
    ("aks", "Association Kayes Solidarité", "AKS", "grassroots", "Kayes"),
    ("crjk", "Conseil Régional de la Jeunesse de Koulikoro", "CRJK", "youth_led", "Koulikoro"),
    ("drr", "Direction Régionale de la Réconciliation", "DRR", "government", "Bamako"),
    ("spp", "Sahel Peace Partners", "SPP", "international", "Bamako"),
]

# (region, gender, organisation, language) — North 3 women + 7 men, Centre 5 + 5,
# South 6 + 4: 14 women, 16 men.
PEOPLE = {
    "North": [
        ("Gao", "woman", "aflg", "fr"),
        ("Gao", "woman", "aflg", "fr"),
        ("Tombouctou", "woman", "jat", "fr"),
        ("Tombouctou", "man", "jat", "fr"),
        ("Tombouctou", "man", "jat", "en"),
        ("Gao", "man", "cicm", "fr"),
        ("Ménaka", "man", "cicm", "fr"),
        ("Ménaka", "man", "cicm", "fr"),
        ("Kidal", "man", "spp", "en"),
        ("Gao", "man", "drr", "fr"),
    ],
    "Centre": [
        ("Mopti", "woman", "fbs", "fr"),
        ("Ségou", "woman", "fbs", "fr"),
        ("Ségou", "woman", "rrcc", "fr"),
        ("Mopti", "woman", "cdim", "en"),
        ("Mopti", "woman", "upd", "fr"),
        ("Mopti", "man", "upd", "fr"),
        ("Mopti", "man", "cdim", "fr"),
        ("Ségou", "man", "rrcc", "fr"),
        ("Mopti", "man", "upd", "fr"),
        ("Ségou", "man", "drr", "fr"),  # registers, never contributes
    ],
    "South": [
        ("Sikasso", "woman", "pjps", "fr"),
        ("Bamako", "woman", "spp", "en"),
        ("Kayes", "woman", "aks", "fr"),
        ("Koulikoro", "woman", "crjk", "fr"),
        ("Bamako", "woman", "drr", "fr"),
        ("Sikasso", "woman", "pjps", "fr"),  # registers, never contributes
        ("Sikasso", "man", "pjps", "fr"),
        ("Kayes", "man", "aks", "en"),
        ("Koulikoro", "man", "crjk", "fr"),
        ("Bamako", "man", "spp", "en"),
    ],
}
SILENT = {"p20", "p26"}
FIRST_NAMES = {
    "woman": ["Aïssata", "Fanta", "Mariam", "Kadiatou", "Oumou", "Salimata", "Hawa", "Nana"],
    "man": ["Moussa", "Issa", "Boubacar", "Sidi", "Hamadoun", "Yacouba", "Amadou", "Oumar"],
}

# Findings of the workshop: (category, horizon/audience, theme, plan); a plan gives
# how many distinct participants of each zone ("z") or gender ("g") raise it.
PLAN = [
    ("driver", "long_term", "land-conflict", {"z": {"North": 0, "Centre": 2, "South": 7}}),
    ("driver", "dynamic", "radical-ideologies", {"z": {"North": 2, "Centre": 8, "South": 1}}),
    ("driver", "long_term", "poverty-youth-unemployment", {"g": {"woman": 2, "man": 10}}),
    ("driver", "dynamic", "migration", {"z": {"North": 6, "Centre": 1, "South": 1}}),
    ("driver", "long_term", "state-absence", {"z": {"North": 4, "Centre": 4, "South": 4}}),
    ("driver", "dynamic", "armed-groups", {"z": {"North": 4, "Centre": 3, "South": 0}}),
    ("strength", "", "local-legitimacy", {"g": {"woman": 11, "man": 2}}),
    ("strength", "", "local-knowledge", {"z": {"North": 5, "Centre": 5, "South": 5}}),
    ("strength", "", "rapid-response", {"cell": "North women", "plus": ["p27"]}),
    ("challenge", "", "distrust", {"z": {"North": 1, "Centre": 3, "South": 8}}),
    ("challenge", "", "logistics", {"z": {"North": 7, "Centre": 4, "South": 0}}),
    ("challenge", "", "funding", {"z": {"North": 5, "Centre": 6, "South": 5}}),
    ("challenge", "", "physical-threats", {"g": {"woman": 9, "man": 3}}),
    ("opportunity", "", "dialogue-frameworks", {"z": {"North": 6, "Centre": 2, "South": 1}}),
    ("opportunity", "", "information-sharing", {"z": {"North": 3, "Centre": 3, "South": 3}}),
    ("opportunity", "", "civic-education", {"g": {"woman": 6, "man": 2}}),
    (
        "recommendation",
        "national",
        "youth-employment",
        {"z": {"North": 1, "Centre": 1, "South": 5}},
    ),
    (
        "recommendation",
        "national",
        "dialogue-frameworks",
        {"z": {"North": 4, "Centre": 1, "South": 0}},
    ),
    ("recommendation", "national", "women-youth-participation", {"g": {"woman": 5, "man": 0}}),
    (
        "recommendation",
        "international",
        "capacity-building",
        {"z": {"North": 2, "Centre": 3, "South": 1}},
    ),
    (
        "recommendation",
        "international",
        "visit-regions",
        {"z": {"North": 3, "Centre": 0, "South": 0}},
    ),
]
# Those who say it twice (still one voice): (person, theme).
REPEATS = [("p02", "rapid-response"), ("p21", "distrust"), ("p14", "radical-ideologies")]

TEXTS = {
    "land-conflict": [
        ("fr", "Les conflits fonciers entre agriculteurs et éleveurs autour de {region}."),
        ("fr", "Les terres sont vendues sans l'accord des familles, ça finit en bagarre."),
        ("sms", "problem de terre ds les villages, les champs et les couloirs de passage"),
        ("en", "Land disputes between farmers and herders keep coming back."),
    ],
    "radical-ideologies": [
        ("fr", "Des prêcheurs venus d'ailleurs recrutent les jeunes dans les villages."),
        ("fr", "Le discours extrémiste gagne les écoles coraniques isolées."),
        ("sms", "les jeun écoutent les radicaux pcq personne dotre ne leur parle"),
        ("en", "Radical preachers recruit young people where the state is absent."),
    ],
    "poverty-youth-unemployment": [
        ("fr", "Les jeunes n'ont pas de travail et l'argent des groupes les attire."),
        ("sms", "ya pa de boulo pr les jeunes, ils partent ou ils prennent les armes"),
        ("en", "Young men without work are easy to recruit."),
    ],
    "migration": [
        ("fr", "Les départs vers l'Algérie vident les villages et enrichissent les passeurs."),
        ("sms", "bcp de jeunes partent en aventure, les passeurs font la loi"),
        ("en", "Migration routes bring money and guns through {region}."),
    ],
    "state-absence": [
        ("fr", "L'État n'est pas présent : pas de juge, pas de préfet dans le cercle."),
        ("en", "There is no administration outside the town of {region}."),
    ],
    "armed-groups": [
        ("fr", "Les groupes armés contrôlent les routes et prélèvent la zakat."),
        ("sms", "les hommes armés sont partou sur la route de {region}"),
        ("en", "Armed groups tax the markets and the roads."),
    ],
    "local-legitimacy": [
        ("fr", "Les femmes médiatrices sont écoutées par les deux camps."),
        ("fr", "Notre association est connue et respectée dans chaque quartier."),
        ("sms", "les gens nous font confiance pcq on vit avec eux"),
        ("en", "Communities trust us because we are from here."),
    ],
    "local-knowledge": [
        ("fr", "Nous connaissons les familles et l'histoire de chaque conflit."),
        ("en", "We know who is who in every village around {region}."),
    ],
    "rapid-response": [
        ("fr", "Nous pouvons réunir les chefs en une journée quand ça chauffe."),
        ("sms", "on peu bouger vite qd ya un probleme au marché"),
        ("en", "We can call the elders together within hours."),
    ],
    "distrust": [
        ("fr", "Les élus se méfient de la société civile et ne répondent pas."),
        ("fr", "La mairie nous voit comme des opposants politiques."),
        ("sms", "les politiciens nous prennent pr des ennemis"),
        ("en", "Local politicians do not trust civil society."),
    ],
    "logistics": [
        ("fr", "Les routes sont coupées, il faut des jours pour atteindre les villages."),
        ("sms", "pa de moto pa de carburant, on peu pa aller sur le terrain"),
        ("en", "Roads around {region} are cut for months in the rainy season."),
    ],
    "funding": [
        ("fr", "Nous n'avons pas de financement pour les activités de terrain."),
        ("sms", "ya pa d'argent pr les activités, tout est bénévole"),
        ("en", "Donors fund projects of six months, never our core costs."),
    ],
    "physical-threats": [
        ("fr", "Nos membres reçoivent des menaces quand ils parlent à la radio."),
        ("fr", "Une médiatrice a été agressée au retour d'une réunion."),
        ("en", "Peacebuilders are threatened on the way home."),
    ],
    "dialogue-frameworks": [
        ("fr", "Les nouveaux comités de dialogue communal sont une chance."),
        ("en", "The new communal dialogue committees are an opening for us."),
        ("sms", "le cadre de concertation de la mairie cest une opportunité"),
    ],
    "information-sharing": [
        ("fr", "Les radios communautaires peuvent partager les alertes."),
        ("en", "WhatsApp groups between organisations share alerts quickly."),
    ],
    "civic-education": [
        ("fr", "Les écoles acceptent des séances d'éducation à la paix."),
        ("en", "Schools are open to peace education sessions."),
    ],
    "youth-employment": [
        ("fr", "Créer des emplois pour les jeunes dans chaque commune."),
        ("fr", "Financer des formations professionnelles pour les jeunes de {region}."),
        ("en", "Fund job schemes for young people in the regions."),
    ],
    "women-youth-participation": [
        ("fr", "Réserver des places aux femmes dans les comités de suivi de l'accord."),
        ("en", "Give women seats in the committees that follow the peace agreement."),
    ],
    "capacity-building": [
        ("fr", "Former les médiateurs locaux et les accompagner dans la durée."),
        ("en", "Train local mediators and coach them for years, not weeks."),
    ],
    "visit-regions": [
        ("fr", "Que les partenaires viennent voir les OSC du Nord sur place."),
        ("en", "Partners should visit the northern organisations in person."),
    ],
}
UNTAGGED = [
    # (category, horizon/audience, person, language, text)
    ("driver", "long_term", "p05", "en", "Old quarrels between families over the chieftaincy."),
    ("driver", "dynamic", "p16", "fr", "Les rumeurs sur les réseaux sociaux enflamment tout."),
    ("strength", "", "p24", "fr", "On parle les langues de tout le monde."),
    ("challenge", "", "p07", "fr", "Les chefs coutumiers ne veulent pas des jeunes."),
    ("challenge", "", "p12", "sms", "trop de reunions et rien ne change"),
    ("challenge", "", "p23", "fr", "Les partenaires changent de priorité chaque année."),
    ("challenge", "", "p29", "en", "Our reports are never read by anyone."),
    ("opportunity", "", "p18", "fr", "Le retour des déplacés peut rapprocher les communautés."),
    # The three recommendations nobody tagged, dot-voted 2/1/1.
    ("recommendation", "national", "p22", "fr", "Un numéro vert pour signaler les violences."),
    ("recommendation", "international", "p09", "en", "Pay local staff on time."),
    ("recommendation", "national", "p13", "sms", "des radios ds chaque commune pr la paix"),
]
UNTAGGED_VOTES = [2, 1, 1]
# Votes for the tagged recommendations: first of each theme gets most.
TAGGED_VOTES = {
    "youth-employment": [7, 3, 1],
    "dialogue-frameworks": [5, 2],
    "women-youth-participation": [4, 1],
    "capacity-building": [6, 1],
    "visit-regions": [3],
}

ANONYMOUS = [
    # (session, category, horizon/audience, theme or None, region or None, gender, language, text)
    (
        "s1",
        "driver",
        "long_term",
        "land-conflict",
        "Sikasso",
        "",
        "fr",
        "Quelqu'un du groupe : les champs des déplacés sont repris par les voisins.",
    ),
    (
        "s1",
        "driver",
        "dynamic",
        "radical-ideologies",
        "Mopti",
        "man",
        "fr",
        "Un participant : les prêches à la radio font peur aux parents.",
    ),
    (
        "s1",
        "driver",
        "dynamic",
        None,
        None,
        "",
        "fr",
        "Intervention depuis la salle : le prix du mil a doublé.",
    ),
    (
        "s1",
        "strength",
        "",
        "local-legitimacy",
        None,
        "woman",
        "fr",
        "Une participante : les femmes sont les premières qu'on appelle.",
    ),
    (
        "s1",
        "strength",
        "",
        "local-knowledge",
        "Gao",
        "",
        "en",
        "Someone said: we know the herders' routes better than anyone.",
    ),
    (
        "s2",
        "challenge",
        "",
        "distrust",
        "Bamako",
        "",
        "fr",
        "Dans le groupe du Sud : la mairie ne nous reçoit jamais.",
    ),
    (
        "s2",
        "challenge",
        "",
        "distrust",
        "Bamako",
        "",
        "fr",
        "Autre voix du groupe du Sud : les élus confisquent les projets.",
    ),
    (
        "s2",
        "challenge",
        "",
        None,
        None,
        "",
        "fr",
        "Remarque de la salle : personne ne coordonne les ONG.",
    ),
    (
        "s2",
        "challenge",
        "",
        "logistics",
        "Tombouctou",
        "woman",
        "fr",
        "Une femme de Tombouctou : le bac ne marche plus depuis juillet.",
    ),
    (
        "s2",
        "opportunity",
        "",
        "information-sharing",
        None,
        "",
        "fr",
        "Idée notée au tableau : un groupe d'alerte partagé entre les radios.",
    ),
    (
        "s3",
        "recommendation",
        "national",
        "youth-employment",
        None,
        "",
        "fr",
        "Proposition de la salle : des chantiers pour les jeunes pendant la saison sèche.",
    ),
    (
        "s3",
        "recommendation",
        "international",
        "capacity-building",
        "Ségou",
        "",
        "en",
        "From the floor: fund training for women mediators.",
    ),
]

SURVEY_REGIONS = (
    [("Tombouctou", "North")] * 2
    + [("Timbuktu", "North"), ("Diré", "North")]
    + [("Gao", "North")] * 2
    + [("Kidal", "North")] * 2
    + [("Mopti", "Centre")] * 8
    + [("mopti", "Centre"), ("Segou", "Centre")]
    + [("Ségou", "Centre")] * 5
    + [("Bamako", "South")] * 6
    + [("Sikasso", "South")] * 4
    + [("Kayes", "South")] * 2
    + [("", None)]
)
assert len(SURVEY_REGIONS) == 36
SURVEY_GENDERS = ["Femme"] * 15 + ["F"] * 4 + ["Homme"] * 12 + ["H"] * 3 + ["nsp"] * 2
SURVEY_KINDS = [
    "Organisation de femmes",
    "Association de jeunes",
    "OSC de base",
    "Organisation confessionnelle",
    "Réseau",
    "Service de l'État",
]
# Survey answers (challenge column): theme(s) staff coded, and the texts.
SURVEY_CHALLENGES = {
    ("physical-threats",): [
        "Les menaces contre les médiateurs sur les routes",
        "On a peur de parler, des membres ont été enlevés",
        "menaces des groupes armés contre nos animateurs",
    ],
    ("funding",): [
        "Le manque de financement pour nos activités",
        "pa de fond pr les activités",
        "Lack of money for field work",
    ],
    ("funding", "logistics"): [
        "Le manque de financement; les routes coupées par les groupes armés",
    ],
    ("distrust",): ["La méfiance des autorités envers les associations"],
    (): [
        "Trop de réunions sans suite",
        "Les jeunes ne sont pas écoutés",
        "la vie est chère",
        "Nobody coordinates the NGOs",
    ],
}
SURVEY_RECS = {
    ("youth-employment",): [
        "Des emplois pour les jeunes dans chaque commune",
        "formation professionnelle pr les jeunes",
    ],
    ("capacity-building",): [
        "Former les médiateurs locaux",
        "Train community mediators",
    ],
    ("dialogue-frameworks",): ["Un dialogue régulier entre l'État et la société civile"],
    (): [
        "Que les bailleurs écoutent les associations",
        "Plus de sécurité sur les routes",
        "la paix d'abord",
    ],
}


def people() -> list[dict]:
    rows, n = [], 0
    counters = {"woman": 0, "man": 0}
    for zone, specs in PEOPLE.items():
        for region, gender, organisation, language in specs:
            n += 1
            name = FIRST_NAMES[gender][counters[gender] % 8]
            counters[gender] += 1
            rows.append(
                {
                    "key": f"p{n:02d}",
                    "display_name": f"{name} {chr(64 + n)}.",
                    "zone": zone,
                    "region": region,
                    "gender": gender,
                    "organisation": organisation,
                    "language": language,
                }
            )
    return rows


def pick(plan: dict, everyone: list[dict]) -> list[dict]:
    active = [p for p in everyone if p["key"] not in SILENT]
    chosen = []
    if "cell" in plan:
        chosen = [p for p in active if p["zone"] == "North" and p["gender"] == "woman"]
        return chosen + [p for p in active if p["key"] in plan["plus"]]
    for zone, count in plan.get("z", {}).items():
        group = [p for p in active if p["zone"] == zone]
        chosen += rng.sample(group, count)
    for gender, count in plan.get("g", {}).items():
        group = [p for p in active if p["gender"] == gender]
        chosen += rng.sample(group, count)
    return chosen


def text_for(theme: str, person: dict | None, language: str | None = None) -> tuple[str, str]:
    variants = TEXTS[theme]
    want = language or (person["language"] if person else "fr")
    if want == "fr" and rng.random() < 0.25:
        want = "sms"
    matching = [v for v in variants if v[0] == want] or [v for v in variants if v[0] == "fr"]
    kind, text = rng.choice(matching)
    region = person["region"] if person else "la région"
    return text.format(region=region), "en" if kind == "en" else "fr"


def contributions(everyone: list[dict]) -> tuple[list[dict], list[dict]]:
    session_of = {
        "driver": "s1",
        "strength": "s1",
        "challenge": "s2",
        "opportunity": "s2",
        "recommendation": "s3",
    }
    by_key = {p["key"]: p for p in everyone}
    rows: list[dict] = []
    votes: list[dict] = []

    def add(person, category, qualifier, theme, text, language, session=None, **extra):
        key = f"c{len(rows) + 1:03d}"
        rows.append(
            {
                "key": key,
                "author": person["key"] if person else None,
                "session": session or session_of[category],
                "category": category,
                "theme": theme,
                "horizon": qualifier if category == "driver" else "",
                "audience": qualifier if category == "recommendation" else "",
                "language": language,
                "text": text,
                "source": extra.pop("source", "phone" if rng.random() < 0.6 else "note"),
                **extra,
            }
        )
        return key

    for category, qualifier, theme, plan in PLAN:
        chosen = pick(plan, everyone)
        keys = []
        for person in chosen:
            text, language = text_for(theme, person)
            keys.append(add(person, category, qualifier, theme, text, language))
        # Fewer planned votes than recommendations of a theme: the rest get none.
        planned = TAGGED_VOTES.get(theme, []) if category == "recommendation" else []
        for voted, key in zip(planned, keys, strict=False):
            votes.append({"contribution": key, "dots": voted})
    for person_key, theme in REPEATS:
        first = next(r for r in rows if r["author"] == person_key and r["theme"] == theme)
        person = by_key[person_key]
        text, language = text_for(theme, person)
        if text == first["text"]:
            text = text + " Je le redis."
        add(person, first["category"], first["horizon"] or first["audience"], theme, text, language)
    for (category, qualifier, person_key, language, text), dots in zip(
        UNTAGGED, [0] * 8 + UNTAGGED_VOTES, strict=True
    ):
        key = add(
            by_key[person_key], category, qualifier, None, text, "en" if language == "en" else "fr"
        )
        if dots:
            votes.append({"contribution": key, "dots": dots})
    for session, category, qualifier, theme, region, gender, language, text in ANONYMOUS:
        add(
            None,
            category,
            qualifier,
            theme,
            text,
            language,
            session=session,
            source="note",
            region=region,
            gender=gender,
        )
    # Everyone but the silent two says something: those no plan picked raise funding.
    spoken = {r["author"] for r in rows}
    for person in everyone:
        if person["key"] not in SILENT and person["key"] not in spoken:
            text, language = text_for("funding", person)
            add(person, "challenge", "", "funding", text, language)
    rng.shuffle(rows)
    for n, row in enumerate(rows, start=1):
        row["minute"] = n
    rows.sort(key=lambda r: r["key"])
    return rows, ballots(votes, [p for p in everyone if p["key"] not in SILENT])


def ballots(votes: list[dict], voters: list[dict]) -> list[dict]:
    """Each participant's dots (at most 3, one per recommendation), from the planned totals."""
    left = {p["key"]: 3 for p in voters}
    chosen: dict[str, list[str]] = {p["key"]: [] for p in voters}
    for vote in sorted(votes, key=lambda v: -v["dots"]):
        order = sorted(left, key=lambda k: (-left[k], rng.random()))
        for key in order[: vote["dots"]]:
            left[key] -= 1
            chosen[key].append(vote["contribution"])
    return [{"voter": k, "contributions": sorted(v)} for k, v in chosen.items() if v]


def survey() -> tuple[str, dict]:
    regions = SURVEY_REGIONS[:]
    genders = SURVEY_GENDERS[:]
    rng.shuffle(genders)
    # The survey's own findings: physical threats from the North, funding from women.
    columns = [
        "start",
        "end",
        "profil/region",
        "profil/genre",
        "profil/type_organisation",
        "questions/defis_principaux",
        "questions/recommandations",
        "questions/age",
        "_id",
        "_uuid",
        "_submission_time",
        "_validation_status",
        "_notes",
        "_status",
        "_submitted_by",
        "__version__",
        "_tags",
        "_index",
        "meta/rootUuid",
    ]
    hxl = [
        "",
        "",
        "#adm1+name",
        "#gender",
        "#org+type",
        "#description+challenges",
        "#description+recommendations",
        "#indicator+age",
        "#meta+id",
        "#meta+uuid",
        "#date+submitted",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "#meta+rootuuid",
    ]
    coding: dict = {}
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(columns)
    writer.writerow(hxl)
    for i, ((region, zone), gender) in enumerate(zip(regions, genders, strict=True)):
        uid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        woman = gender in ("Femme", "F")
        if (zone == "North" and rng.random() < 0.8) or (zone == "South" and rng.random() < 0.08):
            themes = ("physical-threats",)
        elif woman and rng.random() < 0.6:
            themes = ("funding",) if rng.random() < 0.8 else ("funding", "logistics")
        elif rng.random() < 0.35:
            themes = ("distrust",)
        else:
            themes = () if rng.random() < 0.7 else ("funding",)
        challenge = rng.choice(SURVEY_CHALLENGES[themes])
        if i % 9 == 4:
            rec_themes, rec = (), ""
        else:
            rec_themes = rng.choice(list(SURVEY_RECS))
            rec = rng.choice(SURVEY_RECS[rec_themes])
        kind = SURVEY_KINDS[0] if woman and rng.random() < 0.5 else rng.choice(SURVEY_KINDS)
        day = 1 + i % 20
        writer.writerow(
            [
                f"2026-11-{day:02d}T09:{i:02d}:00.000+00:00",
                f"2026-11-{day:02d}T09:{i + 12:02d}:00.000+00:00",
                region,
                gender,
                kind,
                challenge,
                rec,
                str(20 + (i * 7) % 45),
                str(5001 + i),
                uid,
                f"2026-11-{day:02d}T09:{i + 13:02d}:00",
                "validation_status_approved" if i % 3 else "",
                "",
                "submitted_via_web",
                "enqueteur_mopti",
                "vMopti2026",
                "",
                str(i + 1),
                f"uuid:{uid}",
            ]
        )
        coding[uid] = {
            "questions/defis_principaux": list(themes),
            "questions/recommandations": list(rec_themes) if rec else [],
        }
    return "\ufeff" + out.getvalue(), coding


INTERVIEWS = [
    {
        "key": "i1",
        "pseudonym": "Interlocutrice G.",
        "region": "Gao",
        "gender": "woman",
        "organisation_kind": "women_led",
        "date": "2026-11-20",
        "interviewer": "Équipe CPM",
        "passages": [
            (
                "driver",
                "dynamic",
                ["armed-groups"],
                True,
                "Les groupes armés ont fermé le marché de bétail deux fois cette année.",
            ),
            (
                "challenge",
                "",
                ["logistics", "physical-threats"],
                True,
                "Pour aller à Ansongo il faut une escorte, et les femmes ne la demandent pas.",
            ),
            (
                "strength",
                "",
                ["rapid-response"],
                False,
                "Quand il y a un mort, nous sommes sur place le jour même.",
            ),
            (
                "recommendation",
                "international",
                ["capacity-building"],
                True,
                "Formez nos jeunes médiatrices et restez avec nous plus d'un an.",
            ),
            (
                "opportunity",
                "",
                [],
                False,
                "La nouvelle radio de la commune cherche des émissions.",
            ),
        ],
    },
    {
        "key": "i2",
        "pseudonym": "Interlocuteur M.",
        "region": "Mopti",
        "gender": "man",
        "organisation_kind": "faith_based",
        "date": "2026-11-21",
        "interviewer": "Équipe CPM",
        "passages": [
            (
                "driver",
                "dynamic",
                ["radical-ideologies"],
                True,
                "Les prêcheurs itinérants remplissent le vide laissé par l'école.",
            ),
            (
                "driver",
                "long_term",
                ["land-conflict"],
                False,
                "Les bourgoutières sont disputées à chaque décrue.",
            ),
            (
                "opportunity",
                "",
                ["dialogue-frameworks"],
                True,
                "Les cadres de concertation communaux nous donnent une place.",
            ),
            (
                "recommendation",
                "national",
                ["dialogue-frameworks"],
                False,
                "Que l'État consulte les chefs religieux avant de décider.",
            ),
        ],
    },
    {
        "key": "i3",
        "pseudonym": "Interviewee S.",
        "region": "Sikasso",
        "gender": "woman",
        "organisation_kind": "grassroots",
        "date": "2026-11-22",
        "interviewer": "CPM team",
        "passages": [
            (
                "challenge",
                "",
                ["distrust"],
                True,
                "The mayor sees our association as the opposition.",
            ),
            (
                "challenge",
                "",
                ["funding"],
                False,
                "We have had no grant for two years; volunteers pay the transport.",
            ),
            (
                "driver",
                "long_term",
                ["poverty-youth-unemployment"],
                False,
                "Young men leave for the gold mines and come back with guns.",
            ),
            (
                "recommendation",
                "national",
                ["youth-employment"],
                True,
                "Create local jobs so that young people stay.",
            ),
            ("challenge", "", [], False, "Nobody knows which ministry is in charge."),
        ],
    },
]


def main() -> None:
    everyone = people()
    rows, votes = contributions(everyone)
    interviews = []
    for spec in INTERVIEWS:
        passages = [
            {
                "category": category,
                "horizon": qualifier if category == "driver" else "",
                "audience": qualifier if category == "recommendation" else "",
                "themes": themes,
                "quotable": quotable,
                "text": text,
            }
            for category, qualifier, themes, quotable, text in spec["passages"]
        ]
        interviews.append(
            {
                **{k: v for k, v in spec.items() if k != "passages"},
                "consent_noted": True,
                "notes": "\n\n".join(p["text"] for p in passages),
                "passages": passages,
            }
        )
    workshop = {
        "_about": (
            "An invented workshop unlike the Bamako demo, for tests only. The loader and "
            "the expected numbers are in workshops/tests/second_workshop.py; make_data.py "
            "shows how this file was first made."
        ),
        "workshop": {
            "title": "Atelier Peace Exchange — Mopti 2026",
            "slug": "atelier-mopti-2026",
            "location": "Mopti, Mali",
            "country": "ML",
            "languages": ["fr", "en"],
            "start_date": "2026-11-24",
            "end_date": "2026-11-25",
            "dots_per_participant": 3,
            "organiser": {
                "name": "Coalition Paix Mopti",
                "acronym": "CPM",
                "kind": "network",
                "home_region": "Mopti",
                "network": "WANEP",
            },
        },
        "organisations": [
            {"key": k, "name": n, "acronym": a, "kind": kind, "home_region": r, "network": ""}
            for k, n, a, kind, r in ORGANISATIONS
        ],
        "participants": everyone,
        "sessions": [
            {
                "key": "s1",
                "title": "Moteurs des conflits et forces locales",
                "guiding_question": (
                    "Qu'est-ce qui alimente les conflits chez vous, "
                    "et sur quoi pouvez-vous compter ?"
                ),
                "focus": ["driver", "strength"],
                "status": "closed",
                "starts": "2026-11-24T09:00",
                "ends": "2026-11-24T11:00",
            },
            {
                "key": "s2",
                "title": "Défis et opportunités",
                "guiding_question": "Qu'est-ce qui vous freine, et quelles portes s'ouvrent ?",
                "focus": ["challenge", "opportunity"],
                "status": "closed",
                "starts": "2026-11-24T14:00",
                "ends": "2026-11-24T16:00",
            },
            {
                "key": "s3",
                "title": "Recommandations",
                "guiding_question": "Que doivent faire l'État et les partenaires internationaux ?",
                "focus": ["recommendation"],
                "status": "voting",
                "starts": "2026-11-25T09:00",
                "ends": "2026-11-25T11:00",
            },
        ],
        "contributions": rows,
        "votes": votes,
        "interviews": interviews,
    }
    (HERE / "workshop.json").write_text(
        json.dumps(workshop, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    csv_text, coding = survey()
    (HERE / "survey_mopti.csv").write_text(csv_text, encoding="utf-8")
    mapping = {
        "columns": {
            "questions/defis_principaux": "challenge",
            "questions/recommandations": "recommendation",
            "questions/age": "ignore",
        },
        "region": "profil/region",
        "gender": "profil/genre",
        "organisation_kind": "profil/type_organisation",
        "region_values": {"Timbuktu": "Tombouctou", "Diré": "Tombouctou"},
        "language": "fr",
    }
    (HERE / "survey_coding.json").write_text(
        json.dumps(
            {
                "_about": (
                    "The import mapping of survey_mopti.csv and the themes staff gave each "
                    "answer after the import (by submission uuid and column; [] = untagged)."
                ),
                "mapping": mapping,
                "themes": coding,
            },
            ensure_ascii=False,
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
