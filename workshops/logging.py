"""Logging filters: join codes and device tokens kept out of the logs, and libraries'
chatter on the root logger dropped.

Request logs carry paths such as ``/j/ABC123/``; a join code there is enough for
anyone reading the logs to enter a workshop, so it is replaced before writing.
"""

import importlib.util
import logging
import re
from pathlib import Path

_PATTERNS = [
    (re.compile(r"(/j/)[A-Za-z0-9-]+", re.IGNORECASE), r"\1[code]"),
    (re.compile(r"(code=)[^&\s\"]+", re.IGNORECASE), r"\1[code]"),
    (re.compile(r"(pe_device=)[^;\s\"]+"), r"\1[token]"),
    (re.compile(r"(pe_guess=)[^;\s\"]+"), r"\1[token]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = ()
        return True


# scipy's exact tests (Boschloo, through its shgo optimiser) log their internals at INFO
# on the root logger: two lines of numbers per comparison of a roll-up.
# Found without importing scipy (start-up stays light).
_SCIPY = str(Path(importlib.util.find_spec("scipy").origin).parent)


class LibraryChatterFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or not record.pathname.startswith(_SCIPY)
