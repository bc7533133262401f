"""The landing page's join form never breaks, whatever people type."""

from urllib.parse import quote_from_bytes

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

STRANGE = [
    "\x00",
    "PAX\x00M47",
    "PAX\x01M\x0b47",
    "\ud800",
    "كود الورشة",
    "x" * 5000,
    "<script>alert(1)</script>",
    "'; DROP TABLE workshops_workshop; --",
]


def _join(client: Client, code: str):
    """POST the code as a hostile client would send it: raw bytes, lone surrogates included."""
    body = "code=" + quote_from_bytes(code.encode("utf-8", "surrogatepass"))
    return client.post(
        reverse("participant:join"),
        body,
        content_type="application/x-www-form-urlencoded",
        HTTP_ACCEPT_LANGUAGE="fr",
    )


@pytest.mark.parametrize("code", STRANGE)
def test_strange_join_codes_get_the_form_back_not_an_error(client, workshop, code):
    response = _join(client, code)
    assert response.status_code == 400  # the form again, with its error
    assert "errorlist" in response.content.decode()


@pytest.mark.fuzz
@settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(code=st.text(alphabet=st.characters(), max_size=60))
def test_join_form_answers_any_text_with_a_page_or_a_redirect(workshop, code, settings):
    settings.PARTICIPANT_JOIN_FAILURE_RATE = "100000/m"  # this test guesses on purpose
    response = _join(Client(), code)
    assert response.status_code in (400, 302, 429)  # 429: too many wrong codes from one device
    if response.status_code == 302:
        assert response["Location"] == f"/j/{workshop.join_code}/"
