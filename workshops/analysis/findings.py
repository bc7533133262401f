"""Notable differences, tested on the numbers the release prints.

One rule for every category (drivers with their horizon, strengths, challenges,
opportunities, recommendations with their audience), by zone and by gender, for each
source with tables of its own and for all voices together:

1. the group is compared with the group whose printed share is lowest, among the
   other groups whose size is printed and at least ``MIN_GROUP``;
2. at least ``MIN_GROUP`` voices of the group raised the theme, printed exactly;
3. the group's share is at least ``MIN_RATIO`` times the other group's;
4. a one-sided exact test (Boschloo's, more powerful than Fisher's for tables this
   small) gives a p-value, and Benjamini–Hochberg over every test of the release keeps
   the false discovery rate at ``FDR``.

The test sees only what a reader sees: a "<5" counts as 4 (the least favourable value
it may have), and a group hidden as "×" is never compared with. So a finding never
says more about a hidden number than the "<5" beside it: it holds whatever that
number is, and publishing it narrows nothing the disclosure audit protects.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from scipy.stats import boschloo_exact, false_discovery_control, fisher_exact

from workshops.analysis.disclosure import primary_mark

MIN_GROUP = 5
MIN_RATIO = 1.5
FDR = 0.10
# Boschloo's p-value is never above Fisher's: where Fisher's is already this large the
# finding cannot pass, and Fisher's (an upper bound) is kept, which only makes
# Benjamini–Hochberg more cautious.
_BOSCHLOO_BELOW = 0.25


def printed_bounds(display: str | None) -> tuple[int, int] | None:
    """What a reader knows of a printed count: (low, high); None for "×" or nothing."""
    if display is None:
        return None
    if display == primary_mark():
        return (1, MIN_GROUP - 1)
    if display.isdigit():
        return (int(display), int(display))
    return None


@lru_cache(maxsize=4096)
def p_value(a: int, n: int, b: int, m: int) -> float:
    """One-sided p-value that a/n is greater than b/m."""
    table = [[a, b], [n - a, m - b]]
    fisher = float(fisher_exact(table, alternative="greater")[1])
    if fisher >= _BOSCHLOO_BELOW:
        return fisher
    return min(fisher, float(boschloo_exact(table, alternative="greater").pvalue))


@dataclass(frozen=True)
class Comparison:
    scope: str
    facet: str
    theme: Hashable
    dimension: str
    group: Hashable
    against: Hashable
    raised: int  # voices of the group who raised the theme (printed exactly)
    size: int  # printed size of the group
    other: str  # the other group's count as printed: "0", "<5", "7"
    other_high: int  # the largest value that printed count may have
    other_size: int
    p_value: float
    q_value: float = 1.0  # Benjamini–Hochberg adjusted

    @property
    def share(self) -> float:
        return self.raised / self.size

    @property
    def other_share(self) -> float:
        return self.other_high / self.other_size

    @property
    def notable(self) -> bool:
        return self.q_value < FDR


@dataclass(frozen=True)
class Row:
    """One printed row: the groups' printed counts and sizes (display strings)."""

    scope: str
    facet: str
    theme: Hashable
    dimension: str
    cells: Sequence[tuple[Hashable, str | None, str | None]]  # (group, count, size)


def candidates(row: Row) -> list[Comparison]:
    """The comparisons the rule makes on one row (before the many-tests adjustment)."""
    known = []
    for group, count, size in row.cells:
        bounds, n = printed_bounds(count), printed_bounds(size)
        if bounds is None or n is None or n[0] < MIN_GROUP:
            continue
        known.append((group, count, bounds, n[0]))
    found = []
    for group, _count, (low, high), n in known:
        if low != high or low < MIN_GROUP:
            continue
        others = [  # a tie goes to the group printed first (the zones' order), not its id
            (b_high / m, position, g, b, b_high, m)
            for position, (g, b, (_b_low, b_high), m) in enumerate(known)
            if g != group
        ]
        if not others:
            continue
        _share, _position, against, other, other_high, m = min(others)
        if low / n < MIN_RATIO * (other_high / m) or low / n <= other_high / m:
            continue
        found.append(
            Comparison(
                scope=row.scope,
                facet=row.facet,
                theme=row.theme,
                dimension=row.dimension,
                group=group,
                against=against,
                raised=low,
                size=n,
                other=other,
                other_high=other_high,
                other_size=m,
                p_value=p_value(low, n, other_high, m),
            )
        )
    return found


def tested(rows: Sequence[Row]) -> list[Comparison]:
    """Every comparison of the release, with Benjamini–Hochberg q-values, strongest first.

    The number of tests is every comparison the rule makes, notable or not."""
    found = [c for row in rows for c in candidates(row)]
    if not found:
        return []
    q_values = false_discovery_control([c.p_value for c in found], method="bh")
    adjusted = [replace(c, q_value=float(q)) for c, q in zip(found, q_values, strict=True)]
    adjusted.sort(key=lambda c: (c.q_value, c.p_value, -c.share, str(c.theme)))
    return adjusted
