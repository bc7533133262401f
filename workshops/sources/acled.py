"""ACLED conflict events: reading the user's own export (stored by ``services.imports``).

ACLED's licence requires each user to download the data with their own account:
we never ship ACLED data, we read what the user uploads. Both the current
31-column layout and the older one (``data_id``, ``iso3``, ``event_id_no_cnty``
and numeric actor codes) are read; dates come as ``2023-01-31``, ``16 May 2025``
or ``31-01-2023``. Events are upserted on ``event_id_cnty``: a newer
``timestamp`` wins. ``admin1`` is matched to the workshop's regions (and so
zones) by name or by the workshop's editable spellings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from workshops.sources.delimited import MalformedFile, read_rows, sniff_delimiter
from workshops.validators import remove_unsafe_characters

MAX_BYTES = 20 * 1024 * 1024
# The largest value each number column holds in every database (PostgreSQL's integer,
# smallint and bigint; a timestamp stays exact in a float): beyond it, the file is refused.
LIMITS = {"fatalities": 2**31 - 1, "timestamp": 2**53, "year": 2**15 - 1}
REQUIRED = {"event_id_cnty", "event_date", "event_type", "admin1", "fatalities"}
DATE_FORMATS = ["%Y-%m-%d", "%d %B %Y", "%d %b %Y", "%d-%m-%Y", "%d/%m/%Y", "%d-%B-%Y"]
# ACLED's own name and address stay as they are; the rest is translated.
ACLED_CITATION = "Armed Conflict Location & Event Data (ACLED); www.acleddata.com."


def attribution() -> str:
    """The attribution line the ACLED licence asks for, in the current language."""
    return f"{ACLED_CITATION} " + _("Data downloaded by the user under the ACLED terms of use.")


# Numeric actor codes of the older layout.
INTER_CODES = {
    "0": "",
    "1": "State forces",
    "2": "Rebel group",
    "3": "Political militia",
    "4": "Identity militia",
    "5": "Rioters",
    "6": "Protesters",
    "7": "Civilians",
    "8": "External/Other forces",
}
TEXT_FIELDS = {
    "disorder_type": 80,
    "event_type": 80,
    "sub_event_type": 80,
    "actor1": 200,
    "actor2": 200,
    "country": 80,
    "admin1": 100,
    "admin2": 100,
    "location": 150,
}
# An event's values after its id and date, as ``parse_acled`` gives them.
VALUES = (
    "year",
    *TEXT_FIELDS,
    "inter1",
    "inter2",
    "interaction",
    "civilian_targeting",
    "fatalities",
    "timestamp",
)
UPDATE_FIELDS = ["event_date", *VALUES, "region", "zone"]


class AcledFileError(Exception):
    """The file cannot be read as an ACLED export; the message says why."""


def parse_date(value: str) -> dt.date | None:
    value = value.strip()
    for pattern in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def _inter(value: str) -> str:
    value = value.strip()
    return INTER_CODES.get(value, value)[:60]


def _interaction(value: str) -> str:
    """Old numeric codes (e.g. 12, 17) become ``State forces-Rebel group``."""
    value = value.strip()
    if value.isdigit() and 1 <= len(value) <= 2:
        parts = [INTER_CODES.get(ch, ch) for ch in value.zfill(2)]
        return "-".join(part for part in parts if part)[:120] or value
    return value[:120]


def _count(value: str) -> int | None:
    """A whole number ≥ 0 (``3`` or ``3.0``), 0 when blank, None when it is not one."""
    value = value.strip()
    if not value:
        return 0
    try:
        number = float(value)
    except ValueError:
        return None
    if not 0 <= number < 2**53 or number != int(number):
        return None
    return int(number)


@dataclass
class AcledRow:
    event_id_cnty: str
    values: dict


@dataclass
class AcledFile:
    layout: str  # "current" or "old"
    rows: list[AcledRow]


def parse_acled(data: bytes) -> AcledFile:
    """Every row of the export, or ``AcledFileError`` naming the first bad line: all or nothing."""
    if len(data) > MAX_BYTES:
        raise AcledFileError(
            _("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // (1024 * 1024)}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AcledFileError(_("The file is not UTF-8 text. Export it again as CSV.")) from None
    text = remove_unsafe_characters(text)
    if not text.strip():
        raise AcledFileError(_("The file is empty."))
    delimiter = sniff_delimiter(text) or ","
    rows = read_rows(text, delimiter)
    try:
        _line, names = next(rows, (1, []))
        header = [name.strip().casefold() for name in names]
        missing = REQUIRED - set(header)
        if missing:
            raise AcledFileError(
                _("This is not an ACLED export: the columns %(columns)s are missing.")
                % {"columns": ", ".join(sorted(missing))}
            )
        layout = "old" if {"data_id", "event_id_no_cnty"} & set(header) else "current"
        positions = {name: i for i, name in reversed(list(enumerate(header))) if name}
        parsed = AcledFile(layout, [_row(line, cells, positions) for line, cells in rows])
    except MalformedFile as error:
        raise AcledFileError(str(error)) from None
    if not parsed.rows:
        raise AcledFileError(_("The file has no events."))
    return parsed


def _row(line: int, cells: list[str], positions: dict[str, int]) -> AcledRow:
    def cell(name: str) -> str:
        at = positions.get(name)
        return cells[at].strip() if at is not None else ""

    event_id = cell("event_id_cnty")[:30]
    if not event_id:
        raise AcledFileError(
            _("Line %(line)d has no event id. Nothing was imported.") % {"line": line}
        )
    date = parse_date(cell("event_date"))
    if date is None:
        raise AcledFileError(
            _("Line %(line)d: %(value)s is not a date. Nothing was imported.")
            % {"line": line, "value": cell("event_date")[:40] or "—"}
        )
    numbers = {}
    for name in ("fatalities", "timestamp", "year"):
        value = cell(name)
        number = _count(value)
        if number is None:
            raise AcledFileError(
                _("Line %(line)d: %(value)s in %(column)s is not a number. Nothing was imported.")
                % {"line": line, "value": value[:40], "column": name}
            )
        if number > LIMITS[name]:
            raise AcledFileError(
                _(
                    "Line %(line)d: %(value)s in %(column)s is larger than any such value can"
                    " be. Nothing was imported."
                )
                % {"line": line, "value": value[:40], "column": name}
            )
        numbers[name] = number
    values = {name: cell(name)[:size] for name, size in TEXT_FIELDS.items()}
    values.update(
        event_date=date,
        year=numbers["year"] or date.year,
        inter1=_inter(cell("inter1")),
        inter2=_inter(cell("inter2")),
        interaction=_interaction(cell("interaction")),
        civilian_targeting=bool(cell("civilian_targeting")),
        fatalities=numbers["fatalities"],
        timestamp=numbers["timestamp"],
    )
    return AcledRow(event_id, values)
