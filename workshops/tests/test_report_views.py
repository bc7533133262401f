"""Roll-up, draft and export pages: who may do what, and what they see."""

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from workshops.choices import StaffRole
from workshops.models import ExportAuditLog, ReportDraft, ReportSection, SectionVersion
from workshops.report.forms import SectionForm
from workshops.services.report import build_draft, save_section
from workshops.tests.report_factories import make_mali_like_workshop, one_contribution
from workshops.tests.second_workshop import load_second_workshop

READERS = ["organiser", "facilitator", "note_taker", "viewer"]
EDITORS = ["organiser", "facilitator"]


@pytest.fixture
def mali(workshop, regions):
    return make_mali_like_workshop(workshop, regions)


@pytest.fixture
def draft(mali, workshop):
    return build_draft(workshop=workshop, language="en")


@pytest.fixture
def small_draft(workshop, regions):
    """Enough for access checks: one contribution and its draft."""
    one_contribution(workshop, regions)
    return build_draft(workshop=workshop, language="en")


def _urls(slug):
    draft_kwargs = {"slug": slug, "language": "en"}
    section_kwargs = {**draft_kwargs, "key": "method"}
    return {
        "rollup": ("get", reverse("report:rollup", kwargs={"slug": slug}), "read"),
        "home": ("get", reverse("report:home", kwargs={"slug": slug}), "read"),
        "create": ("post", reverse("report:create", kwargs={"slug": slug}), "edit"),
        "draft": ("get", reverse("report:draft", kwargs=draft_kwargs), "read"),
        "refresh": ("post", reverse("report:refresh", kwargs=draft_kwargs), "edit"),
        "section-get": ("get", reverse("report:section", kwargs=section_kwargs), "edit"),
        "section-post": ("post", reverse("report:section", kwargs=section_kwargs), "edit"),
        "history": ("get", reverse("report:history", kwargs=section_kwargs), "read"),
        "restore": (
            "post",
            reverse("report:restore", kwargs={**section_kwargs, "number": 1}),
            "edit",
        ),
        "use-generated": ("post", reverse("report:use_generated", kwargs=section_kwargs), "edit"),
        "export": (
            "get",
            reverse("report:export", kwargs={**draft_kwargs, "fmt": "md"}),
            "read",
        ),
        "contributions": (
            "get",
            reverse("report:contributions", kwargs={"slug": slug, "fmt": "csv"}),
            "read",
        ),
        "contributions-rows": (
            "get",
            reverse("report:contributions", kwargs={"slug": slug, "fmt": "csv"}) + "?level=rows",
            "manage",
        ),
    }


PAYLOAD = {"create": {"language": "en"}, "section-post": {"body": "New text"}}
URL_NAMES = list(_urls("x"))


def _call(client, method, url, name):
    return getattr(client, method)(url, PAYLOAD.get(name, {}))


@pytest.mark.parametrize("name", URL_NAMES)
@pytest.mark.parametrize("role", [*READERS, "outsider", None])
def test_report_urls_follow_the_roles(request, client_for, small_draft, workshop, name, role):
    method, url, needs = _urls(workshop.slug)[name]
    user = request.getfixturevalue(role) if role else None
    response = _call(client_for(user), method, url, name)
    if role is None:
        assert response.status_code == 302
        assert reverse("login") in response["Location"]
    elif role == "outsider":
        assert response.status_code == 404
    elif needs == "read" or (needs == "edit" and role in EDITORS) or role == "organiser":
        assert response.status_code in (200, 302), response.status_code
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("name", URL_NAMES)
def test_report_urls_refuse_the_wrong_method(client_for, organiser, small_draft, workshop, name):
    method, url, _needs = _urls(workshop.slug)[name]
    if name.startswith("section"):
        response = client_for(organiser).put(url)
    else:
        wrong = "post" if method == "get" else "get"
        response = getattr(client_for(organiser), wrong)(url)
    assert response.status_code == 405


@pytest.mark.render
def test_rollup_page_shows_findings_charts_and_no_names(client_for, viewer, mali, workshop):
    response = client_for(viewer).get(reverse("report:rollup", kwargs={"slug": workshop.slug}))
    html = response.content.decode()
    assert "Criminal impunity" in html
    assert "data:image/svg+xml;base64," in html
    assert "Secret Name" not in html
    assert "<5" in html or "&lt;5" in html
    assert 'style="' not in html


@pytest.mark.render
def test_rollup_page_reads_one_source_of_the_same_release(client_for, db):
    second = load_second_workshop()
    viewer = second.staff[StaffRole.VIEWER]
    url = reverse("report:rollup", kwargs={"slug": second.workshop.slug})
    everything = client_for(viewer).get(url).context["rollup"]
    survey = client_for(viewer).get(url, {"scope": "survey"})
    assert survey.context["rollup"].scope == "survey"
    assert 0 < survey.context["rollup"].contributions < everything.contributions
    assert survey.context["rollup"].release.release.fingerprint() == (
        everything.release.release.fingerprint()
    )
    page = survey.content.decode()
    assert "Disclosure check:" in page and "still spans 1–4" in page
    # Three interviewees are too few for tables of their own: all voices are read.
    assert client_for(viewer).get(url, {"scope": "interview"}).context["rollup"].scope == "all"


def test_rollup_page_counts_untagged_input_and_links_to_the_board(client_for, db):
    second = load_second_workshop()
    url = reverse("report:rollup", kwargs={"slug": second.workshop.slug})
    page = client_for(second.staff[StaffRole.FACILITATOR]).get(url).content.decode()
    assert "15 challenges have no theme yet." in page
    board = reverse("workshops:board", args=[second.workshop.slug])
    assert f"{board}?category=challenge&amp;untagged=on" in page
    viewer_page = client_for(second.staff[StaffRole.VIEWER]).get(url).content.decode()
    assert "15 challenges have no theme yet." in viewer_page
    assert "untagged=on" not in viewer_page  # a viewer cannot theme


def test_facilitator_creates_a_draft_with_every_section(client_for, facilitator, mali, workshop):
    response = client_for(facilitator).post(
        reverse("report:create", kwargs={"slug": workshop.slug}), {"language": "fr"}
    )
    assert response.status_code == 302
    draft = ReportDraft.objects.get(workshop=workshop, language="fr")
    keys = list(draft.sections.values_list("key", flat=True))
    assert keys[0] == "title-page" and keys[-1] == "annex"
    assert "context" not in keys  # no ACLED data: the hook returns None


def test_editing_a_section_saves_a_version_with_its_author(
    client_for, facilitator, draft, workshop
):
    url = reverse(
        "report:section", kwargs={"slug": workshop.slug, "language": "en", "key": "method"}
    )
    response = client_for(facilitator).post(url, {"body": "Our own **method** text."})
    assert response.status_code == 302
    section = ReportSection.objects.get(draft=draft, key="method")
    assert section.edited and section.body == "Our own **method** text."
    latest = section.versions.first()
    assert latest.author == facilitator and latest.number == 2


def test_editing_refuses_broken_characters_and_keeps_the_text(
    client_for, facilitator, draft, workshop
):
    url = reverse(
        "report:section", kwargs={"slug": workshop.slug, "language": "en", "key": "method"}
    )
    response = client_for(facilitator).post(url, {"body": "Bad \x00 text"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "cannot be saved" in html
    assert "Bad \ufffd text" in html  # the text is kept, made printable
    assert "is-invalid" in html
    assert not ReportSection.objects.get(draft=draft, key="method").edited


def test_edited_markdown_is_sanitised_on_the_draft_page(client_for, facilitator, draft, workshop):
    section = draft.sections.get(key="method")
    save_section(section=section, body="<script>alert(1)</script> **ok**", user=facilitator)
    html = (
        client_for(facilitator)
        .get(reverse("report:draft", kwargs={"slug": workshop.slug, "language": "en"}))
        .content.decode()
    )
    assert "<script>alert(1)" not in html
    assert "<strong>ok</strong>" in html


def test_restoring_a_version_adds_a_new_version(client_for, organiser, draft, workshop):
    section = draft.sections.get(key="method")
    save_section(section=section, body="Edited", user=organiser)
    url = reverse(
        "report:restore",
        kwargs={"slug": workshop.slug, "language": "en", "key": "method", "number": 1},
    )
    client_for(organiser).post(url)
    section.refresh_from_db()
    assert section.body == section.generated and not section.edited
    assert list(section.versions.values_list("kind", flat=True)) == [
        "restored",
        "edited",
        "generated",
    ]


def test_history_shows_a_diff_between_versions(client_for, viewer, organiser, draft, workshop):
    section = draft.sections.get(key="method")
    save_section(section=section, body=section.body + "\n\nA new closing line.", user=organiser)
    url = reverse(
        "report:history", kwargs={"slug": workshop.slug, "language": "en", "key": "method"}
    )
    html = client_for(viewer).get(url).content.decode()
    assert "diff-add" in html and "A new closing line." in html


def test_exports_are_recorded_and_row_level_is_for_organisers_only(
    client_for, organiser, viewer, draft, workshop
):
    base = reverse("report:contributions", kwargs={"slug": workshop.slug, "fmt": "csv"})
    aggregated = client_for(viewer).get(base)
    assert aggregated.status_code == 200
    assert "Secret Name" not in aggregated.content.decode("utf-8-sig")
    rows_url = reverse("report:rows", args=[workshop.slug])
    assert client_for(organiser).get(base + "?level=rows")["Location"] == rows_url + "?fmt=csv"
    rows = client_for(organiser).post(rows_url, {"fmt": "csv", "purpose": "Coding the notes"})
    text = rows.content.decode("utf-8-sig")
    assert "Quote about impunity" in text and "Secret Name" not in text
    xlsx = client_for(organiser).post(rows_url, {"fmt": "xlsx", "purpose": "Coding the notes"})
    assert xlsx.content[:2] == b"PK"
    kinds = list(ExportAuditLog.objects.values_list("kind", "user__username"))
    assert ("csv", "victor") in kinds
    assert ("csv_rows", "olivia") in kinds
    assert ("xlsx_rows", "olivia") in kinds


@pytest.mark.render
def test_draft_export_in_every_format_is_recorded(client_for, viewer, draft, workshop):
    for fmt, magic in (("md", b"# "), ("html", b"<!doctype"), ("docx", b"PK"), ("pdf", b"%PDF")):
        url = reverse("report:export", kwargs={"slug": workshop.slug, "language": "en", "fmt": fmt})
        response = client_for(viewer).get(url)
        assert response.status_code == 200
        assert response.content.startswith(magic)
        assert "attachment" in response["Content-Disposition"]
    assert ExportAuditLog.objects.filter(workshop=workshop, user=viewer).count() == 4


def test_unknown_language_or_format_is_not_found(client_for, viewer, draft, workshop):
    client = client_for(viewer)
    assert client.get(f"/w/{workshop.slug}/report/de/").status_code == 404
    assert client.get(f"/w/{workshop.slug}/report/en/export/exe/").status_code == 404
    assert client.get(f"/w/{workshop.slug}/contributions.json").status_code == 404


def test_version_numbers_grow_per_section(draft, organiser):
    section = draft.sections.get(key="strengths")
    save_section(section=section, body="One", user=organiser)
    save_section(section=section, body="Two", user=organiser)
    assert list(
        SectionVersion.objects.filter(section=section).values_list("number", flat=True)
    ) == [
        3,
        2,
        1,
    ]


@pytest.mark.fuzz
@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(), max_size=3000))
def test_section_form_accepts_text_or_refuses_it_with_a_message(text):
    form = SectionForm({"body": text})
    if form.is_valid():
        form.cleaned_data["body"].encode("utf-8")
    else:
        assert form.errors["body"]


def test_section_form_refuses_a_lone_surrogate_clearly():
    form = SectionForm({"body": "ok \ud800 no"})
    assert not form.is_valid()
    assert "cannot be saved" in str(form.errors["body"])


def test_section_form_keeps_very_long_and_right_to_left_text_within_the_limit():
    assert SectionForm({"body": "سلام " * 1000}).is_valid()
    assert not SectionForm({"body": "x" * 20_001}).is_valid()
