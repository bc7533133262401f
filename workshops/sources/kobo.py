"""Survey exports from KoboToolbox (CSV or XLSX) and ODK Central (CSV).

``parse_survey(data, filename)`` reads the file into a ``Survey`` (columns and
rows, repeat groups joined to their submission) or raises ``SurveyFileError``
with a message for the user. ``guess_mapping(survey)`` proposes what each
column feeds; ``services.imports.import_survey(...)`` stores every answer as one contribution
keyed on the submission's uuid and the column, and each submission as one
respondent (a voice keyed on the same uuid), so importing the same or a newer
export twice adds nothing twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from workshops.choices import Audience, Category, Gender, Horizon, Language, OrganisationKind
from workshops.models import Region
from workshops.models.sources import normalise_place
from workshops.sources import xlsform
from workshops.sources.delimited import MalformedFile, read_rows, sniff_delimiter
from workshops.sources.regions import RegionMatcher
from workshops.validators import remove_unsafe_characters

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
PREVIEW_ROWS = 5
IGNORE = "ignore"
CLIENT_ID_MAX = 100

# Columns KoboToolbox and ODK Central add to every submission.
META_COLUMNS = {
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
    "_parent_index",
    "_parent_table_name",
    "_submission__id",
    "_submission__uuid",
    "_submission__submission_time",
    "_submission__validation_status",
    "_submission__notes",
    "_submission__status",
    "_submission__submitted_by",
    "_submission___version__",
    "_submission__tags",
    "_attachments",
    "_geolocation",
    "meta/rootuuid",
    "meta/instanceid",
    "meta/deprecatedid",
    "meta/instancename",
    "submissiondate",
    "key",
    "parent_key",
    "meta-instanceid",
    "meta-instancename",
    "submitterid",
    "submittername",
    "attachmentspresent",
    "attachmentsexpected",
    "status",
    "reviewstate",
    "deviceid",
    "edits",
    "formversion",
    # Metadata questions: never imported (no phone numbers or devices stored).
    "start",
    "end",
    "today",
    "username",
    "simserial",
    "subscriberid",
    "phonenumber",
    "audit",
}
DATE_COLUMNS = {"_submission_time", "submissiondate"}
UUID_COLUMNS = ["meta/rootuuid", "_uuid", "meta-instanceid", "key", "meta/instanceid"]

REGION_WORDS = ("region", "région", "zone", "province", "cercle", "localite", "localité")
GENDER_WORDS = ("gender", "genre", "sexe", "sex")
ORGANISATION_WORDS = ("organisation", "organization", "structure", "org_type", "type_org")
# French and English words of a question's name, label or group (compared without accents).
CATEGORY_WORDS = [
    (Category.RECOMMENDATION, ("recommand", "recommend", "suggest", "propos", "que faire")),
    (Category.CHALLENGE, ("defi", "challenge", "difficult", "obstacle", "contrainte", "probleme")),
    (Category.STRENGTH, ("force", "strength", "atout", "reussi", "success", "avantage", "asset")),
    (Category.OPPORTUNITY, ("opportunit",)),
    (
        Category.DRIVER,
        ("cause", "moteur", "driver", "facteur", "factor", "pourquoi", "why", "long_term"),
    ),
]
HORIZON_WORDS = [
    (Horizon.LONG_TERM, ("long_term", "longterm", "long terme", "profond", "structur", "root")),
    (Horizon.DYNAMIC, ("dynami", "recent", "declench", "trigger")),
]
AUDIENCE_WORDS = [  # international first: it contains "national"
    (Audience.INTERNATIONAL, ("international", "partenaire", "partner", "donor", "bailleur")),
    (Audience.NATIONAL, ("national", "etat", "state", "gouvern")),
    (Audience.COMMUNITIES, ("communaut", "communit")),
]
CONSENT_WORDS = ("consent", "accord")
GENDER_CHOICE_WORDS = ("female", "femme", "woman", "women")


class SurveyFileError(Exception):
    """The file cannot be read as a survey export; the message says why."""


@dataclass
class Column:
    """One column of the file: a unique key, its position, its HXL tag and its sheet.

    The key is the header; a blank header becomes ``(column 3)`` and a repeated one
    ``name (2)``, so that every value is read from its own position.
    """

    key: str
    hxl: str = ""
    repeat: str = ""  # the repeat-group sheet it comes from, "" for the main sheet
    index: int = -1  # position in its sheet's rows

    @property
    def name(self) -> str:
        return self.key.casefold().strip()


@dataclass
class SurveySubmission:
    uuid: str
    values: dict[str, str]
    repeats: list[dict[str, str]] = field(default_factory=list)
    line: int = 0  # where it starts in the file, for messages


@dataclass
class Survey:
    kind: str  # "kobo-csv", "kobo-xlsx", "odk-csv"
    columns: list[Column]
    submissions: list[SurveySubmission]

    def column(self, key: str) -> Column | None:
        return next((column for column in self.columns if column.key == key), None)

    def values_of(self, key: str) -> list[str]:
        column = self.column(key)
        if column is None:
            return []
        if column.repeat:
            return [r.get(key, "") for s in self.submissions for r in s.repeats]
        return [s.values.get(key, "") for s in self.submissions]

    def preview(self, keys: list[str]) -> list[list[str]]:
        return [
            [short(submission.values.get(key, "")) for key in keys]
            for submission in self.submissions[:PREVIEW_ROWS]
        ]


def short(value: str, length: int = 80) -> str:
    return value if len(value) <= length else value[: length - 1] + "…"


# --- Reading files ------------------------------------------------------------------


def parse_survey(data: bytes, filename: str = "") -> Survey:
    if len(data) > MAX_BYTES:
        raise SurveyFileError(
            _("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // (1024 * 1024)}
        )
    if not data.strip():
        raise SurveyFileError(_("The file is empty."))
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        return _parse_xlsx(data)
    return _parse_csv(data)


def _clean_text(value: object) -> str:
    if value is None:
        return ""
    return remove_unsafe_characters(str(value)).strip()


Rows = list[tuple[int, list]]  # (line or sheet row number, cells)


def _split_hxl(rows: Rows) -> tuple[list[str], list[str], Rows]:
    """Header, HXL tags (or empty) and data rows with their line numbers."""
    header = [_clean_text(cell) for cell in rows[0][1]]
    rest = rows[1:]
    tags: list[str] = []
    if rest:
        second = [_clean_text(cell) for cell in rest[0][1]]
        filled = [cell for cell in second if cell]
        if filled and all(cell.startswith("#") for cell in filled):
            tags, rest = second, rest[1:]
    return header, tags, rest


def _parse_csv(data: bytes) -> Survey:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SurveyFileError(
            _("The file is not UTF-8 text. Export it again from KoboToolbox as CSV (UTF-8).")
        ) from None
    delimiter = sniff_delimiter(text, ";,\t")
    if delimiter is None:
        raise SurveyFileError(
            _(
                "No columns found: the file must be separated by semicolons (KoboToolbox) "
                "or commas (ODK Central)."
            )
        )
    rows: Rows = []
    try:
        for row in read_rows(text, delimiter):
            rows.append(row)
            if len(rows) > MAX_ROWS + 2:
                raise SurveyFileError(
                    _("The file has more than %(rows)d rows.") % {"rows": MAX_ROWS}
                )
    except MalformedFile as error:
        raise SurveyFileError(str(error)) from None
    if not rows:
        raise SurveyFileError(_("The file is empty."))
    header, tags, body = _split_hxl(rows)
    odk = bool(header) and header[0] == "SubmissionDate"
    columns = _columns(header, tags)
    submissions = [_submission(columns, cells, line) for line, cells in body]
    survey = Survey("odk-csv" if odk else "kobo-csv", columns, submissions)
    _check(survey)
    return survey


def _parse_xlsx(data: bytes) -> Survey:
    from openpyxl import load_workbook  # noqa: PLC0415 - only when an XLSX is uploaded

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise SurveyFileError(
            _("The XLSX file is damaged or not an Excel workbook. Export it again.")
        ) from None
    except Exception:  # openpyxl raises many kinds for broken archives
        raise SurveyFileError(
            _("The XLSX file is damaged or not an Excel workbook. Export it again.")
        ) from None
    try:
        sheets = [_sheet_rows(sheet) for sheet in workbook.worksheets]
        names = [sheet.title for sheet in workbook.worksheets]
    except Exception:
        raise SurveyFileError(
            _("The XLSX file is damaged or not an Excel workbook. Export it again.")
        ) from None
    finally:
        workbook.close()
    if not sheets or not sheets[0]:
        raise SurveyFileError(_("The first sheet of the workbook is empty."))
    header, tags, body = _split_hxl(sheets[0])
    columns = _columns(header, tags)
    _check_width(header, body)
    submissions = [_submission(columns, cells, line) for line, cells in body]
    by_index = {s.values.get("_index", ""): s for s in submissions if s.values.get("_index")}
    for name, rows in zip(names[1:], sheets[1:], strict=True):
        if not rows:
            continue
        rheader, rtags, rbody = _split_hxl(rows)
        if "_parent_index" not in rheader:
            continue
        sheet_columns = _columns(rheader, rtags)
        known = {c.key for c in columns}
        columns.extend(
            Column(c.key, c.hxl, repeat=name, index=c.index)
            for c in sheet_columns
            if c.key not in known
        )
        parent_at = rheader.index("_parent_index")
        _check_width(rheader, rbody)
        for line, cells in rbody:
            parent = by_index.get(cells[parent_at] if parent_at < len(cells) else "")
            if parent is not None:
                parent.repeats.append(_submission(sheet_columns, cells, line).values)
    survey = Survey("kobo-xlsx", columns, submissions)
    _check(survey)
    return survey


def _sheet_rows(sheet) -> Rows:
    rows: Rows = []
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = [_clean_text(cell) for cell in row]
        if any(cells):
            rows.append((number, cells))
        if len(rows) > MAX_ROWS + 2:
            raise SurveyFileError(_("The file has more than %(rows)d rows.") % {"rows": MAX_ROWS})
    return rows


def unique_keys(header: list[str]) -> list[str]:
    """One key per position: a blank header is ``(column 3)``, a repeated one ``name (2)``."""
    keys: list[str] = []
    seen: set[str] = set(header)
    used: set[str] = set()
    for position, name in enumerate(header, start=1):
        key = name or f"(column {position})"
        count = 1
        while key in used or (not name and key in seen):
            count += 1
            key = f"{name or f'(column {position})'} ({count})"
        used.add(key)
        keys.append(key)
    return keys


def _columns(header: list[str], tags: list[str]) -> list[Column]:
    return [
        Column(key, tags[i] if i < len(tags) else "", index=i)
        for i, key in enumerate(unique_keys(header))
    ]


def _check_width(header: list[str], body: Rows) -> None:
    """A sheet's value beyond its last header would be lost: refuse the file instead."""
    width = len(header)
    while width and not header[width - 1]:
        width -= 1
    for line, cells in body:
        if any(cells[width:]):
            raise SurveyFileError(
                _(
                    "Row %(line)d has a value beyond the last column of the header. "
                    "Nothing was imported."
                )
                % {"line": line}
            )


def _submission(columns: list[Column], row: list, line: int = 0) -> SurveySubmission:
    """Each value from its own position, whatever the header above it."""
    size = len(row)
    values = {c.key: (_clean_text(row[c.index]) if c.index < size else "") for c in columns}
    return SurveySubmission(uuid=_uuid_of(values), values=values, line=line)


def _uuid_of(values: dict[str, str]) -> str:
    lowered = {key.casefold(): value for key, value in values.items()}
    for name in UUID_COLUMNS:
        value = lowered.get(name, "").strip()
        if value:
            return value.removeprefix("uuid:")
    return ""


def _check(survey: Survey) -> None:
    names = {column.name for column in survey.columns}
    if not names & set(UUID_COLUMNS):
        raise SurveyFileError(
            _(
                "No submission id column (_uuid, meta/rootUuid or meta-instanceID): "
                "is this a KoboToolbox or ODK Central export?"
            )
        )
    if not survey.submissions:
        raise SurveyFileError(_("The file has a header but no submissions."))
    dates = [c.key for c in survey.columns if c.name in DATE_COLUMNS and not c.repeat]
    for submission in survey.submissions:
        if not submission.uuid:
            raise SurveyFileError(
                _("Line %(line)d has no submission id. Nothing was imported.")
                % {"line": submission.line}
            )
        for key in dates:
            value = submission.values.get(key, "")
            if value and not _is_datetime(value):
                raise SurveyFileError(
                    _("Line %(line)d: %(value)s in %(column)s is not a date. Nothing was imported.")
                    % {"line": submission.line, "value": short(value, 40), "column": key}
                )


def _is_datetime(value: str) -> bool:
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


# --- Guessing what columns mean ---------------------------------------------------------


def is_meta(column: Column) -> bool:
    name = column.name
    tail = re.split(r"[/-]", name)[-1]
    return (
        name in META_COLUMNS
        or tail in META_COLUMNS
        or name.startswith(("_", "meta/", "meta-"))
        or column.hxl.startswith("#meta")
    )


def _has_word(name: str, words) -> bool:
    return any(word in name for word in words)


def _words_of(text: str) -> str:
    """Lower case without accents; group separators (``/ . -``) and spaces become ``_``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[/.\-\s]+", "_", plain)


def _first(name: str, table) -> str:
    spaced = name.replace("_", " ")
    return next(
        (value for value, words in table if _has_word(name, words) or _has_word(spaced, words)),
        "",
    )


def guess_category(header: str) -> str:
    return _first(_words_of(header), CATEGORY_WORDS) or Category.OBSERVATION


def _is_numeric(filled: list[str]) -> bool:
    return all(re.fullmatch(r"[-+0-9.,:/ TZ]*", value) for value in filled)


def _average(filled: list[str]) -> float:
    return sum(len(value) for value in filled) / len(filled) if filled else 0


def _looks_like_text(values: list[str], named: bool = False) -> bool:
    """Sentences, not picks: long enough, with spaces. Answers may repeat (a word of the
    question's name or group, ``named``, is enough); unnamed columns must vary."""
    filled = [value for value in values if value]
    if not filled or _is_numeric(filled):
        return False
    with_spaces = sum(" " in value for value in filled) / len(filled)
    if _average(filled) < 12 or with_spaces < 0.5:
        return False
    return named or len(set(filled)) / len(filled) > 0.5 or len(filled) < 3


def _is_short(values: list[str]) -> bool:
    """Demographic answers are short picks (a region, a gender), not sentences."""
    filled = [value for value in values if value]
    return not filled or _average(filled) <= 40


@dataclass
class Mapping:
    """What each column feeds: a category, or ignored; and the demographic columns.

    ``horizons`` and ``audiences`` give the horizon of a driver column and the audience
    of a recommendation column, read from the column's name (``drivers/long_term``).
    """

    columns: dict[str, str] = field(default_factory=dict)
    region: str = ""
    gender: str = ""
    organisation_kind: str = ""
    region_values: dict[str, str] = field(default_factory=dict)  # spelling -> region name
    language: str = Language.FRENCH
    horizons: dict[str, str] = field(default_factory=dict)
    audiences: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)  # column -> why it was guessed so

    @classmethod
    def from_json(cls, data: dict) -> Mapping:
        if not isinstance(data, dict):
            raise SurveyFileError(_("The mapping must be a JSON object."))
        columns = data.get("columns", {})
        region_values = data.get("region_values", {})
        horizons = data.get("horizons", {})
        audiences = data.get("audiences", {})
        if not all(isinstance(x, dict) for x in (columns, region_values, horizons, audiences)):
            raise SurveyFileError(_("The mapping's columns and region values must be objects."))
        valid = {*Category.values, IGNORE}
        for key, value in columns.items():
            if value not in valid:
                raise SurveyFileError(
                    _("Unknown category %(value)s for column %(column)s.")
                    % {"value": value, "column": key}
                )
        for table, choices in ((horizons, Horizon.values), (audiences, Audience.values)):
            for key, value in table.items():
                if value not in choices:
                    raise SurveyFileError(
                        _("Unknown horizon or audience %(value)s for column %(column)s.")
                        % {"value": value, "column": key}
                    )
        language = data.get("language", Language.FRENCH)
        if language not in Language.values:
            raise SurveyFileError(_("Unknown language in the mapping."))
        return cls(
            columns={str(k): str(v) for k, v in columns.items()},
            region=str(data.get("region") or ""),
            gender=str(data.get("gender") or ""),
            organisation_kind=str(data.get("organisation_kind") or ""),
            region_values={str(k): str(v) for k, v in region_values.items()},
            language=language,
            horizons={str(k): str(v) for k, v in horizons.items()},
            audiences={str(k): str(v) for k, v in audiences.items()},
        )

    @property
    def text_columns(self) -> list[str]:
        return [key for key, value in self.columns.items() if value != IGNORE]

    def to_json(self) -> dict:
        return {
            "columns": self.columns,
            "region": self.region,
            "gender": self.gender,
            "organisation_kind": self.organisation_kind,
            "region_values": self.region_values,
            "language": self.language,
            "horizons": self.horizons,
            "audiences": self.audiences,
        }

    def details_of(self, key: str) -> tuple[str, str]:
        """The horizon and audience of a column's answers, as its category allows."""
        category = self.columns.get(key, IGNORE)
        horizon = self.horizons.get(key, "") if category == Category.DRIVER else ""
        audience = self.audiences.get(key, "") if category == Category.RECOMMENDATION else ""
        return horizon, audience


def guess_mapping(survey: Survey, form: xlsform.XLSForm | None = None) -> Mapping:
    """What each column feeds, from its name, HXL tag and content, or from the form's
    question (its type, labels, group and choices) when the XLSForm is given; with the
    reason of each."""
    mapping = Mapping()
    for column in survey.columns:
        key = column.key
        if is_meta(column):
            mapping.reasons[key] = _("metadata of KoboToolbox or ODK: ignored")
            continue
        question = form.question_for(key) if form is not None else None
        if question is not None:
            _guess_from_form(mapping, key, question, form)
            continue
        name = _words_of(column.key)
        tag = column.hxl.casefold()
        values = survey.values_of(key)
        short_values = _is_short(values)
        if short_values and _has_word(name, CONSENT_WORDS):
            mapping.columns[key] = IGNORE
            mapping.reasons[key] = _("consent question: ignored")
            continue
        demographic = short_values
        if (
            demographic
            and not mapping.region
            and (_has_word(name, REGION_WORDS) or tag.startswith("#adm1"))
        ):
            mapping.region = key
            mapping.reasons[key] = _("region of the respondent (name or HXL tag)")
            continue
        if (
            demographic
            and not mapping.gender
            and (_has_word(name, GENDER_WORDS) or tag.startswith("#gender"))
        ):
            mapping.gender = key
            mapping.reasons[key] = _("gender of the respondent (name or HXL tag)")
            continue
        if demographic and not mapping.organisation_kind and _has_word(name, ORGANISATION_WORDS):
            mapping.organisation_kind = key
            mapping.reasons[key] = _("kind of organisation of the respondent (name)")
            continue
        category = _first(name, CATEGORY_WORDS)
        if not _looks_like_text(values, named=bool(category)):
            mapping.columns[key] = IGNORE
            mapping.reasons[key] = _("numbers, dates or short choices: ignored")
            continue
        if category:
            reason = _("free-text answers; the name or group says %(what)s")
        else:
            reason = _("free-text answers; no category in the name: %(what)s")
        _answer_column(mapping, key, name, category, reason)
    return mapping


def _answer_column(mapping: Mapping, key: str, name: str, category: str, reason: str) -> None:
    """``key`` holds answers of ``category`` (observation if none); horizon and audience
    from ``name``; ``reason`` says why, with ``%(what)s`` for the category and details."""
    mapping.columns[key] = category or Category.OBSERVATION
    horizon, audience = _first(name, HORIZON_WORDS), _first(name, AUDIENCE_WORDS)
    if category == Category.DRIVER and horizon:
        mapping.horizons[key] = horizon
    if category == Category.RECOMMENDATION and audience:
        mapping.audiences[key] = audience
    label = str(Category(mapping.columns[key]).label)
    details = [str(Horizon(horizon).label)] if key in mapping.horizons else []
    details += [str(Audience(audience).label)] if key in mapping.audiences else []
    mapping.reasons[key] = reason % {"what": ", ".join([label, *details])}


def _guess_from_form(
    mapping: Mapping, key: str, question: xlsform.Question, form: xlsform.XLSForm
) -> None:
    """The guess from the form's question: its type first, then the words of its name,
    labels (every language) and groups, and of its choice list."""
    kind = question.type
    if kind in xlsform.META_TYPES:
        mapping.columns[key] = IGNORE
        mapping.reasons[key] = _("the form says %(type)s: metadata, ignored") % {"type": kind}
        return
    name = _words_of(" ".join([key, *question.labels, *question.groups]))
    if kind == "select_one":
        choices = _words_of(" ".join(form.choices_of(question)))
        if _has_word(name, CONSENT_WORDS):
            mapping.columns[key] = IGNORE
            mapping.reasons[key] = _("consent question of the form: ignored")
        elif not mapping.gender and (
            _has_word(name, GENDER_WORDS) or _has_word(choices, GENDER_CHOICE_WORDS)
        ):
            mapping.gender = key
            mapping.reasons[key] = _("gender of the respondent (the form's question and choices)")
        elif not mapping.region and _has_word(name, REGION_WORDS):
            mapping.region = key
            mapping.reasons[key] = _("region of the respondent (the form's question)")
        elif not mapping.organisation_kind and _has_word(name, ORGANISATION_WORDS):
            mapping.organisation_kind = key
            mapping.reasons[key] = _("kind of organisation of the respondent (the form's question)")
        else:
            mapping.columns[key] = IGNORE
            mapping.reasons[key] = _("a choice question of the form: ignored")
        return
    if kind != "text":  # select_multiple, numbers, dates, places, media
        mapping.columns[key] = IGNORE
        mapping.reasons[key] = _("the form says %(type)s: not free text, ignored") % {"type": kind}
        return
    category = _first(name, CATEGORY_WORDS)
    if category:
        reason = _("text question of the form; its name, label or group says %(what)s")
    else:
        reason = _("text question of the form; no category in its name, label or group: %(what)s")
    _answer_column(mapping, key, name, category, reason)


# --- Remembering a form's mapping -----------------------------------------------------

VERSION_COLUMNS = {"__version__", "formversion"}


def form_key(survey: Survey) -> str:
    """The form's identity from its set of columns (metadata columns left out)."""
    names = sorted(c.key for c in survey.columns if not is_meta(c))
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def form_versions(survey: Survey) -> list[str]:
    keys = [c.key for c in survey.columns if c.name in VERSION_COLUMNS and not c.repeat]
    found = {s.values.get(key, "")[:60] for s in survey.submissions for key in keys}
    return sorted(found - {""})[:20]


def remembered_mapping(
    survey: Survey, guess: Mapping, stored: dict, reason: str | None = None
) -> Mapping:
    """The mapping chosen last time for this form, on the columns this file has;
    ``reason``: where it was chosen, if not at this workshop's last import."""
    try:
        last = Mapping.from_json(stored)
    except SurveyFileError:
        return guess
    known = {c.key for c in survey.columns}
    reason = reason or _("as chosen at the last import of this form")
    mapping = Mapping(
        columns={k: v for k, v in last.columns.items() if k in known},
        region=last.region if last.region in known else "",
        gender=last.gender if last.gender in known else "",
        organisation_kind=last.organisation_kind if last.organisation_kind in known else "",
        region_values=last.region_values,
        language=last.language,
        horizons={k: v for k, v in last.horizons.items() if k in known},
        audiences={k: v for k, v in last.audiences.items() if k in known},
    )
    for column in survey.columns:  # a new question: the guess
        key = column.key
        chosen = key in mapping.columns or key in {mapping.region, mapping.gender}
        if chosen or key == mapping.organisation_kind:
            mapping.reasons[key] = reason
        elif key in guess.columns:
            mapping.columns[key] = guess.columns[key]
            mapping.reasons[key] = guess.reasons.get(key, "")
            for table, guessed in (
                (mapping.horizons, guess.horizons),
                (mapping.audiences, guess.audiences),
            ):
                if key in guessed:
                    table[key] = guessed[key]
        else:
            mapping.reasons[key] = guess.reasons.get(key, "")
    return mapping


def gender_of(value: str) -> str:
    return Gender.parse(value)


def organisation_kind_of(value: str) -> str:
    key = value.casefold()
    for kind, words in [
        (OrganisationKind.WOMEN_LED, ("femme", "women", "féminin")),
        (OrganisationKind.YOUTH_LED, ("jeune", "youth")),
        (OrganisationKind.FAITH_BASED, ("relig", "faith", "confess")),
        (OrganisationKind.NETWORK, ("réseau", "reseau", "network")),
        (OrganisationKind.GOVERNMENT, ("gouvern", "government", "état", "etat")),
        (OrganisationKind.INTERNATIONAL, ("international",)),
        (OrganisationKind.GRASSROOTS, ("base", "grassroots", "communaut", "association", "osc")),
    ]:
        if _has_word(key, words):
            return kind
    return OrganisationKind.OTHER if key else ""


@dataclass(frozen=True)
class Respondent:
    """Who answered one submission, from the mapped demographic columns."""

    region: Region | None
    gender: str
    organisation_kind: str


def respondent_of(values: dict[str, str], mapping: Mapping, matcher: RegionMatcher) -> Respondent:
    def value(key: str) -> str:
        return values.get(key, "") if key else ""

    region = matcher.match(value(mapping.region)) if mapping.region else None
    return Respondent(
        region=region,
        gender=gender_of(value(mapping.gender)),
        organisation_kind=organisation_kind_of(value(mapping.organisation_kind).strip()),
    )


def unknown_region_values(survey: Survey, mapping: Mapping, matcher: RegionMatcher) -> list[str]:
    if not mapping.region:
        return []
    seen: dict[str, str] = {}
    for value in survey.values_of(mapping.region):
        if value and matcher.match(value) is None and value not in mapping.region_values:
            seen.setdefault(normalise_place(value), value)
    return sorted(seen.values(), key=str.casefold)


def unknown_region_counts(survey: Survey, mapping: Mapping, spellings: list[str]) -> dict:
    """How many submissions carry each unmatched spelling (same key as the listed one)."""
    by_key = {normalise_place(name): name for name in spellings}
    counts: dict[str, int] = {}
    for value in survey.values_of(mapping.region) if mapping.region else []:
        name = by_key.get(normalise_place(value))
        if name is not None:
            counts[name] = counts.get(name, 0) + 1
    return counts


def check_mapping(survey: Survey, mapping: Mapping) -> None:
    known = {column.key for column in survey.columns}
    for key in [*mapping.columns, mapping.region, mapping.gender, mapping.organisation_kind]:
        if key and key not in known:
            raise SurveyFileError(_("The mapping names a column the file does not have."))
    if not mapping.text_columns:
        raise SurveyFileError(
            _("No free-text answer columns: choose at least one column that feeds contributions.")
        )


# --- Keys of stored answers -------------------------------------------------------------


def client_id_for(uuid: str, column: str, item: int | None = None) -> str:
    suffix = "" if item is None else f"#{item}"
    client_id = f"kobo:{uuid}:{column}{suffix}"
    if len(client_id) > CLIENT_ID_MAX:
        digest = hashlib.sha256(column.encode()).hexdigest()[:16]
        client_id = f"kobo:{uuid[:60]}:{digest}{suffix}"
    return client_id
