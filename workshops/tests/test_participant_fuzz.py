"""Fuzzing the participant forms: whatever a phone sends, never a server error.

NUL bytes, lone surrogates, 100 KB texts, right-to-left and N'Ko script, emoji.
Invalid input comes back with a message and the text re-shown.
"""

import uuid
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workshops.forms.participant import ContributeForm
from workshops.models import Contribution
from workshops.tests.participant_factories import phone_for, session_url
from workshops.validators import has_unsafe_characters

pytestmark = pytest.mark.fuzz

TRICKY = [
    "\x00",
    "\x01",
    "\x0b",
    "\x1f",
    "\x7f",
    "\t",
    "\ud800",
    "\udfff",
    "\u202e",
    "\u200f",
    "ߊߎߟߊ",
    "سلام",
    "🕊️",
    "\r\n",
    " ",
]
texts = st.one_of(
    st.text(alphabet=st.characters(), max_size=300),
    st.lists(st.one_of(st.characters(), st.sampled_from(TRICKY)), max_size=150).map("".join),
    st.text(alphabet=st.characters(min_codepoint=0x07C0, max_codepoint=0x07FF), max_size=300),
    st.text(alphabet=st.characters(min_codepoint=0x0600, max_codepoint=0x06FF), max_size=300),
    st.builds(lambda s, n: (s or "x") * n, st.text(max_size=5), st.integers(1, 100_000 // 5)),
)
FUZZ = settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(text=texts, client_id=st.text(alphabet=st.characters(), max_size=120))
def test_contribute_form_accepts_or_explains_any_input(session, text, client_id):
    form = ContributeForm(
        {"text": text, "client_id": client_id, "category": "driver"}, session=session
    )
    if form.is_valid():
        assert not has_unsafe_characters(form.cleaned_data["text"])
        assert 0 < len(form.cleaned_data["text"]) <= 2000
        assert form.cleaned_data["text"] == text.strip()
    else:
        assert form.errors
        shown = form["text"].value() or ""
        shown.encode("utf-8")  # what is re-shown can always be rendered
        assert not has_unsafe_characters(shown)


@FUZZ
@given(text=texts)
def test_contribute_page_never_fails_whatever_the_phone_sends(
    participant, session, text, django_settings
):
    cache.clear()
    phone = phone_for(participant)
    client_id = uuid.uuid4().hex
    body = urlencode(
        {"text": text, "client_id": client_id, "category": "driver"},
        encoding="utf-8",
        errors="surrogatepass",
    )
    response = phone.post(
        session_url(session), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (302, 400), response.status_code
    stored = Contribution.objects.filter(client_id=client_id).first()
    if response.status_code == 302:
        assert stored is not None and stored.text
    else:
        assert stored is None
        assert b'class="errorlist' in response.content


@FUZZ
@given(code=st.lists(st.one_of(st.characters(), st.sampled_from(TRICKY)), max_size=20).map("".join))
def test_join_never_fails_whatever_code_is_typed(client, workshop, code, django_settings):
    cache.clear()
    body = urlencode({"code": code}, encoding="utf-8", errors="surrogatepass")
    response = client.post("/j/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in (302, 400)


@pytest.fixture
def django_settings(settings):
    settings.PARTICIPANT_SEND_RATE = "100000/m"
    settings.PARTICIPANT_JOIN_FAILURE_RATE = "100000/m"
    return settings
