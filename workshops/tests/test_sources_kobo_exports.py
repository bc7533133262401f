"""Survey exports generated as KoboToolbox and ODK Central write them (export_factories)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from model_bakery import baker

from workshops.choices import Audience, Category, Horizon
from workshops.models import Contribution, ImportUpload, Job, Participant, SurveyMapping
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
    data |= _as_shown(form)
    assert client.post(response["Location"], data).status_code == 302
    assert Contribution.objects.filter(audience=Audience.NATIONAL).count() == 4
    assert Contribution.objects.filter(horizon=Horizon.DYNAMIC).count() == 4


def _as_shown(form):
    """Each column's category, horizon and audience as the page offers them."""
    names = [n for n in form.fields if n.startswith(("column_", "horizon_", "audience_"))]
    return {name: form[name].initial or "" for name in names}


def _mapping_page(client, workshop, data):
    upload = SimpleUploadedFile("export.csv", data, content_type="text/csv")
    response = client.post(reverse("sources:survey_upload", args=[workshop.slug]), {"file": upload})
    return response["Location"], client.get(response["Location"])


def _post_data(form, **changes):
    data = {
        "shown_region_column": "region",
        "region_column": "region",
        "gender_column": "gender",
        "organisation_column": "org_type",
        "language": "fr",
    } | _as_shown(form)
    index = {key: i for i, key in enumerate(form.answer_keys)}
    for field, value in changes.items():
        name, key = field.split(":", 1)
        data[f"{name}_{index[key]}"] = value
    return data


def test_the_mapping_page_sets_each_columns_horizon_and_audience_and_remembers_them(
    client_for, facilitator, workshop, regions
):
    client = client_for(facilitator)
    url, page = _mapping_page(client, workshop, kobo_csv(peace_survey(4)))
    form = page.context["form"]
    keys = form.answer_keys
    assert form[f"horizon_{keys.index('drivers/long_term')}"].initial == Horizon.LONG_TERM
    # The user corrects the name's guess and makes the challenges dynamic drivers.
    data = _post_data(
        form,
        **{
            "horizon:drivers/long_term": Horizon.DYNAMIC,
            "column:main_challenges": Category.DRIVER,
            "horizon:main_challenges": Horizon.DYNAMIC,
            "audience:recommendations/national": Audience.COMMUNITIES,
        },
    )
    assert client.post(url, data).status_code == 302
    assert not Contribution.objects.filter(horizon=Horizon.LONG_TERM).exists()
    assert Contribution.objects.filter(horizon=Horizon.DYNAMIC).count() == 12
    assert Contribution.objects.filter(audience=Audience.COMMUNITIES).count() == 4
    stored = SurveyMapping.objects.get(workshop=workshop).mapping
    assert stored["horizons"]["main_challenges"] == Horizon.DYNAMIC
    assert stored["audiences"]["recommendations/national"] == Audience.COMMUNITIES
    # The next export of the form is offered the same details.
    _url, again = _mapping_page(client, workshop, kobo_csv(peace_survey(6), seed=1))
    form = again.context["form"]
    keys = form.answer_keys
    assert form[f"horizon_{keys.index('drivers/long_term')}"].initial == Horizon.DYNAMIC
    assert form[f"horizon_{keys.index('main_challenges')}"].initial == Horizon.DYNAMIC
    assert form[f"audience_{keys.index('recommendations/national')}"].initial == (
        Audience.COMMUNITIES
    )


@pytest.mark.parametrize(
    ("language", "horizon_error", "audience_error"),
    [
        ("en", "Only drivers have a horizon.", "Only recommendations have an audience."),
        (
            "fr",
            "Seuls les moteurs de conflit ont un horizon.",
            "Seules les recommandations ont des destinataires.",
        ),
    ],
)
def test_a_horizon_or_audience_on_the_wrong_kind_of_column_is_refused_on_the_page(
    client_for, facilitator, workshop, regions, language, horizon_error, audience_error
):
    client = client_for(facilitator)
    client.cookies["pe_lang"] = language
    url, page = _mapping_page(client, workshop, kobo_csv(peace_survey(4)))
    data = _post_data(
        page.context["form"],
        **{
            "horizon:main_challenges": Horizon.DYNAMIC,
            "audience:drivers/dynamic": Audience.NATIONAL,
        },
    )
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert horizon_error in html and audience_error in html
    form = response.context["form"]
    assert form[f"horizon_{form.answer_keys.index('main_challenges')}"].value() == "dynamic"
    assert not Contribution.objects.exists() and not Job.objects.exists()


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


def other_workshop_of(workshop, slug="elsewhere", organiser=None):
    extra = {"organiser": organiser} if organiser is not None else {}
    return baker.make("workshops.Workshop", country=workshop.country, slug=slug, **extra)


def _in_a_network(workshop):
    """A second workshop organised by another national office of the workshop's network."""
    network = baker.make("workshops.Network", name="WANEP", slug="wanep")
    workshop.organiser.member_of = network
    workshop.organiser.save()
    office = baker.make("workshops.Organisation", name="WANEP Niger", member_of=network)
    return other_workshop_of(workshop, "niamey", organiser=office)


def test_a_mapping_chosen_in_one_workshop_is_offered_in_the_networks_others(workshop, regions):
    sister = _in_a_network(workshop)
    first = parse_survey(kobo_csv(peace_survey(4)), "export.csv")
    mapping = guess_mapping(first)
    mapping.columns["main_challenges"] = Category.OBSERVATION
    import_survey(workshop=workshop, survey=first, mapping=mapping)
    newer = parse_survey(kobo_csv(peace_survey(6), seed=1), "export.csv")
    offered = survey_mapping_for(sister, newer)
    assert offered.columns["main_challenges"] == Category.OBSERVATION
    assert offered.reasons["main_challenges"] == (
        f"as chosen for this form in {workshop.title}, of the same network"
    )
    assert offered.horizons["drivers/long_term"] == Horizon.LONG_TERM
    # Outside the network: the guess.
    outside = other_workshop_of(workshop)
    assert survey_mapping_for(outside, newer).columns["main_challenges"] == Category.CHALLENGE


def test_a_workshops_own_mapping_comes_before_its_networks(workshop, regions):
    sister = _in_a_network(workshop)
    survey = parse_survey(kobo_csv(peace_survey(4)), "export.csv")
    for target, category in ((workshop, Category.OBSERVATION), (sister, Category.STRENGTH)):
        mapping = guess_mapping(survey)
        mapping.columns["main_challenges"] = category
        import_survey(workshop=target, survey=survey, mapping=mapping, dry_run=False)
    newer = parse_survey(kobo_csv(peace_survey(6), seed=1), "export.csv")
    # A later choice elsewhere in the network does not override the workshop's own.
    SurveyMapping.objects.filter(workshop=workshop).update(
        updated_at=timezone.now() - dt.timedelta(days=30)
    )
    assert survey_mapping_for(sister, newer).columns["main_challenges"] == Category.STRENGTH
    assert survey_mapping_for(workshop, newer).columns["main_challenges"] == Category.OBSERVATION
    assert survey_mapping_for(workshop, newer).reasons["main_challenges"] == (
        "as chosen at the last import of this form"
    )


def test_the_own_form_version_comes_before_the_networks_same_columns(workshop, regions):
    sister = _in_a_network(workshop)
    survey = parse_survey(kobo_csv(peace_survey(4)), "export.csv")
    mapping = guess_mapping(survey)
    mapping.columns["main_challenges"] = Category.STRENGTH
    import_survey(workshop=sister, survey=survey, mapping=mapping)
    # The sister's own mapping of the same form version, under another set of columns.
    SurveyMapping.objects.filter(workshop=sister).update(form_key="older-columns")
    mapping.columns["main_challenges"] = Category.OBSERVATION
    import_survey(workshop=workshop, survey=survey, mapping=mapping)
    assert survey_mapping_for(sister, survey).columns["main_challenges"] == Category.STRENGTH


@pytest.mark.parametrize("workshops", [1, 6])
def test_the_network_mapping_is_found_in_a_fixed_number_of_queries(
    workshop, regions, workshops, django_assert_num_queries
):
    sister = _in_a_network(workshop)
    survey = parse_survey(kobo_csv(peace_survey(4)), "export.csv")
    for number in range(workshops):
        office = baker.make(
            "workshops.Organisation",
            name=f"Office {number}",
            member_of_id=sister.organiser.member_of_id,
        )
        target = other_workshop_of(workshop, f"w{number}", organiser=office)
        import_survey(workshop=target, survey=survey, mapping=guess_mapping(survey))
    newer = parse_survey(kobo_csv(peace_survey(6), seed=1), "export.csv")
    with django_assert_num_queries(2):  # the same columns, then the same form version
        survey_mapping_for(sister, newer)
