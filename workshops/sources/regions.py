"""Matching place names from a source to the workshop's regions and zones.

One gazetteer serves survey answers and ACLED's admin1/admin2: the English and French
names of each region in the reference data (``workshops/reference/countries``), the
spellings shipped in ``gazetteer/<country code>.json`` (common alternatives of each
region, then its admin2 units), then the workshop's own spellings (``RegionAlias``,
fixed once in the pages and remembered), all compared by ``normalise_place``
(no accents, case, spaces or dashes). Adding a country is adding its reference file;
a gazetteer file only adds aliases.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from workshops.models import Region, RegionAlias, Workshop
from workshops.models.sources import normalise_place
from workshops.reference import country as reference_country

GAZETTEER = Path(__file__).with_name("gazetteer")


@cache
def gazetteer(country_code: str) -> dict[str, str]:
    """Spelling key → region name or ISO 3166-2 code, from the shipped files (empty if none)."""
    if not country_code.isalpha():
        return {}
    keys: dict[str, str] = {}
    path = GAZETTEER / f"{country_code.upper()}.json"
    if path.is_file():
        data = json.loads(path.read_text(encoding="utf-8"))
        for layer in ("spellings", "admin2"):  # a region's own names before its units'
            for region, names in data["regions"].items():
                for name in names.get(layer, []):
                    keys.setdefault(normalise_place(name), region)
    for row in (reference_country(country_code) or {}).get("regions", []):
        for name in (row["name_en"], row["name_fr"]):
            keys.setdefault(normalise_place(name), row["code"])
    return keys


@dataclass
class RegionMatcher:
    """Region names, the workshop's spellings and the gazetteer's, by spelling-insensitive key."""

    by_key: dict[str, Region] = field(default_factory=dict)

    @classmethod
    def for_workshop(cls, workshop: Workshop) -> RegionMatcher:
        regions = Region.objects.filter(country_id=workshop.country_id).select_related("country")
        by_key = {normalise_place(region.name): region for region in regions}
        by_name = dict(by_key)
        for region in regions:  # the gazetteer's targets: a name or an ISO 3166-2 code
            for other in (region.name_fr, region.code):
                if other:
                    by_name.setdefault(normalise_place(other), region)
        aliases = RegionAlias.objects.filter(workshop=workshop).select_related("region")
        for alias in aliases:
            by_key.setdefault(alias.key, alias.region)
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
