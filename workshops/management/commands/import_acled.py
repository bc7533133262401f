"""Import the user's own ACLED export (CSV) into a workshop's context events."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workshops.management.purpose import add_purpose_argument, record_command
from workshops.models import Workshop
from workshops.models.report import ExportKind
from workshops.services.imports import import_acled
from workshops.sources.acled import AcledFileError, parse_acled


class Command(BaseCommand):
    help = "Upsert ACLED events (current or older layout) into a workshop; newer timestamp wins."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--workshop", required=True, help="slug of the workshop")
        parser.add_argument("--dry-run", action="store_true", help="report, write nothing")
        add_purpose_argument(parser)

    def handle(self, *args, file, workshop: str, dry_run: bool, purpose: str, **options):
        target = Workshop.objects.select_related("country").filter(slug=workshop).first()
        if target is None:
            raise CommandError(f"No workshop with slug {workshop!r}.")
        record_command(
            workshop=target, kind=ExportKind.IMPORT_ACLED, purpose=purpose, dry_run=dry_run
        )
        try:
            parsed = parse_acled(Path(file).read_bytes())
        except OSError as error:
            raise CommandError(f"Cannot read the file: {error.strerror}") from None
        except AcledFileError as error:
            raise CommandError(str(error)) from None
        result = import_acled(workshop=target, parsed=parsed, dry_run=dry_run)
        prefix = "Dry run, nothing written: " if dry_run else ""
        self.stdout.write(
            f"{prefix}{result.events} rows ({parsed.layout} layout): {result.created} new, "
            f"{result.updated} updated, {result.unchanged} unchanged, "
            f"{result.other_country} of another country skipped."
        )
        for error in result.errors:
            self.stdout.write(f"Skipped: {error}")
        if result.unknown_admin1:
            self.stdout.write(
                "admin1 not matched to a region (add a region spelling): "
                + ", ".join(result.unknown_admin1)
            )
