"""Staff forms never crash and never store what cannot be stored, whatever is typed
or pasted: NUL bytes, lone surrogates, C0 control characters, very long and
right-to-left text."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workshops.forms.facilitator import (
    BulkModerationForm,
    ContributionEditForm,
    OrganisationForm,
    PasteForm,
    SessionForm,
    StaffForm,
    WorkshopForm,
)
from workshops.models import Contribution, Theme
from workshops.services import setup
from workshops.validators import has_unsafe_characters

pytestmark = pytest.mark.fuzz
# C0 control characters (and tab/newline, which stay allowed) mixed into any text.
C0 = st.sampled_from([chr(c) for c in range(0x20)] + ["\x7f"])
ANY_TEXT = st.one_of(
    st.text(alphabet=st.characters(), max_size=400),
    st.lists(st.one_of(st.characters(), C0), max_size=200).map("".join),
)
RTL = st.text(alphabet=st.characters(min_codepoint=0x0590, max_codepoint=0x06FF), min_size=1)
FUZZ = settings(max_examples=500, suppress_health_check=list(HealthCheck), deadline=None)


def storable(value: str) -> bool:
    return not has_unsafe_characters(value)


@FUZZ
@given(name=st.one_of(ANY_TEXT, RTL, st.text(min_size=190, max_size=400)), acronym=ANY_TEXT)
def test_organisation_form_accepts_only_storable_text(name, acronym):
    form = OrganisationForm(data={"name": name, "acronym": acronym, "kind": "grassroots"})
    if form.is_valid():
        assert storable(form.cleaned_data["name"]) and storable(form.cleaned_data["acronym"])
        assert 0 < len(form.cleaned_data["name"]) <= 200
    else:
        assert form.errors


@pytest.mark.django_db
@FUZZ
@given(username=ANY_TEXT, role=ANY_TEXT)
def test_staff_form_refuses_unknown_people_without_crashing(username, role):
    form = StaffForm(data={"username": username, "role": role})
    assert not form.is_valid()
    assert "username" in form.errors


@pytest.fixture
def fuzz_workshop(workshop, organisation):
    """The conftest workshop; hypothesis reuses it for every example of one test
    (the examples share one transaction, rolled back at the end)."""
    workshop.organisations.add(organisation)
    return workshop


@pytest.mark.django_db
@FUZZ
@given(text=st.one_of(ANY_TEXT, RTL, st.lists(ANY_TEXT, max_size=5).map("\n".join)))
def test_pasted_participants_are_all_stored_or_none(text, fuzz_workshop):
    pasted = "name,organisation,region,gender\n" + text
    form = PasteForm(data={"text": pasted})
    before = fuzz_workshop.participants.count()
    if not form.is_valid():
        assert form.errors
        return
    rows = form.rows()
    result = setup.import_participants(workshop=fuzz_workshop, rows=rows)
    after = fuzz_workshop.participants.count()
    if result.ok:
        assert after - before == result.created == len(rows)
    else:
        assert after == before
        assert all(isinstance(line, int) and message for line, message in result.errors)


@pytest.mark.django_db
@FUZZ
@given(question=st.one_of(ANY_TEXT, RTL), title=ANY_TEXT)
def test_session_form_accepts_only_storable_text(question, title, fuzz_workshop):
    form = SessionForm(
        data={"title": title, "kind": "breakout", "guiding_question": question},
        workshop=fuzz_workshop,
    )
    if form.is_valid():
        assert storable(form.cleaned_data["title"]) and storable(
            form.cleaned_data["guiding_question"]
        )
    else:
        assert form.errors


@pytest.mark.django_db
@FUZZ
@given(new_theme=ANY_TEXT, action=st.sampled_from(["tag", "merge", "nonsense"]))
def test_bulk_form_refuses_bad_theme_names_and_empty_selections(new_theme, action, fuzz_workshop):
    form = BulkModerationForm(
        data={"action": action, "new_theme": new_theme},
        workshop=fuzz_workshop,
        themes=Theme.objects.for_workshop(fuzz_workshop).order_by("workshop_id", "name"),
    )
    assert not form.is_valid()  # nothing selected
    assert "ids" in form.errors


@pytest.mark.django_db
@FUZZ
@given(text=st.one_of(ANY_TEXT, RTL, st.text(min_size=1990, max_size=2100)))
def test_contribution_edit_form_accepts_only_storable_text(text, fuzz_workshop):
    form = ContributionEditForm(
        data={"text": text, "category": "driver"},
        instance=Contribution(workshop=fuzz_workshop, source="note", client_id="x"),
    )
    if form.is_valid():
        cleaned = form.cleaned_data["text"]
        assert storable(cleaned) and 0 < len(cleaned) <= 2000
    else:
        assert form.errors["text"]


@pytest.mark.django_db
@FUZZ
@given(title=st.one_of(ANY_TEXT, RTL), location=ANY_TEXT, slug=ANY_TEXT)
def test_workshop_form_accepts_only_storable_text(title, location, slug, fuzz_workshop):
    form = WorkshopForm(
        data={
            "title": title,
            "slug": slug,
            "location": location,
            "start_date": "2026-12-01",
            "end_date": "2026-12-02",
            "country": fuzz_workshop.country_id,
            "organiser": fuzz_workshop.organiser_id,
            "languages": ["fr"],
            "status": "draft",
            "dots_per_participant": 5,
        }
    )
    if form.is_valid():
        assert storable(form.cleaned_data["title"]) and storable(form.cleaned_data["location"])
    else:
        assert form.errors
