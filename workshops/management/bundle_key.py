"""The ``--key`` / ``--key-file`` of the bundle commands (``--key-file`` keeps the
passphrase out of the shell's history and the process list)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def add_key_arguments(parser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--key", help="the organiser's passphrase (12 to 200 characters)")
    group.add_argument("--key-file", type=Path, help="a file whose first line is the passphrase")


def passphrase(*, key: str | None, key_file: Path | None) -> str:
    if key is not None:
        return key
    try:
        lines = Path(key_file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise CommandError(
            _("Cannot read the key file: %(reason)s")
            % {"reason": getattr(error, "strerror", None) or error}
        ) from None
    return lines[0] if lines else ""
