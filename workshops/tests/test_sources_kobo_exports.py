"""Survey exports generated as KoboToolbox and ODK Central write them (export_factories)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from model_bakery import baker

from workshops.choices import Audience, Category, Horizon
from workshops.models import Contribution, ImportUpload, Participant
from workshops.queries import survey_mapping_for
from workshops.services.imports import import_survey
from workshops.sources.kobo import IGNORE, Mapping, SurveyFileError, guess_mapping, parse_survey
from workshops.tests.export_factories import (
    CHALLENGES,
    Question,
    kobo_csv,
    kobo_rows,
    kobo_xlsx,
    odk_csv,
    peace_survey,
    to_csv,
)

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


# --- All or nothing ----------------------------------------------------------------------


def _good_rows():
    return kobo_rows(peace_survey(4))


def _cut(data: bytes, at: int) -> bytes:
    return data[: len(data) - at]


def _extra_cell(rows):
    rows[3].append("stray")
    return to_csv(rows)


def _bad_date(rows):
    rows[4][rows[0].index("_submission_time")] = "yesterday"
    return to_csv(rows)


def _no_id(rows):
    rows[5][rows[0].index("_uuid")] = ""
    return to_csv(rows)


def _cut_inside_a_value(data: bytes) -> bytes:
    return data[: data.rindex("médiateurs".encode())]


def _stray_quote(rows):
    text = to_csv(rows).decode("utf-8-sig")
    return text.replace('"Mopti"', '"Mo"pti"', 1).encode()


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (lambda: _cut(kobo_csv(peace_survey(4)), 40), "Line 6 has 22 values but the header has 25"),
        (lambda: _extra_cell(_good_rows()), "Line 4 has 26 values but the header has 25"),
        (lambda: _bad_date(_good_rows()), "Line 5: yesterday in _submission_time is not a date"),
        (lambda: _no_id(_good_rows()), "Line 6 has no submission id"),
        (
            lambda: _cut_inside_a_value(kobo_csv(peace_survey(4))),
            "Line 6: a quoted value is never closed",
        ),
        (lambda: _stray_quote(_good_rows()), "Line 5: a quote inside a value is not doubled"),
    ],
)
def test_a_malformed_survey_is_refused_whole_with_its_line(broken, message):
    with pytest.raises(SurveyFileError, match=message):
        parse_survey(broken(), "export.csv")


def test_a_row_cut_without_quotes_is_refused():
    rows = kobo_rows(peace_survey(3))
    data = to_csv(rows, delimiter=",", bom=False).decode().replace('"', "")
    cut = data[: data.rindex(",", 0, len(data) - 60)]
    with pytest.raises(SurveyFileError, match="Line 5 has 17 values but the header has 25"):
        parse_survey(cut.encode(), "export.csv")


def test_a_refused_upload_stores_nothing_and_says_why_in_french(client_for, organiser, workshop):
    client = client_for(organiser)
    client.cookies["pe_lang"] = "fr"
    data = _bad_date(_good_rows())
    upload = SimpleUploadedFile("export.csv", data, content_type="text/csv")
    url = reverse("sources:survey_upload", kwargs={"slug": workshop.slug})
    response = client.post(url, {"file": upload}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert "Ligne 5" in response.content.decode()
    assert not ImportUpload.objects.exists() and not Contribution.objects.exists()


def test_command_refuses_a_malformed_file_in_the_chosen_language(workshop, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(_cut(kobo_csv(peace_survey(4)), 40))
    for language, text in [("en", "Line 6 has"), ("fr", "La ligne 6 a")]:
        with pytest.raises(CommandError, match=text):
            call_command(
                "import_kobo", str(path), workshop=workshop.slug, purpose="Week", language=language
            )
    assert not Contribution.objects.exists() and not Participant.objects.exists()


# --- Automatic mapping of real layouts ---------------------------------------------------

LAYOUTS = {
    "kobo ; BOM HXL /": lambda: kobo_csv(peace_survey(6)),
    "kobo , no BOM no HXL .": lambda: kobo_csv(
        peace_survey(6), delimiter=",", bom=False, hxl=False, group_sep="."
    ),
    "kobo labels fr": lambda: kobo_csv(peace_survey(6), headers="fr"),
    "kobo labels en": lambda: kobo_csv(peace_survey(6), headers="en", delimiter=","),
    "kobo xlsx": lambda: kobo_xlsx(peace_survey(6)),
    "odk central": lambda: odk_csv(peace_survey(6)),
}


def _roles(mapping: Mapping, survey) -> dict[str, object]:
    """Each question's guessed role, by XML name whatever the header layout."""
    keys = [c.key for c in survey.columns]
    base = keys.index("end") + 1
    names = [
        "consent",
        "region",
        "gender",
        "org_type",
        "main_challenges",
        "long_term",
        "dynamic",
        "national",
        "international",
        "themes",
    ]
    by_name = {name: keys[base + i] for i, name in enumerate(names)}
    role = {}
    for name, key in by_name.items():
        if key == mapping.region:
            role[name] = "region"
        elif key == mapping.gender:
            role[name] = "gender"
        elif key == mapping.organisation_kind:
            role[name] = "organisation"
        else:
            role[name] = (
                mapping.columns.get(key, IGNORE),
                mapping.horizons.get(key, ""),
                mapping.audiences.get(key, ""),
            )
    return role


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_the_mapping_of_each_export_layout_is_guessed(layout):
    data = LAYOUTS[layout]()
    survey = parse_survey(data, "export.xlsx" if "xlsx" in layout else "export.csv")
    mapping = guess_mapping(survey)
    assert _roles(mapping, survey) == {
        "consent": (IGNORE, "", ""),
        "region": "region",
        "gender": "gender",
        "org_type": "organisation",
        "main_challenges": (Category.CHALLENGE, "", ""),
        "long_term": (Category.DRIVER, Horizon.LONG_TERM, ""),
        "dynamic": (Category.DRIVER, Horizon.DYNAMIC, ""),
        "national": (Category.RECOMMENDATION, "", Audience.NATIONAL),
        "international": (Category.RECOMMENDATION, "", Audience.INTERNATIONAL),
        "themes": (IGNORE, "", ""),
    }
    assert not {c.key for c in survey.columns if "/" in c.key and c.key.endswith("/land")} & set(
        mapping.text_columns
    )
    assert all(mapping.reasons.get(c.key) for c in survey.columns)


def test_horizon_and_audience_from_the_column_names_are_stored(workshop, regions):
    survey = parse_survey(kobo_csv(peace_survey(4)), "export.csv")
    result = import_survey(workshop=workshop, survey=survey, mapping=guess_mapping(survey))
    assert (result.respondents, result.created) == (4, 20)
    answers = Contribution.objects.filter(workshop=workshop)
    assert answers.filter(category=Category.DRIVER, horizon="").count() == 0
    assert answers.filter(horizon=Horizon.LONG_TERM).count() == 4
    assert answers.filter(horizon=Horizon.DYNAMIC).count() == 4
    assert answers.filter(category=Category.RECOMMENDATION, audience="").count() == 0
    assert answers.filter(audience=Audience.INTERNATIONAL).count() == 4
    again = import_survey(workshop=workshop, survey=survey, mapping=guess_mapping(survey))
    assert (again.respondents, again.created, again.unchanged) == (0, 0, 20)


def test_the_preview_shows_each_guess_with_its_reason_and_imports_the_details(
    client_for, facilitator, workshop, regions
):
    client = client_for(facilitator)
    upload = SimpleUploadedFile("export.csv", kobo_csv(peace_survey(4)), content_type="text/csv")
    response = client.post(reverse("sources:survey_upload", args=[workshop.slug]), {"file": upload})
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Guess: free-text answers; the name or group says Driver of conflict, Long-term" in html
    assert "Guess: consent question: ignored" in html
    form = page.context["form"]
    data = {
        "shown_region_column": "region",
        "region_column": "region",
        "gender_column": "gender",
        "organisation_column": "org_type",
        "language": "fr",
    }
    for name in form.column_fields:
        data[name] = form[name].initial
    assert client.post(response["Location"], data).status_code == 302
    assert Contribution.objects.filter(audience=Audience.NATIONAL).count() == 4
    assert Contribution.objects.filter(horizon=Horizon.DYNAMIC).count() == 4


# --- Remembered mapping ------------------------------------------------------------------


def test_the_mapping_chosen_for_a_form_is_offered_at_its_next_export(workshop, regions):
    first = parse_survey(kobo_csv(peace_survey(4)), "export.csv")
    mapping = guess_mapping(first)
    mapping.columns["main_challenges"] = Category.OBSERVATION  # the user's correction
    import_survey(workshop=workshop, survey=first, mapping=mapping)
    newer = parse_survey(kobo_csv(peace_survey(6), seed=1), "export.csv")
    offered = survey_mapping_for(workshop, newer)
    assert offered.columns["main_challenges"] == Category.OBSERVATION
    assert offered.reasons["main_challenges"] == "as chosen at the last import of this form"
    assert offered.horizons["drivers/long_term"] == Horizon.LONG_TERM
    assert survey_mapping_for(other_workshop_of(workshop), newer).columns["main_challenges"] == (
        Category.CHALLENGE
    )


def test_a_form_with_a_new_question_is_recognised_by_its_version(workshop, regions):
    first = parse_survey(kobo_csv(peace_survey(4), version="v1"), "export.csv")
    mapping = guess_mapping(first)
    mapping.columns["main_challenges"] = Category.STRENGTH
    import_survey(workshop=workshop, survey=first, mapping=mapping)
    questions = peace_survey(4)
    questions.append(Question("opportunites", list(CHALLENGES), label_fr="Opportunités"))
    newer = parse_survey(kobo_csv(questions, version="v1", seed=2), "export.csv")
    offered = survey_mapping_for(workshop, newer)
    assert offered.columns["main_challenges"] == Category.STRENGTH
    assert offered.columns["opportunites"] == Category.OPPORTUNITY  # new: guessed
    other = parse_survey(kobo_csv(questions, version="v2", seed=3), "export.csv")
    assert survey_mapping_for(workshop, other).columns["main_challenges"] == Category.CHALLENGE


def other_workshop_of(workshop):
    return baker.make("workshops.Workshop", country=workshop.country, slug="elsewhere")
