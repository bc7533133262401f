from django.core.management.base import BaseCommand

from workshops.services.retention import purge_expired


class Command(BaseCommand):
    help = "Delete personal data of workshops whose retention date has passed (run daily)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report, change nothing.")

    def handle(self, *args, dry_run: bool, **options) -> None:
        results = purge_expired(dry_run=dry_run)
        verb = "would clear" if dry_run else "cleared"
        for result in results:
            self.stdout.write(
                f"{result.workshop.slug}: {verb} {result.participants} participant(s), "
                f"{result.interviews} interview(s), {result.uploads} upload(s)"
            )
        if not results:
            self.stdout.write("No workshop is past its retention date.")
