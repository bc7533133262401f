"""Reading a survey's form definition (XLSForm, https://xlsform.org): never writes.

An XLSForm is an ``.xlsx`` with a ``survey`` sheet (one row per question: ``type``,
``name``, ``label`` or ``label::French (fr)``…, ``begin group`` / ``end group`` rows
around groups and repeats) and a ``choices`` sheet (``list_name``, ``name``, labels).
KoboToolbox and ODK Central both build their forms from one, and their exports name each
column by the question's group path (``drivers/long_term``). ``kobo.guess_mapping`` reads
it, when given, for each column's type, labels, group and choice list.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_QUESTIONS = 2_000
MAX_BYTES = 20 * 1024 * 1024  # as the exports (kobo.MAX_BYTES)

# Types that record how the form was filled, not an answer (xlsform.org "Metadata").
META_TYPES = {
    "start",
    "end",
    "today",
    "deviceid",
    "subscriberid",
    "simserial",
    "phonenumber",
    "username",
    "email",
    "audit",
    "start-geopoint",
    "background-audio",
    "calculate",
    "hidden",
    "note",
}
# Answers that are not free text: numbers, dates, places, media, scans.
NOT_TEXT_TYPES = {
    "integer",
    "decimal",
    "range",
    "date",
    "time",
    "datetime",
    "geopoint",
    "geotrace",
    "geoshape",
    "image",
    "audio",
    "video",
    "file",
    "barcode",
    "acknowledge",
    "rank",
}


class XLSFormError(Exception):
    """The file cannot be read as an XLSForm; the message says why."""


@dataclass
class Question:
    path: str  # group names and its name joined by "/", as the exports name the column
    type: str  # the first word of ``type``: text, select_one, integer, start…
    list_name: str = ""  # select_one / select_multiple: its choice list
    labels: list[str] = field(default_factory=list)  # every language's label
    groups: list[str] = field(default_factory=list)  # names and labels of its groups

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass
class XLSForm:
    questions: dict[str, Question] = field(default_factory=dict)  # by path
    choices: dict[str, list[str]] = field(default_factory=dict)  # list -> names and labels

    def question_for(self, column_key: str) -> Question | None:
        """The question a column holds: by group path (``/`` or ``.``), else by name if
        only one question has it (exports may leave the groups out)."""
        path = column_key.replace(".", "/").strip()
        found = self.questions.get(path)
        if found is not None:
            return found
        tail = path.rsplit("/", 1)[-1].split("-")[-1]  # ODK Central joins groups with "-"
        named = [q for q in self.questions.values() if q.name == tail]
        return named[0] if len(named) == 1 else None

    def choices_of(self, question: Question) -> list[str]:
        return self.choices.get(question.list_name, [])


def parse_xlsform(data: bytes) -> XLSForm:
    from openpyxl import load_workbook  # noqa: PLC0415 - only when a form is uploaded

    if len(data) > MAX_BYTES:
        raise XLSFormError(
            _("The file is larger than %(size)d MB.") % {"size": MAX_BYTES // (1024 * 1024)}
        )
    damaged = _("The form file is damaged or not an Excel workbook (XLSForm .xlsx).")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise XLSFormError(damaged) from None
    except Exception:  # openpyxl raises many kinds for broken archives
        raise XLSFormError(damaged) from None
    sheets = {name.casefold().strip(): workbook[name] for name in workbook.sheetnames}
    if "survey" not in sheets:
        raise XLSFormError(_("The form file has no “survey” sheet: it is not an XLSForm."))
    form = XLSForm()
    survey = _rows(sheets["survey"])
    if not survey or "type" not in survey[0] or "name" not in survey[0]:
        raise XLSFormError(_("The form's “survey” sheet needs “type” and “name” columns."))
    groups: list[tuple[str, list[str]]] = []
    for row in survey[1:]:
        kind = row.get("type", "").split()
        name = row.get("name", "").strip()
        labels = _labels(row)
        if not kind:
            continue
        # "begin group" / "begin_group" / "begin repeat"…; "end" alone is metadata.
        words = "_".join(kind[:2])
        if words in ("begin_group", "begin_repeat"):
            groups.append((name, labels))
        elif words in ("end_group", "end_repeat"):
            if groups:
                groups.pop()
        elif name:
            path = "/".join([*(group for group, _labels in groups if group), name])
            form.questions[path] = Question(
                path=path,
                type=kind[0],
                list_name=kind[1] if len(kind) > 1 else "",
                labels=labels,
                groups=[text for group, texts in groups for text in (group, *texts) if text],
            )
        if len(form.questions) > MAX_QUESTIONS:
            raise XLSFormError(_("The form has more than %(count)d questions.") % {"count": 2000})
    if "choices" in sheets:
        choices = _rows(sheets["choices"])
        for row in choices[1:]:
            list_name = row.get("list_name", row.get("list name", "")).strip()
            if list_name:
                names = [row.get("name", "").strip(), *_labels(row)]
                form.choices.setdefault(list_name, []).extend(n for n in names if n)
    return form


def _rows(sheet) -> list[dict[str, str]]:
    """The sheet as dicts by header (lower case); the first item is the header itself."""
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        return []
    header = [str(cell or "").strip().casefold() for cell in rows[0]]
    body = [
        {key: str(cell).strip() for key, cell in zip(header, row, strict=False) if cell}
        for row in rows[1:]
    ]
    return [{key: key for key in header if key}, *body]


def _labels(row: dict[str, str]) -> list[str]:
    """``label``, ``label::French (fr)``, ``label::English (en)``…: every language."""
    return [value for key, value in row.items() if key == "label" or key.startswith("label::")]
