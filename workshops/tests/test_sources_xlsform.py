"""The survey's XLSForm (sources/xlsform.py) read beside its export: question types,
labels in every language, groups and choice lists improve the guesses (kobo.guess_mapping)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from workshops.choices import Audience, Category, Gender, Horizon, VoiceKind
from workshops.models import Contribution, ImportUpload, Participant
from workshops.sources.kobo import IGNORE, guess_mapping, parse_survey
from workshops.sources.xlsform import XLSFormError, parse_xlsform
from workshops.tests.export_factories import (
    LONG_TERM,
    Question,
    choice_rows,
    kobo_csv,
    xlsform_rows,
    xlsform_xlsx,
)

GENDERS = [("f", "Femme", "Woman"), ("m", "Homme", "Man")]
TYPES = {
    "q1": "select_one regions",
    "q2": "select_one sexes",
    "q7": "integer",
    "q9": "select_one oui_non",
}
GROUPS = {"grp_a": ("Moteurs de conflit", "Drivers of conflict")}


def _questions(count: int = 4) -> list[Question]:
    """A form whose XML names say nothing (as a form built in a hurry: q1, q2…)."""
    return [
        Question("q1", ["Mopti", "Gao", "Ségou", "Kidal"][:count], label_fr="Région"),
        Question("q2", ["f", "m", "f", "m"][:count], label_fr="Sexe", label_en="Sex"),
        Question("q5", (LONG_TERM * 2)[:count], group="grp_a", label_fr="Depuis longtemps"),
        Question(
            "q8",
            ["Financer les organisations locales directement, sans intermédiaires"] * count,
            label_fr="Que recommandez-vous aux partenaires internationaux ?",
            label_en="What do you recommend to international partners?",
        ),
        Question("q7", ["34", "27", "45", "51"][:count], label_fr="Âge", label_en="Age"),
        Question("q9", ["oui"] * count, label_fr="Êtes-vous d'accord ?", label_en="Do you agree?"),
    ]


def _form() -> bytes:
    choices = choice_rows("sexes", GENDERS) + choice_rows("oui_non", [("oui", "Oui", "Yes")])
    choices += choice_rows("regions", [("Mopti", "Mopti", "Mopti"), ("Gao", "Gao", "Gao")])
    return xlsform_xlsx(xlsform_rows(_questions(), TYPES, GROUPS), choices)


def test_the_form_is_read_with_its_types_labels_groups_and_choices():
    form = parse_xlsform(_form())
    assert set(form.questions) == {"start", "end", "q1", "q2", "grp_a/q5", "q8", "q7", "q9"}
    driver = form.questions["grp_a/q5"]
    assert driver.type == "text"
    assert driver.labels == ["Depuis longtemps"]
    assert driver.groups == ["grp_a", "Moteurs de conflit", "Drivers of conflict"]
    gender = form.questions["q2"]
    assert (gender.type, gender.list_name) == ("select_one", "sexes")
    assert form.choices_of(gender) == ["f", "Femme", "Woman", "m", "Homme", "Man"]
    # Columns as the exports name them: "/" or "." groups, ODK's "-", or without groups.
    for key in ("grp_a/q5", "grp_a.q5", "grp_a-q5", "q5"):
        assert form.question_for(key) is driver


def test_without_the_form_names_like_q5_say_nothing():
    survey = parse_survey(kobo_csv(_questions()), "export.csv")
    mapping = guess_mapping(survey)
    assert mapping.columns["grp_a/q5"] != Category.DRIVER
    assert mapping.gender == ""


def test_the_form_makes_the_guesses_and_says_why():
    survey = parse_survey(kobo_csv(_questions()), "export.csv")
    mapping = guess_mapping(survey, parse_xlsform(_form()))
    # A text question in a group labelled "Moteurs de conflit" is a driver's answer.
    assert mapping.columns["grp_a/q5"] == Category.DRIVER
    assert (
        "text question of the form; its name, label or group says" in (mapping.reasons["grp_a/q5"])
    )
    # Its label says the audience; a select_one of women and men is the gender.
    assert mapping.columns["q8"] == Category.RECOMMENDATION
    assert mapping.audiences["q8"] == Audience.INTERNATIONAL
    assert mapping.gender == "q2"
    assert mapping.reasons["q2"] == "gender of the respondent (the form's question and choices)"
    assert mapping.region == "q1"
    assert mapping.columns["q7"] == IGNORE
    assert mapping.reasons["q7"] == "the form says integer: not free text, ignored"
    assert mapping.columns["q9"] == IGNORE  # consent (its label says "accord")
    assert mapping.reasons["q9"] == "consent question of the form: ignored"
    assert Horizon.LONG_TERM not in mapping.horizons.values()  # nothing says long-term


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not a workbook", "damaged or not an Excel workbook"),
        (xlsform_xlsx([], sheet_names=("questions", "choices")), "no “survey” sheet"),
    ],
)
def test_a_file_that_is_not_an_xlsform_is_refused_with_why(data, message):
    with pytest.raises(XLSFormError, match=message):
        parse_xlsform(data)


def test_the_upload_page_takes_the_form_beside_the_export_and_the_mapping_uses_it(
    client_for, facilitator, workshop, regions
):
    client = client_for(facilitator)
    response = client.post(
        reverse("sources:survey_upload", args=[workshop.slug]),
        {
            "file": SimpleUploadedFile("export.csv", kobo_csv(_questions())),
            "xlsform": SimpleUploadedFile("form.xlsx", _form()),
        },
    )
    assert response.status_code == 302
    assert ImportUpload.objects.get().xlsform
    page = client.get(response["Location"])
    form = page.context["form"]
    index = form.answer_keys.index("grp_a/q5")
    assert form[f"column_{index}"].initial == Category.DRIVER
    assert "text question of the form" in page.text


def test_a_bad_form_file_is_refused_on_the_upload_page_in_french(client_for, facilitator, workshop):
    client = client_for(facilitator)
    client.cookies["pe_lang"] = "fr"
    response = client.post(
        reverse("sources:survey_upload", args=[workshop.slug]),
        {
            "file": SimpleUploadedFile("export.csv", kobo_csv(_questions())),
            "xlsform": SimpleUploadedFile("form.xlsx", b"not a workbook"),
        },
    )
    assert response.status_code == 400
    assert "Le fichier du formulaire est endommagé" in response.text
    assert not ImportUpload.objects.exists()


# --- The command line: ``import_kobo --xlsform`` --------------------------------------


def _command(tmp_path, *, form: bytes | None = None, **options) -> str:
    export = tmp_path / "export.csv"
    export.write_bytes(kobo_csv(_questions()))
    if form is not None:
        (tmp_path / "form.xlsx").write_bytes(form)
        options["xlsform"] = str(tmp_path / "form.xlsx")
    out = io.StringIO()
    call_command("import_kobo", str(export), purpose="Survey week", stdout=out, **options)
    return out.getvalue()


def test_the_command_reads_the_form_and_maps_columns_named_q1_q2(workshop, regions, tmp_path):
    out = _command(tmp_path, form=_form(), workshop=workshop.slug, language="en")
    assert "grp_a/q5 → driver" in out and "q8 → recommendation" in out
    by_column = {
        c.client_id.split(":")[2]: c
        for c in Contribution.objects.select_related("author", "region")
    }
    assert by_column.keys() == {"grp_a/q5", "q8"}
    assert by_column["grp_a/q5"].category == Category.DRIVER
    assert by_column["q8"].category == Category.RECOMMENDATION
    assert by_column["q8"].audience == Audience.INTERNATIONAL
    # q1 (a select_one labelled "Région") is the region, q2 (women and men) the gender.
    voices = Participant.objects.filter(kind=VoiceKind.RESPONDENT).select_related("region")
    assert sorted((v.region.name if v.region else "", v.gender) for v in voices) == [
        ("", Gender.MAN),  # Kidal: not a region of the test country
        ("Gao", Gender.MAN),
        ("Mopti", Gender.WOMAN),
        ("Ségou", Gender.WOMAN),
    ]
    assert "Unknown regions (add them to the mapping's region_values): Kidal (1)" in out


def test_without_the_form_the_command_finds_no_answer_column_in_the_same_file(
    workshop, regions, tmp_path
):
    with pytest.raises(CommandError, match="No free-text answer columns"):
        _command(tmp_path, workshop=workshop.slug)
    assert not Contribution.objects.exists()


def test_the_command_dry_run_with_the_form_writes_nothing(workshop, regions, tmp_path):
    out = _command(tmp_path, form=_form(), workshop=workshop.slug, dry_run=True, language="fr")
    assert out.startswith("Essai, rien n'a été écrit : ")
    assert not Contribution.objects.exists() and not Participant.objects.exists()


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "The form form.xlsx cannot be used: The form file is damaged"),
        ("fr", "Le formulaire form.xlsx est inutilisable : Le fichier du formulaire est endommagé"),
    ],
)
def test_the_command_refuses_a_bad_form_in_the_chosen_language(workshop, tmp_path, language, text):
    with pytest.raises(CommandError, match=text):
        _command(tmp_path, form=b"not a workbook", workshop=workshop.slug, language=language)
    assert not Contribution.objects.exists() and not Participant.objects.exists()


def test_the_command_says_a_missing_form_file_cannot_be_read(workshop, tmp_path):
    with pytest.raises(CommandError, match="Impossible de lire le fichier"):
        _command(
            tmp_path, workshop=workshop.slug, xlsform=str(tmp_path / "none.xlsx"), language="fr"
        )
