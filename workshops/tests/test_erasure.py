"""Withdrawn and superseded wording is unrecoverable from every table (issue 12, item 1).

Runs on SQLite and, with ``DATABASE_URL`` set to PostgreSQL, on PostgreSQL.
"""

import datetime as dt

from django.db import connection

from workshops.models import versions_of
from workshops.services import moderation
from workshops.services.participants import edit_contribution, withdraw_contribution
from workshops.services.retention import purge_expired
from workshops.tests.participant_factories import contribution_of

EDITED_AWAY = "Zq7 the commander of the checkpoint at Kidal takes our goats"
WITHDRAWN = "Zq8 my brother carries messages for the armed group"
MODERATED_AWAY = "Zq9 the mayor sold the wells to the traffickers"
KEPT_UNDER_MERGE = "Zq6 the militia recruits boys at the market"

TEXT_TYPES = ("char", "text", "json", "clob", "string")


def _text_columns():
    """Every (table, column) in the database whose type can hold words."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                kind = connection.introspection.get_field_type(column.type_code, column) or ""
                if any(t in kind.lower() for t in TEXT_TYPES):
                    yield table, column.name


def _found(sentence: str) -> list[str]:
    """Where ``sentence`` (or its distinctive start) still is, as ``table.column``."""
    needle = sentence[:12].lower()
    quote = connection.ops.quote_name
    hits = []
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            sql = (  # table and column names come from the introspection, quoted
                f"SELECT COUNT(*) FROM {quote(table)} "  # noqa: S608
                f"WHERE LOWER(CAST({quote(column)} AS TEXT)) LIKE %s"
            )
            cursor.execute(sql, [f"%{needle}%"])
            if cursor.fetchone()[0]:
                hits.append(f"{table}.{column}")
    return hits


def _words_everywhere(workshop, participant, session, facilitator):
    edited = contribution_of(participant, session, text=EDITED_AWAY, client_id="c-edit")
    edit_contribution(contribution=edited, text="Zq1 something else entirely", quotable=False)
    withdrawn = contribution_of(participant, session, text=WITHDRAWN, client_id="c-gone")
    withdrawn.refresh_from_db()
    moderation.set_status(contributions=[withdrawn], status="hidden")  # a history row first
    withdrawn.refresh_from_db()
    withdraw_contribution(contribution=withdrawn)
    moderated = contribution_of(participant, session, text=MODERATED_AWAY, client_id="c-mod")
    moderation.edit_as_moderator(contribution=moderated, data={"text": "Zq2 a moderated wording"})
    keep = contribution_of(participant, session, text=KEPT_UNDER_MERGE, client_id="c-keep")
    duplicate = contribution_of(participant, session, text="Zq3 a duplicate", client_id="c-dup")
    moderation.merge_contributions(keep=keep, duplicates=[duplicate])
    keep.refresh_from_db()
    withdraw_contribution(contribution=keep)  # others were merged into it: hidden, words gone
    return edited, moderated


def test_withdrawn_and_edited_words_are_in_no_table(workshop, participant, session, facilitator):
    _words_everywhere(workshop, participant, session, facilitator)
    for sentence in (EDITED_AWAY, WITHDRAWN, MODERATED_AWAY, KEPT_UNDER_MERGE):
        assert _found(sentence) == [], sentence
    # the search finds live wording, so it would find the others
    assert _found("Zq1 something else") == [
        "workshops_contribution.text",
        "workshops_contribution.search_text",
    ]


def test_and_none_after_purge_which_drops_the_history_of_withdrawn_ones(
    workshop, participant, session, facilitator
):
    _words_everywhere(workshop, participant, session, facilitator)
    workshop.retention_until = dt.date(2026, 1, 31)
    workshop.save()
    (purge,) = purge_expired(today=dt.date(2026, 3, 1))
    assert purge.history >= 1
    for sentence in (EDITED_AWAY, WITHDRAWN, MODERATED_AWAY, KEPT_UNDER_MERGE):
        assert _found(sentence) == [], sentence
    history = workshop.contributions.model.history.model.objects.filter(workshop=workshop)
    assert not history.exclude(id__in=workshop.contributions.values("pk")).exists()


def test_history_says_what_changed_never_the_words(workshop, participant, session):
    edited = contribution_of(participant, session, text=EDITED_AWAY, client_id="c-edit")
    moderation.edit_as_moderator(
        contribution=edited, data={"text": "Zq4 new wording", "category": "strength", "horizon": ""}
    )
    newest, created = versions_of(edited)
    assert created.history_type == "+" and created.changed_fields == []
    assert set(newest.changed_fields) >= {"text", "category"}
    assert not hasattr(newest, "text") or newest.text != EDITED_AWAY
