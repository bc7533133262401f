"""Remove the characters that cannot be stored or exported from text stored before the rule.

NUL, lone surrogates and the C0 control characters other than tab, newline and carriage
return (plus DEL) made the XLSX and DOCX exports fail. The rule now refuses them at input
(``workshops/validators.py``); this cleans what was stored earlier in the fields that
pages and exports render. The pattern is copied here on purpose: a migration must keep
doing what it did when it was written.
"""

import re

from django.db import migrations

UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# A text that must not become empty (a database constraint) keeps a visible mark.
EMPTY_MARK = "\ufffd"

FIELDS = {
    "Contribution": ["text"],
    "HistoricalContribution": ["text"],
    "BreakoutSession": ["title", "guiding_question"],
    "Workshop": ["title", "location"],
    "Theme": ["name", "name_fr", "description"],
    "Zone": ["name", "name_fr"],
    "Organisation": ["name", "acronym", "network"],
    "Participant": ["display_name", "role"],
    "Interview": ["pseudonym", "interviewer", "notes"],
    "RegionAlias": ["alias"],
    "ReportSection": ["title", "generated", "body"],
    "SectionVersion": ["body"],
}
NOT_EMPTY = {("Contribution", "text"), ("HistoricalContribution", "text")}


def clean(apps, schema_editor):
    for model_name, fields in FIELDS.items():
        model = apps.get_model("workshops", model_name)
        pk = model._meta.pk.attname
        # Run with today's models (a test does), a field a later migration dropped is skipped.
        names = {f.name for f in model._meta.get_fields()}
        fields = [field for field in fields if field in names]
        for row in model.objects.values(pk, *fields).iterator(chunk_size=2000):
            changed = {}
            for field in fields:
                value = row[field]
                if value and UNSAFE.search(value):
                    cleaned = UNSAFE.sub("", value)
                    if not cleaned.strip() and (model_name, field) in NOT_EMPTY:
                        cleaned = EMPTY_MARK
                    changed[field] = cleaned
            if changed:
                model.objects.filter(**{pk: row[pk]}).update(**changed)


class Migration(migrations.Migration):
    dependencies = [
        ("workshops", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(clean, migrations.RunPython.noop, elidable=True),
    ]
