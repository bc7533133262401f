"""Disclosure control for a whole release, audited exactly.

A *release* is every number of a workshop shown to someone who may not see
row-level data: tables and their totals, category totals, group sizes, the
per-source tables beside the all-sources one, votes, chart data. It is built
here as named cells (any hashable key, with its true integer value) and the
linear relations a reader knows hold between them:

- ``whole = sum(parts)``: table totals, an all-sources cell and its per-source
  cells, zone sizes and the participants total, votes and the total dots;
- ``part <= whole`` and ``whole <= sum(parts)``: people are not additive across
  themes (a voice raising two themes counts once in the category), so a theme
  count <= the category count <= the sum of the theme counts (``union``);
- a cell may be *unpublished* (a "not stated" remainder) with known bounds.

What the attacker knows about each cell, from the display rules:

- shown: its exact value (zeros are shown as 0, they are not sensitive);
- primary, shown "<5": 1..4;
- secondary, shown "×": ``floor`` or more. Secondaries are chosen only among
  cells of at least ``floor`` (default: the threshold, so "×" reveals ">= 5");
  with ``floor=1`` small cells may also be shown "×" when nothing else helps,
  and "×" then reveals only "not zero";
- unpublished: >= 0, or the bounds the caller states.

The audit (as sdcTable's ``attack`` and GaussSuppression's interval
computation, but with integer variables): for every primary cell, the exact
minimum and maximum of its value over all integer assignments of the hidden
cells that satisfy every relation and every domain above. It passes when each
primary cell still spans the whole 1..4. Published cells are constants, so the
integer programs split into connected components of hidden cells; each is
solved with ``scipy.optimize.milp`` (HiGHS, zero gap). Feasible integer points
(the true values first) are checked exactly in integers and prove a bound as
soon as they reach 1 or 4, which spares most solves.

Secondary suppression (``protect``): while some primary cell cannot reach 1
(or 4), solve the smallest-cost way to make that value feasible by letting
published cells change (a MILP over the cell's neighbourhood in the relation
graph, widened until feasible), and hide the cells that had to change. Hiding
only widens the feasible set, so each step settles its cell for good and the
loop ends; what no hiding can settle (a small total bounding its parts, with
the default floor) is reported by the audit. The attacker is not assumed to
know how the secondaries were chosen (as in τ-ARGUS and sdcTable).

The module is pure: numbers and relations in, display decisions out.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

THRESHOLD = 5
SECONDARY = "×"
TOTAL = "total"  # the row or column part of a margin's key: (name, row, TOTAL)

# Hiding a small cell as "×" (only with floor=1) costs more than any usual cell.
_ESCALATION_COST = 10**6
_MILP_OPTIONS = {"mip_rel_gap": 0.0, "presolve": True}


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
        ``cost``: the price of hiding it as a secondary (default: its value).
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


# --- results ---------------------------------------------------------------------


@dataclass(frozen=True)
class CellAudit:
    """The exact interval an attacker can prove for one "<5" cell."""

    key: Hashable
    value: int
    low: int
    high: int
    span: tuple[int, int]

    @property
    def ok(self) -> bool:
        return self.low <= self.span[0] and self.high >= self.span[1]


@dataclass(frozen=True)
class AuditResult:
    cells: tuple[CellAudit, ...]
    components: int  # connected groups of hidden cells that hold a "<5"
    solves: int  # integer programs solved
    threshold: int = THRESHOLD

    @property
    def ok(self) -> bool:
        return all(cell.ok for cell in self.cells)

    @property
    def failures(self) -> list[CellAudit]:
        return [cell for cell in self.cells if not cell.ok]

    def summary(self) -> str:
        """One sentence for staff on the roll-up page."""
        top = self.threshold - 1
        if not self.cells:
            return _("No count below %(threshold)d in this release: nothing is hidden.") % {
                "threshold": self.threshold
            }
        if self.ok:
            return ngettext(
                "The hidden cell still spans 1–%(top)d, whatever is added or subtracted.",
                "Every one of the %(count)d hidden cells still spans 1–%(top)d, "
                "whatever is added or subtracted.",
                len(self.cells),
            ) % {"count": len(self.cells), "top": top}
        failures = self.failures
        named = ", ".join(f"{cell.key} ({cell.low}–{cell.high})" for cell in failures[:5])
        return ngettext(
            "%(count)d hidden cell can be narrowed: %(cells)s.",
            "%(count)d hidden cells can be narrowed: %(cells)s.",
            len(failures),
        ) % {"count": len(failures), "cells": named}


@dataclass(frozen=True)
class Protected:
    """A release with the display decision for each cell."""

    release: Release
    threshold: int
    floor: int  # what "×" reveals: the hidden value is at least this
    primary: frozenset[Hashable]
    secondary: frozenset[Hashable]
    result: AuditResult | None = field(default=None, compare=False)

    def status(self, key: Hashable) -> Status:
        if key in self.primary:
            return Status.PRIMARY
        if key in self.secondary:
            return Status.SECONDARY
        if not self.release._cells[self.release._index[key]].published:
            return Status.UNPUBLISHED
        return Status.SHOWN

    def is_shown(self, key: Hashable) -> bool:
        return self.status(key) == Status.SHOWN

    def display(self, key: Hashable) -> str | None:
        """The exact number, "<5", "×", or None for a cell that is never printed."""
        status = self.status(key)
        if status == Status.PRIMARY:
            return primary_mark(self.threshold)
        if status == Status.SECONDARY:
            return SECONDARY
        if status == Status.UNPUBLISHED:
            return None
        return str(self.release.value(key))


def primary_only(release: Release, threshold: int = THRESHOLD) -> Protected:
    """The naive release: small counts shown "<5", everything else shown."""
    release.check()
    return Protected(release, threshold, threshold, _primaries(release, threshold), frozenset())


def _primaries(release: Release, threshold: int) -> frozenset:
    return frozenset(
        c.key for c in release._cells if c.published and c.sensitive and 0 < c.value < threshold
    )


# --- integer programs --------------------------------------------------------------


class _Model:
    """A small integer program: variables with bounds, rows lo <= a·x <= hi."""

    def __init__(self) -> None:
        self.low: list[float] = []
        self.high: list[float] = []
        self.rows: list[dict[int, int]] = []
        self.row_low: list[float] = []
        self.row_high: list[float] = []

    def variable(self, low: float, high: float | None) -> int:
        self.low.append(low)
        self.high.append(math.inf if high is None else high)
        return len(self.low) - 1

    def row(self, coefficients: dict[int, int], low: float, high: float) -> None:
        self.rows.append(coefficients)
        self.row_low.append(low)
        self.row_high.append(high)

    def _matrix(self) -> csr_array:
        data, rows, cols = [], [], []
        for r, coefficients in enumerate(self.rows):
            for c, a in coefficients.items():
                rows.append(r)
                cols.append(c)
                data.append(a)
        return csr_array((data, (rows, cols)), shape=(len(self.rows), len(self.low)))

    def solve(self, objective: dict[int, float], fixed: dict[int, int] | None = None):
        """Minimise; returns (value, integer point) or None when infeasible."""
        n = len(self.low)
        c = np.zeros(n)
        for i, w in objective.items():
            c[i] = w
        low, high = np.array(self.low, dtype=float), np.array(self.high, dtype=float)
        for i, v in (fixed or {}).items():
            low[i] = high[i] = v
        constraints = (
            [LinearConstraint(self._matrix(), self.row_low, self.row_high)] if self.rows else []
        )
        result = milp(
            c,
            integrality=np.ones(n),
            bounds=Bounds(low, high),
            constraints=constraints,
            options=_MILP_OPTIONS,
        )
        if result.status == 2:
            return None
        if result.status != 0:
            raise RuntimeError(f"the disclosure audit could not be solved: {result.message}")
        point = [round(v) for v in result.x]
        return round(result.fun), (point if self.satisfied(point, fixed) else None)

    def satisfied(self, point: list[int], fixed: dict[int, int] | None = None) -> bool:
        """Exact integer check of a point (the solver works in floating point)."""
        for i, v in enumerate(point):
            if v < self.low[i] or v > self.high[i]:
                return False
        for i, v in (fixed or {}).items():
            if point[i] != v:
                return False
        for coefficients, low, high in zip(self.rows, self.row_low, self.row_high, strict=True):
            total = sum(a * point[c] for c, a in coefficients.items())
            if total < low or total > high:
                return False
        return True


class _State:
    """The cells hidden so far and what the attacker knows of each."""

    def __init__(self, release: Release, threshold: int, floor: int) -> None:
        self.release = release
        self.cells = release._cells
        self.threshold = threshold
        self.floor = floor
        self.primary = {release._index[k] for k in _primaries(release, threshold)}
        self.secondary: set[int] = set()
        self.by_cell: list[list[int]] = [[] for _c in self.cells]
        for r, relation in enumerate(release._relations):
            for i, _c in relation.terms:
                self.by_cell[i].append(r)

    def hidden(self, i: int) -> bool:
        return i in self.primary or i in self.secondary or not self.cells[i].published

    def domain(self, i: int) -> tuple[int, int | None]:
        cell = self.cells[i]
        if i in self.primary:
            return 1, self.threshold - 1
        low, high = cell.low, cell.high
        if i in self.secondary:
            low = max(low, self.floor)
        return low, high

    def component(self, start: int) -> list[int]:
        """Hidden cells linked to ``start`` through relations (published ones are constants)."""
        seen, todo = {start}, [start]
        while todo:
            i = todo.pop()
            for r in self.by_cell[i]:
                for j, _c in self.release._relations[r].terms:
                    if j not in seen and self.hidden(j):
                        seen.add(j)
                        todo.append(j)
        return sorted(seen)

    def model(
        self, variables: list[int], domains: dict[int, tuple] | None = None
    ) -> tuple[_Model, dict[int, int]]:
        """Relations touching ``variables``; every other cell fixed at its true value."""
        model = _Model()
        position = {}
        for i in variables:
            domain = domains[i] if domains and i in domains else self.domain(i)
            position[i] = model.variable(*domain)
        for r in sorted({r for i in variables for r in self.by_cell[i]}):
            relation = self.release._relations[r]
            coefficients: dict[int, int] = {}
            constant = 0
            for i, c in relation.terms:
                if i in position:
                    coefficients[position[i]] = c
                else:
                    constant += c * self.cells[i].value
            model.row(coefficients, -constant if relation.equal else -math.inf, -constant)
        return model, position


def _audit_component(state: _State, cells: list[int]) -> tuple[list[CellAudit], int]:
    model, position = state.model(cells)
    top = state.threshold - 1
    primaries = [i for i in cells if i in state.primary]
    low: dict[int, int] = {}
    high: dict[int, int] = {}
    solves = 0

    def harvest(point: list[int] | None) -> None:
        if point is None:
            return
        for i in primaries:
            value = point[position[i]]
            if value == 1:
                low[i] = 1
            if value == top:
                high[i] = top

    truth = [state.cells[i].value for i in cells]
    if not model.satisfied(truth):
        raise ValueError("true values break the release's relations")
    harvest(truth)
    for sign, found in ((-1, high), (1, low)):
        # Push all pending cells at once while that keeps proving bounds.
        pending = [i for i in primaries if i not in found]
        while len(pending) > 1:
            solution = model.solve({position[i]: sign for i in pending})
            solves += 1
            if solution is not None:
                harvest(solution[1])
            still = [i for i in pending if i not in found]
            if len(still) == len(pending):
                break
            pending = still
        for i in primaries:
            if i in found:
                continue
            solution = model.solve({position[i]: sign})
            solves += 1
            if solution is None:
                raise RuntimeError("the release has no solution although its true values fit")
            found[i] = sign * solution[0]
            harvest(solution[1])
    audits = [
        CellAudit(state.cells[i].key, state.cells[i].value, low[i], high[i], (1, top))
        for i in primaries
    ]
    return audits, solves


def _audit(state: _State, cache: dict | None = None) -> AuditResult:
    done: set[int] = set()
    audits: list[CellAudit] = []
    components = solves = 0
    for i in sorted(state.primary):
        if i in done:
            continue
        cells = state.component(i)
        done.update(cells)
        components += 1
        signature = (tuple(cells), tuple(j in state.secondary for j in cells))
        if cache is not None and signature in cache:
            audits.extend(cache[signature])
            continue
        found, count = _audit_component(state, cells)
        solves += count
        audits.extend(found)
        if cache is not None:
            cache[signature] = found
    order = {key: n for n, key in enumerate(state.release.keys)}
    audits.sort(key=lambda a: order[a.key])
    return AuditResult(tuple(audits), components, solves, state.threshold)


def audit(protected: Protected) -> AuditResult:
    """The exact interval of every "<5" cell given everything the release shows."""
    state = _State(protected.release, protected.threshold, protected.floor)
    index = protected.release._index
    state.primary = {index[k] for k in protected.primary}
    state.secondary = {index[k] for k in protected.secondary}
    return _audit(state)


# --- secondary suppression ---------------------------------------------------------


def _cost(state: _State, i: int) -> float:
    cell = state.cells[i]
    if i in state.primary:
        return _ESCALATION_COST + cell.value
    return cell.cost if cell.cost is not None else cell.value


def _freeable(state: _State, i: int) -> bool:
    cell = state.cells[i]
    if i in state.secondary or not cell.published or cell.value < state.floor:
        return False
    if i in state.primary:
        return state.floor <= 1  # "×" then means "not zero", which a "<5" also is
    return not cell.keep and cell.value > 0


def _cheapest_cover(state: _State, target_cell: int, target: int) -> list[int] | None:
    """The cheapest published cells whose hiding lets ``target_cell`` take ``target``.

    The hidden component of the cell and the cells one relation away become
    variables; published ones may leave their value only if their switch is on
    (cost: hiding them). Widened ring by ring until feasible, or None.
    """
    inside = set(state.component(target_cell))
    relations = state.release._relations
    while True:
        ring = {j for i in inside for r in state.by_cell[i] for j, _c in relations[r].terms}
        variables = sorted(inside | ring)
        freeable = [i for i in variables if _freeable(state, i)]
        domains = {}
        for i in variables:
            cell = state.cells[i]
            if i in state.primary and i in freeable:
                domains[i] = (max(1, state.floor), None)  # escalation: "<5" → "×"
            elif not state.hidden(i):
                domains[i] = (
                    (max(state.floor, cell.low), cell.high)
                    if i in freeable
                    else (cell.value, cell.value)
                )
        model, position = state.model(variables, domains)
        big = sum(state.cells[i].value for i in variables) + state.threshold * (len(variables) + 1)
        switches: dict[int, int] = {}
        for i in freeable:
            value, p = state.cells[i].value, position[i]
            switch = model.variable(0, 1)
            switches[i] = switch
            if i in state.primary:
                model.row({p: 1, switch: -big}, -math.inf, state.threshold - 1)
            else:
                model.row({p: 1, switch: -big}, -math.inf, value)
                model.row({p: 1, switch: big}, value, math.inf)
        solution = model.solve(
            {s: _cost(state, i) for i, s in switches.items()},
            fixed={position[target_cell]: target},
        )
        if solution is not None:
            if solution[1] is None:
                raise RuntimeError("the suppression model returned an inexact point")
            point = solution[1]
            return [i for i in switches if point[position[i]] != state.cells[i].value]
        grown = inside | ring
        if grown == inside:
            return None
        inside = grown


def _reachable(state: _State, i: int, target: int) -> bool:
    cells = state.component(i)
    model, position = state.model(cells)
    return model.solve({}, fixed={position[i]: target}) is not None


def protect(release: Release, threshold: int = THRESHOLD, *, floor: int | None = None) -> Protected:
    """Primary then secondary suppression until the exact audit passes (if it can).

    ``floor``: the least value a secondary may have, which is what "×" reveals
    (default ``threshold``). With ``floor=1`` a "<5" may be turned into "×" when no
    other hiding helps, so every release can be protected. Deterministic.
    """
    release.check()
    state = _State(release, threshold, threshold if floor is None else floor)
    cache: dict = {}
    hopeless: set[tuple[int, int]] = set()
    while True:
        result = _audit(state, cache)
        index = release._index
        todo = []
        for cell in result.failures:
            i = index[cell.key]
            if cell.low > 1:
                todo.append((i, 1))
            if cell.high < threshold - 1:
                todo.append((i, threshold - 1))
        todo = [item for item in todo if item not in hopeless]
        changed = False
        for i, target in todo:
            if i not in state.primary or _reachable(state, i, target):
                continue
            freed = _cheapest_cover(state, i, target)
            if freed is None:
                hopeless.add((i, target))
                continue
            for j in freed:
                state.primary.discard(j)
                state.secondary.add(j)
            changed = True
        if not changed:
            break
    keys = [c.key for c in state.cells]
    return Protected(
        release,
        threshold,
        state.floor,
        frozenset(keys[i] for i in state.primary),
        frozenset(keys[i] for i in state.secondary),
        result,
    )
