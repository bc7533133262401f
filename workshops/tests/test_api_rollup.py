"""The API roll-up is the roll-up page's analysis, suppressed; report exports through the API."""

import io

import pytest
from django.core.cache import cache
from docx import Document
from rest_framework.test import APIClient

from workshops.analysis.disclosure import SECONDARY, primary_mark
from workshops.analysis.rollup import build_rollup
from workshops.models import ExportAuditLog
from workshops.services.report import build_draft
from workshops.tests.report_factories import make_mali_like_workshop, one_contribution

W = "/api/v1/workshops/peace-exchange-test/"
PRIMARY = primary_mark()


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
    """Every count of people in the answer (contributions are not people: exact)."""
    counts = []
    for table in body["tables"]:
        counts += [g["people"] for g in table["groups"]]
        counts += [row["total"] for row in table["rows"]]
        counts += [cell["people"] for row in table["rows"] for cell in row["cells"]]
    for audience in body["recommendations"]:
        counts += [i["votes"] for i in audience["items"]]
    for d in body["notable_differences"]:
        counts += [d["people"], d["group_size"], d["compared_people"], d["compared_group_size"]]
    return counts


def test_rollup_tables_are_the_pages_audited_cells(viewer, mali):
    body = api_for(viewer).get(W + "rollup/?language=en").json()
    rollup = build_rollup(mali, language="en")
    assert body["audit"]["ok"] is True and body["audit"]["summary"] == rollup.audit.summary()
    served = {(t["facet"], t["dimension"]): t for t in body["tables"]}
    assert set(served) == set(rollup.tables)
    for key, table in rollup.tables.items():
        assert [g["people"] for g in served[key]["groups"]] == table.sizes
        assert [r["theme"] for r in served[key]["rows"]] == [r.theme.slug for r in table.rows]
        for row, mine in zip(served[key]["rows"], table.rows, strict=True):
            assert [c["people"] for c in row["cells"]] == mine.cells
            assert row["total"] == mine.total
            for cell in row["cells"]:
                if cell["people"] in (PRIMARY, SECONDARY):
                    assert cell["share"] is None
    assert body["voices"] == rollup.participants


def test_no_count_from_one_to_four_is_ever_served(viewer, mali):
    counts = _all_counts(api_for(viewer).get(W + "rollup/?language=en").json())
    assert PRIMARY in counts and SECONDARY in counts
    assert not [c for c in counts if c not in (PRIMARY, SECONDARY) and 0 < int(c) < 5]


def test_rollup_serves_notable_differences_and_ranked_recommendations(viewer, mali):
    body = api_for(viewer).get(W + "rollup/?language=en").json()
    rollup = build_rollup(mali, language="en")
    expected = [(c.dimension, rollup.themes[c.theme].slug, str(c.group)) for c in rollup.notable]
    served = [(d["dimension"], d["theme"], d["group"]) for d in body["notable_differences"]]
    assert served == expected and served
    north = next(g.key for g in rollup.zone_groups if g.label == "North")
    assert ("zone", "impunity", north) in served
    assert all(d["q_value"] < body["notable_rule"]["fdr"] for d in body["notable_differences"])
    assert body["notable_rule"]["tests"] == len(rollup.tests)
    national = next(a for a in body["recommendations"] if a["audience"] == "national")
    ranked = rollup.recommendations["national"]
    assert [i["text"] for i in national["items"]] == [r.text for r in ranked]
    assert [i["rank"] for i in national["items"]] == list(range(1, len(ranked) + 1))


def test_rollup_labels_follow_the_language(viewer, mali):
    french = api_for(viewer).get(W + "rollup/?language=fr").json()
    assert french["language"] == "fr"
    labels = {g["label"] for t in french["tables"] for g in t["groups"]}
    assert "Nord" in labels
    assert "« <5 »" in french["suppression"]["rule"]
    assert "personnes entendues" in french["notable_differences"][0]["sentence"]


def test_rollup_accepts_only_the_filters_of_the_release(viewer, mali):
    client = api_for(viewer)
    assert client.get(W + "rollup/?scope=all").status_code == 200
    small = client.get(W + "rollup/?scope=survey").json()
    assert small["scope"] == "all" and small["scopes"] == ["all"]  # no survey tables here
    for query in ("source=survey", "theme=armed-groups&zone=1", "gender=woman"):
        refused = client.get(W + f"rollup/?{query}")
        assert refused.status_code == 400, query
    assert client.get(W + "rollup/?scope=rumour").status_code == 400
    bad = client.get(W + "rollup/?language=de")
    assert bad.status_code == 400 and "language" in bad.json()


def test_rollup_query_count_does_not_grow(viewer, workshop, regions, django_assert_num_queries):
    make_mali_like_workshop(workshop, regions)
    client = api_for(viewer)
    client.get(W + "rollup/")
    with django_assert_num_queries(11):  # 10, and the workshop's zone of each region
        assert client.get(W + "rollup/").status_code == 200
    for _ in range(30):
        one_contribution(workshop, regions)
    client.get(W + "rollup/")
    with django_assert_num_queries(11):  # 10, and the workshop's zone of each region
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
