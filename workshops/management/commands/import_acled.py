"""Import the user's own ACLED export (CSV) into a workshop's context events."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from workshops.management.purpose import (
    add_language_argument,
    add_purpose_argument,
    command_language,
    record_command,
)
from workshops.models import Workshop
from workshops.models.report import ExportKind
from workshops.services.imports import grouped, import_acled, with_counts
from workshops.sources.acled import AcledFileError, parse_acled


class Command(BaseCommand):
    help = "Upsert ACLED events (current or older layout) into a workshop; newer timestamp wins."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--workshop", required=True, help="slug of the workshop")
        parser.add_argument("--dry-run", action="store_true", help="report, write nothing")
        add_purpose_argument(parser)
        add_language_argument(parser)

    def handle(self, *args, language: str | None = None, **options):
        with translation.override(command_language(language)):
            self._import(**options)

    def _import(self, *, file, workshop: str, dry_run: bool, purpose: str, **options):
        target = Workshop.objects.select_related("country").filter(slug=workshop).first()
        if target is None:
            raise CommandError(_("No workshop with slug %(slug)s.") % {"slug": workshop})
        record_command(
            workshop=target, kind=ExportKind.IMPORT_ACLED, purpose=purpose, dry_run=dry_run
        )
        try:
            parsed = parse_acled(Path(file).read_bytes())
        except OSError as error:
            raise CommandError(
                _("Cannot read the file: %(reason)s") % {"reason": error.strerror}
            ) from None
        except AcledFileError as error:
            raise CommandError(str(error)) from None
        result = import_acled(workshop=target, parsed=parsed, dry_run=dry_run)
        prefix = _("Dry run, nothing written: ") if dry_run else ""
        self.stdout.write(
            prefix
            + _(
                "%(rows)s rows (%(layout)s layout): %(created)s new, %(updated)s updated, "
                "%(unchanged)s unchanged, %(other)s of another country skipped."
            )
            % {
                "rows": grouped(result.events),
                "layout": parsed.layout,
                "created": grouped(result.created),
                "updated": grouped(result.updated),
                "unchanged": grouped(result.unchanged),
                "other": grouped(result.other_country),
            }
        )
        if result.unknown_admin1:
            self.stdout.write(
                _("admin1 not matched to a region (add a region spelling): %(names)s")
                % {"names": with_counts(result.unknown_admin1, result.unknown_rows)}
            )
