"""Builders of survey and ACLED exports laid out as the tools write them.

Layouts follow the tools' documentation, not one sample file:
- KoboToolbox CSV export: ``;`` (default) or ``,`` separated, UTF-8 with a BOM, optional
  HXL hashtag row under the header, group prefixes joined by ``/`` (default) or ``.``,
  XML names or labels as headers, ``select_multiple`` both as one space-separated column
  and one ``question/option`` column of 1/0 per choice, then Kobo's meta columns
  (``_id``, ``_uuid``, ``_submission_time``, ``_validation_status``, ``_notes``, ``_status``,
  ``_submitted_by``, ``__version__``, ``_tags``, ``_index``);
- KoboToolbox XLSX export: the same columns on the first sheet;
- ODK Central CSV export: ``SubmissionDate`` first, group prefixes joined by ``-``,
  ``meta-instanceID`` then ``KEY``, ``SubmitterID``, ``SubmitterName``,
  ``AttachmentsPresent``, ``AttachmentsExpected``, ``Status``, ``ReviewState``,
  ``DeviceID``, ``Edits``, ``FormVersion``;
- ACLED export: the current 31-column layout.
"""

from __future__ import annotations

import csv
import io
import uuid as uuid_module
from dataclasses import dataclass, field

KOBO_META = [
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
]
ODK_META = [
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
]
ACLED_COLUMNS = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]


@dataclass
class Question:
    """One question of the form: its XML name, group, labels, HXL tag and answers by row."""

    name: str
    answers: list[str]
    group: str = ""
    label_fr: str = ""
    label_en: str = ""
    hxl: str = ""
    options: list[str] = field(default_factory=list)  # select_multiple choices


# A peacebuilding survey as network staff build it (XML names, French and English labels).
CHALLENGES = [
    "Le manque de financement des organisations locales",
    "Les routes coupées par les groupes armés",
    "La méfiance entre les communautés voisines",
    "Les menaces contre les médiateurs communautaires",
]
LONG_TERM = [
    "La pauvreté et le chômage des jeunes depuis des années",
    "La faiblesse de l'État dans les zones rurales",
]
DYNAMIC = [
    "La circulation des armes après la crise",
    "Les rumeurs sur les réseaux sociaux",
]
NATIONAL = [
    "Former des médiateurs dans chaque commune",
    "Associer les femmes aux comités de paix",
]
INTERNATIONAL = [
    "Financer directement les organisations locales",
    "Soutenir le dialogue régional sur la sécurité",
]


def _cycle(values: list[str], count: int, offset: int = 0) -> list[str]:
    return [values[(i + offset) % len(values)] for i in range(count)]


def peace_survey(count: int = 4, regions: list[str] | None = None) -> list[Question]:
    """The questions of the network's survey, answered ``count`` times."""
    regions = regions or ["Tombouctou", "Timbuktu", "Mopti", "Ségou"]
    return [
        Question("consent", _cycle(["yes"], count), label_fr="Consentement", label_en="Consent"),
        Question(
            "region",
            _cycle(regions, count),
            label_fr="Région",
            label_en="Region",
            hxl="#adm1+name",
        ),
        Question(
            "gender",
            _cycle(["female", "male"], count),
            label_fr="Genre",
            label_en="Gender",
            hxl="#gender",
        ),
        Question(
            "org_type",
            _cycle(["women_led", "youth_led", "faith_based"], count),
            label_fr="Type d'organisation",
            label_en="Type of organisation",
        ),
        Question(
            "main_challenges",
            _cycle(CHALLENGES, count),
            label_fr="Quels sont les principaux défis ?",
            label_en="What are the main challenges?",
        ),
        Question(
            "long_term",
            _cycle(LONG_TERM, count),
            group="drivers",
            label_fr="Causes profondes",
            label_en="Long-term drivers",
        ),
        Question(
            "dynamic",
            _cycle(DYNAMIC, count),
            group="drivers",
            label_fr="Facteurs récents",
            label_en="Dynamic drivers",
        ),
        Question(
            "national",
            _cycle(NATIONAL, count),
            group="recommendations",
            label_fr="Recommandations nationales",
            label_en="National recommendations",
        ),
        Question(
            "international",
            _cycle(INTERNATIONAL, count),
            group="recommendations",
            label_fr="Recommandations internationales",
            label_en="International recommendations",
        ),
        Question(
            "themes",
            _cycle(["land security", "youth", "land"], count),
            label_fr="Thèmes",
            label_en="Themes",
            options=["land", "security", "youth"],
        ),
    ]


def submission_ids(count: int, seed: int = 0) -> list[str]:
    return [str(uuid_module.UUID(int=seed * 1_000_000 + i + 1, version=4)) for i in range(count)]


def _header(question: Question, headers: str, group_sep: str) -> str:
    if headers == "fr" and question.label_fr:
        return question.label_fr
    if headers == "en" and question.label_en:
        return question.label_en
    return f"{question.group}{group_sep}{question.name}" if question.group else question.name


def _table_of(
    questions: list[Question], headers: str, group_sep: str
) -> tuple[list[str], list[str], list[list[str]]]:
    """Header, HXL row and answer cells of the questions (select_multiple split out)."""
    header, hxl, columns = [], [], []
    for question in questions:
        name = _header(question, headers, group_sep)
        header.append(name)
        hxl.append(question.hxl)
        columns.append(question.answers)
        for option in question.options:
            header.append(f"{name}/{option}")
            hxl.append("")
            columns.append(["1" if option in a.split() else "0" for a in question.answers])
    rows = [list(cells) for cells in zip(*columns, strict=True)]
    return header, hxl, rows


def kobo_rows(
    questions: list[Question],
    *,
    headers: str = "xml",
    group_sep: str = "/",
    hxl: bool = True,
    version: str = "vGdZsXQ3Ph4tS9Kq",
    seed: int = 0,
    ids: list[str] | None = None,
) -> list[list[str]]:
    """The rows of a KoboToolbox export: header, optional HXL row, one row per submission."""
    header, tags, rows = _table_of(questions, headers, group_sep)
    ids = ids or submission_ids(len(rows), seed)
    out = [["start", "end", *header, *KOBO_META]]
    if hxl:
        out.append(["", "", *tags, "#meta+id", "#meta+uuid", "#date+submitted"] + [""] * 7)
    for index, (cells, uid) in enumerate(zip(rows, ids, strict=True), start=1):
        out.append(
            [
                "2026-10-01T09:00:00.000+00:00",
                "2026-10-01T09:20:00.000+00:00",
                *cells,
                str(100 + index),
                uid,
                "2026-10-01T09:21:00",
                "",
                "",
                "submitted_via_web",
                "enqueteur1",
                version,
                "",
                str(index),
            ]
        )
    return out


def to_csv(
    rows: list[list[str]], *, delimiter: str = ";", bom: bool = True, quote_all: bool = True
) -> bytes:
    """Kobo quotes every value; ACLED and ODK Central only those that need it."""
    buffer = io.StringIO(newline="")
    quoting = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    csv.writer(buffer, delimiter=delimiter, quoting=quoting).writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode()


def kobo_csv(questions: list[Question] | None = None, *, delimiter: str = ";", **kwargs) -> bytes:
    bom = kwargs.pop("bom", True)
    rows = kobo_rows(questions or peace_survey(), **kwargs)
    return to_csv(rows, delimiter=delimiter, bom=bom)


def kobo_xlsx(questions: list[Question] | None = None, **kwargs) -> bytes:
    from openpyxl import Workbook  # noqa: PLC0415 - only the XLSX tests need it

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Peace survey"
    for row in kobo_rows(questions or peace_survey(), **kwargs):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def odk_rows(
    questions: list[Question], *, version: str = "2026100101", seed: int = 0
) -> list[list[str]]:
    header, _tags, rows = _table_of(questions, "xml", "-")
    ids = submission_ids(len(rows), seed)
    out = [["SubmissionDate", "start", "end", *header, "meta-instanceID", *ODK_META]]
    for cells, uid in zip(rows, ids, strict=True):
        out.append(
            [
                "2026-10-06T09:00:00.000Z",
                "2026-10-06T08:40:00.000Z",
                "2026-10-06T08:59:00.000Z",
                *cells,
                f"uuid:{uid}",
                f"uuid:{uid}",
                "5",
                "collector",
                "0",
                "0",
                "",
                "approved",
                "",
                "0",
                version,
            ]
        )
    return out


def odk_csv(questions: list[Question] | None = None, **kwargs) -> bytes:
    rows = odk_rows(questions or peace_survey(), **kwargs)
    return to_csv(rows, delimiter=",", bom=False, quote_all=False)


ADMIN1 = ["Tombouctou", "Timbuktu", "Gao", "Mopti", "Segou", "Menaka", "Kidal", "Bamako"]


def acled_rows(count: int, *, admin1: list[str] | None = None, start: int = 1) -> list[list[str]]:
    admin1 = admin1 or ADMIN1
    rows = [ACLED_COLUMNS]
    for i in range(start, start + count):
        place = admin1[i % len(admin1)]
        rows.append(
            [
                f"MLI{i}",
                f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "2023",
                "1",
                "Political violence",
                "Violence against civilians",
                "Attack",
                "JNIM: Group for Support of Islam and Muslims",
                "",
                "Rebel group",
                "Civilians (Mali)",
                "",
                "Civilians",
                "Rebel group-Civilians",
                "Civilian targeting",
                "466",
                "Western Africa",
                "Mali",
                place,
                "Goundam",
                "",
                "Goundam",
                "16.7735",
                "-3.0074",
                "1",
                "Local media",
                "Subnational",
                "Summary of the event (invented, not ACLED data).",
                str(i % 5),
                "",
                str(1_675_209_600 + i),
            ]
        )
    return rows


def acled_csv(count: int = 10, **kwargs) -> bytes:
    return to_csv(acled_rows(count, **kwargs), delimiter=",", bom=False, quote_all=False)


# --- XLSForm (https://xlsform.org): the form a survey is built from ------------------------

XLSFORM_COLUMNS = ["type", "name", "label::French (fr)", "label::English (en)", "required"]


def xlsform_rows(
    questions: list[Question],
    types: dict[str, str] | None = None,
    group_labels: dict[str, tuple[str, str]] | None = None,
) -> list[dict]:
    """The ``survey`` sheet of ``questions``: ``start``/``end`` metadata first, each group
    between ``begin group`` and ``end group`` rows (labelled from ``group_labels``: French,
    English), the type ``text`` unless ``types`` says (``select_one genders``, ``integer``…)."""
    types, group_labels = types or {}, group_labels or {}
    rows = [{"type": "start", "name": "start"}, {"type": "end", "name": "end"}]
    group = ""
    for question in questions:
        if question.group != group:
            if group:
                rows.append({"type": "end group", "name": ""})
            if question.group:
                french, english = group_labels.get(question.group, ("", ""))
                rows.append(
                    {
                        "type": "begin group",
                        "name": question.group,
                        "label::French (fr)": french,
                        "label::English (en)": english,
                    }
                )
            group = question.group
        kind = types.get(question.name)
        if kind is None:
            kind = f"select_multiple {question.name}" if question.options else "text"
        rows.append(
            {
                "type": kind,
                "name": question.name,
                "label::French (fr)": question.label_fr,
                "label::English (en)": question.label_en,
            }
        )
    if group:
        rows.append({"type": "end group", "name": ""})
    return rows


def xlsform_xlsx(
    survey: list[dict], choices: list[dict] | None = None, *, sheet_names=("survey", "choices")
) -> bytes:
    """An XLSForm workbook: a ``survey`` sheet of ``survey`` rows and a ``choices`` sheet
    (``list_name``, ``name``, labels) of ``choices``, then ``settings``."""
    from openpyxl import Workbook  # noqa: PLC0415 - a test builder, only when asked

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_names[0]
    sheet.append(XLSFORM_COLUMNS)
    for row in survey:
        sheet.append([row.get(column, "") for column in XLSFORM_COLUMNS])
    if choices is not None:
        listed = workbook.create_sheet(sheet_names[1])
        columns = ["list_name", "name", "label::French (fr)", "label::English (en)"]
        listed.append(columns)
        for row in choices:
            listed.append([row.get(column, "") for column in columns])
    settings = workbook.create_sheet("settings")
    settings.append(["form_title", "form_id", "version"])
    settings.append(["Enquête paix", "enquete_paix", "2026-11"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def choice_rows(list_name: str, choices: list[tuple[str, str, str]]) -> list[dict]:
    """``choices`` rows of one list: (name, French label, English label) each."""
    return [
        {"list_name": list_name, "name": name, "label::French (fr)": fr, "label::English (en)": en}
        for name, fr, en in choices
    ]
