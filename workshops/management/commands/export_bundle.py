"""``manage.py export_bundle <workshop> --key ... -o FILE``: the venue bundle of a workshop."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from workshops.management.bundle_key import add_key_arguments, passphrase
from workshops.management.purpose import (
    add_language_argument,
    add_purpose_argument,
    command_language,
    record_command,
)
from workshops.models import Workshop
from workshops.models.report import ExportKind
from workshops.services.bundles import BundleError, export_bundle


class Command(BaseCommand):
    help = "Write a workshop as one signed, encrypted bundle, to import on another instance."

    def add_arguments(self, parser):
        parser.add_argument("workshop", help="slug of the workshop")
        parser.add_argument("-o", "--output", type=Path, required=True, help="file to write")
        add_key_arguments(parser)
        add_purpose_argument(parser)
        add_language_argument(parser)

    def handle(self, *args, language: str | None = None, **options):
        with translation.override(command_language(language)):
            self._export(**options)

    def _export(self, *, workshop: str, output: Path, purpose: str, **options) -> None:
        target = Workshop.objects.filter(slug=workshop).first()
        if target is None:
            raise CommandError(_("No workshop with slug %(slug)s.") % {"slug": workshop})
        key = passphrase(key=options["key"], key_file=options["key_file"])
        try:
            data = export_bundle(workshop=target, passphrase=key)
        except BundleError as error:
            raise CommandError(str(error)) from None
        record_command(workshop=target, kind=ExportKind.BUNDLE, purpose=purpose)
        try:
            Path(output).write_bytes(data)
        except OSError as error:
            raise CommandError(
                _("Cannot write the file: %(reason)s") % {"reason": error.strerror}
            ) from None
        self.stdout.write(
            _("Wrote %(file)s (%(size)s bytes).") % {"file": output, "size": len(data)}
        )
