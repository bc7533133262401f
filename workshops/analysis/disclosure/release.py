"""A release: named cells with their true values and the linear relations a reader knows.

See the package docstring for what is published and how it is audited.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

THRESHOLD = 5
SECONDARY = "×"
TOTAL = "total"  # the row or column part of a margin's key: (name, row, TOTAL)


class Rule(StrEnum):
    """How a total relates to its parts."""

    SUM = "sum"  # total = sum of the parts
    SUM_AND_REST = "sum_and_rest"  # total >= sum: some members are not listed
    UNION = "union"  # each part <= total <= sum of the parts (people, several themes)
    UNION_AND_REST = "union_and_rest"  # each part <= total


class Status(StrEnum):
    SHOWN = "shown"
    PRIMARY = "primary"
    SECONDARY = "secondary"
    UNPUBLISHED = "unpublished"


def primary_mark(threshold: int = THRESHOLD) -> str:
    return f"<{threshold}"


@dataclass
class _Cell:
    key: Hashable
    value: int
    published: bool = True
    low: int = 0
    high: int | None = None
    cost: float | None = None
    keep: bool = False
    sensitive: bool = True


@dataclass(frozen=True)
class _Relation:
    terms: tuple[tuple[int, int], ...]  # (cell index, coefficient): sum(c * x) == 0 or <= 0
    equal: bool


@dataclass(frozen=True)
class TableKeys:
    """The keys a table's cells and margins were given."""

    cells: list[list[Hashable]]
    row_totals: list[Hashable]
    col_totals: list[Hashable]
    grand: Hashable | None


class Release:
    """Named cells with their true values and the relations a reader knows."""

    def __init__(self) -> None:
        self._cells: list[_Cell] = []
        self._index: dict[Hashable, int] = {}
        self._relations: list[_Relation] = []

    # --- cells ---------------------------------------------------------------------

    def cell(
        self,
        key: Hashable,
        value: int,
        *,
        published: bool = True,
        known: tuple[int, int | None] | None = None,
        cost: float | None = None,
        keep: bool = False,
        sensitive: bool = True,
    ) -> Hashable:
        """Add a cell, or refer again to one of the same key (its value must match).

        ``published=False``: a number the reader never sees but that takes part in
        relations (e.g. people with no zone); ``known`` bounds it (default >= 0).
        ``cost``: the price of hiding it as a secondary (default: 1 + its value).
        ``keep``: never hide it as a secondary. ``sensitive=False``: a count that is
        not about people, never primary.
        """
        value = int(value)
        if value < 0:
            raise ValueError(f"cell {key!r} is negative")
        if key in self._index:
            existing = self._cells[self._index[key]]
            if existing.value != value:
                raise ValueError(f"cell {key!r} given as {existing.value} and as {value}")
            self.hint(key, cost=cost, keep=keep or None)
            return key
        low, high = known if known is not None else (0, None)
        self._index[key] = len(self._cells)
        self._cells.append(
            _Cell(key, value, published, low, high, cost, keep, sensitive)  # type: ignore[arg-type]
        )
        return key

    def hint(self, key: Hashable, *, cost: float | None = None, keep: bool | None = None) -> None:
        """A page's preference: what hiding ``key`` costs, or that it must stay shown."""
        cell = self._cells[self._index[key]]
        if cost is not None:
            cell.cost = cost
        if keep is not None:
            cell.keep = keep

    def value(self, key: Hashable) -> int:
        return self._cells[self._index[key]].value

    @property
    def keys(self) -> list[Hashable]:
        return [cell.key for cell in self._cells]

    def __contains__(self, key: Hashable) -> bool:
        return key in self._index

    def __len__(self) -> int:
        return len(self._cells)

    @property
    def relation_count(self) -> int:
        return len(self._relations)

    # --- relations -----------------------------------------------------------------

    def relation(self, terms: Mapping[Hashable, int], *, equal: bool) -> None:
        """``sum(coefficient * cell) == 0`` (``equal``) or ``<= 0``."""
        merged: dict[int, int] = {}
        for key, coefficient in terms.items():
            i = self._index[key]
            merged[i] = merged.get(i, 0) + int(coefficient)
        kept = tuple((i, c) for i, c in merged.items() if c)
        if kept:
            self._relations.append(_Relation(kept, equal))

    def _terms(self, whole: Hashable, parts: Iterable[Hashable], sign: int) -> dict:
        terms: dict[Hashable, int] = {whole: sign}
        for part in parts:
            terms[part] = terms.get(part, 0) - sign
        return terms

    def sum(self, whole: Hashable, parts: Iterable[Hashable]) -> None:
        """``whole = sum(parts)``."""
        self.relation(self._terms(whole, parts, 1), equal=True)

    def at_most(self, part: Hashable, whole: Hashable) -> None:
        """``part <= whole``."""
        self.relation({part: 1, whole: -1} if part != whole else {}, equal=False)

    def at_most_sum(self, whole: Hashable, parts: Iterable[Hashable]) -> None:
        """``whole <= sum(parts)``."""
        self.relation(self._terms(whole, parts, 1), equal=False)

    def at_least_sum(self, whole: Hashable, parts: Iterable[Hashable]) -> None:
        """``whole >= sum(parts)``."""
        self.relation(self._terms(whole, parts, -1), equal=False)

    def union(self, whole: Hashable, parts: Sequence[Hashable]) -> None:
        """People counts: each part <= whole <= sum(parts)."""
        for part in parts:
            self.at_most(part, whole)
        self.at_most_sum(whole, parts)

    def combine(self, whole: Hashable, parts: Sequence[Hashable], rule: Rule) -> None:
        if rule == Rule.SUM:
            self.sum(whole, parts)
        elif rule == Rule.SUM_AND_REST:
            self.at_least_sum(whole, parts)
        elif rule == Rule.UNION:
            self.union(whole, parts)
        else:
            for part in parts:
                self.at_most(part, whole)

    def table(
        self,
        name: Hashable,
        rows: Sequence[Hashable],
        cols: Sequence[Hashable],
        values: Sequence[Sequence[int]],
        *,
        row_totals: bool | Sequence[int] = True,
        col_totals: bool | Sequence[int] = True,
        grand: bool | int = True,
        row_rule: Rule = Rule.SUM,
        col_rule: Rule = Rule.SUM,
        row_total_keys: Sequence[Hashable] | None = None,
        col_total_keys: Sequence[Hashable] | None = None,
        grand_key: Hashable | None = None,
    ) -> TableKeys:
        """A rows × cols table, keyed ``(name, row, col)``; margins use ``TOTAL``.

        ``row_rule``: how a row's cells make its row total (``col_rule`` likewise for
        a column); the grand total relates to the row totals by ``col_rule`` and to
        the column totals by ``row_rule``. Totals given as ``True`` are the sums
        (only with ``Rule.SUM``); give the values for any other rule. Pass the
        ``*_keys`` to share margins with another table (same key, same cell).
        """
        grid = [[int(v) for v in row] for row in values]
        cells = [
            [self.cell((name, r, c), grid[i][j]) for j, c in enumerate(cols)]
            for i, r in enumerate(rows)
        ]

        def margin(given, rule, count, sums, keys, make_key) -> list:
            if given is False:
                return []
            if given is True:
                if rule != Rule.SUM:
                    raise ValueError(f"table {name!r}: give the totals for rule {rule}")
                given = sums
            keys = list(keys) if keys is not None else [make_key(k) for k in range(count)]
            return [self.cell(key, v) for key, v in zip(keys, given, strict=True)]

        row_keys = margin(
            row_totals,
            row_rule,
            len(rows),
            [sum(row) for row in grid],
            row_total_keys,
            lambda i: (name, rows[i], TOTAL),
        )
        col_keys = margin(
            col_totals,
            col_rule,
            len(cols),
            [sum(grid[i][j] for i in range(len(rows))) for j in range(len(cols))],
            col_total_keys,
            lambda j: (name, TOTAL, cols[j]),
        )
        for i, key in enumerate(row_keys):
            self.combine(key, cells[i], row_rule)
        for j, key in enumerate(col_keys):
            self.combine(key, [cells[i][j] for i in range(len(rows))], col_rule)
        grand_cell = None
        if grand is not False:
            if grand is True:
                if row_keys and col_rule == Rule.SUM:
                    grand = sum(self.value(k) for k in row_keys)
                elif col_keys and row_rule == Rule.SUM:
                    grand = sum(self.value(k) for k in col_keys)
                elif row_rule == col_rule == Rule.SUM:
                    grand = sum(map(sum, grid))
                else:
                    raise ValueError(f"table {name!r}: give the grand total")
            grand_cell = self.cell(
                grand_key if grand_key is not None else (name, TOTAL, TOTAL), grand
            )
            if row_keys:
                self.combine(grand_cell, row_keys, col_rule)
            if col_keys:
                self.combine(grand_cell, col_keys, row_rule)
            if not row_keys and not col_keys:
                if row_rule != Rule.SUM or col_rule != Rule.SUM:
                    raise ValueError(f"table {name!r}: a grand total without margins needs sums")
                self.sum(grand_cell, [k for row in cells for k in row])
        return TableKeys(cells, row_keys, col_keys, grand_cell)

    def fingerprint(self) -> str:
        """A hash of every cell (key, value, bounds, hints) and relation, for caching.

        Keys must have a stable ``repr`` (tuples of strings and numbers do).
        """
        digest = hashlib.sha256()
        for c in self._cells:
            fields = (c.key, c.value, c.published, c.low, c.high, c.cost, c.keep, c.sensitive)
            digest.update(repr(fields).encode())
        digest.update(b"|")
        for relation in self._relations:
            digest.update(repr((relation.terms, relation.equal)).encode())
        return digest.hexdigest()

    def check(self) -> None:
        """The true values satisfy every relation and bound (else the release is wrong)."""
        for cell in self._cells:
            if cell.value < cell.low or (cell.high is not None and cell.value > cell.high):
                raise ValueError(f"cell {cell.key!r} is outside its known bounds")
        for relation in self._relations:
            total = sum(self._cells[i].value * c for i, c in relation.terms)
            if total > 0 or (relation.equal and total != 0):
                keys = [self._cells[i].key for i, _c in relation.terms]
                raise ValueError(f"true values break a relation between {keys!r}")
