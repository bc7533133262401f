"""Zones belong to a workshop (issue 16, item 3).

Each existing workshop gets its own copy of its country's zones, with each region of the
country in the copy of the zone it sat in, and every contribution and ACLED event of the
workshop is moved to the copy of its zone: the roll-up of existing workshops does not
change. The country zones are then deleted.

Backwards, each country gets back one zone per name its workshops use, each region the
zone of the first workshop that grouped it (a region no workshop grouped gets a zone of
its own name), and contributions and events the country zone of their zone's name: two
workshops that grouped one country differently keep their zone names, not both groupings.
"""

import django.db.models.deletion
from django.db import migrations, models


def _check_now(schema_editor):
    """PostgreSQL checks foreign keys at commit; an ALTER TABLE later in this migration
    would then meet "pending trigger events". Checked at each statement instead, the data
    steps and the schema steps share one transaction (the migration stays atomic)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def copy_zones_into_workshops(apps, schema_editor):
    _check_now(schema_editor)
    Workshop = apps.get_model("workshops", "Workshop")
    Zone = apps.get_model("workshops", "Zone")
    Region = apps.get_model("workshops", "Region")
    ZoneRegion = apps.get_model("workshops", "ZoneRegion")
    Contribution = apps.get_model("workshops", "Contribution")
    AcledEvent = apps.get_model("workshops", "AcledEvent")
    country_zones = list(Zone.objects.filter(workshop__isnull=True).order_by("pk"))
    regions = list(Region.objects.order_by("pk"))
    for workshop in Workshop.objects.order_by("pk"):
        copies = {}
        for zone in country_zones:
            if zone.country_id == workshop.country_id:
                copies[zone.pk] = Zone.objects.create(
                    workshop=workshop,
                    country_id=zone.country_id,
                    name=zone.name,
                    name_fr=zone.name_fr,
                    order=zone.order,
                )
        ZoneRegion.objects.bulk_create(
            ZoneRegion(workshop=workshop, zone=copies[region.zone_id], region=region)
            for region in regions
            if region.zone_id in copies
        )
        # Contributions and events keep the zone they were counted in, now the workshop's.
        for old in {
            *Contribution.objects.filter(workshop=workshop, zone__isnull=False).values_list(
                "zone_id", flat=True
            ),
            *AcledEvent.objects.filter(workshop=workshop, zone__isnull=False).values_list(
                "zone_id", flat=True
            ),
        }:
            if old not in copies:  # a zone of another country (never made by the app)
                source = next(z for z in country_zones if z.pk == old)
                same_name = [c for c in copies.values() if c.name == source.name]
                copies[old] = (
                    same_name[0]
                    if same_name
                    else Zone.objects.create(
                        workshop=workshop,
                        country_id=source.country_id,
                        name=source.name,
                        name_fr=source.name_fr,
                        order=source.order,
                    )
                )
            Contribution.objects.filter(workshop=workshop, zone_id=old).update(zone=copies[old])
            AcledEvent.objects.filter(workshop=workshop, zone_id=old).update(zone=copies[old])


def delete_country_zones(apps, schema_editor):
    _check_now(schema_editor)
    apps.get_model("workshops", "Zone").objects.filter(workshop__isnull=True).delete()


def give_zones_their_country(apps, schema_editor):
    """Backwards: a workshop's zone carries its workshop's country again."""
    _check_now(schema_editor)
    Zone = apps.get_model("workshops", "Zone")
    for zone in Zone.objects.filter(country__isnull=True).select_related("workshop"):
        zone.country_id = zone.workshop.country_id
        zone.save(update_fields=["country"])


def back_to_country_zones(apps, schema_editor):
    _check_now(schema_editor)
    Workshop = apps.get_model("workshops", "Workshop")
    Zone = apps.get_model("workshops", "Zone")
    Region = apps.get_model("workshops", "Region")
    ZoneRegion = apps.get_model("workshops", "ZoneRegion")
    Contribution = apps.get_model("workshops", "Contribution")
    AcledEvent = apps.get_model("workshops", "AcledEvent")
    country_zone = {}  # (country id, name) -> country zone

    def zone_named(country_id, name, name_fr, order):
        key = (country_id, name)
        if key not in country_zone:
            country_zone[key] = Zone.objects.create(
                country_id=country_id, workshop=None, name=name, name_fr=name_fr, order=order
            )
        return country_zone[key]

    region_zone = {}
    for workshop in Workshop.objects.order_by("pk"):
        for zone in Zone.objects.filter(workshop=workshop).order_by("order", "pk"):
            target = zone_named(workshop.country_id, zone.name, zone.name_fr, zone.order)
            for link in ZoneRegion.objects.filter(zone=zone):
                region_zone.setdefault(link.region_id, target)
            Contribution.objects.filter(workshop=workshop, zone=zone).update(zone=target)
            AcledEvent.objects.filter(workshop=workshop, zone=zone).update(zone=target)
    for region in Region.objects.order_by("country_id", "order", "pk"):
        zone = region_zone.get(region.pk) or zone_named(
            region.country_id, region.name, "", region.order
        )
        Region.objects.filter(pk=region.pk).update(zone=zone)
    ZoneRegion.objects.all().delete()
    Zone.objects.filter(workshop__isnull=False).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0018_bundles_and_tasks"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="zone",
            name="zone_unique_name_per_country",
        ),
        migrations.AddField(
            model_name="zone",
            name="workshop",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="zones",
                to="workshops.workshop",
                verbose_name="workshop",
            ),
        ),
        migrations.CreateModel(
            name="ZoneRegion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="zone_regions",
                        to="workshops.region",
                    ),
                ),
                (
                    "workshop",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="zone_regions",
                        to="workshops.workshop",
                    ),
                ),
                (
                    "zone",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="zone_regions",
                        to="workshops.zone",
                    ),
                ),
            ],
            options={
                "verbose_name": "region of a zone",
                "verbose_name_plural": "regions of zones",
            },
        ),
        migrations.AlterField(
            model_name="region",
            name="zone",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="regions",
                to="workshops.zone",
                verbose_name="zone",
            ),
        ),
        migrations.RunPython(copy_zones_into_workshops, back_to_country_zones, elidable=False),
        migrations.RemoveField(
            model_name="region",
            name="zone",
        ),
        migrations.RunPython(delete_country_zones, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="zone",
            name="country",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="zones",
                to="workshops.country",
                verbose_name="country",
            ),
        ),
        migrations.RunPython(migrations.RunPython.noop, give_zones_their_country, elidable=False),
        migrations.RemoveField(
            model_name="zone",
            name="country",
        ),
        migrations.AlterField(
            model_name="zone",
            name="workshop",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="zones",
                to="workshops.workshop",
                verbose_name="workshop",
            ),
        ),
        migrations.AlterModelOptions(
            name="zone",
            options={
                "ordering": ["workshop_id", "order", "name"],
                "verbose_name": "zone",
                "verbose_name_plural": "zones",
            },
        ),
        migrations.AddField(
            model_name="zone",
            name="regions",
            field=models.ManyToManyField(
                related_name="zones",
                through="workshops.ZoneRegion",
                to="workshops.region",
                verbose_name="regions",
            ),
        ),
        migrations.AddConstraint(
            model_name="zone",
            constraint=models.UniqueConstraint(
                fields=("workshop", "name"), name="zone_unique_name_per_workshop"
            ),
        ),
        migrations.AddConstraint(
            model_name="zoneregion",
            constraint=models.UniqueConstraint(
                fields=("workshop", "region"), name="zone_region_one_zone_per_workshop"
            ),
        ),
    ]
