"""Write kobo_survey.xlsx: a KoboToolbox XLSX export with one repeat-group sheet.

Run from the repository root: ``.venv/bin/python workshops/tests/data/make_kobo_xlsx.py``.
The file is committed; this script documents how it was made.
"""

from pathlib import Path

from openpyxl import Workbook

MAIN = [
    "start",
    "end",
    "region",
    "genre",
    "questions/defis_principaux",
    "questions/recommandations",
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
SUBMISSIONS = [
    [
        "Gao",
        "Femme",
        "Les groupes armés contrôlent les routes",
        "Rétablir les services de l'État",
        "201",
        "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c01",
        "1",
    ],
    [
        "Tombouctou",
        "Homme",
        "La pauvreté pousse les jeunes vers les trafics",
        "",
        "202",
        "6b7c8d9e-0f1a-4b2c-9d3e-4f5a6b7c8d02",
        "2",
    ],
]
REPEAT = [
    "incidents/description_incident",
    "incidents/lieu",
    "_index",
    "_parent_table_name",
    "_parent_index",
    "_submission__id",
    "_submission__uuid",
    "_submission__submission_time",
]


def build(path: Path) -> None:
    workbook = Workbook()
    main = workbook.active
    main.title = "Enquête paix"
    main.append(MAIN)
    for region, gender, challenge, recommendation, kobo_id, uuid, index in SUBMISSIONS:
        main.append(
            [
                "2026-10-01T09:00:00.000+00:00",
                "2026-10-01T09:20:00.000+00:00",
                region,
                gender,
                challenge,
                recommendation,
                int(kobo_id),
                uuid,
                "2026-10-01T09:21:00",
                "",
                "",
                "submitted_via_web",
                "enqueteur1",
                "vXyZ789",
                "",
                int(index),
            ]
        )
    repeat = workbook.create_sheet("incidents")
    repeat.append(REPEAT)
    repeat.append(
        [
            "Enlèvement d'un chef de village",
            "Ansongo",
            1,
            "Enquête paix",
            1,
            201,
            SUBMISSIONS[0][5],
            "2026-10-01T09:21:00",
        ]
    )
    repeat.append(
        [
            "Attaque d'un marché hebdomadaire",
            "Ménaka",
            2,
            "Enquête paix",
            1,
            201,
            SUBMISSIONS[0][5],
            "2026-10-01T09:21:00",
        ]
    )
    repeat.append(
        [
            "Vol de bétail suivi de représailles",
            "Goundam",
            3,
            "Enquête paix",
            2,
            202,
            SUBMISSIONS[1][5],
            "2026-10-01T09:21:00",
        ]
    )
    workbook.save(path)


if __name__ == "__main__":
    build(Path(__file__).with_name("kobo_survey.xlsx"))
