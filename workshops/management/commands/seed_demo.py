"""``manage.py seed_demo``: load the reference data and the Bamako demo, print how to log in."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from workshops.choices import StaffRole
from workshops.services.demo import DemoRefused, seed_demo


class Command(BaseCommand):
    help = "Load Mali, the theme library and the demo workshop (idempotent); print the logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            # `make run PORT=8101` puts PORT in the environment.
            default=settings.PUBLIC_BASE_URL
            or f"http://127.0.0.1:{os.environ.get('PORT') or 8000}",
            help="Where the server runs, for the printed links (default: %(default)s).",
        )

    def handle(self, *args, base_url: str, **options) -> None:
        try:
            result = seed_demo()
        except DemoRefused as error:
            raise CommandError(f"{error} It refuses to run with DJANGO_ENV=production.") from None
        base_url = base_url.rstrip("/")
        workshop = result.workshop
        state = "loaded" if result.created else "already loaded, unchanged"
        lines = [
            "",
            f"Peace Exchange demo: {workshop.title} ({state})",
            f"  Open {base_url}/",
            f"  Staff log in at {base_url}/accounts/login/ with password: {result.password}",
        ]
        with translation.override("en"):  # console output for developers
            for username, role in result.accounts:
                label = StaffRole(role).label if role else "Django admin (superuser)"
                lines.append(f"    {username:<12} {label}")
        lines += [
            f"  Django admin: {base_url}/admin/ (user admin)",
            f"  Participants join with code {workshop.join_code}: {base_url}{workshop.join_url()}",
            "",
        ]
        self.stdout.write("\n".join(lines))
