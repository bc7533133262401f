"""Matching place names from a source to the workshop's regions and zones.

One gazetteer serves survey answers and ACLED's admin1/admin2: the spellings shipped
in ``gazetteer/<country code>.json`` (French, English and common alternatives of each
region, then its admin2 units), then the workshop's own spellings (``RegionAlias``,
fixed once in the pages and remembered), all compared by ``normalise_place``
(no accents, case, spaces or dashes). Adding a country is adding its file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from workshops.models import Region, RegionAlias, Workshop
from workshops.models.sources import normalise_place

GAZETTEER = Path(__file__).with_name("gazetteer")


@cache
def gazetteer(country_code: str) -> dict[str, str]:
    """Spelling key → region name, from the shipped file of the country (empty if none)."""
    path = GAZETTEER / f"{country_code.upper()}.json"
    if not country_code.isalpha() or not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    keys: dict[str, str] = {}
    for layer in ("spellings", "admin2"):  # a region's own names before its units'
        for region, names in data["regions"].items():
            for name in names.get(layer, []):
                keys.setdefault(normalise_place(name), region)
    return keys


@dataclass
class RegionMatcher:
    """Region names, the workshop's spellings and the gazetteer's, by spelling-insensitive key."""

    by_key: dict[str, Region] = field(default_factory=dict)

    @classmethod
    def for_workshop(cls, workshop: Workshop) -> RegionMatcher:
        regions = Region.objects.filter(country_id=workshop.country_id).select_related(
            "zone", "country"
        )
        by_key = {normalise_place(region.name): region for region in regions}
        aliases = RegionAlias.objects.filter(workshop=workshop).select_related("region__zone")
        for alias in aliases:
            by_key.setdefault(alias.key, alias.region)
        by_name = dict(by_key)
        if regions:
            for key, name in gazetteer(regions[0].country.code).items():
                region = by_name.get(normalise_place(name))
                if region is not None:
                    by_key.setdefault(key, region)
        return cls(by_key)

    def match(self, value: str) -> Region | None:
        return self.by_key.get(normalise_place(value))

    def learn(self, value: str, region: Region) -> None:
        """Use ``region`` for ``value`` in this import (the caller stores the alias)."""
        self.by_key[normalise_place(value)] = region
