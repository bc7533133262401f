"""Load the shipped reference data: the countries with their regions, and the theme library.

manage.py load_reference_data

Run after ``migrate`` on every new or upgraded instance: organisers can only create a
workshop in a country that is loaded. Matched on natural keys, so running it again
only adds what is missing (nothing is overwritten or deleted).
"""

from django.core.management.base import BaseCommand

from workshops.models import Country, Region, Theme
from workshops.services.demo import load_reference_data


class Command(BaseCommand):
    help = "Load the shipped countries, regions and theme library (adds only what is missing)."

    def handle(self, *args, **options):
        before = (Country.objects.count(), Region.objects.count(), Theme.objects.count())
        load_reference_data()
        after = (Country.objects.count(), Region.objects.count(), Theme.objects.count())
        added = [b - a for a, b in zip(before, after, strict=True)]
        self.stdout.write(
            f"Reference data: {after[0]} countries, {after[1]} regions, {after[2]} themes "
            f"({added[0]} countries, {added[1]} regions and {added[2]} themes added)."
        )
