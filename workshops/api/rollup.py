"""The roll-up as the API serves it: the roll-up page's release, as it prints it.

Every count of people is a string: a number, ``"<5"`` for 1 to 4, or ``"×"`` where the
release hides it so that no small count can be worked out from the others. Shares are
given only where both of their counts are printed. Contributions are counted exactly.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import override

from workshops.analysis.disclosure import SECONDARY, THRESHOLD, primary_mark
from workshops.analysis.findings import FDR, MIN_GROUP, MIN_RATIO
from workshops.analysis.rollup import Rollup, Table, Tally
from workshops.choices import Audience
from workshops.report import prose


def _tallies(items: list[Tally]) -> list[dict]:
    return [
        {
            "key": item.key,
            "label": str(item.label),
            "contributions": item.contributions,
            "untagged": item.untagged,
        }
        for item in items
    ]


def _table(table: Table, language: str) -> dict:
    return {
        "facet": table.facet,
        "category": table.category,
        "detail": table.detail,
        "dimension": table.dimension,
        "groups": [
            {"key": g.key, "label": g.label, "people": size}
            for g, size in zip(table.groups, table.sizes, strict=True)
        ],
        "rows": [
            {
                "theme": row.theme.slug,
                "label": row.theme.label(language),
                "cells": [
                    {
                        "group": g.key,
                        "people": cell,
                        "share": None if share is None else round(share, 3),
                    }
                    for g, cell, share in zip(table.groups, row.cells, row.shares, strict=True)
                ],
                "total": row.total,
            }
            for row in table.rows
        ],
    }


def _notable(rollup: Rollup) -> list[dict]:
    """The same notable differences as the roll-up page, with the counts it prints."""
    return [
        {
            "scope": c.scope,
            "facet": c.facet,
            "dimension": c.dimension,
            "theme": rollup.themes[c.theme].slug,
            "label": rollup.themes[c.theme].label(rollup.language),
            "group": str(c.group),
            "group_label": rollup.group_label(c.dimension, c.group),
            "people": str(c.raised),
            "group_size": str(c.size),
            "compared_with": str(c.against),
            "compared_with_label": rollup.group_label(c.dimension, c.against),
            "compared_people": c.other,
            "compared_group_size": str(c.other_size),
            "p_value": round(c.p_value, 6),
            "q_value": round(c.q_value, 6),
            "sentence": prose.comparison(rollup, c),
        }
        for c in rollup.notable
    ]


def _recommendations(rollup: Rollup) -> list[dict]:
    labels = dict(Audience.choices)
    return [
        {
            "audience": audience,
            "label": str(labels.get(audience, _("No audience stated"))),
            "items": [
                {
                    "rank": rank,
                    "text": item.text,
                    "votes": item.votes_shown,
                    "themes": [t.slug for t in item.themes],
                }
                for rank, item in enumerate(items, start=1)
            ],
        }
        for audience, items in rollup.recommendations.items()
    ]


def rollup_data(rollup: Rollup) -> dict:
    """What ``RollupSerializer`` describes, labels in the roll-up's language."""
    small = primary_mark()
    with override(rollup.language):
        return {
            "language": rollup.language,
            "scope": rollup.scope,
            "scopes": list(rollup.table_scopes),
            "suppression": {
                "threshold": THRESHOLD,
                "small": small,
                "hidden": SECONDARY,
                "rule": _(
                    "Counts of 1 to %(last)s people are shown as “%(small)s”; “%(hidden)s” "
                    "hides a further number so that no “%(small)s” can be worked out."
                )
                % {"last": THRESHOLD - 1, "small": small, "hidden": SECONDARY},
            },
            "audit": {
                "ok": rollup.audit.ok,
                "hidden": len(rollup.audit.cells),
                "summary": rollup.audit.summary(),
            },
            "notable_rule": {
                "min_group": MIN_GROUP,
                "min_ratio": MIN_RATIO,
                "fdr": FDR,
                "test": "boschloo",
                "tests": len(rollup.tests),
            },
            "contributions": rollup.contributions,
            "voices": rollup.participants,
            "registered": rollup.registered,
            "voices_by_kind": dict(rollup.voices_by_kind),
            "unattributed": rollup.unattributed,
            "organisations": rollup.organisations,
            "by_category": _tallies(rollup.by_category),
            "by_source": _tallies(rollup.by_source),
            "tables": [_table(t, rollup.language) for t in rollup.tables.values()],
            "notable_differences": _notable(rollup),
            "recommendations": _recommendations(rollup),
        }
