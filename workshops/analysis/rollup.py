"""The roll-up of a workshop: one audited release, and the views the pages take of it.

Voices ("one loud voice is one voice"): a contribution's author is its voice — a
workshop participant, a survey respondent (one per submission) or an interviewee (one
per interview) — and belongs to one scope (workshop, survey, interview). A voice's zone
and gender are its own (the participant's region and gender; for an author who gave
none, what the contribution recorded). A contribution without an author (a note from an
unnamed speaker) counts as a contribution, never as a person.

Every number shown to someone who may not see row-level data comes from one release
(``workshops.analysis.disclosure.workshop_release``): for each scope with tables and
for all voices together, the group sizes and, for every facet (each category, drivers
by horizon, recommendations by audience), each theme's total and its cells by zone and
by gender, plus the votes. It is protected and audited before anything is shown; a
source filter chooses which scope's tables to read, never a second, differently
computed release. Notable differences are tested on the printed numbers
(``findings``), with Benjamini–Hochberg over every test of the release.

Contribution counts (per category, untagged, per source) are counts of what was said,
not of people, and are shown exactly; no count of contributions is shown per theme or
per group, where it would bound a hidden number of people.

The queries are a fixed handful, whatever the number of contributions.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from workshops.analysis import findings
from workshops.analysis.disclosure import (
    ALL,
    FACETS,
    GENDER,
    SECONDARY,
    THRESHOLD,
    ZONE,
    AuditResult,
    Voice,
    WorkshopRelease,
    audit,
    workshop_release,
)
from workshops.choices import Audience, Category, Gender, Horizon, Source, VoiceKind
from workshops.models import Contribution, Participant, Theme, Vote, Workshop, Zone

MAX_QUOTES_SCANNED = 2000
RANKED_RECOMMENDATIONS = 12  # per audience, on the page and in the draft

WORKSHOP, SURVEY, INTERVIEW = "workshop", "survey", "interview"
SCOPE_OF_KIND = {
    VoiceKind.PARTICIPANT: WORKSHOP,
    VoiceKind.RESPONDENT: SURVEY,
    VoiceKind.INTERVIEWEE: INTERVIEW,
}
SCOPE_OF_SOURCE = {
    Source.NOTE: WORKSHOP,
    Source.PHONE: WORKSHOP,
    Source.IMPORT: WORKSHOP,
    Source.SURVEY: SURVEY,
    Source.INTERVIEW: INTERVIEW,
}
COMPARED = (
    Category.DRIVER,
    Category.STRENGTH,
    Category.CHALLENGE,
    Category.OPPORTUNITY,
    Category.RECOMMENDATION,
)
DIMENSIONS = (ZONE, GENDER)
UNSTATED_GENDERS = ("", Gender.UNDISCLOSED)


def facets_of(category: str, horizon: str, audience: str) -> list[str]:
    """The facets a contribution counts under: its category, and its horizon or audience."""
    if category not in COMPARED:
        return []
    facets = [category]
    if category == Category.DRIVER and horizon:
        facets.append(f"{category}:{horizon}")
    if category == Category.RECOMMENDATION and audience:
        facets.append(f"{category}:{audience}")
    return facets


def facet_category(facet: str) -> str:
    return facet.partition(":")[0]


def facet_detail(facet: str) -> str:
    return facet.partition(":")[2]


def scope_for_sources(sources: Sequence[str]) -> str:
    """The scope a source filter reads: one voice scope, or all voices."""
    scopes = {SCOPE_OF_SOURCE.get(s, s) for s in sources}
    return scopes.pop() if len(scopes) == 1 else ALL


def contributions_of(workshop: Workshop, sources: Sequence[str] = ()) -> QuerySet:
    qs = Contribution.objects.countable().filter(workshop=workshop)
    if sources:
        qs = qs.filter(source__in=sources)
    return qs


def printed_value(display: str | None) -> int | None:
    """The number a printed count stands for, when it is exact."""
    return int(display) if display and display.isdigit() else None


# --- What the views read ------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    key: str
    label: str
    contributions: int
    untagged: int = 0


@dataclass(frozen=True)
class ThemeCount:
    """A theme of a facet with its printed number of voices (only exact ones are listed)."""

    theme: Theme
    people: int

    @property
    def participants(self) -> int:
        return self.people


@dataclass(frozen=True)
class Group:
    key: str
    label: str


@dataclass(frozen=True)
class TableRow:
    theme: Theme
    total: str
    cells: list[str]
    shares: list[float | None]

    def columns(self) -> list[dict]:
        return [{"shown": c, "share": s} for c, s in zip(self.cells, self.shares, strict=True)]


@dataclass
class Table:
    """Voices raising each theme of one facet, by zone or gender, for one scope, as printed."""

    scope: str
    facet: str
    dimension: str
    groups: list[Group]
    sizes: list[str]  # printed group sizes
    rows: list[TableRow]

    @property
    def category(self) -> str:
        return facet_category(self.facet)

    @property
    def detail(self) -> str:
        return facet_detail(self.facet)

    def size_of(self, key: str) -> str | None:
        for group, size in zip(self.groups, self.sizes, strict=True):
            if group.key == key:
                return size
        return None


@dataclass(frozen=True)
class RankedRecommendation:
    """A recommendation as people voted for it: its own words, its votes, its themes."""

    pk: int
    text: str
    language: str
    audience: str
    themes: tuple[Theme, ...]
    votes: int
    votes_shown: str


@dataclass(frozen=True)
class Quote:
    text: str
    language: str
    zone_key: str
    gender: str


# --- Loading the voices ---------------------------------------------------------------


@dataclass
class _Loaded:
    voices: list[Voice]
    kinds: Counter
    unattributed: int
    contributions: Counter  # (scope, category) -> contributions, ALL included
    untagged: Counter  # (scope, category) -> contributions without a theme
    recommendations: list[tuple[int, str, str, tuple[int, ...]]]  # pk, audience, scope, themes


def load_voices(workshops: Sequence[Workshop]) -> dict[int, _Loaded]:
    """Each workshop's voices and counts, read in one pass for all of them: the roll-up
    reads one workshop, the programme many; both count people the same way."""
    ids = [workshop.pk for workshop in workshops]
    by_id = {workshop.pk: workshop for workshop in workshops}
    Workshop.prime_zones(workshops)
    qs = Contribution.objects.countable().filter(workshop_id__in=ids)
    themes_of: dict[int, list[int]] = defaultdict(list)
    for contribution_id, theme_id in Contribution.themes.through.objects.filter(
        contribution__in=qs
    ).values_list("contribution_id", "theme_id"):
        themes_of[contribution_id].append(theme_id)
    rows = qs.values_list(
        "workshop_id",
        "pk",
        "author_id",
        "author__kind",
        "author__region_id",
        "author__gender",
        "zone_id",
        "gender",
        "category",
        "horizon",
        "audience",
        "source",
    ).order_by("pk")
    loaded = {pk: _Loading() for pk in ids}
    for (
        workshop_id,
        pk,
        author_id,
        kind,
        author_region,
        author_gender,
        zone_id,
        gender,
        category,
        horizon,
        audience,
        source,
    ) in rows:
        into = loaded[workshop_id]
        theme_ids = tuple(sorted(themes_of.get(pk, ())))
        if author_id is None:
            into.unattributed += 1
            scope = SCOPE_OF_SOURCE.get(source, WORKSHOP)
        else:
            scope = SCOPE_OF_KIND.get(kind, WORKSHOP)
            voice = into.authors.get(author_id)
            if voice is None:
                voice = into.authors[author_id] = {
                    "scope": scope,
                    # The author's zone in the workshop's grouping, else the snapshot.
                    "zone": by_id[workshop_id].zone_id_of(author_region) or zone_id,
                    "gender": author_gender or gender,
                    "raised": set(),
                }
                into.kinds[kind] += 1
            for facet in facets_of(category, horizon, audience):
                voice["raised"].update((facet, t) for t in theme_ids)
        for where in (scope, ALL):
            into.contributions[(where, category)] += 1
            if not theme_ids:
                into.untagged[(where, category)] += 1
        if category == Category.RECOMMENDATION:
            into.recommendations.append((pk, audience, scope, theme_ids))
    return {pk: loading.done() for pk, loading in loaded.items()}


@dataclass
class _Loading:
    authors: dict[int, dict] = field(default_factory=dict)
    kinds: Counter = field(default_factory=Counter)
    unattributed: int = 0
    contributions: Counter = field(default_factory=Counter)
    untagged: Counter = field(default_factory=Counter)
    recommendations: list = field(default_factory=list)

    def done(self) -> _Loaded:
        voices = [
            Voice(
                scope=v["scope"],
                zone=str(v["zone"]) if v["zone"] else None,
                gender=None if v["gender"] in UNSTATED_GENDERS else v["gender"],
                raised=frozenset(v["raised"]),
            )
            for v in self.authors.values()
        ]
        return _Loaded(
            voices,
            self.kinds,
            self.unattributed,
            self.contributions,
            self.untagged,
            self.recommendations,
        )


def ranked_votes(workshops: Sequence[Workshop]) -> dict[int, list[tuple[int, int]]]:
    """Each workshop's voted recommendations as (contribution, votes), most votes first."""
    votes: dict[int, list[tuple[int, int]]] = {workshop.pk: [] for workshop in workshops}
    recommendations = Contribution.objects.countable().filter(
        workshop__in=list(votes), category=Category.RECOMMENDATION
    )
    for workshop_id, contribution_id, n in (
        Vote.objects.filter(contribution__in=recommendations)
        .values("contribution__workshop_id", "contribution")
        .annotate(n=Count("pk"))
        .values_list("contribution__workshop_id", "contribution", "n")
    ):
        if n:
            votes[workshop_id].append((contribution_id, n))
    for ranked in votes.values():
        ranked.sort(key=lambda v: (-v[1], v[0]))
    return votes


# --- Everything together ----------------------------------------------------------------


@dataclass
class Rollup:
    workshop: Workshop
    language: str
    sources: tuple[str, ...]
    scope: str  # the scope whose tables are read: ALL or a source with tables
    release: WorkshopRelease
    audit: AuditResult
    themes: dict[int, Theme]
    zone_groups: list[Group]
    gender_groups: list[Group]
    contributions: int  # in the scope, unnamed speakers' notes included
    participants: int  # distinct voices of the scope
    registered: int  # participants who joined the workshop (the room), consent given
    took_part: int  # of those, the ones who contributed or voted
    voices_by_kind: dict[str, int]  # distinct voices that contributed, per VoiceKind
    unattributed: int  # contributions from unnamed speakers: counted, never as people
    organisations: int
    by_category: list[Tally]
    by_source: list[Tally]
    untagged: dict[str, int]  # category -> contributions without a theme, in the scope
    tests: list[findings.Comparison]  # every comparison of the release, adjusted
    recommendations: dict[str, list[RankedRecommendation]]  # audience ("" = none) -> ranked
    quotes: dict[int, list[Quote]] = field(default_factory=dict)

    @property
    def participation(self) -> str:
        """ "30 joined; 28 contributed or voted": those who only joined apart from those
        who took part, so that phones joining twice or a script minting participants do
        not pass for people heard. Totals of the room, not cells: exact."""
        return _("%(joined)s; %(took_part)s") % {
            "joined": ngettext("%(n)s joined", "%(n)s joined", self.registered)
            % {"n": formats.number_format(self.registered)},
            "took_part": ngettext(
                "%(n)s contributed or voted", "%(n)s contributed or voted", self.took_part
            )
            % {"n": formats.number_format(self.took_part)},
        }

    # --- the release, as printed

    def display(self, key: tuple) -> str | None:
        """The key as printed. A release that failed its audit prints no number of people
        but the voices of each source (fail closed: staff see why on the roll-up page)."""
        if not self.audit.ok and key[0] not in ("voices", "people"):
            return None
        return self.release.display(key)

    @property
    def has_tables(self) -> bool:
        return self.audit.ok and self.scope in self.release.tables

    @property
    def table_scopes(self) -> tuple[str, ...]:
        """Scopes with tables, all voices first."""
        tables = self.release.tables
        return tuple(s for s in (ALL, *[t for t in tables if t != ALL]) if s in tables)

    def groups(self, dimension: str) -> list[Group]:
        return self.zone_groups if dimension == ZONE else self.gender_groups

    def table(self, facet: str, dimension: str, scope: str | None = None) -> Table:
        scope = scope or self.scope
        groups = self.groups(dimension)
        sizes = [self.display(("size", scope, dimension, g.key)) for g in groups]
        kept = [j for j, size in enumerate(sizes) if size not in (None, "0")]
        groups = [groups[j] for j in kept]
        sizes = [sizes[j] or "" for j in kept]
        rows = []
        for theme in self.themes.values():
            total = self.display(("theme", scope, facet, theme.pk))
            if total in (None, "0"):
                continue
            cells = [
                self.display(("cell", scope, facet, theme.pk, dimension, g.key)) or "0"
                for g in groups
            ]
            shares = []
            for cell, size in zip(cells, sizes, strict=True):
                a, n = printed_value(cell), printed_value(size)
                shares.append(a / n if a is not None and n else None)
            rows.append(TableRow(theme, total, cells, shares))
        rows.sort(key=lambda r: (-(printed_value(r.total) or 0), r.theme.label(self.language)))
        return Table(scope, facet, dimension, groups, sizes, rows)

    @cached_property
    def tables(self) -> dict[tuple[str, str], Table]:
        """(facet, dimension) -> table, for the scope read; facets with any row only."""
        if not self.has_tables:
            return {}
        found = {}
        for facet in self.facets:
            for dimension in DIMENSIONS:
                table = self.table(facet, dimension)
                if table.rows:
                    found[(facet, dimension)] = table
        return found

    @property
    def facets(self) -> list[str]:
        return list(FACETS)

    # The views below are read by the builder, the charts and their fingerprint, several
    # times per export: each is computed once per roll-up (its release never changes).

    @cached_property
    def zones(self) -> Table:
        return self.table(Category.DRIVER, ZONE)

    @cached_property
    def genders(self) -> Table:
        return self.table(Category.DRIVER, GENDER)

    def group_sizes(self, dimension: str) -> list[tuple[Group, str]]:
        """Printed sizes of the groups with anyone in them, for the scope read."""
        found = []
        for g in self.groups(dimension):
            size = self.display(("size", self.scope, dimension, g.key))
            if size not in (None, "0"):
                found.append((g, size))
        return found

    def themes_of(self, facet: str) -> list[ThemeCount]:
        """Themes of a facet with the exact number of voices raising them, most raised first.

        Themes raised by fewer than 5 voices have no printed total (``small_themes``)."""
        items = []
        for theme in self.themes.values():
            value = printed_value(self.display(("theme", self.scope, facet, theme.pk)))
            if value:
                items.append(ThemeCount(theme, value))
        items.sort(key=lambda t: (-t.people, t.theme.label(self.language)))
        return items

    def withheld_themes(self, facet: str) -> list[Theme]:
        """Themes of a facet whose number of voices is hidden as "×" (it would give away
        a small count elsewhere): named, never counted."""
        found = [
            theme
            for theme in self.themes.values()
            if self.display(("theme", self.scope, facet, theme.pk)) == SECONDARY
        ]
        return sorted(found, key=lambda t: t.label(self.language))

    def small_themes(self, facet: str) -> int:
        """How many themes of a facet were raised, but by too few voices to be printed."""
        release = self.release.release
        return sum(
            1
            for theme in self.themes.values()
            if ("theme", self.scope, facet, theme.pk) in release
            and self.display(("theme", self.scope, facet, theme.pk)) is None
        )

    @cached_property
    def themes_by_category(self) -> dict[str, list[ThemeCount]]:
        found = {c: self.themes_of(c) for c in COMPARED}
        return {c: items for c, items in found.items() if items}

    @property
    def themes_by_horizon(self) -> dict[str, list[ThemeCount]]:
        found = {h: self.themes_of(f"{Category.DRIVER}:{h}") for h in Horizon.values}
        return {h: items for h, items in found.items() if items}

    # --- findings

    @property
    def notable(self) -> list[findings.Comparison]:
        """Notable differences of the scope read (all voices: every scope with tables)."""
        scopes = self.table_scopes if self.scope == ALL else (self.scope,)
        return [c for c in self.tests if c.notable and c.scope in scopes]

    def findings_for(self, dimension: str, scope: str | None = None) -> list[findings.Comparison]:
        """Notable differences by one dimension and scope, one per theme, group and category."""
        scope = scope or self.scope
        seen = set()
        found = []
        for c in self.tests:
            if not c.notable or c.scope != scope or c.dimension != dimension:
                continue
            key = (c.group, c.theme, facet_category(c.facet))
            if key in seen:
                continue
            seen.add(key)
            found.append(c)
        return found

    def group_label(self, dimension: str, key: Hashable) -> str:
        return next((g.label for g in self.groups(dimension) if g.key == key), str(key))

    # --- quotes

    def _quotable_group(self, dimension: str, key: str) -> str:
        size = printed_value(self.display(("size", self.scope, dimension, key)))
        if size is None or size < THRESHOLD:
            return ""
        return self.group_label(dimension, key)

    def quote_attribution(self, quote: Quote) -> str:
        """The zone a quote may be attributed to: only a printed group of ≥ 5 voices."""
        return self._quotable_group(ZONE, quote.zone_key) if quote.zone_key else ""

    def gender_attribution(self, quote: Quote) -> str:
        """'a woman' / 'a man' only when that group has a printed size of ≥ 5."""
        if not quote.gender or not self._quotable_group(GENDER, quote.gender):
            return ""
        return {Gender.WOMAN: _("a woman"), Gender.MAN: _("a man")}.get(quote.gender, "")


def zone_groups(workshop: Workshop, language: str) -> list[Group]:
    return [
        Group(str(zone.pk), zone.label(language)) for zone in Zone.objects.filter(workshop=workshop)
    ]


def gender_groups() -> list[Group]:
    return [
        Group(value, str(label)) for value, label in Gender.choices if value not in UNSTATED_GENDERS
    ]


def _rows_for_tests(release: WorkshopRelease, zones, genders, themes) -> list[findings.Row]:
    rows = []
    tables = release.tables
    # With one source tabled, all voices are that source: test the numbers once.
    scopes = [ALL] if len(tables) <= 2 else list(tables)
    for scope in scopes:
        if scope not in tables:
            continue
        for dimension, groups in ((ZONE, zones), (GENDER, genders)):
            sizes = [release.display(("size", scope, dimension, g.key)) for g in groups]
            for facet in FACETS:
                for theme_id in themes:
                    if release.display(("theme", scope, facet, theme_id)) in (None, "0"):
                        continue
                    cells = [
                        (
                            g.key,
                            release.display(("cell", scope, facet, theme_id, dimension, g.key)),
                            size,
                        )
                        for g, size in zip(groups, sizes, strict=True)
                    ]
                    rows.append(findings.Row(scope, facet, theme_id, dimension, cells))
    return rows


def _ranked_recommendations(
    loaded: _Loaded, scope: str, votes: dict[int, int], release: WorkshopRelease, themes
) -> dict[str, list[RankedRecommendation]]:
    picked = [
        (pk, audience, theme_ids)
        for pk, audience, where, theme_ids in loaded.recommendations
        if scope == ALL or where == scope
    ]
    picked.sort(key=lambda item: (-votes.get(item[0], 0), item[0]))
    by_audience: dict[str, list] = defaultdict(list)
    for item in picked:
        if len(by_audience[item[1]]) < RANKED_RECOMMENDATIONS:
            by_audience[item[1]].append(item)
    wanted = [item[0] for items in by_audience.values() for item in items]
    words = {
        pk: (text, language)
        for pk, text, language in Contribution.objects.filter(pk__in=wanted).values_list(
            "pk", "text", "language"
        )
    }
    order = [*Audience.values, ""]
    ranked = {}
    for audience in sorted(by_audience, key=lambda a: order.index(a) if a in order else 99):
        ranked[audience] = [
            RankedRecommendation(
                pk=pk,
                text=words.get(pk, ("", ""))[0],
                language=words.get(pk, ("", ""))[1],
                audience=audience,
                themes=tuple(themes[t] for t in theme_ids if t in themes),
                votes=votes.get(pk, 0),
                votes_shown=(release.display(("vote", pk)) or "0" if votes.get(pk, 0) else "0"),
            )
            for pk, audience, theme_ids in by_audience[audience]
        ]
    return ranked


def quotes_by_theme(
    qs: QuerySet, theme_ids: Iterable[int], per_theme: int = 1
) -> dict[int, list[Quote]]:
    """Quotable contributions for the given themes, the most voted first.

    Never the author's name: only text, language and the group snapshot.
    """
    wanted = set(theme_ids)
    found: dict[int, list[Quote]] = defaultdict(list)
    if not wanted:
        return found
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


def _key(value) -> str:
    return "" if value in (None, "") else str(value)


def build_rollup(
    workshop: Workshop,
    *,
    language: str = "en",
    sources: Sequence[str] = (),
    scope: str | None = None,
) -> Rollup:
    """Everything the roll-up page and the report need; labels in ``language``.

    ``scope`` (or, for older callers, ``sources``) chooses whose tables are read: all
    voices, or one source with tables of its own. The release is the same either way."""
    with override(language):
        return _build_rollup(workshop, language=language, sources=tuple(sources), scope=scope)


def _build_rollup(
    workshop: Workshop, *, language: str, sources: tuple[str, ...], scope: str | None
) -> Rollup:
    loaded = load_voices([workshop])[workshop.pk]
    themes = {theme.pk: theme for theme in Theme.objects.for_workshop(workshop)}
    votes = ranked_votes([workshop])[workshop.pk]
    zones = zone_groups(workshop, language)
    genders = gender_groups()
    release = workshop_release(
        voices=loaded.voices,
        votes=votes,
        zones=[g.key for g in zones],
        genders=[g.key for g in genders],
    )
    protected = release.protected
    result = protected.result if protected.result is not None else audit(protected)
    scope = scope or scope_for_sources(sources)
    if scope not in release.tables and scope != ALL:
        scope = ALL
    tests = findings.tested(_rows_for_tests(release, zones, genders, themes)) if result.ok else []
    contributed = contributions_of(workshop).filter(author=OuterRef("pk"))
    voted = Vote.objects.filter(participant=OuterRef("pk"))
    participants = (
        Participant.objects.in_the_room()
        .filter(workshop=workshop)
        .aggregate(
            n=Count("pk"),
            took_part=Count("pk", filter=Q(Exists(contributed)) | Q(Exists(voted))),
            organisations=Count("organisation", distinct=True),
        )
    )
    scope_contributions = {c: loaded.contributions.get((scope, c), 0) for c in Category.values}
    rollup = Rollup(
        workshop=workshop,
        language=language,
        sources=sources,
        scope=scope,
        release=release,
        audit=result,
        themes=themes,
        zone_groups=zones,
        gender_groups=genders,
        contributions=sum(scope_contributions.values()),
        participants=len(loaded.voices)
        if scope == ALL
        else int(release.display(("voices", scope)) or 0),
        registered=participants["n"],
        took_part=participants["took_part"],
        voices_by_kind=dict(loaded.kinds),
        unattributed=loaded.unattributed,
        organisations=participants["organisations"],
        by_category=[
            Tally(value, str(label), n, loaded.untagged.get((scope, value), 0))
            for value, label in Category.choices
            if (n := scope_contributions[value])
        ],
        by_source=_by_source(workshop, scope),
        untagged={c: n for c in COMPARED if (n := loaded.untagged.get((scope, c), 0))},
        tests=tests,
        recommendations=_ranked_recommendations(loaded, scope, dict(votes), release, themes)
        if result.ok
        else {},
    )
    wanted = {c.theme for c in rollup.notable}
    for facet in rollup.facets:
        wanted |= {t.theme.pk for t in rollup.themes_of(facet)[:3]}
    rollup.quotes = quotes_by_theme(contributions_of(workshop), wanted)
    return rollup


def _by_source(workshop: Workshop, scope: str) -> list[Tally]:
    qs = contributions_of(workshop)
    if scope != ALL:
        qs = qs.filter(source__in=[s for s, where in SCOPE_OF_SOURCE.items() if where == scope])
    rows = dict(qs.values("source").annotate(n=Count("pk")).values_list("source", "n"))
    return [
        Tally(value, str(label), rows[value]) for value, label in Source.choices if value in rows
    ]
