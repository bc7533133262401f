"""Benchmark of the sources area: survey and ACLED imports, the context summary and charts.

Run: ``.venv/bin/python bench/sources.py`` (a throw-away SQLite database unless
DATABASE_URL is set). Prints a table. The baseline, measured in the same run, is a
plain ``bulk_create`` of the same contributions: the floor that the import (checked
against stored answers, then inserted in batches) is compared with.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="pe-bench-sources-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{TMP}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peaceexchange.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

REGIONS = {"Tombouctou": 0, "Gao": 0, "Mopti": 1, "Ségou": 1, "Bamako": 2, "Sikasso": 2}


def setup():
    from workshops.models import Country, Organisation, Region, Workshop, Zone

    call_command("migrate", verbosity=0)
    country = Country.objects.create(code="ML", name="Mali")
    zones = [
        Zone.objects.create(country=country, name=name, order=i)
        for i, name in enumerate(["North", "Centre", "South"])
    ]
    for name, zone in REGIONS.items():
        Region.objects.create(country=country, zone=zones[zone], name=name)
    organisation = Organisation.objects.create(name="WANEP Mali")
    return Workshop.objects.create(
        title="Bench",
        slug=f"bench-{uuid.uuid4().hex[:6]}",
        country=country,
        organiser=organisation,
        start_date=dt.date(2026, 11, 28),
        end_date=dt.date(2026, 11, 29),
    )


def kobo_csv(submissions: int) -> bytes:
    header = ["region", "genre", "questions/defis", "questions/recommandations", "_id", "_uuid"]
    rows = [";".join(f'"{h}"' for h in header)]
    regions = list(REGIONS)
    for i in range(submissions):
        values = [
            regions[i % len(regions)],
            "Femme" if i % 2 else "Homme",
            f"Défi numéro {i}: les routes sont coupées et les marchés fermés",
            f"Recommandation {i}: former des médiateurs dans chaque commune",
            str(i),
            str(uuid.UUID(int=i)),
        ]
        rows.append(";".join(f'"{v}"' for v in values))
    return ("\ufeff" + "\r\n".join(rows)).encode()


def acled_csv(events: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = "event_id_cnty,event_date,year,event_type,admin1,country,fatalities,timestamp"
    writer.writerow(header.split(","))
    types = ["Battles", "Violence against civilians", "Protests", "Riots"]
    regions = list(REGIONS)
    for i in range(events):
        year = 2018 + i % 8
        date = f"{year}-03-{1 + i % 28:02d}"
        writer.writerow(
            [f"MLI{i}", date, year, types[i % 4], regions[i % 6], "Mali", i % 7, 1_600_000_000 + i]
        )
    return buffer.getvalue().encode()


def timed(function, repeat: int = 1):
    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def main() -> None:
    from workshops import queries
    from workshops.choices import Category, Source
    from workshops.models import Contribution
    from workshops.report import charts
    from workshops.services import imports
    from workshops.sources import acled, kobo

    workshop = setup()
    rows = []

    for submissions in (500, 2000):
        data = kobo_csv(submissions)
        parse_s, survey = timed(lambda data=data: kobo.parse_survey(data, "bench.csv"), repeat=3)
        mapping = kobo.guess_mapping(survey)
        first_s, result = timed(
            lambda survey=survey, mapping=mapping: imports.import_survey(
                workshop=workshop, survey=survey, mapping=mapping
            )
        )
        again_s, again = timed(
            lambda survey=survey, mapping=mapping: imports.import_survey(
                workshop=workshop, survey=survey, mapping=mapping
            )
        )
        answers = result.created
        Contribution.objects.filter(workshop=workshop).delete()
        baseline_s, _ = timed(
            lambda submissions=submissions: Contribution.objects.bulk_create(
                Contribution(
                    workshop=workshop,
                    client_id=f"base:{i}:{column}",
                    text=f"answer {i}",
                    category=Category.CHALLENGE,
                    source=Source.SURVEY,
                )
                for i in range(submissions)
                for column in ("a", "b")
            )
        )
        Contribution.objects.filter(workshop=workshop).delete()
        rows += [
            (f"kobo parse, {submissions} submissions", parse_s, "-"),
            (f"kobo import, {answers} answers (new)", first_s, f"{answers / first_s:.0f}/s"),
            (
                f"kobo re-import, {again.unchanged} answers (no change)",
                again_s,
                f"{again.unchanged / again_s:.0f}/s",
            ),
            (f"baseline bulk_create, {answers} rows", baseline_s, f"{answers / baseline_s:.0f}/s"),
        ]

    for events in (5000, 20000):
        data = acled_csv(events)
        parse_s, parsed = timed(lambda data=data: acled.parse_acled(data))
        import_s, _ = timed(
            lambda parsed=parsed: imports.import_acled(workshop=workshop, parsed=parsed)
        )
        again_s, _ = timed(
            lambda parsed=parsed: imports.import_acled(workshop=workshop, parsed=parsed)
        )
        summary_s, summary = timed(lambda: queries.context_summary(workshop), repeat=3)
        charts_s, _ = timed(lambda summary=summary: charts.acled_charts(summary), repeat=3)
        rows += [
            (f"acled parse, {events} events", parse_s, f"{events / parse_s:.0f}/s"),
            (f"acled import, {events} events (new)", import_s, f"{events / import_s:.0f}/s"),
            (f"acled re-import, {events} events (no change)", again_s, f"{events / again_s:.0f}/s"),
            (f"context summary, {events} events", summary_s, "-"),
            (f"context charts (2 SVG), {events} events", charts_s, "-"),
        ]
        acled.AcledEvent.objects.filter(workshop=workshop).delete()

    print(f"database: {connection.vendor}")
    print(f"{'measure':<52} {'seconds':>9} {'rate':>10}")
    print("-" * 73)
    for name, seconds, rate in rows:
        print(f"{name:<52} {seconds:>9.3f} {rate:>10}")


if __name__ == "__main__":
    main()
