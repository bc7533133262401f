"""Inserting many rows of one model fast: the big imports (issue 13, 20 MB files).

Django's ``bulk_create`` builds a model instance per row and prepares every field of
every row (on SQLite in INSERTs of 999 variables: ~50 rows each). For 50,000 survey
answers that was most of the import. ``insert_rows`` prepares the values that are the
same for every row once (the workshop, the source, the timestamps, each field's
default), takes the rest as plain values, and sends them in one ``executemany`` on
SQLite and one ``COPY`` on PostgreSQL. Every database constraint still holds (COPY and
INSERT check the same ones); a violation raises Django's ``IntegrityError`` as
``bulk_create`` does. Like ``bulk_create`` it calls no ``save()`` and sends no signal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import nullcontext

from django.db import connection, models
from django.utils import timezone

# Rows per executemany / COPY: the progress callback is called after each.
CHUNK = 5_000


def insert_rows(
    model: type[models.Model],
    *,
    fields: Sequence[str],
    rows: Iterable[Sequence],
    constants: dict | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert ``rows`` (tuples of ``fields``' values, by attname: ``author_id``) into
    ``model``'s table; returns how many. Those values are stored as given (str, int,
    None, no conversion); ``constants`` (by attname) and every other field's default are
    prepared once (a NOT NULL field left without a value is refused by the database).
    ``progress(rows_so_far)`` is called after each chunk of ``CHUNK`` rows."""
    constants = constants or {}
    now = timezone.now()
    columns, fixed = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and isinstance(field, models.AutoField):
            continue
        if field.attname in fields:
            continue
        if field.attname in constants:
            value = constants[field.attname]
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value = now
        else:  # as Model() would: the default, "" for text, None otherwise
            value = field.get_default()
        columns.append(field.column)
        fixed.append(field.get_db_prep_save(value, connection))
    fixed_values = tuple(fixed)
    names = [model._meta.get_field(_field_name(model, name)).column for name in fields]
    names += columns
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(name) for name in names)
    done = 0
    chunk: list[tuple] = []
    with connection.cursor() as cursor:
        for row in rows:
            chunk.append((*row, *fixed_values))
            if len(chunk) == CHUNK:
                _send(cursor, table, quoted, len(names), chunk)
                done += len(chunk)
                chunk = []
                if progress is not None:
                    progress(done)
        if chunk:
            _send(cursor, table, quoted, len(names), chunk)
            done += len(chunk)
            if progress is not None:
                progress(done)
    return done


def _field_name(model: type[models.Model], attname: str) -> str:
    for field in model._meta.concrete_fields:
        if field.attname == attname:
            return field.name
    raise TypeError(f"{model.__name__} has no field {attname}")


def _send(cursor, table: str, columns: str, width: int, chunk: list[tuple]) -> None:
    if connection.vendor == "postgresql":
        # COPY checks the same constraints as INSERT (unique, check, foreign keys); the
        # wrapper turns psycopg's errors into Django's, as cursor.execute does.
        copy_sql = f"COPY {table} ({columns}) FROM STDIN"
        # Counted and logged (without the values) like any query when queries are logged.
        logged = cursor.debug_sql(copy_sql) if hasattr(cursor, "debug_sql") else nullcontext()
        with logged, connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
            for row in chunk:
                copy.write_row(row)
        return
    placeholders = ", ".join(["%s"] * width)
    # Table and column names come from the model's meta, quoted; the values are parameters.
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
    cursor.executemany(sql, chunk)
