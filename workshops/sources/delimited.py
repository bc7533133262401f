"""CSV text as the tools write it: the delimiter, and rows read strictly or not at all.

KoboToolbox writes semicolons, ODK Central and ACLED commas, and a list pasted from a
spreadsheet has tabs. ``read_rows`` refuses a malformed file whole (unbalanced quotes, a
row with more or fewer values than the header, a row cut short), naming the line, so
that nothing is imported from a half-read file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

CANDIDATES = ",;\t"
SAMPLE_LINES = 20


class MalformedFile(Exception):
    """The text is not well-formed CSV; the message names the line and what is wrong."""


def sniff_delimiter(text: str, candidates: str = CANDIDATES) -> str | None:
    """The delimiter ``csv.Sniffer`` finds in the first lines, or None when there is none.

    When the sniffer cannot decide (one column, or rows of uneven width), the candidate
    found most often in the header line wins, the first of ``candidates`` on a tie.
    """
    lines = text.lstrip("\ufeff").splitlines()
    sample = "\n".join(lines[:SAMPLE_LINES])
    try:
        return csv.Sniffer().sniff(sample, delimiters=candidates).delimiter
    except csv.Error:
        header = lines[0] if lines else ""
        best = max(candidates, key=header.count)
        return best if header.count(best) else None


def read_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank row with the line it starts on; every row as wide as the header.

    Raises ``MalformedFile`` at the first malformed row: callers read the whole file
    before they write anything.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line, width = 1, None
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise MalformedFile(_quote_problem(line, str(error))) from None
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        if width is None:
            width = len(cells)
        elif len(cells) != width:
            raise MalformedFile(
                _(
                    "Line %(line)d has %(found)d values but the header has %(expected)d "
                    "columns: the row is cut short, or a value holds the separator without "
                    "quotes. Nothing was imported."
                )
                % {"line": start, "found": len(cells), "expected": width}
            )
        yield start, cells


def _quote_problem(line: int, error: str) -> str:
    if "unexpected end of data" in error:
        return _(
            "Line %(line)d: a quoted value is never closed (unbalanced quotes); the file "
            "may be cut. Nothing was imported."
        ) % {"line": line}
    if "expected after" in error:
        return _(
            "Line %(line)d: a quote inside a value is not doubled (unbalanced quotes). "
            "Nothing was imported."
        ) % {"line": line}
    return _("Line %(line)d is not readable CSV. Nothing was imported.") % {"line": line}
