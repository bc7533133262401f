"""The API roll-up is the roll-up page's analysis, suppressed; report exports through the API."""

import io

import pytest
from django.core.cache import cache
from docx import Document
from rest_framework.test import APIClient

from workshops.analysis.rollup import build_rollup
from workshops.analysis.suppression import PRIMARY, SECONDARY
from workshops.models import ExportAuditLog
from workshops.services.report import build_draft
from workshops.tests.report_factories import make_mali_like_workshop, one_contribution

W = "/api/v1/workshops/peace-exchange-test/"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def mali(workshop, regions):
    make_mali_like_workshop(workshop, regions)
    return workshop


def _all_counts(body: dict) -> list[str]:
    """Every count of people in the answer."""
    counts = [body[k] for k in ("contributions", "participants", "registered", "organisations")]
    for name in ("by_category", "by_horizon", "by_source"):
        counts += [c for item in body[name] for c in (item["contributions"], item["participants"])]
    for category in body["themes_by_category"]:
        counts += [c for t in category["themes"] for c in (t["contributions"], t["participants"])]
    for table in (body["zones"], body["genders"]):
        counts += [g["participants"] for g in table["groups"]]
        counts += [row["total"] for row in table["rows"]]
        counts += [cell["participants"] for row in table["rows"] for cell in row["cells"]]
    for audience in body["recommendations"]:
        counts += [c for i in audience["items"] for c in (i["votes"], i["participants"])]
    return counts


def test_rollup_cross_tabs_are_the_pages_suppressed_cells(viewer, mali):
    body = api_for(viewer).get(W + "rollup/?language=en").json()
    rollup = build_rollup(mali, language="en")
    for name, table in (("zones", rollup.zones), ("genders", rollup.genders)):
        served = body[name]
        assert [g["key"] for g in served["groups"]] == [g.key for g in table.visible_groups]
        assert [g["participants"] for g in served["groups"]] == table.shown_sizes
        assert len(served["rows"]) == len(table.themes)
        for i, row in enumerate(served["rows"]):
            assert row["theme"] == table.themes[i].slug
            assert [c["participants"] for c in row["cells"]] == [
                table.cell(i, j) for j in table.visible
            ]
            assert row["total"] == table.protected.row_total(i)
            for cell in row["cells"]:
                if cell["participants"] in (PRIMARY, SECONDARY):
                    assert cell["share"] is None
    assert body["participants"] == str(rollup.participants)


def test_no_count_from_one_to_four_is_ever_served(viewer, mali):
    counts = _all_counts(api_for(viewer).get(W + "rollup/?language=en").json())
    assert PRIMARY in counts
    assert not [c for c in counts if c not in (PRIMARY, SECONDARY) and 0 < int(c) < 5]


def test_rollup_serves_notable_differences_and_ranked_recommendations(viewer, mali):
    body = api_for(viewer).get(W + "rollup/?language=en").json()
    rollup = build_rollup(mali, language="en")
    expected = [
        (table.dimension, table.themes[i].slug, table.groups[j].key)
        for table in (rollup.zones, rollup.genders)
        for i, j, _d in table.notable()
    ]
    served = [(d["dimension"], d["theme"], d["group"]) for d in body["notable_differences"]]
    assert served == expected and served
    north = next(g.key for g in rollup.zones.groups if g.label == "North")
    assert ("zone", "armed-groups", north) in served
    national = next(a for a in body["recommendations"] if a["audience"] == "national")
    ranked = rollup.recommendations["national"]
    assert [i["theme"] for i in national["items"]] == [r.theme.slug for r in ranked]
    assert [i["rank"] for i in national["items"]] == list(range(1, len(ranked) + 1))


def test_rollup_labels_follow_the_language(viewer, mali):
    french = api_for(viewer).get(W + "rollup/?language=fr").json()
    assert french["language"] == "fr"
    assert "Nord" in [g["label"] for g in french["zones"]["groups"]]
    assert "affichés « <5 »" in french["suppression"]["rule"]


def test_rollup_filters_by_source_and_refuses_bad_parameters(viewer, mali):
    client = api_for(viewer)
    survey = client.get(W + "rollup/?source=survey&source=interview").json()
    assert survey["sources"] == ["interview", "survey"]
    assert survey["contributions"] == "0"
    assert client.get(W + "rollup/?source=rumour").status_code == 400
    bad = client.get(W + "rollup/?language=de")
    assert bad.status_code == 400 and "language" in bad.json()


def test_rollup_query_count_does_not_grow(viewer, workshop, regions, django_assert_num_queries):
    one_contribution(workshop, regions)
    client = api_for(viewer)
    client.get(W + "rollup/")
    with django_assert_num_queries(20):
        assert client.get(W + "rollup/").status_code == 200
    make_mali_like_workshop(workshop, regions)
    cache.clear()
    client.get(W + "rollup/")
    with django_assert_num_queries(20):
        assert client.get(W + "rollup/").status_code == 200


@pytest.mark.render
def test_api_export_gives_each_format_with_its_type_and_records_it(viewer, events):
    build_draft(workshop=events, language="en")
    client = api_for(viewer)
    expected = {
        "md": ("text/markdown", b"# "),
        "html": ("text/html", b"<!doctype"),
        "docx": ("application/vnd.openxmlformats", b"PK"),
        "pdf": ("application/pdf", b"%PDF"),
    }
    for fmt, (content_type, magic) in expected.items():
        response = client.get(W + f"report.{fmt}?language=en", HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        assert response["Content-Type"].startswith(content_type)
        assert response.content.startswith(magic)
    document = Document(io.BytesIO(client.get(W + "report.docx?language=en").content))
    assert "Context" in [p.text for p in document.paragraphs]  # the ACLED section travels too
    assert ExportAuditLog.objects.filter(workshop=events, user=viewer).count() == 5
    assert set(ExportAuditLog.objects.values_list("language", flat=True)) == {"en"}


def test_api_export_of_a_missing_draft_unknown_format_or_language(viewer, workshop, regions):
    one_contribution(workshop, regions)
    build_draft(workshop=workshop, language="en")
    client = api_for(viewer)
    assert client.get(W + "report.md").status_code == 404  # default fr: no French draft
    assert client.get(W + "report.md?language=fr").status_code == 404
    assert client.get(W + "report.exe?language=en").status_code == 404
    bad = client.get(W + "report.md?language=de")
    assert bad.status_code == 400 and "language" in bad.json()
    assert not ExportAuditLog.objects.exists()
