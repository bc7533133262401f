"""The notable-differences rule, with nothing but the standard library.

A theme is *notably more often raised* by a group (a zone, a gender) when,
compared with the group that raised it least (among the other groups of at least
``MIN_GROUP`` participants), all of these hold:

1. at least ``MIN_GROUP`` (5) participants of the group raised it, so the count can
   be shown (small-cell rule) and one or two voices never make a finding;
2. the group's share is at least ``MIN_RATIO`` (1.5) times the share of the group
   it is compared with;
3. a one-sided two-proportion z-test (pooled) gives p < ``ALPHA`` (0.05).

Comparing with the group that raised it least, rather than with all the others
pooled, is what the report's sentences say ("far more often than those from the
South (2 of 7)") and lets a theme stand out in two zones out of three (economic
insecurity in the North and the South). With three zones this is up to two
comparisons per theme and group at the 5 % level, without correction: the rule
flags differences worth reading, it does not prove them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_GROUP = 5
MIN_RATIO = 1.5
ALPHA = 0.05


def two_proportion_p_value(a: int, n: int, b: int, m: int) -> float:
    """One-sided p-value that a/n is greater than b/m (pooled z-test)."""
    if n <= 0 or m <= 0:
        return 1.0
    pooled = (a + b) / (n + m)
    variance = pooled * (1 - pooled) * (1 / n + 1 / m)
    if variance <= 0:
        return 1.0
    z = (a / n - b / m) / math.sqrt(variance)
    return 0.5 * math.erfc(z / math.sqrt(2))


@dataclass(frozen=True)
class Difference:
    raised: int  # people of the group who raised the theme
    group_size: int
    rest_raised: int
    rest_size: int
    p_value: float
    against: int = -1  # index of the group compared with, when there is one

    @property
    def share(self) -> float:
        return self.raised / self.group_size if self.group_size else 0.0

    @property
    def rest_share(self) -> float:
        return self.rest_raised / self.rest_size if self.rest_size else 0.0

    @property
    def ratio(self) -> float:
        if self.rest_share == 0:
            return math.inf if self.share else 0.0
        return self.share / self.rest_share


def compare(
    raised: int, group_size: int, rest_raised: int, rest_size: int, against: int = -1
) -> Difference:
    return Difference(
        raised=raised,
        group_size=group_size,
        rest_raised=rest_raised,
        rest_size=rest_size,
        p_value=two_proportion_p_value(raised, group_size, rest_raised, rest_size),
        against=against,
    )


def is_notable(difference: Difference) -> bool:
    return (
        difference.raised >= MIN_GROUP
        and difference.group_size >= MIN_GROUP
        and difference.rest_size >= MIN_GROUP
        and difference.ratio >= MIN_RATIO
        and difference.p_value < ALPHA
    )
