"""A workshop's zones: the regions of its country grouped for comparison (issue 16, item 3).

A new workshop starts with its country's suggested grouping (the ``zones`` of the
country's reference file, e.g. North / Centre / South for Mali) or, for a country
without one, one zone per region; the organiser then regroups them on the zones page.
Every analysis reads the grouping through ``Workshop.zone_id_of`` (and
``ParticipantQuerySet.with_zone``), never a zone stored on the region.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from workshops import changes
from workshops.models import AcledEvent, Contribution, Country, Region, Workshop, Zone, ZoneRegion
from workshops.reference import country as reference_country

NEW = "new"  # the choice "a new zone, named below" of the zones page


@dataclass(frozen=True)
class SuggestedZone:
    name: str
    name_fr: str
    regions: tuple[Region, ...]


def suggested_grouping(country: Country) -> list[SuggestedZone]:
    """The country's suggested zones (reference file), then one zone per region left over."""
    regions = list(Region.objects.filter(country=country).order_by("order", "name"))
    by_code = {region.code: region for region in regions if region.code}
    grouping: list[SuggestedZone] = []
    placed: set[int] = set()
    for zone in (reference_country(country.code) or {}).get("zones", []):
        members = tuple(by_code[code] for code in zone["regions"] if code in by_code)
        if members:
            grouping.append(SuggestedZone(zone["name_en"], zone["name_fr"], members))
            placed.update(region.pk for region in members)
    names = {zone.name.casefold() for zone in grouping}
    for region in regions:
        if region.pk not in placed and region.name.casefold() not in names:
            grouping.append(SuggestedZone(region.name, region.name_fr, (region,)))
            names.add(region.name.casefold())
    return grouping


@transaction.atomic
def start_zones(*, workshop: Workshop) -> list[Zone]:
    """Give a workshop without zones its country's suggested grouping (three queries)."""
    if workshop.zones.exists():
        return list(workshop.zones.all())
    grouping = suggested_grouping(workshop.country)
    zones = Zone.objects.bulk_create(
        Zone(workshop=workshop, name=zone.name, name_fr=zone.name_fr, order=order)
        for order, zone in enumerate(grouping, start=1)
    )
    ZoneRegion.objects.bulk_create(
        ZoneRegion(workshop=workshop, zone=zone, region=region)
        for zone, suggested in zip(zones, grouping, strict=True)
        for region in suggested.regions
    )
    workshop.forget_zones()
    return zones


@transaction.atomic
def restart_zones(*, workshop: Workshop) -> None:
    """Back to the suggested grouping (the organiser asked, or the country changed).

    A zone of the suggestion keeps the zone of the same name, if any; other zones that
    contributions or events were counted in stay, without regions."""
    kept = {zone.name.casefold(): zone for zone in workshop.zones.select_for_update()}
    order = max((zone.order for zone in kept.values()), default=0)
    target: dict[int, int] = {}
    for suggested in suggested_grouping(workshop.country):
        zone = kept.get(suggested.name.casefold())
        if zone is None:
            order += 1
            zone = Zone.objects.create(
                workshop=workshop, name=suggested.name, name_fr=suggested.name_fr, order=order
            )
        target.update((region.pk, zone.pk) for region in suggested.regions)
    _place(workshop, target)


def _unused_zones(workshop: Workshop):
    """The workshop's zones with no region, contribution or ACLED event in them."""
    return workshop.zones.filter(
        zone_regions__isnull=True, contributions__isnull=True, acled_events__isnull=True
    )


@transaction.atomic
def save_grouping(
    *,
    workshop: Workshop,
    names: dict[int, tuple[str, str]],
    new_zone: tuple[str, str] | None,
    placement: dict[int, int | str],
) -> Zone | None:
    """Rename the workshop's zones, place each region in one, and drop the empty ones.

    ``names``: zone id → (English, French) name; ``new_zone``: the names of a zone to
    add (regions placed in ``NEW`` go there); ``placement``: region id → zone id or
    ``NEW``. The form checked that the names are unique and that every region of the
    country is placed. Contributions and ACLED events with a region move to the zone
    their region is in now, so that every count uses the same grouping; a zone left
    without regions is removed unless something was counted in it. Returns the new zone.
    """
    zones = {zone.pk: zone for zone in workshop.zones.select_for_update()}
    renamed = [
        zone for pk, zone in zones.items() if pk in names and (zone.name, zone.name_fr) != names[pk]
    ]
    if renamed:  # two steps, so that two zones may swap names
        for zone in renamed:
            zone.name = f"\u2060{zone.pk}"
        Zone.objects.bulk_update(renamed, ["name"])
        for zone in renamed:
            zone.name, zone.name_fr = names[zone.pk]
        Zone.objects.bulk_update(renamed, ["name", "name_fr"])
    created = None
    if new_zone is not None and NEW in placement.values():
        order = max((zone.order for zone in zones.values()), default=0) + 1
        created = Zone.objects.create(
            workshop=workshop, name=new_zone[0], name_fr=new_zone[1], order=order
        )
        zones[created.pk] = created
    regions = set(
        Region.objects.filter(country_id=workshop.country_id, pk__in=placement).values_list(
            "pk", flat=True
        )
    )
    target = {
        region_id: created.pk if zone_id == NEW else zone_id
        for region_id, zone_id in placement.items()
        if region_id in regions and ((zone_id == NEW and created) or zone_id in zones)
    }
    _place(workshop, target)
    return created


def _place(workshop: Workshop, target: dict[int, int]) -> None:
    """Region id → zone id becomes the grouping; what was counted follows its region."""
    ZoneRegion.objects.filter(workshop=workshop).delete()
    ZoneRegion.objects.bulk_create(
        ZoneRegion(workshop=workshop, zone_id=zone_id, region_id=region_id)
        for region_id, zone_id in sorted(target.items())
    )
    by_zone: dict[int, list[int]] = {}
    for region_id, zone_id in target.items():
        by_zone.setdefault(zone_id, []).append(region_id)
    for zone_id, region_ids in by_zone.items():
        for model in (Contribution, AcledEvent):
            model.objects.filter(workshop=workshop, region_id__in=region_ids).exclude(
                zone_id=zone_id
            ).update(zone_id=zone_id)
    _unused_zones(workshop).delete()
    workshop.forget_zones()
    changes.bump(workshop.pk)  # zone names and contributions' zones, by update()
