"""Small-cell suppression for tables of people counts.

Rule: a count of 1 to 4 people is never shown (primary suppression, shown as "<5").
Then complementary (secondary) suppression hides further cells so that no hidden
count can be worked out from the totals that are shown.

How: the table is *augmented* with its row totals, column totals and grand total.
Writing the totals with a minus sign, every row and every column of the augmented
grid sums to zero. Think of the hidden cells as edges of a bipartite graph (grid
rows on one side, grid columns on the other). The row/column equations determine a
hidden cell exactly when its edge is a *bridge* of that graph (it lies on no cycle).
So we repeat: find a bridge, and hide the cheapest three more cells that close a
rectangle (a 4-cycle) through it. Adding edges never turns a non-bridge into a
bridge, so this ends, at worst with everything hidden.

We assume, to be safe, that every row total, column total and the grand total are
known to a reader, even where a page shows fewer of them.

Zeros are not sensitive and are shown; they are used as complements only when
nothing cheaper is available. Row totals and column sums are hidden before cells.
Complementary cells are shown with a distinct mark (``SECONDARY``); the property
test checks that no hidden cell is determined by the linear equations of rows and
columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

THRESHOLD = 5
PRIMARY = "<5"
SECONDARY = "×"  # hidden so that a small count cannot be worked out from the totals

# Costs of hiding a cell as a complement. Pages print the cells and the row totals
# but not the column sums, so hiding a column sum costs (almost) nothing; a row
# total is cheaper to lose than a cell (shares are computed from cells); among
# cells, hide small non-zero ones first.
_COLUMN_SUM_COST = 0.1
_ROW_TOTAL_COST = 1
_CELL_COST = 10
_ZERO_COST = 50
_KEPT_TOTAL_COST = 10**6


def is_small(value: int, threshold: int = THRESHOLD) -> bool:
    return 0 < value < threshold


def shown(value: int) -> str:
    """A single count as it may be printed: 1 to 4 read "<5"."""
    return PRIMARY if is_small(value) else str(value)


@dataclass(frozen=True)
class Protected:
    """A table of counts with its totals and which of them may be shown."""

    cells: list[list[int]]
    row_totals: list[int]
    column_totals: list[int]
    grand_total: int
    hidden: frozenset[tuple[int, int]]  # positions in the augmented grid
    primary: frozenset[tuple[int, int]]

    @property
    def rows(self) -> int:
        return len(self.cells)

    @property
    def columns(self) -> int:
        return len(self.column_totals)

    def _show(self, position: tuple[int, int], value: int) -> str:
        if position in self.primary:
            return PRIMARY
        if position in self.hidden:
            return SECONDARY
        return str(value)

    def cell(self, i: int, j: int) -> str:
        return self._show((i, j), self.cells[i][j])

    def row_total(self, i: int) -> str:
        return self._show((i, self.columns), self.row_totals[i])

    def column_total(self, j: int) -> str:
        return self._show((self.rows, j), self.column_totals[j])

    def grand(self) -> str:
        return self._show((self.rows, self.columns), self.grand_total)

    def is_shown(self, i: int, j: int) -> bool:
        return (i, j) not in self.hidden


def augmented_grid(cells: Sequence[Sequence[int]], row_totals, column_totals, grand) -> list:
    grid = [[*row, total] for row, total in zip(cells, row_totals, strict=True)]
    grid.append([*column_totals, grand])
    return grid


def protect(
    cells: Sequence[Sequence[int]],
    *,
    row_totals: Sequence[int] | None = None,
    threshold: int = THRESHOLD,
    keep_totals: bool = False,
) -> Protected:
    """Decide which counts of ``cells`` (and of its totals) may be shown.

    ``row_totals`` default to the sums of the rows; pass them when a row total
    includes people outside the columns (they are then treated as one more
    column that is never shown).

    ``keep_totals``: row totals and the grand total are printed elsewhere too
    (theme × zone and theme × gender print the same theme totals), so they are
    not used as complements; with every shared value public, each table can be
    protected on its own. They are still hidden when unavoidable (a table of a
    single column) or when they are small.
    """
    table = [list(map(int, row)) for row in cells]
    width = len(table[0]) if table else 0
    sums = [sum(row) for row in table]
    totals = list(map(int, row_totals)) if row_totals is not None else sums
    rest = [total - s for total, s in zip(totals, sums, strict=True)]
    if any(value < 0 for value in rest):
        raise ValueError("a row total is smaller than the sum of its cells")
    has_rest = any(rest)
    work = [[*row, r] for row, r in zip(table, rest, strict=True)] if has_rest else table
    work_width = width + 1 if has_rest else width
    column_totals = [sum(row[j] for row in work) for j in range(work_width)]
    grand = sum(totals)
    grid = augmented_grid(work, totals, column_totals, grand)
    rows = len(work)
    never_shown = {(i, width) for i in range(rows + 1)} if has_rest else set()
    hidden = _suppress(grid, threshold, always_hidden=never_shown, keep_totals=keep_totals)
    primary = {
        (i, j)
        for i, row in enumerate(grid)
        for j, value in enumerate(row)
        if is_small(value, threshold) and (i, j) not in never_shown
    }

    def shown_position(position: tuple[int, int]) -> tuple[int, int] | None:
        i, j = position
        if not has_rest or j < width:
            return position
        return (i, width) if j == width + 1 else None

    hidden = {p for p in map(shown_position, hidden - never_shown) if p is not None}
    primary = {p for p in map(shown_position, primary) if p is not None}
    return Protected(
        cells=table,
        row_totals=totals,
        column_totals=column_totals[:width],
        grand_total=grand,
        hidden=frozenset(hidden),
        primary=frozenset(primary),
    )


def protect_vector(values: Sequence[int], *, total: int | None = None) -> Protected:
    """A single row of counts with its total (e.g. people per zone)."""
    return protect([list(values)], row_totals=None if total is None else [total])


def _suppress(
    grid: list[list[int]], threshold: int, always_hidden: set, keep_totals: bool = False
) -> set:
    rows, columns = len(grid), len(grid[0]) if grid else 0
    hidden = {
        (i, j) for i in range(rows) for j in range(columns) if is_small(grid[i][j], threshold)
    }
    hidden |= always_hidden
    if rows < 2 or columns < 2:
        return hidden

    def cost(i: int, j: int) -> float:
        if (i, j) in hidden:
            return 0
        value = grid[i][j]
        if i == rows - 1 and j == columns - 1 and keep_totals:
            return _KEPT_TOTAL_COST
        if i == rows - 1:
            return _COLUMN_SUM_COST
        if j == columns - 1:
            if keep_totals:
                return _KEPT_TOTAL_COST
            return _ROW_TOTAL_COST + value / 1000
        return _CELL_COST + (value if value else _ZERO_COST)

    while True:
        bridge = next(iter(bridges(hidden, rows)), None)
        if bridge is None:
            return hidden
        r, c = bridge
        best = min(
            (
                (cost(r, c2) + cost(r2, c) + cost(r2, c2), r2, c2)
                for r2 in range(rows)
                if r2 != r
                for c2 in range(columns)
                if c2 != c
            ),
        )
        _, r2, c2 = best
        hidden |= {(r, c2), (r2, c), (r2, c2)}


def bridges(edges: set[tuple[int, int]], rows: int) -> list[tuple[int, int]]:
    """Edges (row, column) of the bipartite graph that lie on no cycle (Tarjan)."""
    adjacency: dict[int, list[tuple[int, tuple[int, int]]]] = {}
    for edge in sorted(edges):
        i, j = edge
        a, b = i, rows + j
        adjacency.setdefault(a, []).append((b, edge))
        adjacency.setdefault(b, []).append((a, edge))
    order: dict[int, int] = {}
    low: dict[int, int] = {}
    found: list[tuple[int, int]] = []
    counter = 0
    for root in adjacency:
        if root in order:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack = [(root, None, iter(adjacency[root]))]
        while stack:
            node, via, neighbours = stack[-1]
            advanced = False
            for other, edge in neighbours:
                if edge == via:
                    continue
                if other in order:
                    low[node] = min(low[node], order[other])
                else:
                    order[other] = low[other] = counter
                    counter += 1
                    stack.append((other, edge, iter(adjacency[other])))
                    advanced = True
                    break
            if advanced:
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > order[parent]:
                    found.append(via)
    return found
