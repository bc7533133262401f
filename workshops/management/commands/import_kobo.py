"""Import a KoboToolbox or ODK Central survey export into a workshop."""

import json
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
from workshops.queries import survey_mapping_for
from workshops.services.imports import grouped, import_survey, with_counts
from workshops.sources.kobo import Mapping, SurveyFileError, parse_survey
from workshops.sources.xlsform import XLSFormError, parse_xlsform


class Command(BaseCommand):
    help = "Import a KoboToolbox (CSV/XLSX) or ODK Central (CSV) export as survey contributions."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--workshop", required=True, help="slug of the workshop")
        parser.add_argument(
            "--mapping",
            type=Path,
            help="JSON mapping (default: the last one of this form, or the automatic guess)",
        )
        parser.add_argument(
            "--xlsform",
            type=Path,
            help="the survey's form (XLSForm .xlsx): its labels, types and choice lists "
            "improve the automatic mapping, as on the upload page (a --mapping file wins)",
        )
        parser.add_argument("--dry-run", action="store_true", help="report, write nothing")
        add_purpose_argument(parser)
        add_language_argument(parser)

    def handle(self, *args, language: str | None = None, **options):
        with translation.override(command_language(language)):
            self._import(**options)

    def _import(
        self,
        *,
        file: Path,
        workshop: str,
        mapping: Path | None,
        xlsform: Path | None,
        dry_run: bool,
        **kw,
    ):
        target = Workshop.objects.filter(slug=workshop).first()
        if target is None:
            raise CommandError(_("No workshop with slug %(slug)s.") % {"slug": workshop})
        record_command(
            workshop=target, kind=ExportKind.IMPORT_KOBO, purpose=kw["purpose"], dry_run=dry_run
        )
        file, mapping = Path(file), Path(mapping) if mapping else None
        try:
            survey = parse_survey(file.read_bytes(), file.name)
            # Read (and so checked) even beside a mapping file, as the upload page does.
            form = parse_xlsform(Path(xlsform).read_bytes()) if xlsform else None
            if mapping is not None:
                plan = Mapping.from_json(json.loads(mapping.read_text(encoding="utf-8")))
            else:
                plan = survey_mapping_for(target, survey, form)
            result = import_survey(workshop=target, survey=survey, mapping=plan, dry_run=dry_run)
        except OSError as error:
            raise CommandError(
                _("Cannot read the file: %(reason)s") % {"reason": error.strerror}
            ) from None
        except json.JSONDecodeError as error:
            raise CommandError(
                _("The mapping is not valid JSON: %(reason)s") % {"reason": error.msg}
            ) from None
        except SurveyFileError as error:
            raise CommandError(str(error)) from None
        except XLSFormError as error:
            raise CommandError(
                _("The form %(name)s cannot be used: %(reason)s")
                % {"name": Path(xlsform).name, "reason": error}
            ) from None
        prefix = _("Dry run, nothing written: ") if dry_run else ""
        self.stdout.write(
            prefix
            + _(
                "%(submissions)s submissions, %(created)s new contributions, %(unchanged)s "
                "already imported, %(conflicts)s changed since import (kept as stored), "
                "%(empty)s empty answers."
            )
            % {
                "submissions": grouped(result.submissions),
                "created": grouped(result.created),
                "unchanged": grouped(result.unchanged),
                "conflicts": grouped(result.conflicts),
                "empty": grouped(result.empty),
            }
        )
        columns = ", ".join(f"{key} → {value}" for key, value in plan.columns.items())
        self.stdout.write(_("Columns: %(columns)s") % {"columns": columns})
        if result.unknown_regions:
            self.stdout.write(
                _("Unknown regions (add them to the mapping's region_values): %(names)s")
                % {"names": with_counts(result.unknown_regions, result.unknown_rows)}
            )
