"""A network's programme across its workshops: one audited programme release, the themes it
prints by country and by year, how findings moved between two workshops, and the
recommendations of workshops with their follow-up.

The programme release holds every workshop's own release (the one its roll-up prints,
built by ``disclosure.workshop_release`` from the same voices) with each cell as that
roll-up shows it — shown cells stay shown, hidden ones stay hidden (a "<5" turned "×" is
taken as a "<5", which assumes the reader knows more, never less) — and, tied to them by
sums, the programme's numbers: for each category and theme, the voices who raised it in
each country and each year and in all, with the group sizes. ``protect`` then hides
programme cells where they would narrow a hidden workshop number, and the exact audit
judges the whole. So the programme prints nothing a workshop's roll-up hides, and nothing
that, put beside the roll-ups, would give a small count away.

A workshop's voices are the voices its roll-up tables ("all voices": a source too small
for tables of its own is counted there only as voices, so here too). Movements between
two workshops are tested like notable differences (``findings``): the two workshops are
the two groups, compared on the printed theme totals and voice counts.

The queries are a fixed handful, whatever the number of workshops.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Max, QuerySet

from workshops.analysis import findings
from workshops.analysis.disclosure import (
    ALL,
    MIN_SCOPE,
    SECONDARY,
    THRESHOLD,
    AuditResult,
    Release,
    Status,
    WorkshopRelease,
    audit,
    protect_cached,
    workshop_release,
)
from workshops.analysis.rollup import (
    COMPARED,
    Group,
    Table,
    TableRow,
    ThemeCount,
    gender_groups,
    load_voices,
    printed_value,
    ranked_votes,
)
from workshops.choices import Category
from workshops.models import Contribution, Theme, Workshop, Zone

COUNTRY, YEAR = "country", "year"
DIMENSIONS = (COUNTRY, YEAR)


def recommendations_with_followup(workshops) -> QuerySet:
    """The agreed (counted) recommendations of ``workshops``, most voted first in each
    workshop, with ``followup`` joined, ``n_votes`` (for the order only: pages print no
    number of dots here) and ``last_update`` (the date of the newest update)."""
    return (
        Contribution.objects.countable()
        .filter(category=Category.RECOMMENDATION, workshop__in=workshops)
        .select_related("followup", "followup__followed_by", "workshop")
        .annotate(n_votes=Count("votes", distinct=True), last_update=Max("followup__updates__date"))
        .order_by("workshop__start_date", "workshop_id", "-n_votes", "pk")
    )


def followup_of(recommendation: Contribution):
    """The recommendation's follow-up, or None when nothing was recorded yet."""
    return getattr(recommendation, "followup", None)


# --- The workshops' own releases, for many workshops in a fixed number of queries --------


def workshop_releases(workshops: Sequence[Workshop]) -> dict[int, WorkshopRelease]:
    """Each workshop's release exactly as ``rollup.build_rollup`` builds it: the same
    loader of voices and votes (``test_programme`` pins the fingerprints equal)."""
    ids = [w.pk for w in workshops]
    loaded = load_voices(workshops)
    votes = ranked_votes(workshops)
    zones: dict[int, list[str]] = defaultdict(list)
    for zone_id, workshop_id in Zone.objects.filter(workshop_id__in=ids).values_list(
        "pk", "workshop_id"
    ):
        zones[workshop_id].append(str(zone_id))
    genders = [g.key for g in gender_groups()]
    return {
        workshop.pk: workshop_release(
            voices=loaded[workshop.pk].voices,
            votes=votes[workshop.pk],
            zones=zones[workshop.pk],
            genders=genders,
        )
        for workshop in workshops
    }


# --- The programme release --------------------------------------------------------------------


def _carried(status: Status, sensitive: bool, value: int) -> tuple[bool, bool]:
    """(published, keep) in the programme release of a cell a workshop's roll-up shows so."""
    if status == Status.SHOWN:
        return True, True
    if status == Status.PRIMARY:
        return True, False
    if status == Status.SECONDARY and sensitive and 0 < value < THRESHOLD:
        return True, False  # a "<5" escalated to "×": taken as a "<5" (the reader knows more)
    return False, False


def _linked(key: Hashable) -> bool:
    """The cells of a workshop's release the programme's sums are made of."""
    return key == ("voices", ALL) or (
        len(key) == 4 and key[0] == "theme" and key[1] == ALL and key[2] in COMPARED
    )


def _include(combined: Release, prefix: Hashable, release: WorkshopRelease, ok: bool) -> None:
    """Copy a workshop's release into ``combined`` under ``prefix``, each cell as shown.

    Only what the programme can reach is copied: the cells its sums are made of, and the
    hidden cells connected to a hidden one of them through relations (shown cells are
    constants: nothing passes through them), with the relations between those. The rest
    of the workshop's release is the same problem its own audit already passed, untouched
    by the programme's cells."""
    inner = release.release
    protected = release.protected
    cells = inner._cells
    carried = []
    for cell in cells:
        if ok:
            status = protected.status(cell.key)
        else:  # its roll-up prints its voices only (fail closed)
            status = Status.SHOWN if cell.key[0] in ("voices", "people") else Status.UNPUBLISHED
        carried.append(_carried(status, cell.sensitive, cell.value))
    hidden = [not keep for _published, keep in carried]
    parent = list(range(len(cells)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for relation in inner._relations:
        terms = [i for i, _c in relation.terms if hidden[i]]
        for i in terms[1:]:
            parent[root(i)] = root(terms[0])
    reached = {root(i) for i, cell in enumerate(cells) if hidden[i] and _linked(cell.key)}
    relations = [
        relation
        for relation in inner._relations
        if any(hidden[i] and root(i) in reached for i, _c in relation.terms)
    ]
    wanted = {i for i, cell in enumerate(cells) if _linked(cell.key)}
    wanted |= {i for relation in relations for i, _c in relation.terms}
    for i in sorted(wanted):
        cell = cells[i]
        published, keep = carried[i]
        combined.cell(
            (prefix, cell.key),
            cell.value,
            published=published,
            known=(cell.low, cell.high),
            cost=cell.cost,
            keep=keep,
            sensitive=cell.sensitive,
        )
    for relation in relations:
        combined.relation(
            {(prefix, cells[i].key): c for i, c in relation.terms}, equal=relation.equal
        )


def _always_printed(key: tuple) -> bool:
    """Voice counts: what a release that failed its audit still prints."""
    if key[0] in ("p-size", "p-voices"):
        return True
    return len(key) == 2 and isinstance(key[1], tuple) and key[1][0] in ("voices", "people")


@dataclass
class ProgrammeWorkshop:
    workshop: Workshop
    key: str
    year: int
    voices: int  # the voices its roll-up tables (exact: never hidden)
    country: str = ""  # the country's name in the page's language


@dataclass
class Movement:
    """A theme notably more raised in one of the two workshops than in the other."""

    comparison: findings.Comparison
    theme: Theme
    category: str
    rising: bool  # more raised in the later workshop

    @property
    def category_label(self) -> str:
        return str(Category(self.category).label)


@dataclass
class Programme:
    workshops: list[ProgrammeWorkshop]
    release: Release
    audit: AuditResult
    themes: dict[int, Theme]
    groups: dict[str, list[Group]]
    language: str
    _protected: object = field(repr=False, default=None)
    aliases: dict = field(repr=False, default_factory=dict)  # a single workshop's own cell

    def display(self, key: tuple) -> str | None:
        """As printed: "7", "<5", "×", None (not printed); "0" for nothing raised. A
        release that failed its audit prints the voice counts only (fail closed)."""
        key = self.aliases.get(key, key)
        if key not in self.release:
            return "0"
        if not self.audit.ok and not _always_printed(key):
            return None
        return self._protected.display(key)

    @property
    def voices(self) -> int:
        return sum(w.voices for w in self.workshops)

    @property
    def has_tables(self) -> bool:
        return self.audit.ok and self.voices >= MIN_SCOPE

    def themes_of(self, category: str) -> list[ThemeCount]:
        items = []
        for theme in self.themes.values():
            value = printed_value(self.display(("p-theme", category, theme.pk)))
            if value:
                items.append(ThemeCount(theme, value))
        items.sort(key=lambda t: (-t.people, t.theme.label(self.language)))
        return items

    def small_themes(self, category: str) -> int:
        """Themes raised, but by too few voices (or hidden) to be printed."""
        return sum(
            1
            for theme in self.themes.values()
            if ("p-theme", category, theme.pk) in self.release
            and printed_value(self.display(("p-theme", category, theme.pk))) is None
        )

    @property
    def themes_by_category(self) -> dict[str, list[ThemeCount]]:
        if not self.has_tables:
            return {}
        found = {c: self.themes_of(c) for c in COMPARED}
        return {c: items for c, items in found.items() if items}

    def table(self, category: str, dimension: str) -> Table:
        groups = self.groups[dimension]
        sizes = [self.display(("p-size", dimension, g.key)) or "" for g in groups]
        rows = []
        for theme in self.themes.values():
            total = self.display(("p-theme", category, theme.pk))
            if total in (None, "0"):
                continue
            # None: a single workshop's number its roll-up does not print; hidden here too.
            cells = [
                self.display(("p-cell", category, theme.pk, dimension, g.key)) or SECONDARY
                for g in groups
            ]
            shares = []
            for cell, size in zip(cells, sizes, strict=True):
                a, n = printed_value(cell), printed_value(size)
                shares.append(a / n if a is not None and n else None)
            rows.append(TableRow(theme, total, cells, shares))
        rows.sort(key=lambda r: (-(printed_value(r.total) or 0), r.theme.label(self.language)))
        return Table(ALL, category, dimension, groups, sizes, rows)

    def tables(self, dimension: str) -> dict[str, Table]:
        if not self.has_tables or len(self.groups[dimension]) < 2:
            return {}
        found = {c: self.table(c, dimension) for c in COMPARED}
        return {c: t for c, t in found.items() if t.rows}

    # --- two workshops

    def printed_in(self, pw: ProgrammeWorkshop, category: str, theme_id) -> str | None:
        return self.display((pw.key, ("theme", ALL, category, theme_id)))

    def movements(self, first: ProgrammeWorkshop, later: ProgrammeWorkshop) -> list[Movement]:
        """Themes notably more raised in one workshop than the other (Benjamini–Hochberg
        over every comparison of the pair), on the numbers the roll-ups print."""
        if not self.audit.ok:
            return []
        rows = []
        for category in COMPARED:
            for theme_id in self.themes:
                cells = [
                    (
                        pw.key,
                        self.printed_in(pw, category, theme_id),
                        self.display((pw.key, ("voices", ALL))),
                    )
                    for pw in (first, later)
                ]
                if all(count in (None, "0") for _key, count, _size in cells):
                    continue
                rows.append(findings.Row("programme", category, theme_id, "workshop", cells))
        found = []
        for comparison in findings.tested(rows):
            if comparison.notable:
                found.append(
                    Movement(
                        comparison,
                        self.themes[comparison.theme],
                        comparison.facet,
                        comparison.group == later.key,
                    )
                )
        return found


def country_name(country, language: str) -> str:
    """The country's name in ``language`` (French where the reference data has it)."""
    name_fr = getattr(country, "name_fr", "")
    return name_fr if language[:2] == "fr" and name_fr else country.name


def build_programme(workshops: Sequence[Workshop], *, language: str = "en") -> Programme:
    """The programme of ``workshops`` (with their countries selected), audited as one."""
    workshops = sorted(workshops, key=lambda w: (w.start_date, w.pk))
    releases = workshop_releases(workshops)
    combined = Release()
    members = []
    by_dimension: dict[str, dict[Hashable, list[str]]] = {COUNTRY: {}, YEAR: {}}
    labels: dict[str, dict[Hashable, str]] = {COUNTRY: {}, YEAR: {}}
    for workshop in workshops:
        release = releases[workshop.pk]
        protected = release.protected
        result = protected.result if protected.result is not None else audit(protected)
        key = f"w{workshop.pk}"
        _include(combined, key, release, result.ok)
        pw = ProgrammeWorkshop(
            workshop,
            key,
            workshop.start_date.year,
            release.release.value(("voices", ALL)),
            country_name(workshop.country, language),
        )
        members.append(pw)
        code = workshop.country.code
        by_dimension[COUNTRY].setdefault(code, []).append(key)
        labels[COUNTRY][code] = pw.country
        by_dimension[YEAR].setdefault(pw.year, []).append(key)
        labels[YEAR][pw.year] = str(pw.year)
    everyone = combined.cell(
        ("p-voices",),
        sum(combined.value((k, ("voices", ALL))) for k in (m.key for m in members)),
        sensitive=False,
        keep=True,
    )
    combined.sum(everyone, [(m.key, ("voices", ALL)) for m in members])
    tabled = combined.value(everyone) >= MIN_SCOPE
    # A programme number of a single workshop is that workshop's number: it is not added
    # again (a second cell equal to a hidden one would only have to be hidden too), the
    # programme prints the workshop's as its roll-up does.
    aliases: dict[tuple, Hashable] = {}

    def summed(key: tuple, parts: list, **options) -> Hashable | None:
        if not parts:
            return None
        if len(parts) == 1:
            aliases[key] = parts[0]
            return parts[0]
        cell = combined.cell(key, sum(combined.value(p) for p in parts), **options)
        combined.sum(cell, parts)
        return cell

    for dimension, groups in by_dimension.items():
        sizes = [
            summed(
                ("p-size", dimension, group),
                [(k, ("voices", ALL)) for k in keys],
                sensitive=False,
                keep=True,
            )
            for group, keys in groups.items()
        ]
        if len(sizes) > 1:
            combined.sum(everyone, sizes)
    raised = sorted(
        {
            (cell.key[1][2], cell.key[1][3])
            for cell in combined._cells
            if len(cell.key) == 2
            and isinstance(cell.key[1], tuple)
            and cell.key[1][:2] == ("theme", ALL)
            and cell.key[1][2] in COMPARED
        },
        key=lambda t: (COMPARED.index(t[0]), str(t[1])),
    )
    for category, theme in raised:
        parts = [
            (m.key, ("theme", ALL, category, theme))
            for m in members
            if (m.key, ("theme", ALL, category, theme)) in combined
        ]
        shown = tabled and sum(combined.value(p) for p in parts) >= THRESHOLD
        total = summed(("p-theme", category, theme), parts, published=shown)
        for dimension, groups in by_dimension.items():
            cells = []
            for group, keys in groups.items():
                cell = summed(
                    ("p-cell", category, theme, dimension, group),
                    [p for p in parts if p[0] in keys],
                    published=shown,
                )
                if cell is None:
                    continue
                if cell not in parts:
                    combined.at_most(
                        cell,
                        aliases.get(("p-size", dimension, group), ("p-size", dimension, group)),
                    )
                cells.append(cell)
            if len(cells) > 1:
                combined.sum(total, cells)
    protected = protect_cached(combined)
    result = protected.result if protected.result is not None else audit(protected)
    theme_ids = {t for _c, t in raised}
    themes = {t.pk: t for t in Theme.objects.filter(pk__in=theme_ids).order_by("name")}
    groups = {
        dimension: [
            Group(g, labels[dimension][g]) for g in sorted(by_dimension[dimension], key=str)
        ]
        for dimension in DIMENSIONS
    }
    return Programme(members, combined, result, themes, groups, language, protected, aliases)
