"""Drafts: refreshing the numbers never overwrites a person's edit; queries stay flat."""

import pytest
from django.urls import reverse
from django.utils.translation import override

from workshops.models import ReportDraft
from workshops.report.builder import percent, section_titles
from workshops.services.report import build_draft, diff_lines, save_section
from workshops.tests.report_factories import make_mali_like_workshop, one_contribution


def test_refresh_updates_generated_sections_and_flags_edited_ones(workshop, regions, organiser):
    one_contribution(workshop, regions)
    draft = build_draft(workshop=workshop, language="en")
    method = draft.sections.get(key="method")
    save_section(section=method, body="Our own words.", user=organiser)

    make_mali_like_workshop(workshop, regions)
    build_draft(workshop=workshop, language="en")

    method.refresh_from_db()
    assert method.body == "Our own words."
    assert method.numbers_changed
    assert "workshop participants (37 joined; " in method.generated
    summary = draft.sections.get(key="executive-summary")
    assert "workshop participants (37 joined; " in summary.body and not summary.numbers_changed
    assert summary.versions.count() == 2


def test_refresh_without_new_numbers_does_not_flag_or_add_versions(workshop, regions, organiser):
    one_contribution(workshop, regions)
    draft = build_draft(workshop=workshop, language="en")
    save_section(section=draft.sections.get(key="method"), body="Edited.", user=organiser)
    build_draft(workshop=workshop, language="en")
    assert not draft.sections.filter(numbers_changed=True).exists()
    assert draft.sections.get(key="strengths").versions.count() == 1


def test_drafts_exist_once_per_language_with_translated_titles(workshop, regions):
    one_contribution(workshop, regions)
    build_draft(workshop=workshop, language="en")
    build_draft(workshop=workshop, language="fr")
    build_draft(workshop=workshop, language="fr")
    assert ReportDraft.objects.filter(workshop=workshop).count() == 2
    titles = list(
        ReportDraft.objects.get(workshop=workshop, language="fr")
        .sections.exclude(key="title-page")
        .values_list("title", flat=True)
    )
    assert titles == section_titles("fr")[1:]
    assert "Résumé" in " ".join(titles)


def test_diff_marks_added_and_removed_lines():
    kinds = {line: kind for kind, line in diff_lines("a\nb\nc", "a\nB\nc")}
    assert kinds["b"] == "remove" and kinds["B"] == "add"


def test_context_section_appears_only_when_the_hook_returns_text(workshop, regions, monkeypatch):
    one_contribution(workshop, regions)
    draft = build_draft(workshop=workshop, language="en")
    assert not draft.sections.filter(key="context").exists()
    monkeypatch.setattr(
        "workshops.report.builder.context_markdown", lambda w, lang: "ACLED says things."
    )
    build_draft(workshop=workshop, language="en")
    context = draft.sections.get(key="context")
    assert context.body == "ACLED says things."
    assert list(draft.sections.values_list("key", flat=True))[3] == "context"


def test_draft_build_query_count_does_not_grow(workshop, regions, django_assert_num_queries):
    """With recommendations and quotes to read (a workshop with none skips those)."""
    make_mali_like_workshop(workshop, regions)
    with django_assert_num_queries(21):
        build_draft(workshop=workshop, language="en")
    ReportDraft.objects.all().delete()
    for _ in range(30):
        one_contribution(workshop, regions)
    with django_assert_num_queries(21):
        build_draft(workshop=workshop, language="en")
    with django_assert_num_queries(17):  # a refresh
        build_draft(workshop=workshop, language="en")


# The roll-up reads the workshop's zone of each region once (one query each page).
QUERIES = {"rollup": 16, "draft": 19}


@pytest.mark.parametrize("view", ["rollup", "draft"])
def test_report_pages_query_count_does_not_grow(
    view, client_for, viewer, workshop, regions, django_assert_num_queries
):
    make_mali_like_workshop(workshop, regions)
    build_draft(workshop=workshop, language="en")
    kwargs = (
        {"slug": workshop.slug} if view == "rollup" else {"slug": workshop.slug, "language": "en"}
    )
    url = reverse(f"report:{view}", kwargs=kwargs)
    client = client_for(viewer)
    client.get(url)  # session and language warm-up
    with django_assert_num_queries(QUERIES[view]):
        assert client.get(url).status_code == 200
    for _ in range(30):
        one_contribution(workshop, regions)
    build_draft(workshop=workshop, language="en")
    with django_assert_num_queries(QUERIES[view]):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(("language", "expected"), [("en", "13%"), ("fr", "13\u202f%")])
def test_percent_follows_the_language(language, expected):

    with override(language):
        assert percent(0.126) == expected and percent(None) == ""
