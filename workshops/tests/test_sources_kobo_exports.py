"""Survey exports generated as KoboToolbox and ODK Central write them (export_factories)."""

from workshops.choices import Category
from workshops.models import Contribution, Participant
from workshops.services.imports import import_survey
from workshops.sources.kobo import Mapping, parse_survey
from workshops.tests.export_factories import to_csv

UID = "3f1c2a9e-0b6d-4c1e-9a43-6f0c1d2e3a01"


def _blank_header_file() -> bytes:
    return to_csv(
        [
            ["_uuid", "", "question", "region"],
            [UID, "stray cell", "Le manque de financement des associations", "Mopti"],
        ]
    )


def test_a_blank_header_keeps_every_value_in_its_own_column():
    survey = parse_survey(_blank_header_file(), "export.csv")
    values = survey.submissions[0].values
    assert values["question"] == "Le manque de financement des associations"
    assert values["region"] == "Mopti"
    assert [column.key for column in survey.columns] == [
        "_uuid",
        "(column 2)",
        "question",
        "region",
    ]
    assert values["(column 2)"] == "stray cell"


def test_a_repeated_header_keeps_both_columns_apart():
    data = to_csv(
        [
            ["_uuid", "question", "question", "region"],
            [UID, "Première réponse longue", "Seconde réponse longue", "Gao"],
        ]
    )
    survey = parse_survey(data, "export.csv")
    values = survey.submissions[0].values
    assert [column.key for column in survey.columns] == [
        "_uuid",
        "question",
        "question (2)",
        "region",
    ]
    assert (values["question"], values["question (2)"], values["region"]) == (
        "Première réponse longue",
        "Seconde réponse longue",
        "Gao",
    )


def test_an_answer_beside_a_blank_header_is_stored_as_the_answer(workshop, regions):
    survey = parse_survey(_blank_header_file(), "export.csv")
    mapping = Mapping(columns={"question": Category.CHALLENGE}, region="region")
    import_survey(workshop=workshop, survey=survey, mapping=mapping)
    answer = Contribution.objects.get(workshop=workshop)
    assert answer.text == "Le manque de financement des associations"
    assert Participant.objects.get(external_id=UID).region == regions["Mopti"]
