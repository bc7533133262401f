from django.core.management.base import BaseCommand

from workshops.management.purpose import add_purpose_argument, record_command
from workshops.models.report import ExportKind
from workshops.services.retention import purge_expired


class Command(BaseCommand):
    help = "Delete personal data of workshops whose retention date has passed (run daily)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report, change nothing.")
        add_purpose_argument(parser)

    def handle(self, *args, dry_run: bool, purpose: str, **options) -> None:
        results = purge_expired(dry_run=dry_run)
        verb = "would clear" if dry_run else "cleared"
        for result in results:
            record_command(
                workshop=result.workshop,
                kind=ExportKind.PURGE_EXPIRED,
                purpose=purpose,
                dry_run=dry_run,
            )
            self.stdout.write(
                f"{result.workshop.slug}: {verb} {result.participants} participant(s), "
                f"{result.interviews} interview(s), {result.uploads} upload(s)"
            )
        if not results:
            self.stdout.write("No workshop is past its retention date.")
