"""insert_rows (services/bulk.py): the big imports' INSERT, the same rows as the ORM's."""

import pytest
from django.db import IntegrityError, transaction

from workshops.choices import Category, Source, VoiceKind
from workshops.models import Contribution, Participant
from workshops.services import bulk
from workshops.services.bulk import insert_rows

pytestmark = pytest.mark.django_db

SKIP = {"id", "created_at", "updated_at", "public_id"}


def _row(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_insert_rows_stores_what_the_orm_stores(workshop, regions):
    voice = Participant.objects.create(
        workshop=workshop, kind=VoiceKind.RESPONDENT, external_id="a", region=regions["Gao"]
    )
    orm = Contribution.objects.create(
        workshop=workshop,
        client_id="orm",
        text="Élections",
        category=Category.DRIVER,
        source=Source.SURVEY,
        author=voice,
    )
    insert_rows(
        Contribution,
        fields=("client_id", "text", "search_text", "category", "author_id"),
        rows=[("fast", "Élections", "elections", Category.DRIVER, voice.pk)],
        constants={"workshop_id": workshop.pk, "source": Source.SURVEY},
    )
    fast = Contribution.objects.get(client_id="fast")
    orm.refresh_from_db()
    assert {k: v for k, v in _row(fast).items() if k not in SKIP | {"client_id"}} == {
        k: v for k, v in _row(orm).items() if k not in SKIP | {"client_id"}
    }
    assert fast.created_at is not None and fast.updated_at is not None


def test_insert_rows_keeps_the_database_rules(workshop):
    fields = ("client_id", "text", "category")
    constants = {"workshop_id": workshop.pk, "source": Source.SURVEY}
    insert_rows(Contribution, fields=fields, rows=[("x", "a", "driver")], constants=constants)
    for bad in [("x", "again", "driver"), ("y", "", "driver")]:  # client id twice; no text
        with pytest.raises(IntegrityError), transaction.atomic():
            insert_rows(Contribution, fields=fields, rows=[bad], constants=constants)
    assert list(Contribution.objects.values_list("client_id", flat=True)) == ["x"]


def test_insert_rows_reports_progress_by_chunk(workshop, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 2)
    seen = []
    rows = [(f"c{i}", "a", "driver") for i in range(5)]
    done = insert_rows(
        Contribution,
        fields=("client_id", "text", "category"),
        rows=rows,
        constants={"workshop_id": workshop.pk, "source": Source.SURVEY},
        progress=seen.append,
    )
    assert done == 5 == Contribution.objects.count()
    assert seen == [2, 4, 5]
