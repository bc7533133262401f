"""The ``--purpose`` of commands that read row-level data, the record they leave,
and the ``--language`` of their messages.

Commands act as the system: their records in the data access log have no user
(shown as "system (command line)"), the command's name as what, its options as
filters and the purpose typed on the command line.
"""

from __future__ import annotations

import argparse

from django.conf import settings

from workshops.models import ExportAuditLog, Workshop
from workshops.models.report import PURPOSE_MAX_LENGTH, AccessChannel, clean_purpose

HELP = (
    "why this command reads the workshop's row-level data (required; recorded in the "
    "workshop's data access log, with the system as who)"
)


def purpose(value: str) -> str:
    cleaned = clean_purpose(value)
    if not cleaned:
        raise argparse.ArgumentTypeError(
            "say why you run this command, e.g. --purpose 'weekly report'"
        )
    if len(value.strip()) > PURPOSE_MAX_LENGTH:
        raise argparse.ArgumentTypeError(f"at most {PURPOSE_MAX_LENGTH} characters")
    return cleaned


def add_purpose_argument(parser) -> None:
    parser.add_argument("--purpose", required=True, type=purpose, help=HELP)


def record_command(*, workshop: Workshop, kind: str, purpose: str, **filters) -> ExportAuditLog:
    return ExportAuditLog.record(
        workshop=workshop,
        user=None,
        kind=kind,
        purpose=purpose,
        filters=filters,
        channel=AccessChannel.COMMAND,
    )


def add_language_argument(parser) -> None:
    """``--language``: the language of the command's messages (default: the settings')."""
    parser.add_argument(
        "--language",
        choices=[code for code, _name in settings.LANGUAGES],
        default=None,
        help="language of the messages (default: the settings' LANGUAGE_CODE)",
    )


def command_language(language: str | None) -> str:
    return language or settings.LANGUAGE_CODE
