"""Matching place names from a source to the workshop's regions and zones."""

from __future__ import annotations

from dataclasses import dataclass, field

from workshops.models import Region, RegionAlias, Workshop
from workshops.models.sources import normalise_place


@dataclass
class RegionMatcher:
    """Region names and the workshop's editable spellings, by spelling-insensitive key."""

    by_key: dict[str, Region] = field(default_factory=dict)

    @classmethod
    def for_workshop(cls, workshop: Workshop) -> RegionMatcher:
        regions = Region.objects.filter(country_id=workshop.country_id).select_related("zone")
        by_key = {normalise_place(region.name): region for region in regions}
        aliases = RegionAlias.objects.filter(workshop=workshop).select_related("region__zone")
        for alias in aliases:
            by_key.setdefault(alias.key, alias.region)
        return cls(by_key)

    def match(self, value: str) -> Region | None:
        return self.by_key.get(normalise_place(value))

    def learn(self, value: str, region: Region) -> None:
        """Use ``region`` for ``value`` in this import (the caller stores the alias)."""
        self.by_key[normalise_place(value)] = region
