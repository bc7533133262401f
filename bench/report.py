"""Benchmark of the roll-up, the report draft and its exports.

Builds a workshop of 10,000 contributions from 300 participants (3 zones, two
genders, themes from the library, recommendations with votes) in a throw-away
SQLite database (or ``DATABASE_URL`` if set), then times each step and prints a
table. Goal (analysis issue): release + protect + audit ≤ 2 s. The baseline, measured
in the same run, is a plain count of the contributions.

    .venv/bin/python bench/report.py [--contributions 10000] [--participants 300]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django() -> None:
    if "DATABASE_URL" not in os.environ:
        path = Path(tempfile.mkdtemp(prefix="pe-bench-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peaceexchange.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_workshop(contributions: int, participants: int):
    from workshops.choices import Audience, Category, Gender, Horizon, Source
    from workshops.models import (
        Contribution,
        Country,
        Organisation,
        Participant,
        Region,
        Vote,
        Workshop,
        Zone,
        ZoneRegion,
    )
    from workshops.tests.report_factories import INTERNATIONAL, NATIONAL, library_themes

    rng = random.Random(2018)
    themes = library_themes()
    country, _ = Country.objects.get_or_create(code="ML", defaults={"name": "Mali"})
    names = [("North", "Nord"), ("Centre", "Centre"), ("South", "Sud")]
    regions = [
        Region.objects.get_or_create(country=country, name=f"Region {n}")[0] for n, _f in names
    ]
    organisation, _ = Organisation.objects.get_or_create(name="Bench network")
    slug = f"bench-{uuid.uuid4().hex[:8]}"
    workshop = Workshop.objects.create(
        title="Benchmark workshop",
        slug=slug,
        location="Bamako",
        start_date=date(2026, 11, 27),
        end_date=date(2026, 11, 28),
        country=country,
        organiser=organisation,
    )
    zones = [
        Zone.objects.create(workshop=workshop, name=n, name_fr=f, order=i)
        for i, (n, f) in enumerate(names)
    ]
    ZoneRegion.objects.bulk_create(
        [
            ZoneRegion(workshop=workshop, zone=z, region=r)
            for z, r in zip(zones, regions, strict=True)
        ]
    )
    zone_of = {r.pk: z.pk for z, r in zip(zones, regions, strict=True)}
    people = Participant.objects.bulk_create(
        [
            Participant(
                workshop=workshop,
                region=regions[k % 3],
                gender=Gender.WOMAN if k % 2 else Gender.MAN,
            )
            for k in range(participants)
        ]
    )
    drivers = [
        "state-absence", "governance-justice", "poverty-youth-unemployment", "radical-ideologies",
        "armed-groups", "ethnic-tensions", "land-conflict", "corruption", "impunity",
        "economic-insecurity", "sgbv", "security-force-abuse", "migration", "elections",
    ]  # fmt: skip
    strengths = ["local-knowledge", "local-legitimacy", "rapid-response", "cultural-sensitivity"]
    challenges = ["physical-threats", "funding", "trained-staff", "logistics", "distrust"]
    rows, tags = [], []
    for k in range(contributions):
        person = rng.choice(people)
        roll = rng.random()
        if roll < 0.6:
            category, slug_ = Category.DRIVER, rng.choice(drivers)
        elif roll < 0.72:
            category, slug_ = Category.STRENGTH, rng.choice(strengths)
        elif roll < 0.84:
            category, slug_ = Category.CHALLENGE, rng.choice(challenges)
        else:
            category, slug_ = Category.RECOMMENDATION, rng.choice(NATIONAL + INTERNATIONAL)
        rows.append(
            Contribution(
                workshop=workshop,
                client_id=f"bench-{k}",
                category=category,
                horizon=rng.choice([Horizon.LONG_TERM, Horizon.DYNAMIC])
                if category == Category.DRIVER
                else "",
                audience=(Audience.NATIONAL if slug_ in NATIONAL else Audience.INTERNATIONAL)
                if category == Category.RECOMMENDATION
                else "",
                text=f"Contribution {k} about {slug_}",
                source=rng.choice([Source.PHONE, Source.NOTE, Source.SURVEY]),
                author=person,
                zone_id=zone_of[person.region_id],
                region=person.region,
                gender=person.gender,
                quotable=rng.random() < 0.2,
            )
        )
        tags.append(themes[slug_])
    stored = Contribution.objects.bulk_create(rows, batch_size=2000)
    through = Contribution.themes.through
    through.objects.bulk_create(
        [through(contribution_id=c.pk, theme_id=t.pk) for c, t in zip(stored, tags, strict=True)],
        batch_size=5000,
    )
    recommendations = [c for c in stored if c.category == Category.RECOMMENDATION]
    votes = {
        (p.pk, c.pk): Vote(participant=p, contribution=c)
        for p in people
        for c in rng.sample(recommendations, min(5, len(recommendations)))
    }
    Vote.objects.bulk_create(list(votes.values()), batch_size=5000)
    return workshop


def timed(label: str, results: list, fn):
    start = time.perf_counter()
    value = fn()
    results.append((label, time.perf_counter() - start))
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contributions", type=int, default=10_000)
    parser.add_argument("--participants", type=int, default=300)
    args = parser.parse_args()
    setup_django()
    import logging

    from django.db import connection

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)

    from django.core.cache import cache

    from workshops.analysis import rollup as rollup_module
    from workshops.analysis.disclosure import audit, protect, workshop_release
    from workshops.analysis.rollup import build_rollup
    from workshops.report import charts, render
    from workshops.report.exports import aggregated_rows, row_level_rows, to_csv, to_xlsx
    from workshops.services.report import build_draft

    results: list[tuple[str, float]] = []
    workshop = timed(
        "generate data (not part of the goal)",
        results,
        lambda: make_workshop(args.contributions, args.participants),
    )
    baseline = timed(
        "baseline: count contributions", results, lambda: workshop.contributions.count()
    )
    assert baseline == args.contributions
    loaded = timed("load voices (2 queries)", results, lambda: rollup_module._load(workshop))
    release = timed(
        "release build",
        results,
        lambda: workshop_release(
            voices=loaded.voices,
            zones=[g.key for g in rollup_module.zone_groups(workshop, "fr")],
            genders=[g.key for g in rollup_module.gender_groups()],
        ),
    )
    protected = timed("protect (secondary suppression)", results, lambda: protect(release.release))
    timed("audit (exact, fresh)", results, lambda: audit(protected))
    cache.clear()
    rollup = timed(
        "roll-up, cold (release + protect + audit + tests)",
        results,
        lambda: build_rollup(workshop, language="fr"),
    )
    timed(
        "roll-up, warm (protect cached by fingerprint)",
        results,
        lambda: build_rollup(workshop, language="fr"),
    )
    cells = len(release.release)
    timed(
        "draft build (first, incl. roll-up)",
        results,
        lambda: build_draft(workshop=workshop, language="fr"),
    )
    draft = timed(
        "draft refresh (incl. roll-up)",
        results,
        lambda: build_draft(workshop=workshop, language="fr"),
    )
    timed(
        "charts (5 SVG)",
        results,
        lambda: [charts.svg(charts.build_figure(rollup, k)) for k in charts.CHART_TITLES],
    )
    timed("export Markdown", results, lambda: render.to_markdown(draft))
    timed("export HTML", results, lambda: render.to_html(draft, rollup))
    timed("export DOCX", results, lambda: render.to_docx(draft, rollup))
    timed("export PDF", results, lambda: render.to_pdf(draft, rollup))
    timed("export CSV aggregated", results, lambda: to_csv(aggregated_rows(rollup)))
    timed("export XLSX aggregated", results, lambda: to_xlsx(aggregated_rows(rollup), "x"))
    timed("export CSV row-level", results, lambda: to_csv(row_level_rows(workshop)))

    goal = dict(results)["release build"] + dict(results)["protect (secondary suppression)"]
    goal += dict(results)["audit (exact, fresh)"]
    print(
        f"\nReport benchmark: {args.contributions} contributions, {args.participants} "
        f"participants, {connection.vendor}, release of {cells} cells, "
        f"{len(rollup.tests)} comparisons, {len(rollup.notable)} notable\n"
    )
    print(f"| {'step':<40} | {'seconds':>8} |")
    print(f"|{'-' * 42}|{'-' * 10}|")
    for label, seconds in results:
        print(f"| {label:<40} | {seconds:>8.3f} |")
    verdict = "met" if goal <= 2 else "NOT met"
    print(f"\nrelease + protect + audit = {goal:.3f} s (goal ≤ 2 s: {verdict})")


if __name__ == "__main__":
    main()
