"""The roll-up of a workshop: pure functions over querysets.

Every function runs a fixed handful of aggregate queries, whatever the number of
contributions. What is counted is ``Contribution.objects.countable()`` (published,
or pending where no one moderates), optionally restricted to some sources.

Distinct voices ("one loud voice is one voice"): a contribution's author is its voice,
whether a workshop participant, a survey respondent (one per submission) or an
interviewee (one per interview). A contribution without an author (a note from an
unnamed speaker) is counted as a contribution, never as a person. Contributions
without a zone (or gender) count in the totals only: they appear in a "not stated"
remainder that is never compared.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import override

from workshops.analysis.stats import MIN_GROUP, Difference, compare, is_notable
from workshops.analysis.suppression import (
    THRESHOLD,
    Protected,
    protect,
    protect_vector,
    shown,
)
from workshops.choices import Audience, Category, Gender, Horizon, Source
from workshops.models import Contribution, Participant, Theme, Vote, Workshop, Zone

MAX_QUOTES_SCANNED = 2000


def people() -> Count:
    """Distinct authors; contributions without one are added by ``anonymous()``."""
    return Count("author", distinct=True)


def anonymous() -> Count:
    return Count("pk", filter=Q(author__isnull=True), distinct=True)


def voices(row: dict) -> int:
    """Distinct voices: every author once (participant, respondent or interviewee). A note
    from an unnamed speaker is a contribution, never a person (``anonymous`` counts them)."""
    return row["people"]


def contributions_of(workshop: Workshop, sources: Sequence[str] = ()) -> QuerySet:
    qs = Contribution.objects.countable().filter(workshop=workshop)
    if sources:
        qs = qs.filter(source__in=sources)
    return qs


# --- Plain counts -----------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    key: str
    label: str
    contributions: int
    participants: int


@dataclass(frozen=True)
class ThemeCount:
    theme: Theme
    contributions: int
    participants: int
    votes: int = 0


def counts_by_category(qs: QuerySet) -> list[Tally]:
    rows = {
        row["category"]: row
        for row in qs.values("category").annotate(
            n=Count("pk"), people=people(), anonymous=anonymous()
        )
    }
    return [
        Tally(value, str(label), rows[value]["n"], voices(rows[value]))
        for value, label in Category.choices
        if value in rows
    ]


def counts_by_horizon(qs: QuerySet) -> list[Tally]:
    rows = {
        row["horizon"]: row
        for row in qs.filter(category=Category.DRIVER)
        .values("horizon")
        .annotate(n=Count("pk"), people=people(), anonymous=anonymous())
    }
    return [
        Tally(value, str(label), rows[value]["n"], voices(rows[value]))
        for value, label in Horizon.choices
        if value in rows
    ]


def counts_by_source(qs: QuerySet) -> list[Tally]:
    rows = {row["source"]: row["n"] for row in qs.values("source").annotate(n=Count("pk"))}
    return [
        Tally(value, str(label), rows[value], 0) for value, label in Source.choices if value in rows
    ]


def theme_counts(qs: QuerySet, *, by: str) -> dict[str, list[tuple[int, int, int]]]:
    """(theme id, contributions, participants) per value of ``by``, most raised first."""
    grouped: dict[str, list[tuple[int, int, int]]] = defaultdict(list)
    for row in (
        qs.filter(themes__isnull=False)
        .values(by, "themes")
        .annotate(n=Count("pk", distinct=True), people=people(), anonymous=anonymous())
    ):
        grouped[row[by]].append((row["themes"], row["n"], voices(row)))
    for items in grouped.values():
        items.sort(key=lambda item: (-item[2], -item[1], item[0]))
    return grouped


# --- Cross-tabs of themes by zone and by gender -----------------------------------


@dataclass(frozen=True)
class Group:
    key: str
    label: str


@dataclass
class CrossTab:
    """Distinct participants raising each theme, by group, with shares and suppression."""

    dimension: str  # "zone" or "gender"
    themes: list[Theme]
    groups: list[Group]
    cells: list[list[int]]  # themes × groups
    theme_totals: list[int]  # everyone raising the theme, with or without a group
    group_sizes: list[int]  # participants of the group who contributed at all
    total_people: int
    protected: Protected
    sizes_protected: Protected
    differences: dict[tuple[int, int], Difference] = field(default_factory=dict)

    def share(self, i: int, j: int) -> float | None:
        """Share of the group raising the theme, only where both counts may be shown."""
        if not self.protected.is_shown(i, j) or not self.sizes_protected.is_shown(0, j):
            return None
        size = self.group_sizes[j]
        return self.cells[i][j] / size if size else None

    def cell(self, i: int, j: int) -> str:
        return self.protected.cell(i, j)

    def size(self, j: int) -> str:
        return self.sizes_protected.cell(0, j)

    @property
    def visible(self) -> list[int]:
        """Groups with anyone in them (an empty gender column helps no one)."""
        return [j for j in range(len(self.groups)) if self.group_sizes[j]]

    @property
    def visible_groups(self) -> list[Group]:
        return [self.groups[j] for j in self.visible]

    @property
    def shown_sizes(self) -> list[str]:
        return [self.size(j) for j in self.visible]

    def group_is_quotable(self, key: str) -> bool:
        return any(
            g.key == key and self.group_sizes[j] >= THRESHOLD for j, g in enumerate(self.groups)
        )

    def notable(self) -> list[tuple[int, int, Difference]]:
        """(theme index, group index, difference) that pass the rule, strongest first."""
        found = [(i, j, d) for (i, j), d in self.differences.items() if is_notable(d)]
        found.sort(key=lambda item: (item[2].p_value, -item[2].ratio))
        return found

    def notable_for_group(self, j: int) -> list[tuple[int, Difference]]:
        return [(i, d) for i, jj, d in self.notable() if jj == j]

    def rows(self):
        """Rows ready for a template or an export: label, cells, shares, total."""
        for i, theme in enumerate(self.themes):
            yield {
                "theme": theme,
                "cells": [
                    {"shown": self.cell(i, j), "share": self.share(i, j)} for j in self.visible
                ],
                "total": self.protected.row_total(i),
            }


def crosstab(
    qs: QuerySet,
    *,
    dimension: str,
    groups: Sequence[Group],
    themes: dict[int, Theme],
    category: str = Category.DRIVER,
) -> CrossTab:
    field_name = "zone" if dimension == "zone" else "gender"
    scoped = qs.filter(category=category)
    group_index = {g.key: j for j, g in enumerate(groups)}

    sizes = [0] * len(groups)
    total_people = 0
    for row in scoped.values(field_name).annotate(people=people(), anonymous=anonymous()):
        key = _key(row[field_name])
        if key in group_index:
            sizes[group_index[key]] = voices(row)
    total_row = scoped.aggregate(people=people(), anonymous=anonymous())
    total_people = voices(total_row)
    # Empty groups are not printed, so they must not serve as complements either.
    kept = [j for j in range(len(groups)) if sizes[j]]
    groups = [groups[j] for j in kept]
    sizes = [sizes[j] for j in kept]
    group_index = {g.key: j for j, g in enumerate(groups)}

    by_theme: dict[int, list[int]] = defaultdict(lambda: [0] * len(groups))
    theme_totals: dict[int, int] = defaultdict(int)
    for row in (
        scoped.filter(themes__isnull=False)
        .values("themes", field_name)
        .annotate(people=people(), anonymous=anonymous())
    ):
        theme_id, key = row["themes"], _key(row[field_name])
        theme_totals[theme_id] += voices(row)
        if key in group_index:
            by_theme[theme_id][group_index[key]] = voices(row)
    # Themes raised by fewer than 5 people are left out of the cross-tabs, so that
    # every theme total they print is public and the same in both tables.
    theme_ids = sorted(
        (t for t in theme_totals if t in themes and theme_totals[t] >= THRESHOLD),
        key=lambda t: (-theme_totals[t], themes[t].name),
    )
    cells = [by_theme[t] for t in theme_ids]
    totals = [theme_totals[t] for t in theme_ids]
    table = CrossTab(
        dimension=dimension,
        themes=[themes[t] for t in theme_ids],
        groups=list(groups),
        cells=cells,
        theme_totals=totals,
        group_sizes=sizes,
        total_people=total_people,
        protected=protect(cells, row_totals=totals, keep_totals=True)
        if cells
        else protect([[0] * len(groups)]),
        sizes_protected=protect_vector(sizes, total=total_people)
        if groups
        else protect_vector([0]),
    )
    for i in range(len(theme_ids)):
        for j in range(len(groups)):
            others = [
                (cells[i][k] / sizes[k], k)
                for k in range(len(groups))
                if k != j and sizes[k] >= MIN_GROUP
            ]
            if not others:
                continue
            _share, k = min(others)
            table.differences[(i, j)] = compare(
                cells[i][j], sizes[j], cells[i][k], sizes[k], against=k
            )
    return table


def _key(value) -> str:
    return "" if value in (None, "") else str(value)


def zone_groups(workshop: Workshop, language: str) -> list[Group]:
    return [
        Group(str(zone.pk), zone.label(language))
        for zone in Zone.objects.filter(country_id=workshop.country_id)
    ]


def gender_groups() -> list[Group]:
    return [
        Group(value, str(label)) for value, label in Gender.choices if value != Gender.UNDISCLOSED
    ]


# --- Recommendations ---------------------------------------------------------------


@dataclass(frozen=True)
class Recommendation:
    theme: Theme
    votes: int
    participants: int  # distinct participants who raised it
    contributions: int
    voters: int

    @property
    def votes_shown(self) -> str:
        return shown(self.votes)


def recommendations(qs: QuerySet, themes: dict[int, Theme]) -> dict[str, list[Recommendation]]:
    """Per audience, themes of recommendations ranked by votes, then by people raising them."""
    recs = qs.filter(category=Category.RECOMMENDATION, themes__isnull=False)
    raised = {
        (row["audience"], row["themes"]): row
        for row in recs.values("audience", "themes").annotate(
            n=Count("pk", distinct=True), people=people(), anonymous=anonymous()
        )
    }
    votes = {
        (row["contribution__audience"], row["contribution__themes"]): row
        for row in Vote.objects.filter(contribution__in=qs.filter(category=Category.RECOMMENDATION))
        .filter(contribution__themes__isnull=False)
        .values("contribution__audience", "contribution__themes")
        .annotate(votes=Count("pk", distinct=True), voters=Count("participant", distinct=True))
    }
    ranked: dict[str, list[Recommendation]] = {}
    for audience in Audience.values:
        items = [
            Recommendation(
                theme=themes[theme_id],
                votes=votes.get((audience, theme_id), {}).get("votes", 0),
                voters=votes.get((audience, theme_id), {}).get("voters", 0),
                participants=voices(row),
                contributions=row["n"],
            )
            for (aud, theme_id), row in raised.items()
            if aud == audience and theme_id in themes
        ]
        items.sort(key=lambda r: (-r.votes, -r.participants, r.theme.name))
        if items:
            ranked[audience] = items
    return ranked


# --- Quotes --------------------------------------------------------------------------


@dataclass(frozen=True)
class Quote:
    text: str
    language: str
    zone_key: str
    gender: str


def quotes_by_theme(
    qs: QuerySet, theme_ids: Iterable[int], per_theme: int = 1
) -> dict[int, list[Quote]]:
    """Quotable contributions for the given themes, the most voted first.

    Never the author's name: only text, language and the group snapshot.
    """
    wanted = set(theme_ids)
    found: dict[int, list[Quote]] = defaultdict(list)
    vote_count = (
        Vote.objects.filter(contribution=OuterRef("pk"))
        .values("contribution")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        qs.filter(quotable=True, themes__in=wanted)
        .annotate(n_votes=Coalesce(Subquery(vote_count), 0))
        .order_by("-n_votes", "pk")
        .values_list("themes", "text", "language", "zone_id", "gender")[:MAX_QUOTES_SCANNED]
    )
    for theme_id, text, language, zone_id, gender in rows:
        if len(found[theme_id]) < per_theme:
            found[theme_id].append(Quote(text, language, _key(zone_id), gender or ""))
    return found


# --- Everything together --------------------------------------------------------------


@dataclass
class Rollup:
    workshop: Workshop
    language: str
    sources: tuple[str, ...]
    contributions: int
    participants: int  # distinct voices among contributions
    registered: int  # participants registered in the workshop
    voices_by_kind: dict[str, int]  # distinct voices that contributed, per VoiceKind
    unattributed: int  # contributions from unnamed speakers: counted, never as people
    organisations: int
    by_category: list[Tally]
    by_horizon: list[Tally]
    by_source: list[Tally]
    themes_by_category: dict[str, list[ThemeCount]]
    themes_by_horizon: dict[str, list[ThemeCount]]
    zones: CrossTab
    genders: CrossTab
    recommendations: dict[str, list[Recommendation]]
    quotes: dict[int, list[Quote]]

    @property
    def zones_covered(self) -> list[Group]:
        return [g for j, g in enumerate(self.zones.groups) if self.zones.group_sizes[j]]

    def quote_attribution(self, quote: Quote) -> str:
        """The group a quote may be attributed to: only a group of ≥ 5 participants."""
        if quote.zone_key and self.zones.group_is_quotable(quote.zone_key):
            return next(g.label for g in self.zones.groups if g.key == quote.zone_key)
        return ""

    def gender_attribution(self, quote: Quote) -> str:
        """'a woman' / 'a man' only when that group has ≥ 5 participants."""
        if quote.gender and self.genders.group_is_quotable(quote.gender):
            return {Gender.WOMAN: _("a woman"), Gender.MAN: _("a man")}.get(quote.gender, "")
        return ""


def build_rollup(
    workshop: Workshop, *, language: str = "en", sources: Sequence[str] = ()
) -> Rollup:
    """Everything the roll-up page and the report need; labels in ``language``."""
    with override(language):
        return _build_rollup(workshop, language=language, sources=sources)


def _build_rollup(workshop: Workshop, *, language: str, sources: Sequence[str]) -> Rollup:
    qs = contributions_of(workshop, sources)
    themes = {theme.pk: theme for theme in Theme.objects.for_workshop(workshop)}

    def theme_list(items):
        return [ThemeCount(themes[t], n, p) for t, n, p in items if t in themes]

    by_category_themes = theme_counts(qs, by="category")
    by_horizon_themes = theme_counts(qs.filter(category=Category.DRIVER), by="horizon")
    totals = qs.aggregate(n=Count("pk"), people=people(), anonymous=anonymous())
    participants = (
        Participant.objects.in_the_room()
        .filter(workshop=workshop)
        .aggregate(n=Count("pk"), organisations=Count("organisation", distinct=True))
    )
    zones = crosstab(qs, dimension="zone", groups=zone_groups(workshop, language), themes=themes)
    genders = crosstab(qs, dimension="gender", groups=gender_groups(), themes=themes)
    ranked = recommendations(qs, themes)
    wanted = {zones.themes[i].pk for i, _, _ in zones.notable()}
    wanted |= {genders.themes[i].pk for i, _, _ in genders.notable()}
    wanted |= {item.theme.pk for items in ranked.values() for item in items[:3]}
    for items in by_horizon_themes.values():
        wanted |= {t for t, _, _ in items[:3]}
    return Rollup(
        workshop=workshop,
        language=language,
        sources=tuple(sources),
        contributions=totals["n"],
        participants=voices(totals),
        registered=participants["n"],
        voices_by_kind={
            row["author__kind"]: row["n"]
            for row in qs.filter(author__isnull=False)
            .values("author__kind")
            .annotate(n=Count("author", distinct=True))
        },
        unattributed=totals["anonymous"],
        organisations=participants["organisations"],
        by_category=counts_by_category(qs),
        by_horizon=counts_by_horizon(qs),
        by_source=counts_by_source(qs),
        themes_by_category={k: theme_list(v) for k, v in by_category_themes.items()},
        themes_by_horizon={k: theme_list(v) for k, v in by_horizon_themes.items()},
        zones=zones,
        genders=genders,
        recommendations=ranked,
        quotes=quotes_by_theme(qs, wanted),
    )
