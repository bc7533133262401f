"""``manage.py import_bundle FILE --key ...``: add a venue bundle's workshop to this instance."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from workshops.management.bundle_key import add_key_arguments, passphrase
from workshops.management.purpose import add_language_argument, command_language
from workshops.services.bundles import BundleError, import_bundle, summary_lines


class Command(BaseCommand):
    help = (
        "Import a venue bundle: adds what is not here yet, reports conflicts and keeps the "
        "rows already here; importing the same bundle again adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        add_key_arguments(parser)
        parser.add_argument(
            "--owner", help="username who becomes organiser of a workshop the import creates"
        )
        add_language_argument(parser)

    def handle(self, *args, language: str | None = None, **options):
        with translation.override(command_language(language)):
            self._import(**options)

    def _import(self, *, file: Path, owner: str | None, **options) -> None:
        user = None
        if owner:
            user = get_user_model().objects.filter(username=owner).first()
            if user is None:
                raise CommandError(_("No account with username %(name)s.") % {"name": owner})
        key = passphrase(key=options["key"], key_file=options["key_file"])
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read the file: %(reason)s") % {"reason": error.strerror}
            ) from None
        try:
            result = import_bundle(data=data, passphrase=key, owner=user)
        except BundleError as error:
            raise CommandError(str(error)) from None
        self.stdout.write("\n".join(summary_lines(result)))
