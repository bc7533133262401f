"""The roll-up as the API serves it: the analysis module's numbers, suppressed.

Every count of people is a string as the roll-up page prints it: a number,
``"<5"`` for 1 to 4, or ``"×"`` where complementary suppression hides it so that
no small count can be worked out from the totals. Shares are given only where
both of their counts are shown.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import override

from workshops.analysis.rollup import CrossTab, Rollup, Tally
from workshops.analysis.stats import ALPHA, MIN_GROUP, MIN_RATIO
from workshops.analysis.suppression import PRIMARY, SECONDARY, THRESHOLD, protect, shown
from workshops.choices import Audience, Category


def _tallies(items: list[Tally]) -> list[dict]:
    if not items:
        return []
    table = protect([[item.contributions, item.participants] for item in items])
    return [
        {
            "key": item.key,
            "label": str(item.label),
            "contributions": table.cell(k, 0),
            "participants": table.cell(k, 1),
        }
        for k, item in enumerate(items)
    ]


def _themes_by_category(rollup: Rollup) -> list[dict]:
    labels = dict(Category.choices)
    found = []
    for category, items in rollup.themes_by_category.items():
        if not items:
            continue
        table = protect([[item.contributions, item.participants] for item in items])
        found.append(
            {
                "category": category,
                "label": str(labels.get(category, category)),
                "themes": [
                    {
                        "theme": item.theme.slug,
                        "label": item.theme.label(rollup.language),
                        "contributions": table.cell(k, 0),
                        "participants": table.cell(k, 1),
                    }
                    for k, item in enumerate(items)
                ],
            }
        )
    return found


def _crosstab(table: CrossTab, language: str) -> dict:
    visible = table.visible
    return {
        "dimension": table.dimension,
        "groups": [
            {"key": table.groups[j].key, "label": table.groups[j].label, "participants": size}
            for j, size in zip(visible, table.shown_sizes, strict=True)
        ],
        "rows": [
            {
                "theme": row["theme"].slug,
                "label": row["theme"].label(language),
                "cells": [
                    {
                        "group": table.groups[j].key,
                        "participants": cell["shown"],
                        "share": None if cell["share"] is None else round(cell["share"], 3),
                    }
                    for j, cell in zip(visible, row["cells"], strict=True)
                ],
                "total": row["total"],
            }
            for row in table.rows()
        ],
    }


def _notable(table: CrossTab, language: str) -> list[dict]:
    """The same notable differences as the roll-up page, with the counts it prints."""
    return [
        {
            "dimension": table.dimension,
            "theme": table.themes[i].slug,
            "label": table.themes[i].label(language),
            "group": table.groups[j].key,
            "group_label": table.groups[j].label,
            "participants": table.cell(i, j),
            "group_size": table.size(j),
            "compared_with": table.groups[d.against].key,
            "compared_with_label": table.groups[d.against].label,
            "compared_participants": table.cell(i, d.against),
            "compared_group_size": table.size(d.against),
        }
        for i, j, d in table.notable()
    ]


def _recommendations(rollup: Rollup) -> list[dict]:
    labels = dict(Audience.choices)
    return [
        {
            "audience": audience,
            "label": str(labels.get(audience, audience)),
            "items": [
                {
                    "rank": rank,
                    "theme": item.theme.slug,
                    "label": item.theme.label(rollup.language),
                    "votes": item.votes_shown,
                    "participants": shown(item.participants),
                }
                for rank, item in enumerate(items, start=1)
            ],
        }
        for audience, items in rollup.recommendations.items()
    ]


def rollup_data(rollup: Rollup) -> dict:
    """What ``RollupSerializer`` describes, labels in the roll-up's language."""
    with override(rollup.language):
        return {
            "language": rollup.language,
            "sources": list(rollup.sources),
            "suppression": {
                "threshold": THRESHOLD,
                "small": PRIMARY,
                "hidden": SECONDARY,
                "rule": _(
                    "Counts of 1 to %(last)s people are shown as “%(small)s”; a count that "
                    "totals would give away is shown as “%(hidden)s”."
                )
                % {"last": THRESHOLD - 1, "small": PRIMARY, "hidden": SECONDARY},
            },
            "notable_rule": {"min_group": MIN_GROUP, "min_ratio": MIN_RATIO, "alpha": ALPHA},
            "contributions": shown(rollup.contributions),
            "participants": shown(rollup.participants),
            "registered": shown(rollup.registered),
            "organisations": shown(rollup.organisations),
            "by_category": _tallies(rollup.by_category),
            "by_horizon": _tallies(rollup.by_horizon),
            "by_source": _tallies(rollup.by_source),
            "themes_by_category": _themes_by_category(rollup),
            "zones": _crosstab(rollup.zones, rollup.language),
            "genders": _crosstab(rollup.genders, rollup.language),
            "notable_differences": _notable(rollup.zones, rollup.language)
            + _notable(rollup.genders, rollup.language),
            "recommendations": _recommendations(rollup),
        }
