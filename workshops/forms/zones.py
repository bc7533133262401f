"""The zones page: the organiser names the workshop's zones and puts each region in one."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from workshops.models import Region, Workshop, Zone
from workshops.services.zones import NEW
from workshops.validators import SafeCharField

NAME_LENGTH = 120  # Zone.name


class ZoneGroupingForm(forms.Form):
    """One pair of names per zone, one more pair for a new zone, one choice per region.

    Fields are named after the objects (``zone-<id>-name``, ``region-<id>``) so that the
    page lists them in the view's order; ``zones``, ``regions`` and ``new_zone`` give the
    view the bound fields grouped."""

    new_name = SafeCharField(
        label=_("New zone, name in English"), max_length=NAME_LENGTH, required=False
    )
    new_name_fr = SafeCharField(
        label=_("New zone, name in French"), max_length=NAME_LENGTH, required=False
    )

    def __init__(self, *args, workshop: Workshop, zones: list[Zone], regions: list[Region], **kw):
        super().__init__(*args, **kw)
        self.workshop, self.zone_list, self.region_list = workshop, zones, regions
        placed = workshop.zones_by_region()
        choices = [(str(zone.pk), zone.label()) for zone in zones]
        choices.append((NEW, _("The new zone (named below)")))
        for zone in zones:
            self.fields[f"zone-{zone.pk}-name"] = SafeCharField(
                label=_("Name in English"), max_length=NAME_LENGTH, initial=zone.name
            )
            self.fields[f"zone-{zone.pk}-name_fr"] = SafeCharField(
                label=_("Name in French"),
                max_length=NAME_LENGTH,
                required=False,
                initial=zone.name_fr,
            )
        for region in regions:
            zone = placed.get(region.pk)
            self.fields[f"region-{region.pk}"] = forms.ChoiceField(
                label=region.label(),
                choices=choices if zone is not None else [("", "—"), *choices],
                initial=str(zone.pk) if zone is not None else "",
                error_messages={"required": _("Choose the zone of this region.")},
            )

    # What the template lays out.
    def zones(self):
        return [
            (zone, self[f"zone-{zone.pk}-name"], self[f"zone-{zone.pk}-name_fr"])
            for zone in self.zone_list
        ]

    def regions(self):
        return [(region, self[f"region-{region.pk}"]) for region in self.region_list]

    def clean(self):
        data = super().clean()
        names: dict[int, tuple[str, str]] = {}
        seen: dict[str, str] = {}
        for zone in self.zone_list:
            key = f"zone-{zone.pk}-name"
            if key not in data:
                continue  # its own error is shown
            name = data[key]
            names[zone.pk] = (name, data.get(f"zone-{zone.pk}-name_fr", ""))
            if name.casefold() in seen:  # both fields say so: either may be the new one
                for field in (seen[name.casefold()], key):
                    if field in self.cleaned_data:
                        self.add_error(field, _("Two zones cannot have the same name."))
                continue
            seen[name.casefold()] = key
        placement = {}
        for region in self.region_list:
            value = data.get(f"region-{region.pk}")
            if value:
                placement[region.pk] = value if value == NEW else int(value)
        new_name = data.get("new_name", "")
        wants_new = NEW in placement.values()
        if wants_new and not new_name:
            self.add_error("new_name", _("Name the new zone, or put no region in it."))
        elif wants_new and new_name.casefold() in seen:
            self.add_error("new_name", _("Two zones cannot have the same name."))
        elif new_name and not wants_new:
            self.add_error(
                "new_name", _("Put at least one region in the new zone, or leave its name empty.")
            )
        if not self.errors and not placement:
            raise ValidationError(_("Put each region in a zone."))
        data["names"] = names
        data["placement"] = placement
        data["new_zone"] = (new_name, data.get("new_name_fr", "")) if wants_new else None
        return data
