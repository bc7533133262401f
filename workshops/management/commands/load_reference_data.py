"""Load the shipped reference data: the countries with their regions, and the theme library.

manage.py load_reference_data [--language fr|en]

Run after ``migrate`` on every new or upgraded instance: organisers can only create a
workshop in a country that is loaded. Matched on natural keys, so running it again
only adds what is missing (nothing is overwritten or deleted).
"""

from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from workshops.management.purpose import add_language_argument, command_language
from workshops.models import Country, Region, Theme
from workshops.services.demo import load_reference_data


def _counted(singular: str, plural: str, n: int) -> str:
    return ngettext(singular, plural, n) % {"n": n}


class Command(BaseCommand):
    help = "Load the shipped countries, regions and theme library (adds only what is missing)."

    def add_arguments(self, parser):
        add_language_argument(parser)

    def handle(self, *args, language: str | None = None, **options):
        with translation.override(command_language(language)):
            before = (Country.objects.count(), Region.objects.count(), Theme.objects.count())
            load_reference_data()
            after = (Country.objects.count(), Region.objects.count(), Theme.objects.count())
            added = [b - a for a, b in zip(before, after, strict=True)]
            self.stdout.write(
                _("Reference data: %(countries)s, %(regions)s, %(themes)s (added: %(added)s).")
                % {
                    "countries": _counted("%(n)s country", "%(n)s countries", after[0]),
                    "regions": _counted("%(n)s region", "%(n)s regions", after[1]),
                    "themes": _counted("%(n)s theme", "%(n)s themes", after[2]),
                    "added": ", ".join(
                        [
                            _counted("%(n)s country", "%(n)s countries", added[0]),
                            _counted("%(n)s region", "%(n)s regions", added[1]),
                            _counted("%(n)s theme", "%(n)s themes", added[2]),
                        ]
                    ),
                }
            )
