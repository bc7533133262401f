"""KoboToolbox and ODK Central survey imports: parsing, guessing, exactly-once storage."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from workshops.choices import Category, Gender, OrganisationKind, Source, VoiceKind
from workshops.models import Contribution, Participant, RegionAlias
from workshops.services import bulk, imports
from workshops.services.imports import import_survey
from workshops.sources.kobo import (
    IGNORE,
    MAX_BYTES,
    Mapping,
    SurveyFileError,
    client_id_for,
    guess_mapping,
    parse_survey,
)

DATA = Path(__file__).parent / "data"


def _read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def _survey(name: str):
    return parse_survey(_read(name), name)


def test_kobo_csv_with_bom_and_hxl_row_is_read():
    survey = _survey("kobo_survey.csv")
    assert survey.kind == "kobo-csv"
    assert len(survey.submissions) == 4
    first = survey.submissions[0]
    assert first.uuid == "3f1c2a9e-0b6d-4c1e-9a43-6f0c1d2e3a01"
    assert survey.columns[0].key == "start"  # the BOM is not part of the first header
    assert survey.column("region").hxl == "#adm1+name"
    assert first.values["questions/defis_principaux"].startswith("Le manque de financement;")
    assert "\n" in survey.submissions[1].values["questions/defis_principaux"]


def test_guess_maps_free_text_to_categories_and_demographics():
    mapping = guess_mapping(_survey("kobo_survey.csv"))
    assert mapping.columns == {
        "questions/defis_principaux": Category.CHALLENGE,
        "questions/recommandations": Category.RECOMMENDATION,
        "questions/age": IGNORE,
    }
    assert (mapping.region, mapping.gender, mapping.organisation_kind) == (
        "region",
        "genre",
        "type_organisation",
    )


def test_label_headers_are_guessed_like_xml_names():
    mapping = guess_mapping(_survey("kobo_survey_labels.csv"))
    assert mapping.columns["Quels sont les principaux défis ?"] == Category.CHALLENGE
    assert mapping.columns["Quelles recommandations faites-vous ?"] == Category.RECOMMENDATION
    assert mapping.region == "Région"
    assert mapping.gender == "Genre"


def test_odk_central_csv_uses_instance_id_without_prefix():
    survey = _survey("odk_central.csv")
    assert survey.kind == "odk-csv"
    assert survey.submissions[0].uuid == "0b1c2d3e-4f50-4617-8293-a4b5c6d7e801"
    mapping = guess_mapping(survey)
    assert mapping.columns == {
        "questions-main_challenges": Category.CHALLENGE,
        "questions-recommendations": Category.RECOMMENDATION,
    }
    assert "KEY" not in mapping.columns and "SubmitterName" not in mapping.columns


def test_xlsx_repeat_group_rows_join_their_submission():
    survey = _survey("kobo_survey.xlsx")
    assert survey.kind == "kobo-xlsx"
    first, second = survey.submissions
    assert [r["incidents/lieu"] for r in first.repeats] == ["Ansongo", "Ménaka"]
    assert [r["incidents/lieu"] for r in second.repeats] == ["Goundam"]
    assert survey.column("incidents/description_incident").repeat == "incidents"


def test_import_stores_each_answer_once_with_demographics(workshop, regions):
    survey = _survey("kobo_survey.csv")
    result = import_survey(workshop=workshop, survey=survey, mapping=guess_mapping(survey))
    # 4 challenges + 3 recommendations (one left empty)
    assert (result.created, result.empty) == (7, 1)
    assert result.unknown_regions == ["Tinbouctou"]
    stored = Contribution.objects.get(
        client_id="kobo:3f1c2a9e-0b6d-4c1e-9a43-6f0c1d2e3a01:questions/defis_principaux"
    )
    assert stored.source == Source.SURVEY
    assert stored.category == Category.CHALLENGE
    assert stored.region == regions["Tombouctou"]
    assert stored.zone == workshop.zone_of(regions["Tombouctou"])
    assert stored.gender == Gender.WOMAN
    unknown = Contribution.objects.filter(client_id__contains="7d2e4b10").first()
    assert unknown.region is None and unknown.gender == Gender.MAN


def test_reimport_adds_nothing_and_a_newer_export_only_new_answers(workshop):
    survey = _survey("kobo_survey.csv")
    import_survey(workshop=workshop, survey=survey, mapping=guess_mapping(survey))
    again = import_survey(workshop=workshop, survey=survey, mapping=guess_mapping(survey))
    assert (again.created, again.unchanged) == (0, 7)
    newer = _survey("kobo_survey_newer.csv")
    result = import_survey(workshop=workshop, survey=newer, mapping=guess_mapping(newer))
    assert (result.created, result.unchanged) == (2, 7)
    assert Contribution.objects.filter(workshop=workshop).count() == 9


def test_each_submission_is_one_respondent_with_its_own_demographics(workshop, regions):
    survey = _survey("kobo_survey.csv")
    result = import_survey(workshop=workshop, survey=survey, mapping=guess_mapping(survey))
    assert result.respondents == 4
    voices = {p.external_id: p for p in Participant.objects.filter(workshop=workshop)}
    assert set(voices) == {s.uuid for s in survey.submissions}
    first = voices["3f1c2a9e-0b6d-4c1e-9a43-6f0c1d2e3a01"]
    assert (first.kind, first.region, first.gender, first.organisation_kind) == (
        VoiceKind.RESPONDENT,
        regions["Tombouctou"],
        Gender.WOMAN,
        OrganisationKind.WOMEN_LED,
    )
    assert (first.display_name, first.token_hash, first.organisation) == ("", None, None)
    assert first.public_id
    unmatched = voices["7d2e4b10-5c3a-4f2b-8e11-2a9b8c7d6e02"]
    assert (unmatched.region, unmatched.gender, unmatched.organisation_kind) == (
        None,
        Gender.MAN,
        OrganisationKind.YOUTH_LED,
    )
    assert voices["a81f9c33-1d2e-4a5b-9c6d-7e8f9a0b1c03"].organisation_kind == (
        OrganisationKind.FAITH_BASED
    )
    # Every answer is its respondent's, with the respondent's demographics.
    for answer in Contribution.objects.filter(workshop=workshop).select_related("author"):
        assert answer.author == voices[answer.client_id.split(":")[1]]
        assert (answer.region_id, answer.gender) == (answer.author.region_id, answer.author.gender)
    assert first.contributions.count() == 2
    assert not Participant.objects.in_the_room().exists()


def test_a_submission_without_answers_is_still_a_respondent(workshop):
    survey = _survey("kobo_survey.csv")
    mapping = guess_mapping(survey)
    for key in mapping.text_columns:
        survey.submissions[2].values[key] = ""
    result = import_survey(workshop=workshop, survey=survey, mapping=mapping)
    assert result.respondents == 4
    silent = Participant.objects.get(external_id=survey.submissions[2].uuid)
    assert not silent.contributions.exists()


def test_reimports_add_no_respondents_and_no_answers_twice(workshop):
    survey = _survey("kobo_survey.csv")
    import_survey(workshop=workshop, survey=survey, mapping=guess_mapping(survey))
    first = dict(Participant.objects.values_list("external_id", "pk"))
    again = import_survey(workshop=workshop, survey=survey, mapping=guess_mapping(survey))
    assert (again.respondents, again.created) == (0, 0)
    newer = _survey("kobo_survey_newer.csv")  # the same 4 submissions and a fifth
    result = import_survey(workshop=workshop, survey=newer, mapping=guess_mapping(newer))
    assert (result.respondents, result.created, result.unchanged) == (1, 2, 7)
    voices = dict(Participant.objects.values_list("external_id", "pk"))
    assert len(voices) == 5 and {k: voices[k] for k in first} == first
    fifth = Participant.objects.get(external_id="e9f0a1b2-c3d4-4e5f-8a6b-7c8d9e0f1a05")
    assert fifth.contributions.count() == 2
    assert Contribution.objects.values("client_id").distinct().count() == 9
    assert not Contribution.objects.filter(author=None).exists()


def test_a_newer_answer_of_a_known_submission_joins_its_respondent(workshop, regions):
    survey = _survey("kobo_survey.csv")
    mapping = guess_mapping(survey)
    uuid = survey.submissions[2].uuid
    import_survey(workshop=workshop, survey=survey, mapping=mapping)
    survey.submissions[2].values["questions/recommandations"] = "Une réponse ajoutée plus tard"
    survey.submissions[2].values["region"] = "Gao"  # the stored respondent keeps its own
    result = import_survey(workshop=workshop, survey=survey, mapping=mapping)
    assert (result.respondents, result.created) == (0, 1)
    added = Contribution.objects.get(text="Une réponse ajoutée plus tard")
    assert added.author.external_id == uuid
    assert added.region == added.author.region == regions["Mopti"]


def test_odk_respondents_are_keyed_on_the_instance_id(workshop, regions):
    survey = _survey("odk_central.csv")
    import_survey(workshop=workshop, survey=survey, mapping=guess_mapping(survey))
    voice = Participant.objects.get(external_id="0b1c2d3e-4f50-4617-8293-a4b5c6d7e801")
    assert (voice.kind, voice.gender, voice.region) == (
        VoiceKind.RESPONDENT,
        Gender.WOMAN,
        regions["Ségou"],
    )
    assert Participant.objects.count() == 2


def test_an_edited_answer_is_reported_and_the_stored_one_kept(workshop):
    survey = _survey("kobo_survey.csv")
    import_survey(workshop=workshop, survey=survey, mapping=guess_mapping(survey))
    survey.submissions[0].values["questions/defis_principaux"] = "Edited later in Kobo"
    result = import_survey(workshop=workshop, survey=survey, mapping=guess_mapping(survey))
    assert result.conflicts == 1
    assert not Contribution.objects.filter(text="Edited later in Kobo").exists()


def test_region_values_in_the_mapping_become_aliases(workshop, regions):
    survey = _survey("kobo_survey.csv")
    mapping = guess_mapping(survey)
    mapping.region_values = {"Tinbouctou": "Tombouctou"}
    result = import_survey(workshop=workshop, survey=survey, mapping=mapping)
    assert result.unknown_regions == []
    assert RegionAlias.objects.get(workshop=workshop).region == regions["Tombouctou"]
    assert Contribution.objects.filter(region=regions["Tombouctou"]).count() == 4


def test_xlsx_import_stores_repeat_answers_with_their_own_ids(workshop, regions):
    survey = _survey("kobo_survey.xlsx")
    result = import_survey(workshop=workshop, survey=survey, mapping=guess_mapping(survey))
    assert result.created == 2 + 1 + 3
    repeat = Contribution.objects.get(text="Attaque d'un marché hebdomadaire")
    assert repeat.client_id.endswith(":incidents/description_incident#2")
    assert repeat.region == regions["Gao"]
    assert (
        import_survey(workshop=workshop, survey=survey, mapping=guess_mapping(survey)).created == 0
    )


def test_odk_import_maps_english_gender_values(workshop, regions):
    survey = _survey("odk_central.csv")
    import_survey(workshop=workshop, survey=survey, mapping=guess_mapping(survey))
    stored = Contribution.objects.get(text__startswith="Young people")
    assert (stored.gender, stored.region) == (Gender.WOMAN, regions["Ségou"])


def test_dry_run_writes_nothing(workshop):
    survey = _survey("kobo_survey.csv")
    result = import_survey(
        workshop=workshop, survey=survey, mapping=guess_mapping(survey), dry_run=True
    )
    assert (result.created, result.respondents) == (7, 4)
    assert not Contribution.objects.exists()
    assert not Participant.objects.exists()


def test_long_column_names_still_fit_the_client_id():
    client_id = client_id_for("3f1c2a9e-0b6d-4c1e-9a43-6f0c1d2e3a01", "q" * 300, 12)
    assert len(client_id) <= 100
    assert client_id != client_id_for("3f1c2a9e-0b6d-4c1e-9a43-6f0c1d2e3a01", "r" * 300, 12)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        ("\ufeff_uuid|texte\n1|bonjour".encode(), "semicolons"),
        ("_uuid;texte\n1;caf\xe9".encode("latin-1"), "UTF-8"),
        (b"PK\x03\x04broken archive", "damaged"),
        (b'"a";"b"\n"1";"2"', "submission id"),
        (b'"_uuid";"texte"\n', "no submissions"),
    ],
)
def test_bad_files_get_a_clear_message(content, message):
    with pytest.raises(SurveyFileError, match=message):
        parse_survey(content, "upload.csv")


def test_a_file_over_the_limit_is_refused_before_reading():
    with pytest.raises(SurveyFileError, match="larger than 20 MB"):
        parse_survey(b"x" * (MAX_BYTES + 1), "big.csv")


def test_a_file_without_text_columns_imports_nothing(workshop):
    content = '\ufeff"age";"_uuid"\n"#age";"#meta"\n"34";"u-1"\n'.encode()
    survey = parse_survey(content, "numbers.csv")
    with pytest.raises(SurveyFileError, match="No free-text answer columns"):
        import_survey(workshop=workshop, survey=survey, mapping=guess_mapping(survey))
    assert not Contribution.objects.exists()


def test_a_failure_midway_leaves_no_rows(workshop, monkeypatch):
    survey = _survey("kobo_survey.csv")
    original = imports.insert_rows

    def half_then_fail(model, *, rows, **kwargs):
        if model is not Contribution:
            return original(model, rows=rows, **kwargs)
        rows = list(rows)
        original(model, rows=rows[: len(rows) // 2], **kwargs)
        assert Contribution.objects.exists()
        raise RuntimeError("database went away")

    monkeypatch.setattr(imports, "insert_rows", half_then_fail)
    with pytest.raises(RuntimeError):
        import_survey(workshop=workshop, survey=survey, mapping=guess_mapping(survey))
    assert not Contribution.objects.exists()


def test_answers_are_inserted_in_batches_not_one_by_one(
    workshop, monkeypatch, django_assert_max_num_queries
):
    survey = _survey("kobo_survey.csv")
    monkeypatch.setattr(bulk, "CHUNK", 2)
    mapping = guess_mapping(survey)
    result = import_survey(workshop=workshop, survey=survey, mapping=mapping, dry_run=True)
    batches = -(-result.created // 2) + -(-result.respondents // 2)
    # Region spellings, stored answers and respondents, savepoints, then one INSERT
    # (executemany) or COPY per chunk of two answers or respondents, the new respondents'
    # ids; one UPDATE of the remembered mapping.
    with django_assert_max_num_queries(13 + batches):
        again = import_survey(workshop=workshop, survey=survey, mapping=mapping)
    assert again.created == result.created == Contribution.objects.count()


@pytest.mark.parametrize("submissions", [1, 4])
def test_an_import_takes_the_same_queries_for_one_submission_or_many(
    workshop, submissions, django_assert_num_queries
):
    survey = _survey("kobo_survey.csv")
    survey.submissions = survey.submissions[:submissions]
    mapping = guess_mapping(survey)
    # Regions, spellings, stored answers, stored respondents, savepoints, two INSERTs
    # and the new respondents' ids; the form's mapping remembered (an UPDATE, then an
    # INSERT the first time); the workshop's zone of each region.
    with django_assert_num_queries(15):
        result = import_survey(workshop=workshop, survey=survey, mapping=mapping)
    assert result.respondents == submissions


def test_the_same_answer_twice_in_one_file_is_stored_once(workshop):
    survey = _survey("kobo_survey.csv")
    doubled = survey.submissions[0]
    survey.submissions.append(doubled)
    mapping = guess_mapping(survey)
    result = import_survey(workshop=workshop, survey=survey, mapping=mapping)
    answers = [key for key in mapping.text_columns if doubled.values.get(key, "").strip()]
    assert result.unchanged == len(answers)
    assert Contribution.objects.count() == result.created


def test_an_import_racing_another_of_the_same_file_is_refused_whole(workshop, monkeypatch):
    survey = _survey("kobo_survey.csv")
    mapping = guess_mapping(survey)
    original = imports.insert_rows

    def someone_else_first(model, *, fields, rows, **kwargs):
        rows = list(rows)
        if model is Contribution:
            # The other import stores the first answer between our read and our insert.
            first = dict(zip(fields, rows[0], strict=True))
            Contribution.objects.create(workshop=workshop, source="survey", **first)
        return original(model, fields=fields, rows=rows, **kwargs)

    monkeypatch.setattr(imports, "insert_rows", someone_else_first)
    with pytest.raises(SurveyFileError, match="at the same time"):
        import_survey(workshop=workshop, survey=survey, mapping=mapping)
    monkeypatch.undo()
    assert Contribution.objects.count() == 0  # the other import's row was in our transaction
    assert Participant.objects.count() == 0
    assert import_survey(workshop=workshop, survey=survey, mapping=mapping).created > 0


def test_mapping_from_json_refuses_unknown_categories():
    with pytest.raises(SurveyFileError, match="Unknown category"):
        Mapping.from_json({"columns": {"q": "gossip"}})


def test_command_imports_with_a_mapping_file(workshop, regions, tmp_path):
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps(
            {
                "columns": {"questions/defis_principaux": "driver"},
                "region": "region",
                "gender": "genre",
                "region_values": {"Tinbouctou": "Tombouctou"},
            }
        )
    )
    out = io.StringIO()
    call_command(
        "import_kobo",
        str(DATA / "kobo_survey.csv"),
        workshop=workshop.slug,
        purpose="Survey week",
        mapping=str(mapping),
        stdout=out,
    )
    assert "4 new contributions" in out.getvalue()
    assert set(Contribution.objects.values_list("category", flat=True)) == {Category.DRIVER}


def test_command_dry_run_reports_and_writes_nothing(workshop):
    out = io.StringIO()
    call_command(
        "import_kobo",
        str(DATA / "kobo_survey.csv"),
        workshop=workshop.slug,
        purpose="Survey week",
        dry_run=True,
        stdout=out,
    )
    assert "Dry run" in out.getvalue() and "7 new contributions" in out.getvalue()
    assert "Tinbouctou" in out.getvalue()
    assert not Contribution.objects.exists()


def test_command_reports_bad_files_and_unknown_workshops(workshop, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"a|b\n1|2")
    with pytest.raises(CommandError, match="semicolons"):
        call_command("import_kobo", str(bad), workshop=workshop.slug, purpose="Survey week")
    with pytest.raises(CommandError, match="No workshop"):
        call_command("import_kobo", str(bad), workshop="nope", purpose="Survey week")


@settings(max_examples=200, deadline=None)
@given(content=st.binary(max_size=2000))
def test_any_bytes_give_a_survey_or_a_clear_error(content):
    try:
        parse_survey(content, "upload.csv")
    except SurveyFileError as error:
        assert str(error)


@settings(max_examples=200, deadline=None)
@given(cells=st.lists(st.text(alphabet=st.characters(), max_size=40), min_size=1, max_size=12))
def test_any_text_cells_give_a_survey_or_a_clear_error(cells):
    content = ";".join(['"_uuid"', *(f'"{c}"' for c in cells)]) + "\n" + ";".join(cells)
    try:
        survey = parse_survey(content.encode("utf-8", "surrogatepass"), "upload.csv")
    except SurveyFileError as error:
        assert str(error)
    else:
        guess_mapping(survey)


def test_a_question_mentioning_the_zone_is_text_not_the_region_column():
    content = (
        '\ufeff"zone";"Quels sont les défis dans votre zone ?";"_uuid"\n'
        '"Gao";"Les routes sont coupées par les groupes armés depuis deux ans";"u-1"\n'
        '"Mopti";"Les conflits entre éleveurs et agriculteurs se multiplient";"u-2"\n'
    ).encode()
    mapping = guess_mapping(parse_survey(content, "survey.csv"))
    assert mapping.region == "zone"
    assert mapping.columns == {"Quels sont les défis dans votre zone ?": Category.CHALLENGE}
