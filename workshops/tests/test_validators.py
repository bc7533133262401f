"""The text rule (``workshops/validators.py``) and what happens to text stored before it.

A control character typed on a phone (U+0001, U+000B) used to make the row-level XLSX
and the DOCX report answer 500 for the whole workshop, with the text in the error log.
"""

import logging
import unicodedata
from importlib import import_module

import hypothesis
import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from workshops.models import BreakoutSession, Contribution, ReportSection, Theme
from workshops.services.report import build_draft
from workshops.tests.report_factories import one_contribution
from workshops.validators import (
    SafeCharField,
    fold,
    has_unsafe_characters,
    printable,
    remove_unsafe_characters,
    validate_safe_text,
)

UNSAFE = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x0e", "\x1f", "\x7f", "\ud800", "\udfff"]
SAFE = ["\t", "\n", "\r", " ", "é", "ߊ", "🕊️", "\u202e", "\x80", "\ufffd"]
SECRET = "Secret words of Aminata"  # noqa: S105 - a participant's text, not a password


@pytest.mark.parametrize("character", UNSAFE)
def test_the_rule_refuses_nul_surrogates_and_control_characters(character):
    text = f"a{character}b"
    assert has_unsafe_characters(text)
    with pytest.raises(ValidationError) as refused:
        validate_safe_text(text)
    assert refused.value.code == "unsafe_characters"
    assert remove_unsafe_characters(text) == "ab"
    assert printable(text) == "a\ufffdb"


@pytest.mark.parametrize("character", SAFE)
def test_the_rule_keeps_tab_newline_and_every_printable_character(character):
    text = f"a{character}b"
    assert not has_unsafe_characters(text)
    validate_safe_text(text)
    assert remove_unsafe_characters(text) == printable(text) == text


def test_the_field_refuses_with_one_message_and_reshows_the_text_printable():
    field = SafeCharField()
    with pytest.raises(ValidationError) as refused:
        field.clean("Bad \x00 text\x0b")
    assert len(refused.value.messages) == 1
    assert "cannot be saved" in refused.value.messages[0]
    assert field.bound_data("Bad \x00 text\x0b", None) == "Bad \ufffd text\ufffd"


def test_the_field_refuses_a_control_character_at_either_end():
    # str.strip() removes U+000B and U+001C–U+001F: the rule is checked before it.
    with pytest.raises(ValidationError):
        SafeCharField().clean("\x0bhello\x1f")


def test_models_refuse_the_characters_too(workshop, session):
    contribution = Contribution(
        workshop=workshop, session=session, client_id="x-1", text="a\x01b", category="driver"
    )
    contribution.source = "note"
    with pytest.raises(ValidationError) as refused:
        contribution.full_clean()
    assert "text" in refused.value.message_dict


# --- Text stored before the rule: every export still answers ---------------------------


@pytest.fixture
def stored_unsafe(workshop, regions, session):
    """A contribution, a theme, a session and a section holding control characters,
    written straight to the database as an older version could have done."""
    contribution = one_contribution(workshop, regions)
    # PostgreSQL itself refuses a NUL byte in text, so only SQLite can hold one.
    nul = "\x00" if connection.vendor == "sqlite" else ""
    Contribution.objects.filter(pk=contribution.pk).update(
        text=f"{SECRET}\x01 and\x0b more{nul}", quotable=True, session=session
    )
    BreakoutSession.objects.filter(pk=session.pk).update(title="Session\x01 one")
    Theme.objects.filter(contributions=contribution).update(name="Armed\x0b groups")
    draft = build_draft(workshop=workshop, language="en")
    ReportSection.objects.filter(draft=draft).update(body=f"- {SECRET}\x01\x0b\n\nText\x1f.")
    return draft


def _every_export(workshop):
    slug = workshop.slug
    rows = reverse("report:rows", kwargs={"slug": slug})
    web = [
        (rows, {"fmt": "xlsx", "purpose": "Checking an old export"}),  # posted
        (rows, {"fmt": "csv", "purpose": "Checking an old export"}),
        reverse("report:contributions", kwargs={"slug": slug, "fmt": "xlsx"}),
        reverse("report:contributions", kwargs={"slug": slug, "fmt": "csv"}),
    ]
    for fmt in ("docx", "pdf", "md", "html"):
        web.append(reverse("report:export", kwargs={"slug": slug, "language": "en", "fmt": fmt}))
    formats = ["docx", "pdf", "md", "html"]
    api = [f"/api/v1/workshops/{slug}/report.{fmt}?language=en" for fmt in formats]
    api += [
        f"/api/v1/workshops/{slug}/contributions/?purpose=Checking",
        f"/api/v1/workshops/{slug}/rollup/",
    ]
    return web, api


def test_every_export_answers_with_control_characters_stored(
    client_for, organiser, workshop, stored_unsafe, caplog
):
    web, api = _every_export(workshop)
    api_client = APIClient()
    api_client.force_authenticate(organiser)
    client = client_for(organiser)
    with caplog.at_level(logging.DEBUG):
        for url in web:
            response = client.post(*url) if isinstance(url, tuple) else client.get(url)
            assert response.status_code == 200, url
            if response["Content-Type"].startswith("text/"):
                assert b"\x01" not in response.content, url
                assert b"\x0b" not in response.content, url
        for url in api:
            response = api_client.get(url)
            assert response.status_code == 200, url
    assert all(SECRET not in record.getMessage() for record in caplog.records)
    assert all(SECRET not in (record.exc_text or "") for record in caplog.records)


def test_the_data_migration_cleans_text_stored_before_the_rule(workshop, regions, session):

    migration = import_module("workshops.migrations.0002_remove_unsafe_characters")
    contribution = one_contribution(workshop, regions)
    Contribution.objects.filter(pk=contribution.pk).update(text="Say\x01 it\x0b\ttwice\n")
    empty = one_contribution(workshop, regions)
    Contribution.objects.filter(pk=empty.pk).update(text="\x01\x0b")
    BreakoutSession.objects.filter(pk=session.pk).update(title="Session\x1f one")
    migration.clean(apps, None)
    assert Contribution.objects.get(pk=contribution.pk).text == "Say it\ttwice\n"
    assert Contribution.objects.get(pk=empty.pk).text == "\ufffd"
    assert BreakoutSession.objects.get(pk=session.pk).title == "Session one"


def _fold_before(value: str) -> str:
    """fold() as it was before its fast path (3 Dec 2026), the reference."""
    value = unicodedata.normalize("NFKD", value.casefold())
    return " ".join("".join(c for c in value if not unicodedata.combining(c)).split())


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(hypothesis.strategies.text())
def test_fold_gives_what_it_gave_before_its_fast_path(value):
    assert fold(value) == _fold_before(value)


@pytest.mark.parametrize("value", ["Élections  à Ségou", "ﬁn ½ ẞ", "plain ASCII  text", ""])
def test_fold_folds_accents_ligatures_and_spaces(value):
    assert fold(value) == _fold_before(value)
