"""One delimiter guesser for surveys, ACLED exports and pasted lists."""

import pytest

from workshops.sources.delimited import sniff_delimiter


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('_uuid;q1\nabc;"Oui, bien sûr"\ndef;"Non, jamais"\n', ";"),
        ("event_id_cnty,admin1\nMLI1,Mopti\nMLI2,Gao\n", ","),
        ("name\tacronym\nFemmes du Sahel\tFDS\n", "\t"),
        ("\ufeffname;kind\n", ";"),
        ("name,acronym;kind\n", ","),  # a tie: the first candidate
    ],
)
def test_sniff_delimiter_finds_the_separator(text, expected):
    assert sniff_delimiter(text) == expected


def test_sniff_delimiter_answers_none_without_any():
    assert sniff_delimiter("name\nFemmes du Sahel\n") is None
