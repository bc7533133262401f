"""A logging filter that keeps join codes and device tokens out of the logs.

Request logs carry paths such as ``/j/ABC123/``; a join code there is enough for
anyone reading the logs to enter a workshop, so it is replaced before writing.
"""

import logging
import re

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
