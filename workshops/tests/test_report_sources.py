"""The draft states its sources as the Bamako report does, on a second workshop's data."""

import pytest
from django.utils.translation import override

from workshops.analysis.rollup import build_rollup
from workshops.report.builder import executive_summary, method
from workshops.tests.second_workshop import expected, load_second_workshop

pytestmark = pytest.mark.django_db

SENTENCES = {
    "en": (
        "Sources: workshop participants (30 joined; 28 contributed or voted), 36 survey "
        "respondents, "
        "3 interviewees and 12 notes from unnamed speakers."
    ),
    "fr": (
        "Sources : participants (30 ont rejoint l’atelier ; 28 ont contribué ou voté), "
        "36 répondants à l’enquête, 3 personnes interrogées et 12 notes de personnes non "
        "nommées."
    ),
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_method_states_every_source_and_counts_voices_once(language):
    handle = load_second_workshop()
    rollup = build_rollup(handle.workshop, language=language)
    with override(language):
        text = method(rollup)
    assert SENTENCES[language] in text
    with override(language):
        summary = executive_summary(rollup)
    sources = SENTENCES[language].split(": ", 1)[1].split(" : ", 1)[-1].rstrip(".")
    assert sources in summary  # the summary names the same sources, not "67 participants"
    # Every voice once: 28 participants + 36 respondents + 3 interviewees; the 12 notes
    # from unnamed speakers are contributions, never people.
    counted = expected().sources  # counted from the data files, not by the app
    assert rollup.registered == counted["participants"]
    assert rollup.took_part == counted["contributed_or_voted"]
    assert rollup.voices_by_kind == {
        "participant": counted["contributed"],
        "respondent": counted["respondents"],
        "interviewee": counted["interviewees"],
    }
    assert rollup.participants == sum(rollup.voices_by_kind.values())
    assert rollup.unattributed == counted["unattributed_notes"]
