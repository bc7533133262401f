"""REST API: access for every endpoint and role, exactly-once creation, filters, counts.

Row-level reads (contributions, participants, votes) are for organisers, need a purpose
and are recorded in the data access log.
"""

import pytest
from django.core.cache import cache
from model_bakery import baker
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from workshops.choices import Category, Gender, ModerationStatus, Source, VoiceKind
from workshops.models import Contribution, ExportAuditLog, Participant, Vote
from workshops.services.contributions import submit_contribution
from workshops.services.report import build_draft


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def contribution(workshop, session, regions):
    return submit_contribution(
        workshop=workshop,
        session=session,
        client_id="c-1",
        text="The state is absent in the North.",
        category=Category.DRIVER,
        horizon="long_term",
        source=Source.NOTE,
        region=regions["Gao"],
        gender=Gender.WOMAN,
    ).contribution


@pytest.fixture
def vote(participant, contribution):
    return Vote.objects.create(participant=participant, contribution=contribution)


def api_for(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


ROLES = ["organiser", "facilitator", "note_taker", "viewer", "outsider", None]
W = "/api/v1/workshops/peace-exchange-test/"
PURPOSE = {"purpose": "Checking the Gao notes before the validation meeting"}
# url (with {placeholders} filled from fixtures), listed for all (no 404 for outsiders)?
READS = [
    ("/api/v1/workshops/", True),
    (W, False),
    ("/api/v1/organisations/", True),
    ("/api/v1/organisations/{organisation}/", False),
    (W + "sessions/", False),
    (W + "sessions/{session}/", False),
    (W + "participants/", False),
    (W + "participants/{participant_public_id}/", False),
    (W + "contributions/", False),
    (W + "contributions/{contribution}/", False),
    (W + "themes/", False),
    (W + "votes/", False),
    (W + "rollup/", False),
]
# Row-level reads and the kind each one is recorded as.
ROW_LEVEL = {
    W + "participants/": "api_participants",
    W + "participants/{participant_public_id}/": "api_participant",
    W + "contributions/": "api_contributions",
    W + "contributions/{contribution}/": "api_contribution",
    W + "votes/": "api_votes",
}


def _fill(request, url):
    values = {}
    for name in ("organisation", "session", "contribution"):
        if "{" + name + "}" in url:
            values[name] = request.getfixturevalue(name).pk
    if "{participant_public_id}" in url:
        values["participant_public_id"] = request.getfixturevalue("participant").public_id
    return url.format(**values)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("url", "listed_for_all"), READS)
def test_read_access_matrix(request, role, url, listed_for_all, workshop, vote):
    user = request.getfixturevalue(role) if role else None
    response = api_for(user).get(_fill(request, url), PURPOSE)
    if role is None:
        assert response.status_code == 401
    elif role == "outsider" and not listed_for_all:
        assert response.status_code == 404
    elif url in ROW_LEVEL and role != "organiser":
        assert response.status_code == 403
        assert "count" not in response.json() and "results" not in response.json()
    else:
        assert response.status_code == 200
    logged = list(ExportAuditLog.objects.values_list("kind", "user__username", "purpose"))
    if url in ROW_LEVEL and role == "organiser":
        assert logged == [(ROW_LEVEL[url], "olivia", PURPOSE["purpose"])]
    else:
        assert logged == []
    if role == "outsider" and listed_for_all:
        assert "peace-exchange-test" not in response.content.decode()
        assert "WANEP" not in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_write_access_matrix(request, role, workshop):
    user = request.getfixturevalue(role) if role else None
    response = api_for(user).post(
        W + "contributions/",
        {"client_id": f"w-{role}", "text": "Jobs for young people", "category": "recommendation"},
        format="json",
    )
    expected = {
        "organiser": 201,
        "facilitator": 201,
        "note_taker": 201,
        "viewer": 403,
        "outsider": 404,
        None: 401,
    }[role]
    assert response.status_code == expected
    assert Contribution.objects.filter(client_id=f"w-{role}").exists() == (expected == 201)


@pytest.fixture
def draft(workshop, contribution):
    return build_draft(workshop=workshop, language="en")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    "fmt",
    [
        "md",
        "html",
        pytest.param("docx", marks=pytest.mark.render),
        pytest.param("pdf", marks=pytest.mark.render),
    ],
)
def test_report_export_access_matrix(request, role, fmt, workshop, draft):
    user = request.getfixturevalue(role) if role else None
    response = api_for(user).get(W + f"report.{fmt}?language=en")
    expected = {"outsider": 404, None: 401}.get(role, 200)
    assert response.status_code == expected
    logged = ExportAuditLog.objects.filter(workshop=workshop, kind=fmt)
    assert logged.count() == (1 if expected == 200 else 0)
    if expected == 200:
        assert logged.get().user == user
        assert "attachment" in response["Content-Disposition"]


@pytest.mark.parametrize("fmt", ["md", "pdf"])
def test_report_export_refuses_writes(organiser, fmt, draft):
    client = api_for(organiser)
    assert client.post(W + f"report.{fmt}?language=en", {}, format="json").status_code == 405
    assert client.delete(W + f"report.{fmt}?language=en").status_code == 405


@pytest.mark.parametrize(("url", "listed_for_all"), READS)
def test_read_endpoints_refuse_writes(request, organiser, url, listed_for_all, vote):
    client = api_for(organiser)
    target = _fill(request, url)
    assert client.delete(target).status_code == 405
    if not target.endswith("/contributions/"):
        assert client.post(target, {}, format="json").status_code == 405


def test_token_authentication_works(organiser, workshop):
    token = Token.objects.create(user=organiser)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get(W).json()["role"] == "organiser"


def test_participants_show_pseudonymous_fields_only(organiser, participant, regions):
    participant.display_name = "Aïcha Traoré"
    participant.role = "Coordinator"
    participant.save()
    body = api_for(organiser).get(W + "participants/", PURPOSE).json()
    assert body["results"] == [
        {
            "public_id": participant.public_id,
            "region": regions["Gao"].pk,
            "zone": participant.workshop.zone_id_of(regions["Gao"].pk),
            "gender": Gender.WOMAN,
            "organisation_kind": "",
        }
    ]
    assert "Aïcha" not in str(body) and "token" not in str(body)


def test_participants_list_only_people_in_the_room(organiser, participant, workshop):
    baker.make(Participant, workshop=workshop, kind=VoiceKind.RESPONDENT, external_id="u-1")
    interviewee = baker.make(Participant, workshop=workshop, kind=VoiceKind.INTERVIEWEE)
    client = api_for(organiser)
    body = client.get(W + "participants/", PURPOSE).json()
    assert [p["public_id"] for p in body["results"]] == [participant.public_id]
    assert client.get(W + f"participants/{interviewee.public_id}/", PURPOSE).status_code == 404


def test_create_names_its_author_by_public_id(note_taker, participant, regions):
    response = api_for(note_taker).post(
        W + "contributions/",
        {
            "client_id": "tablet-7:43",
            "text": "Les routes sont coupées",
            "category": "challenge",
            "author": participant.public_id,
            "region": regions["Ségou"].pk,  # ignored: the author's own region counts
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["author"] == participant.public_id
    stored = Contribution.objects.get()
    assert (stored.author, stored.region, stored.zone, stored.gender) == (
        participant,
        regions["Gao"],
        participant.workshop.zone_of(regions["Gao"]),
        Gender.WOMAN,
    )


def test_create_without_author_is_an_unattributed_note(note_taker):
    payload = {"client_id": "t:1", "text": "Quelqu'un a dit", "category": "challenge"}
    response = api_for(note_taker).post(W + "contributions/", payload, format="json")
    assert response.status_code == 201 and response.json()["author"] is None
    assert Contribution.objects.get().author is None


@pytest.mark.parametrize("who", ["other_workshop", "respondent", "unknown", "malformed"])
def test_create_refuses_an_author_who_is_not_a_participant_of_the_workshop(
    who, note_taker, workshop, other_workshop
):
    author = {
        "other_workshop": lambda: baker.make(Participant, workshop=other_workshop).public_id,
        "respondent": lambda: (
            baker.make(
                Participant, workshop=workshop, kind=VoiceKind.RESPONDENT, external_id="u-1"
            ).public_id
        ),
        "unknown": lambda: "0123456789ab",
        "malformed": lambda: "<script>",
    }[who]()
    response = api_for(note_taker).post(
        W + "contributions/",
        {"client_id": "t:1", "text": "x", "category": "challenge", "author": author},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["author"]
    assert not Contribution.objects.exists()


def test_create_is_exactly_once_with_200_on_repeat_and_409_on_conflict(note_taker, session):
    client = api_for(note_taker)
    payload = {
        "client_id": "tablet-7:42",
        "text": "Les jeunes sans emploi rejoignent les groupes armés",
        "category": "driver",
        "horizon": "dynamic",
        "session": session.pk,
    }
    first = client.post(W + "contributions/", payload, format="json")
    assert first.status_code == 201
    again = client.post(W + "contributions/", payload, format="json")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    conflict = client.post(
        W + "contributions/", {**payload, "text": "something else"}, format="json"
    )
    assert conflict.status_code == 409
    assert conflict.json()["sent"] == {"client_id": payload["client_id"], "text": "something else"}
    assert payload["text"] not in conflict.content.decode()  # never the stored row's words
    stored = Contribution.objects.get()
    assert (stored.source, stored.horizon, stored.created_by) == (
        Source.IMPORT,
        "dynamic",
        note_taker,
    )


def test_create_refuses_bad_input_with_reasons(organiser, other_workshop, regions):
    client = api_for(organiser)
    cases = [
        ({"client_id": "a", "text": "   ", "category": "driver"}, "text"),
        ({"client_id": "a", "text": "nul\x00byte", "category": "driver"}, "text"),
        ({"client_id": "a", "text": "x", "category": "gossip"}, "category"),
        ({"client_id": "", "text": "x", "category": "driver"}, "client_id"),
        ({"client_id": "a", "text": "x" * 2001, "category": "driver"}, "text"),
        ({"client_id": "a", "text": "x", "category": "driver", "themes": ["nope"]}, "themes"),
    ]
    for payload, field in cases:
        response = client.post(W + "contributions/", payload, format="json")
        assert response.status_code == 400, payload
        assert field in response.json()
    assert not Contribution.objects.exists()


def test_create_in_a_session_of_another_workshop_is_not_found(organiser, other_workshop):
    other_session = baker.make("workshops.BreakoutSession", workshop=other_workshop)
    response = api_for(organiser).post(
        W + "contributions/",
        {"client_id": "a", "text": "x", "category": "driver", "session": other_session.pk},
        format="json",
    )
    assert response.status_code == 404 and not Contribution.objects.exists()


def test_list_filters_and_paginates(organiser, workshop, regions, contribution):
    for index in range(3):
        submit_contribution(
            workshop=workshop,
            client_id=f"r-{index}",
            text=f"Recommendation {index}",
            category=Category.RECOMMENDATION,
            audience="national",
            source=Source.SURVEY,
            region=regions["Bamako"],
        )
    client = api_for(organiser)
    body = client.get(W + "contributions/", {"category": "recommendation", **PURPOSE}).json()
    assert body["count"] == 3
    assert {item["source"] for item in body["results"]} == {"survey"}
    zone = workshop.zone_id_of(regions["Gao"].pk)
    assert client.get(W + "contributions/", {"zone": zone, **PURPOSE}).json()["count"] == 1
    assert client.get(W + "contributions/", {"category": "gossip", **PURPOSE}).status_code == 400
    assert client.get(W + "contributions/", {"page": 99, **PURPOSE}).status_code == 404


def test_contribution_list_query_count_is_flat(organiser, workshop, django_assert_max_num_queries):
    client = api_for(organiser)
    baker.make(Contribution, workshop=workshop, category=Category.DRIVER, source=Source.NOTE)
    with django_assert_max_num_queries(8):
        client.get(W + "contributions/", PURPOSE)
    baker.make(
        Contribution,
        workshop=workshop,
        category=Category.DRIVER,
        source=Source.NOTE,
        _quantity=30,
        client_id=iter(f"bulk-{i}" for i in range(30)),
    )
    with django_assert_max_num_queries(8):
        assert len(client.get(W + "contributions/", PURPOSE).json()["results"]) == 31


def test_rollup_counts_countable_contributions_and_suppresses_small_counts(
    viewer, workshop, contribution, vote, regions, participant
):
    # The note is a participant's: one voice (a note from an unnamed speaker is none).
    Contribution.objects.filter(pk=contribution.pk).update(author=participant)
    submit_contribution(
        workshop=workshop,
        client_id="hidden-1",
        text="hidden",
        category=Category.DRIVER,
        source=Source.PHONE,
        status=ModerationStatus.HIDDEN,
    )
    body = api_for(viewer).get(W + "rollup/?language=en").json()
    assert body["contributions"] == 1  # contributions are counted exactly, people are not
    assert body["voices"] == 1
    assert body["by_category"] == [
        {"key": "driver", "label": "Driver of conflict", "contributions": 1, "untagged": 1}
    ]
    assert [s["key"] for s in body["by_source"]] == ["note"]  # the hidden one is not counted
    assert body["tables"] == []  # one voice: too few for any table
    assert body["suppression"]["small"] == "<5"


def test_schema_and_docs_are_served_without_a_cdn(client, viewer):
    client.force_login(viewer)  # staff only (the anonymous case: test_security_headers.py)
    schema = client.get("/api/schema/")
    assert (
        schema.status_code == 200 and b"/api/v1/workshops/{slug}/contributions/" in schema.content
    )
    docs = client.get("/api/docs/").content.decode()
    assert "drf_spectacular_sidecar/swagger-ui-dist" in docs
    assert "cdn" not in docs.lower() and "<script>" not in docs  # CSP: no inline script
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content


def test_the_api_is_throttled(viewer, workshop, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "rate", "2/minute", raising=False)
    client = api_for(viewer)
    assert [client.get(W).status_code for _ in range(3)] == [200, 200, 429]


def test_unknown_api_paths_answer_in_json(organiser):
    response = api_for(organiser).get("/api/v1/nothing/here/")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("path", ["participants/", "votes/", "sessions/", "themes/"])
def test_list_query_counts_do_not_grow(
    path, organiser, workshop, regions, django_assert_max_num_queries
):
    def add(count):
        for _ in range(count):
            participant = baker.make(
                "workshops.Participant", workshop=workshop, region=regions["Gao"]
            )
            contribution = baker.make(
                Contribution,
                workshop=workshop,
                category=Category.DRIVER,
                source=Source.NOTE,
                client_id=f"q-{participant.public_id}",
            )
            Vote.objects.create(participant=participant, contribution=contribution)
            baker.make("workshops.BreakoutSession", workshop=workshop)
            baker.make("workshops.Theme", workshop=workshop, slug=f"t-{participant.public_id}")

    client = api_for(organiser)
    add(1)
    with django_assert_max_num_queries(12):
        assert client.get(W + path, PURPOSE).status_code == 200
    add(15)
    with django_assert_max_num_queries(12):
        assert client.get(W + path, PURPOSE).status_code == 200


def test_list_filters_refuse_empty_and_malformed_values(organiser, workshop, contribution):
    client = api_for(organiser)
    for params in (
        {"category": ""},
        {"zone": "abc"},
        {"zone": 2**31},
        {"session": 0},
        {"theme": "not a slug"},
    ):
        response = client.get(W + "contributions/", {**params, **PURPOSE})
        assert response.status_code == 400, params
        assert set(response.json()) == set(params)
    assert client.get(W + "contributions/", {"zone": 2**31 - 1, **PURPOSE}).json()["count"] == 0


def test_schema_documents_the_contribution_filters(client, viewer):
    client.force_login(viewer)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    listing = schema["paths"]["/api/v1/workshops/{slug}/contributions/"]["get"]
    names = {parameter["name"] for parameter in listing["parameters"]}
    assert {"category", "source", "status", "gender", "session", "zone", "region", "theme"} <= names


@pytest.mark.parametrize("url", sorted(ROW_LEVEL))
def test_row_level_reads_without_a_purpose_are_refused_and_not_recorded(
    request, url, organiser, vote
):
    client = api_for(organiser)
    for params in ({}, {"purpose": ""}, {"purpose": "   "}, {"purpose": "x" * 501}):
        response = client.get(_fill(request, url), params)
        assert response.status_code == 400, params
        assert "purpose" in response.json()["purpose"][0]
    assert not ExportAuditLog.objects.exists()


def test_a_purpose_may_come_in_the_x_purpose_header(organiser, vote):
    response = api_for(organiser).get(W + "votes/", HTTP_X_PURPOSE="Vote audit")
    assert response.status_code == 200
    assert ExportAuditLog.objects.get().purpose == "Vote audit"


@pytest.mark.parametrize("role", ["facilitator", "note_taker", "viewer"])
def test_a_weaker_role_gets_403_before_a_missing_purpose_and_no_count(
    request, role, workshop, regions, contribution
):
    client = api_for(request.getfixturevalue(role))
    zone = workshop.zone_id_of(regions["Gao"].pk)
    for params in ({}, {"theme": "governance", "zone": zone, **PURPOSE}):
        response = client.get(W + "contributions/", params)
        assert response.status_code == 403
        assert "count" not in response.json()
    assert not ExportAuditLog.objects.exists()


def test_a_row_level_read_records_its_filters_and_purpose_but_no_row(
    organiser, workshop, regions, contribution
):
    zone = workshop.zone_id_of(regions["Gao"].pk)
    response = api_for(organiser).get(
        W + "contributions/", {"category": "driver", "zone": zone, "junk": "x", **PURPOSE}
    )
    assert response.json()["count"] == 1
    record = ExportAuditLog.objects.get()
    assert (record.workshop, record.user, record.channel, record.kind) == (
        workshop,
        organiser,
        "api",
        "api_contributions",
    )
    assert record.filters == {"category": "driver", "zone": str(zone)}
    assert record.purpose == PURPOSE["purpose"]
    assert "absent" not in str(record.filters) + record.purpose


def test_the_detail_read_records_which_row(organiser, contribution):
    api_for(organiser).get(W + f"contributions/{contribution.pk}/", PURPOSE)
    assert ExportAuditLog.objects.get().filters == {"pk": str(contribution.pk)}


def test_posting_a_contribution_still_needs_no_purpose(note_taker, workshop):
    response = api_for(note_taker).post(
        W + "contributions/",
        {"client_id": "p-1", "text": "Jobs for young people", "category": "recommendation"},
        format="json",
    )
    assert response.status_code == 201 and not ExportAuditLog.objects.exists()


def test_an_empty_author_is_refused_not_read_as_unattributed(
    client_for, note_taker, workshop, session
):
    client = client_for(note_taker)
    url = f"/api/v1/workshops/{workshop.slug}/contributions/"
    data = {"client_id": "empty-author-1", "session": session.pk, "category": "driver",
            "text": "Said in the room", "author": ""}  # fmt: skip
    response = client.post(url, data)  # a form post: empty fields arrive as ""
    assert response.status_code == 400
    assert "author" in response.json()
