"""Shipped reference data: countries and their first-level divisions (admin1).

``countries/<ISO 3166-1 alpha-2>.json`` holds a country's English and French names and
each admin1 unit with its ISO 3166-2 code and English and French names; the ``source``
and ``note`` keys of each file say where the names come from. An optional ``zones`` list
suggests how a new workshop in that country groups its regions (names in both languages,
the ISO 3166-2 codes of the regions of each zone); without it a workshop starts with one
zone per region. Nothing is fetched at
run time: adding a country is adding its file.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

COUNTRIES = Path(__file__).with_name("countries")


@cache
def countries() -> dict[str, dict]:
    """Every shipped country by ISO code, in file order of its regions."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(COUNTRIES.glob("*.json"))
    }


def country(code: str) -> dict | None:
    return countries().get(code.upper())
