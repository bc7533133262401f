"""Sources pages: access for every role, upload → mapping → import, ACLED, interviews."""

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_bakery import baker

from workshops.choices import Category, Gender, Horizon, OrganisationKind, Source, VoiceKind
from workshops.models import (
    AcledEvent,
    Contribution,
    ImportUpload,
    Interview,
    Job,
    JobKind,
    Participant,
    RegionAlias,
)
from workshops.services.imports import import_acled
from workshops.sources.acled import parse_acled
from workshops.sources.forms import CodePassageForm, InterviewForm
from workshops.tests.export_factories import acled_csv
from workshops.validators import has_unsafe_characters

DATA = Path(__file__).parent / "data"


@pytest.fixture
def upload(workshop):
    return ImportUpload.objects.create(
        workshop=workshop, filename="kobo_survey.csv", data=(DATA / "kobo_survey.csv").read_bytes()
    )


@pytest.fixture
def interview(workshop, regions):
    return Interview.objects.create(
        workshop=workshop,
        date=dt.date(2026, 10, 12),
        pseudonym="Aminata K.",
        region=regions["Mopti"],
        gender=Gender.WOMAN,
        consent_noted=True,
        notes="Les jeunes rejoignent les groupes armés faute d'emploi.\n"
        "Il faut un dialogue entre l'État et les OSC.",
    )


@pytest.fixture
def alias(workshop, regions):
    return RegionAlias.objects.create(
        workshop=workshop, alias="Timbuktu", region=regions["Tombouctou"]
    )


ROLES = ["organiser", "facilitator", "note_taker", "viewer", "outsider", None]
# page name, extra URL kwargs (fixture names), method, weakest role allowed
PAGES = [
    ("index", {}, "get", "viewer"),
    ("context", {}, "get", "viewer"),
    ("survey_upload", {}, "get", "facilitator"),
    ("survey_mapping", {"upload_id": "upload"}, "get", "facilitator"),
    ("survey_discard", {"upload_id": "upload"}, "post", "facilitator"),
    ("acled_upload", {}, "get", "facilitator"),
    ("aliases", {}, "get", "facilitator"),
    ("alias_delete", {"alias_id": "alias"}, "post", "facilitator"),
    ("interviews", {}, "get", "note_taker"),
    ("interview_new", {}, "get", "note_taker"),
    ("interview", {"interview_id": "interview"}, "get", "note_taker"),
    ("interview_edit", {"interview_id": "interview"}, "get", "note_taker"),
]
RANK = ["viewer", "note_taker", "facilitator", "organiser"]


def _url(request, workshop, name, kwargs):
    values = {key: request.getfixturevalue(fixture).pk for key, fixture in kwargs.items()}
    return reverse(f"sources:{name}", kwargs={"slug": workshop.slug, **values})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "kwargs", "method", "weakest"), PAGES)
def test_access_matrix(request, client_for, workshop, role, name, kwargs, method, weakest):
    url = _url(request, workshop, name, kwargs)
    user = request.getfixturevalue(role) if role else None
    response = getattr(client_for(user), method)(url)
    if role is None:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    elif role == "outsider":
        assert response.status_code == 404
    elif RANK.index(role) < RANK.index(weakest):
        assert response.status_code == 403
    else:
        assert response.status_code in (200, 302)


@pytest.mark.parametrize(("name", "kwargs", "method", "weakest"), PAGES)
def test_wrong_method_is_refused(
    request, client_for, organiser, workshop, name, kwargs, method, weakest
):
    url = _url(request, workshop, name, kwargs)
    wrong = client_for(organiser).get(url) if method == "post" else client_for(organiser).put(url)
    assert wrong.status_code == 405


def test_upload_then_mapping_then_import(client_for, facilitator, workshop, regions):
    client = client_for(facilitator)
    with (DATA / "kobo_survey.csv").open("rb") as handle:
        response = client.post(
            reverse("sources:survey_upload", args=[workshop.slug]), {"file": handle}
        )
    stored = ImportUpload.objects.get(workshop=workshop)
    assert response["Location"] == reverse(
        "sources:survey_mapping", args=[workshop.slug, stored.pk]
    )
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "questions/defis_principaux" in html
    assert "Tinbouctou" in html  # an unknown region value to map
    assert "Le manque de financement" in html  # preview
    form = page.context["form"]
    data = {
        "shown_region_column": "region",
        "region_column": "region",
        "gender_column": "genre",
        "organisation_column": "type_organisation",
        "language": "fr",
    }
    for name in form.column_fields:
        data[name] = form[name].initial
    data[form.region_fields[0][0]] = "Tombouctou"
    done = client.post(response["Location"], data)
    assert done.status_code == 302
    assert Contribution.objects.filter(workshop=workshop, source=Source.SURVEY).count() == 7
    assert Contribution.objects.filter(region=regions["Tombouctou"]).count() == 4
    assert RegionAlias.objects.filter(workshop=workshop, alias="Tinbouctou").exists()
    assert not ImportUpload.objects.exists()
    follow = client.get(done["Location"])
    assert "7 new contributions" in follow.content.decode()


def test_upload_of_a_bad_file_shows_the_reason_and_stores_nothing(client_for, organiser, workshop):
    bad = SimpleUploadedFile("export.csv", b"a|b\n1|2\n", content_type="text/csv")
    response = client_for(organiser).post(
        reverse("sources:survey_upload", args=[workshop.slug]), {"file": bad}
    )
    assert response.status_code == 400
    assert "semicolons" in response.content.decode()
    assert not ImportUpload.objects.exists()


def test_upload_over_the_size_limit_is_refused(client_for, organiser, workshop, settings):
    big = SimpleUploadedFile("big.csv", b"x" * (20 * 1024 * 1024 + 1))
    response = client_for(organiser).post(
        reverse("sources:survey_upload", args=[workshop.slug]), {"file": big}
    )
    assert response.status_code == 400
    assert "larger than 20 MB" in response.content.decode()


def test_mapping_without_text_columns_imports_nothing(client_for, organiser, workshop, upload):
    client = client_for(organiser)
    url = reverse("sources:survey_mapping", args=[workshop.slug, upload.pk])
    form = client.get(url).context["form"]
    data = {"shown_region_column": "region", "region_column": "region", "language": "fr"}
    for name in form.column_fields:
        data[name] = "ignore"
    response = client.post(url, data)
    assert response.status_code == 400
    assert "at least one column" in response.content.decode()
    assert not Contribution.objects.exists()
    assert ImportUpload.objects.filter(pk=upload.pk).exists()


def test_mapping_of_another_workshops_upload_is_not_found(
    client_for, outsider, other_workshop, upload
):
    url = reverse("sources:survey_mapping", args=[other_workshop.slug, upload.pk])
    assert client_for(outsider).get(url).status_code == 404


def test_acled_upload_imports_and_shows_context(client_for, facilitator, workshop, regions):
    client = client_for(facilitator)
    with (DATA / "acled_current.csv").open("rb") as handle:
        response = client.post(
            reverse("sources:acled_upload", args=[workshop.slug]), {"file": handle}
        )
    job = Job.objects.get(kind=JobKind.ACLED_IMPORT)  # a task (run at once in the tests)
    assert response["Location"] == reverse("report:job", args=[workshop.slug, job.public_id])
    assert AcledEvent.objects.filter(workshop=workshop).count() == 6
    assert not ImportUpload.objects.exists()  # the file goes once imported
    done = client.get(response["Location"]).content.decode()
    assert "6 new events, 0 updated, 0 unchanged." in done
    assert "Menaka" in done  # the warning about unmatched admin1, with its count
    assert reverse("sources:context", args=[workshop.slug]) in done  # the way back
    page = client.get(reverse("sources:context", args=[workshop.slug])).content.decode()
    assert "data:image/svg+xml;base64," in page
    assert "Armed Conflict Location &amp; Event Data" in page


def test_acled_upload_of_a_bad_file_says_why(client_for, organiser, workshop):
    bad = SimpleUploadedFile("acled.csv", b"a,b\n1,2\n")
    response = client_for(organiser).post(
        reverse("sources:acled_upload", args=[workshop.slug]), {"file": bad}
    )
    assert response.status_code == 400 and "not an ACLED export" in response.content.decode()
    assert not AcledEvent.objects.exists()


def test_context_page_query_count_is_flat(
    client_for, viewer, workshop, regions, django_assert_max_num_queries
):
    client = client_for(viewer)
    url = reverse("sources:context", args=[workshop.slug])
    import_acled(workshop=workshop, parsed=parse_acled((DATA / "acled_current.csv").read_bytes()))
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
    import_acled(workshop=workshop, parsed=parse_acled((DATA / "acled_old.csv").read_bytes()))
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200


def test_adding_a_spelling_rematches_events(client_for, facilitator, workshop, regions):
    import_acled(workshop=workshop, parsed=parse_acled((DATA / "acled_current.csv").read_bytes()))
    response = client_for(facilitator).post(
        reverse("sources:aliases", args=[workshop.slug]),
        {"alias": "Timbuktu", "region": regions["Tombouctou"].pk},
    )
    assert response.status_code == 302
    assert AcledEvent.objects.get(event_id_cnty="MLI30002").region == regions["Tombouctou"]


def test_removing_a_spelling(client_for, facilitator, workshop, alias):
    url = reverse("sources:alias_delete", args=[workshop.slug, alias.pk])
    assert client_for(facilitator).post(url).status_code == 302
    assert not RegionAlias.objects.exists()


def test_note_taker_records_an_interview(client_for, note_taker, workshop, regions):
    response = client_for(note_taker).post(
        reverse("sources:interview_new", args=[workshop.slug]),
        {
            "date": "2026-10-12",
            "pseudonym": "Moussa D.",
            "region": regions["Gao"].pk,
            "gender": Gender.MAN,
            "organisation_kind": "youth_led",
            "interviewer": "Nando",
            "consent_noted": "on",
            "notes": "Les routes sont coupées.",
        },
    )
    interview = Interview.objects.get(workshop=workshop)
    assert response["Location"] == reverse("sources:interview", args=[workshop.slug, interview.pk])
    assert interview.pseudonym == "Moussa D." and interview.created_by == note_taker
    voice = interview.voice
    assert (voice.kind, voice.workshop, voice.region, voice.gender, voice.organisation_kind) == (
        VoiceKind.INTERVIEWEE,
        workshop,
        regions["Gao"],
        Gender.MAN,
        OrganisationKind.YOUTH_LED,
    )
    assert (voice.display_name, voice.token_hash) == ("", None)  # the pseudonym stays there


def test_editing_an_interview_keeps_its_voice_in_sync(
    client_for, note_taker, workshop, interview, regions
):
    url = reverse("sources:interview_edit", args=[workshop.slug, interview.pk])
    data = {
        "date": "2026-10-12",
        "pseudonym": interview.pseudonym,
        "region": regions["Gao"].pk,
        "gender": Gender.WOMAN,
        "organisation_kind": "faith_based",
        "consent_noted": "on",
    }
    client = client_for(note_taker)
    assert client.post(url, data).status_code == 302
    voice = Interview.objects.get(pk=interview.pk).voice
    data["region"] = regions["Mopti"].pk
    assert client.post(url, data).status_code == 302
    interview.refresh_from_db()
    assert interview.voice == voice
    voice.refresh_from_db()
    assert (voice.region, voice.organisation_kind) == (regions["Mopti"], "faith_based")
    assert Participant.objects.filter(kind=VoiceKind.INTERVIEWEE).count() == 1


def test_coding_a_passage_makes_one_interview_contribution(
    client_for, note_taker, workshop, interview, regions
):
    theme = baker.make(
        "workshops.Theme", slug="youth-employment", name="Employment for young people"
    )
    url = reverse("sources:interview", args=[workshop.slug, interview.pk])
    data = {
        "passage": "Les jeunes rejoignent les groupes armés faute d'emploi.",
        "category": Category.DRIVER,
        "horizon": Horizon.LONG_TERM,
        "themes": [theme.pk],
        "quotable": "on",
    }
    client = client_for(note_taker)
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # a double submit stores nothing more
    stored = Contribution.objects.get(workshop=workshop)
    assert stored.source == Source.INTERVIEW
    assert stored.client_id.startswith(f"interview:{interview.pk}:")
    assert stored.interview == interview
    assert (stored.region, stored.zone, stored.gender) == (
        regions["Mopti"],
        workshop.zone_of(regions["Mopti"]),
        Gender.WOMAN,
    )
    assert list(stored.themes.all()) == [theme] and stored.quotable
    interview.refresh_from_db()  # recorded before voices: it gets one at its first passage
    assert stored.author == interview.voice
    assert interview.voice.kind == VoiceKind.INTERVIEWEE
    page = client.get(url).content.decode()
    assert "1 coded passage" in page


def test_every_passage_of_an_interview_is_its_one_voice(
    client_for, note_taker, workshop, interview
):
    url = reverse("sources:interview", args=[workshop.slug, interview.pk])
    client = client_for(note_taker)
    for passage in interview.notes.splitlines():
        client.post(url, {"passage": passage, "category": Category.CHALLENGE})
    other = Interview.objects.create(
        workshop=workshop, date=dt.date(2026, 10, 13), pseudonym="B.", consent_noted=True
    )
    client.post(
        reverse("sources:interview", args=[workshop.slug, other.pk]),
        {"passage": "Autre chose.", "category": Category.STRENGTH},
    )
    authors = Counter(Contribution.objects.values_list("author", flat=True))
    interview.refresh_from_db()
    other.refresh_from_db()
    assert authors == {interview.voice_id: 2, other.voice_id: 1}
    assert Participant.objects.in_the_room().count() == 0


def test_coding_costs_the_same_queries_whatever_was_coded_before(
    client_for, note_taker, workshop, interview, django_assert_num_queries
):
    url = reverse("sources:interview", args=[workshop.slug, interview.pk])
    client = client_for(note_taker)
    # One query reads the zone of the voice's region in the workshop's grouping.
    with django_assert_num_queries(15):  # the first passage also makes the interview's voice
        client.post(url, {"passage": "p0", "category": Category.CHALLENGE})
    for n in range(1, 6):
        with django_assert_num_queries(14):
            client.post(url, {"passage": f"p{n}", "category": Category.CHALLENGE})
    assert Contribution.objects.filter(author__interview=interview).count() == 6


def test_the_same_passage_coded_differently_is_refused(client_for, note_taker, workshop, interview):
    url = reverse("sources:interview", args=[workshop.slug, interview.pk])
    client = client_for(note_taker)
    passage = "Il faut un dialogue entre l'État et les OSC."
    client.post(url, {"passage": passage, "category": Category.RECOMMENDATION})
    response = client.post(url, {"passage": passage, "category": Category.CHALLENGE})
    assert response.status_code == 400
    assert "already coded differently" in response.content.decode()
    assert Contribution.objects.get().category == Category.RECOMMENDATION


def test_coding_needs_consent(client_for, note_taker, workshop, interview):
    interview.consent_noted = False
    interview.save()
    url = reverse("sources:interview", args=[workshop.slug, interview.pk])
    response = client_for(note_taker).post(url, {"passage": "x", "category": Category.DRIVER})
    assert response.status_code == 400 and "consent" in response.content.decode()
    assert not Contribution.objects.exists()


def test_horizon_only_for_drivers_is_explained(client_for, note_taker, workshop, interview):
    url = reverse("sources:interview", args=[workshop.slug, interview.pk])
    response = client_for(note_taker).post(
        url, {"passage": "x", "category": Category.STRENGTH, "horizon": Horizon.DYNAMIC}
    )
    assert response.status_code == 400 and not Contribution.objects.exists()


def test_interview_list_query_count_is_flat(
    client_for, note_taker, workshop, regions, django_assert_max_num_queries
):
    client = client_for(note_taker)
    url = reverse("sources:interviews", args=[workshop.slug])
    baker.make(Interview, workshop=workshop, region=regions["Gao"], date=dt.date(2026, 10, 1))
    with django_assert_max_num_queries(12):
        client.get(url)
    baker.make(
        Interview, workshop=workshop, region=regions["Gao"], date=dt.date(2026, 10, 1), _quantity=20
    )
    with django_assert_max_num_queries(12):
        assert client.get(url).content.decode().count("/interviews/") >= 21


# Browsers cannot send lone surrogates (the test client cannot either): through HTTP we
# send everything else; the forms themselves get every character below.
HTTP_TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=HTTP_TEXT)
def test_interview_page_never_crashes_on_any_text(text, client_for, note_taker, workshop):
    response = client_for(note_taker).post(
        reverse("sources:interview_new", args=[workshop.slug]),
        {"date": "2026-10-12", "pseudonym": text, "notes": text, "interviewer": text},
    )
    assert response.status_code in (302, 400)
    if has_unsafe_characters(text):
        assert response.status_code == 400 and "cannot be saved" in response.content.decode()


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=HTTP_TEXT.filter(str.strip))
def test_coding_page_never_crashes_on_any_text(text, client_for, note_taker, workshop, interview):
    response = client_for(note_taker).post(
        reverse("sources:interview", args=[workshop.slug, interview.pk]),
        {"passage": text, "category": Category.OBSERVATION},
    )
    assert response.status_code in (302, 400)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.text(alphabet=st.characters(), max_size=300))
def test_interview_and_coding_forms_refuse_what_cannot_be_stored(text, workshop, interview):
    interview_form = InterviewForm(
        data={"date": "2026-10-12", "pseudonym": text or "x", "notes": text}, workshop=workshop
    )
    coding_form = CodePassageForm(
        data={"passage": text or "x", "category": Category.OBSERVATION},
        workshop=workshop,
        interview=interview,
    )
    unsafe = has_unsafe_characters(text)
    for form in (interview_form, coding_form):
        if unsafe:
            assert not form.is_valid()
        elif form.is_valid():
            for value in form.cleaned_data.values():
                if isinstance(value, str):
                    value.encode("utf-8")


def test_long_and_rtl_passages_are_kept(client_for, note_taker, workshop, interview):
    passage = "السلام عليكم " * 100
    response = client_for(note_taker).post(
        reverse("sources:interview", args=[workshop.slug, interview.pk]),
        {"passage": passage, "category": Category.OBSERVATION},
    )
    assert response.status_code == 302
    assert Contribution.objects.get().text == passage.strip()


@pytest.mark.parametrize(
    ("language", "text"), [("en", "1,200 events"), ("fr", "1\xa0200 événements")]
)
def test_the_sources_page_counts_imported_rows_grouped_in_the_users_language(
    client_for, viewer, workshop, regions, language, text
):
    import_acled(workshop=workshop, parsed=parse_acled(acled_csv(1200)))
    page = client_for(viewer).get(
        reverse("sources:index", args=[workshop.slug]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert text in page.text
