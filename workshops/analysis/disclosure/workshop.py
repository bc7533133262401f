"""The release the roll-up publishes, built from voice-level data.

Keys (plain tuples; ``None`` as a group is the unpublished "not stated" remainder):

- ``("voices", scope)``: voices of a scope;
- ``("size", scope, dimension, group)``: voices of a zone or gender;
- ``("theme", scope, facet, theme)``: voices who raised a theme under a facet;
- ``("cell", scope, facet, theme, dimension, group)``: the same, of one group;
- ``("vote", contribution)``: the dots a recommendation received.

``scope`` is a source (workshop, survey, interview) or ``ALL``; ``dimension`` is
``ZONE`` or ``GENDER``. No people total per category is published: a voice may
raise several themes, so such totals are not additive and would tie every theme
together.

What is not published (the cells stay in the release, unpublished, so the
relations still link them to what is shown, e.g. as parts of the ALL row):

- a row (a theme's total and its cells) whose total is under ``THRESHOLD``; the
  theme still counts in the ALL row when that total is ``THRESHOLD`` or more;
- the tables and group sizes of a scope with fewer than ``MIN_SCOPE`` voices
  (e.g. 3 interviewees), which is also left out of ALL (ALL minus the other
  sources' tables would give its table): its voices are only counted, in
  ``("voices", scope)`` and in ``("people",)``, every voice of the workshop.
  ALL too: a workshop of fewer voices publishes its voice counts and votes only
  (with V shown exactly, a group of 1 among 3 voices could never span 1–4).

The number of voices of each scope ("3 interviewees") is published exactly: it
counts the interviews and submissions staff ran, not a demographic cell, so it is
never hidden (not sensitive, kept).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from typing import Protocol

from .control import Protected, protect_cached
from .release import THRESHOLD, Release

SCOPES = ("workshop", "survey", "interview")
# A scope with fewer voices has no table of its own (a source counts in ALL only).
MIN_SCOPE = 10
ALL = "all"
# Group sizes are every comparison's denominators and theme totals its rows' subject:
# complements are taken from the cells first.
SIZE_COST = 10_000
TOTAL_COST = 10  # above most cells of a workshop-sized table, below its findings
# A source's theme totals are cheap complements: the all-voices total of the same theme
# is what the theme lists print, and hiding a source's total frees its cells (which the
# comparisons need) at the cost of one number.
SOURCE_TOTAL_COST = 3
ZONE, GENDER = "zone", "gender"
FACETS = (
    "driver:long_term",
    "driver:dynamic",
    "driver",
    "strength",
    "challenge",
    "opportunity",
    "recommendation:national",
    "recommendation:international",
    "recommendation:communities",
    "recommendation",
)


class VoiceLike(Protocol):
    scope: str
    zone: Hashable | None
    gender: Hashable | None
    raised: Iterable[tuple[str, Hashable]]  # (facet, theme)


@dataclass(frozen=True)
class Voice:
    scope: str
    zone: Hashable | None = None
    gender: Hashable | None = None
    raised: frozenset[tuple[str, Hashable]] = field(default_factory=frozenset)


@dataclass
class WorkshopRelease:
    """The release, and the display string of each of its keys once protected."""

    release: Release
    scopes: tuple[str, ...]  # the sources present, then ALL
    groups: dict[str, tuple[Hashable, ...]]  # ZONE / GENDER -> the groups published
    tables: tuple[str, ...] = ()  # the scopes with tables (MIN_SCOPE voices or more)

    @cached_property
    def protected(self) -> Protected:
        """``protect``, memoised in Django's cache by the release's fingerprint."""
        return protect_cached(self.release)

    def display(self, key: tuple) -> str | None:
        """ "7", "<5", "×"; None for what is not published; "0" for a count no voice makes.

        Not published: a remainder, a row under ``THRESHOLD``, anything of a scope
        without a table (but its voices).
        """
        if key not in self.release:
            return "0"
        return self.protected.display(key)


def _sorted(values: Iterable[Hashable]) -> tuple[Hashable, ...]:
    return tuple(sorted({v for v in values if v is not None}, key=str))


def workshop_release(
    *,
    voices: Sequence[VoiceLike],
    votes: Sequence[tuple[Hashable, int]] = (),
    zones: Sequence[Hashable] | None = None,
    genders: Sequence[Hashable] | None = None,
) -> WorkshopRelease:
    """Everything the roll-up shows, with the relations a reader knows.

    Per scope (each source present, then ALL): the voices V, group sizes per zone
    and per gender with an unpublished remainder (sum + rest = V); per facet and
    theme with voices, the theme total T and its cells per group, each row with
    its remainder (sum + rest = T, rest <= the scope's rest), each cell <= its
    group's size. ALL is the sum of the sources for every number. ``votes``:
    (recommendation, dots) in ranking order, each at least the next.

    Unpublished (but related): rows whose total is under ``THRESHOLD``, and the
    sizes and rows of a scope (ALL included) with fewer than ``MIN_SCOPE``
    voices. Every scope's V is published exactly.
    """
    voices = list(voices)
    raised = [frozenset(v.raised) for v in voices]
    present = tuple(s for s in SCOPES if any(v.scope == s for v in voices))
    present += tuple(sorted({v.scope for v in voices} - set(SCOPES)))
    groups = {
        ZONE: tuple(zones) if zones is not None else _sorted(v.zone for v in voices),
        GENDER: tuple(genders) if genders is not None else _sorted(v.gender for v in voices),
    }
    facet_order = {f: n for n, f in enumerate(FACETS)}
    topics = sorted(
        {topic for r in raised for topic in r},
        key=lambda t: (facet_order.get(t[0], len(FACETS)), str(t[0]), str(t[1])),
    )
    release = Release()
    tables = []
    counts = {s: sum(1 for v in voices if v.scope == s) for s in present}
    # A source too small for tables of its own is left out of ALL as well: otherwise ALL
    # minus the other sources' tables would give its table. Its voices are only counted.
    small = {s for s, n in counts.items() if n < MIN_SCOPE}
    if small == set(present):
        small = set()  # no source has tables: ALL may hold everyone
    # With one source tabled, ALL is that source: its tables would repeat ALL's.
    tabled_sources = [s for s in present if s not in small]
    repeated = set(tabled_sources) if len(tabled_sources) == 1 else set()
    release.cell(("people",), len(voices), sensitive=False, keep=True)
    # Where no group is small, the sizes are kept: they are every share's denominator
    # (and a room's make-up is no secret); complements come from the cells. A group of
    # 1 to 4 in any scope may need the sizes of the others, and of the same group in the
    # other scopes, as its complements: ALL minus the other sources' sizes gives it.
    tabled_members = [v for v in voices if v.scope not in small]
    scope_sets = [*({s} for s in present if s not in small), set(present)]  # each, and ALL

    def has_small_group(dimension: str, names: tuple) -> bool:
        for scopes in scope_sets:
            for g in names:
                n = sum(
                    1 for v in tabled_members if v.scope in scopes and getattr(v, dimension) == g
                )
                if 0 < n < THRESHOLD:
                    return True
        return False

    no_small = {
        dimension: not has_small_group(dimension, names) for dimension, names in groups.items()
    }
    for scope in (*present, ALL):
        if scope in small or scope in repeated:
            release.cell(("voices", scope), counts[scope], sensitive=False, keep=True)
            continue
        members = [
            k for k, v in enumerate(voices) if v.scope not in small and scope in (ALL, v.scope)
        ]
        tabled = len(members) >= MIN_SCOPE
        if tabled:
            tables.append(scope)
        everyone = release.cell(("voices", scope), len(members), sensitive=False, keep=True)
        for dimension, names in groups.items():

            def group_of(k: int, dimension: str = dimension) -> Hashable | None:
                return getattr(voices[k], dimension)

            in_group = [sum(1 for k in members if group_of(k) == g) for g in names]
            sizes = [
                release.cell(
                    ("size", scope, dimension, g),
                    n,
                    published=tabled,
                    cost=SIZE_COST,
                    keep=tabled and no_small[dimension] and n >= THRESHOLD,
                )
                for g, n in zip(names, in_group, strict=True)
            ]
            rest = release.cell(
                ("size", scope, dimension, None),
                sum(1 for k in members if group_of(k) not in names),
                published=False,
            )
            release.sum(everyone, [*sizes, rest])
            for facet, theme in topics:
                who = [k for k in members if (facet, theme) in raised[k]]
                if not who:
                    continue
                shown = tabled and len(who) >= THRESHOLD
                total = release.cell(
                    ("theme", scope, facet, theme),
                    len(who),
                    published=shown,
                    cost=TOTAL_COST if scope == ALL else SOURCE_TOTAL_COST,
                )
                cells = []
                for g, size in zip(names, sizes, strict=True):
                    key = ("cell", scope, facet, theme, dimension, g)
                    value = sum(1 for k in who if group_of(k) == g)
                    cells.append(release.cell(key, value, published=shown))
                    release.at_most(key, size)
                remainder = release.cell(
                    ("cell", scope, facet, theme, dimension, None),
                    sum(1 for k in who if group_of(k) not in names),
                    published=False,
                )
                release.at_most(remainder, rest)
                release.sum(total, [*cells, remainder])
    for key in release.keys:  # ALL is the sum of the sources, for every number
        if len(key) > 1 and key[1] == ALL:
            parts = [(key[0], s, *key[2:]) for s in present if s not in small | repeated]
            if parts:
                release.sum(key, [p for p in parts if p in release])
    ranked = [release.cell(("vote", contribution), dots) for contribution, dots in votes]
    for higher, lower in pairwise(ranked):
        release.at_most(lower, higher)
    return WorkshopRelease(release, (*present, ALL), groups, tuple(tables))
