"""The exact audit of a release, and the secondary suppression that makes it pass.

See the package docstring for the method; this module holds the integer programs.
"""

from __future__ import annotations

import math
from collections import OrderedDict, defaultdict, deque
from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np
from django.core.cache import cache as django_cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

from .release import SECONDARY, THRESHOLD, Release, Status, primary_mark

INF = math.inf
# Hiding a "<5" as "×" (escalation) costs more than hiding any usual cell.
_ESCALATION_COST = 10**6
# Single complements tried, cheapest first, before the exact cover program.
_GREEDY_TRIES = 6
_COVER_VARIABLES = 300  # widest ring searched to avoid an escalation already found
_REACH_RINGS = 2  # how far from its group a greedy proof lets hidden cells move
_MILP_OPTIONS = {"mip_rel_gap": 0.0, "presolve": True}
# Choosing complements needs a cheap cover, not the cheapest: any cover the audit then
# accepts is safe, and a cover within 10 % of the optimum hides a cell or two more at
# most, in a fraction of the time. No time limit: the pattern must not depend on how
# busy the machine is.
_COVER_OPTIONS = {"mip_rel_gap": 0.1, "presolve": True}

# A linear row over a model's variables: (terms [(variable, coefficient)], low, high).
_Row = tuple[list[tuple[int, int]], float, float]


# --- results ---------------------------------------------------------------------


@dataclass(frozen=True)
class CellAudit:
    """What an attacker can prove about one hidden cell whose true value is 1–4.

    ``low``: the least value of at least 1 the cell can take given everything
    published; ``high``: the greatest value of at most 4. The cell is safe when they
    are 1 and 4, i.e. both 1 and 4 are possible.
    """

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
    components: int  # connected groups of hidden cells that hold an audited cell
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
    return Protected(release, threshold, _primaries(release, threshold), frozenset())


def _primaries(release: Release, threshold: int) -> frozenset:
    return frozenset(
        c.key for c in release._cells if c.published and c.sensitive and 0 < c.value < threshold
    )


# --- presolve: bound propagation -------------------------------------------------------


def _ceil_div(n: int, d: int) -> int:
    return -((-n) // d)


def _term_range(a: int, low: float, high: float) -> tuple[float, float]:
    return (a * low, a * high) if a > 0 else (a * high, a * low)


def _activity(terms, low, high) -> tuple[float, int, float, int]:
    """Finite parts of the least and greatest value of a row, and how many terms are infinite."""
    least = greatest = 0
    least_inf = greatest_inf = 0
    for v, a in terms:
        lo, hi = _term_range(a, low[v], high[v])
        if lo == -INF:
            least_inf += 1
        else:
            least += lo
        if hi == INF:
            greatest_inf += 1
        else:
            greatest += hi
    return least, least_inf, greatest, greatest_inf


def _others(total: float, infinite: int, own: float) -> float | None:
    """The finite bound of a row's other terms, or None when it is infinite."""
    if abs(own) == INF:
        return total if infinite == 1 else None
    return total - own if infinite == 0 else None


def _propagate(rows: list[_Row], low: list, high: list) -> None:
    """Tighten integer bounds in place: each row bounds each of its variables by the others.

    Every bound derived is implied by the rows, so no integer point is lost. Bounds
    that would creep up by one per pass (unbounded cycles) are cut off by a budget.
    """
    by_var: dict[int, list[int]] = defaultdict(list)
    for r, (terms, _lo, _hi) in enumerate(rows):
        for v, _a in terms:
            by_var[v].append(r)
    queue = deque(range(len(rows)))
    queued = [True] * len(rows)
    budget = 20 * len(rows) + 100
    while queue and budget:
        budget -= 1
        r = queue.popleft()
        queued[r] = False
        terms, row_low, row_high = rows[r]
        least, least_inf, greatest, greatest_inf = _activity(terms, low, high)
        for v, a in terms:
            own_low, own_high = _term_range(a, low[v], high[v])
            new_low, new_high = low[v], high[v]
            rest = _others(least, least_inf, own_low) if row_high != INF else None
            if rest is not None:  # a * x <= row_high - rest
                bound = int(row_high - rest)
                if a > 0:
                    new_high = min(new_high, bound // a)
                else:
                    new_low = max(new_low, _ceil_div(bound, a))
            rest = _others(greatest, greatest_inf, own_high) if row_low != -INF else None
            if rest is not None:  # a * x >= row_low - rest
                bound = int(row_low - rest)
                if a > 0:
                    new_low = max(new_low, _ceil_div(bound, a))
                else:
                    new_high = min(new_high, bound // a)
            if new_low > new_high:
                raise RuntimeError("the release's relations admit no integer point")
            if new_low != low[v] or new_high != high[v]:
                low[v], high[v] = new_low, new_high
                for s in by_var[v]:
                    if s != r and not queued[s]:
                        queued[s] = True
                        queue.append(s)


def _binds(terms, row_low, row_high, low, high) -> bool:
    """False when every point in the bounds satisfies the row (it can be dropped)."""
    least, least_inf, greatest, greatest_inf = _activity(terms, low, high)
    below = row_low != -INF and (least_inf or least < row_low)
    above = row_high != INF and (greatest_inf or greatest > row_high)
    return bool(below or above)


def _reduce(rows: list[_Row], low: list, high: list) -> list[_Row]:
    """Propagate, then drop fixed variables (as constants) and rows that cannot bind."""
    _propagate(rows, low, high)
    kept = []
    for terms, row_low, row_high in rows:
        free, constant = [], 0
        for v, a in terms:
            if low[v] == high[v]:
                constant += a * low[v]
            else:
                free.append((v, a))
        if free and _binds(free, row_low - constant, row_high - constant, low, high):
            kept.append((free, row_low - constant, row_high - constant))
    return kept


def _groups(variables: list[int], rows: list[_Row]) -> list[tuple[list[int], list[_Row]]]:
    """Split variables and rows into connected groups (variables not in a row stay alone)."""
    parent = {v: v for v in variables}

    def root(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    for terms, _lo, _hi in rows:
        first = root(terms[0][0])
        for v, _a in terms[1:]:
            other = root(v)
            if other != first:
                parent[other] = first
    members: dict[int, list[int]] = defaultdict(list)
    for v in variables:
        members[root(v)].append(v)
    held: dict[int, list[_Row]] = defaultdict(list)
    for row in rows:
        held[root(row[0][0][0])].append(row)
    return [(vs, held[r]) for r, vs in members.items()]


# --- integer programs --------------------------------------------------------------


class _Model:
    """An integer program built once: bounds and objective change between solves."""

    def __init__(self, low: list, high: list, rows: list[_Row]) -> None:
        self.low, self.high, self.rows = list(low), list(high), rows
        n = len(low)
        data, rr, cc = [], [], []
        for r, (terms, _lo, _hi) in enumerate(rows):
            for v, a in terms:
                rr.append(r)
                cc.append(v)
                data.append(a)
        self.constraints = (
            [
                LinearConstraint(
                    csr_array((data, (rr, cc)), shape=(len(rows), n)),
                    [lo for _t, lo, _hi in rows],
                    [hi for _t, _lo, hi in rows],
                )
            ]
            if rows
            else []
        )
        self.integrality = np.ones(n)

    def solve(self, objective: dict[int, float], low=None, high=None, options=_MILP_OPTIONS):
        """Minimise: (value, exact integer point or None, raw solution), or None if infeasible."""
        low = self.low if low is None else low
        high = self.high if high is None else high
        c = np.zeros(len(low))
        for v, w in objective.items():
            c[v] = w
        result = milp(
            c,
            integrality=self.integrality,
            bounds=Bounds(np.array(low, dtype=float), np.array(high, dtype=float)),
            constraints=self.constraints,
            options=options,
        )
        if result.status == 2:
            return None
        if result.status != 0:
            raise RuntimeError(f"the disclosure audit could not be solved: {result.message}")
        point = [round(v) for v in result.x]
        exact = point if self.satisfied(point, low, high) else None
        return round(result.fun), exact, result.x

    def satisfied(self, point: list[int], low, high) -> bool:
        """Exact integer check of a point (the solver works in floating point)."""
        if any(v < lo or v > hi for v, lo, hi in zip(point, low, high, strict=True)):
            return False
        for terms, row_low, row_high in self.rows:
            total = sum(a * point[v] for v, a in terms)
            if total < row_low or total > row_high:
                return False
        return True


class _State:
    """The cells hidden so far and what the attacker knows of each."""

    def __init__(self, release: Release, threshold: int) -> None:
        self.release = release
        self.cells = release._cells
        self.relations = release._relations
        self.threshold = threshold
        self.primary = {release._index[k] for k in _primaries(release, threshold)}
        self.secondary: set[int] = set()
        self.group_of: dict[int, list[int]] = {}  # audited cells' groups at the last audit
        self.by_cell: list[list[int]] = [[] for _c in self.cells]
        for r, relation in enumerate(self.relations):
            for i, _c in relation.terms:
                self.by_cell[i].append(r)

    def hidden(self, i: int) -> bool:
        return i in self.primary or i in self.secondary or not self.cells[i].published

    def audited(self, i: int) -> bool:
        """A hidden cell of 1–4 people: a "<5", or a "<5" escalated to "×"."""
        cell = self.cells[i]
        if i in self.primary:
            return True
        return i in self.secondary and cell.sensitive and 0 < cell.value < self.threshold

    def domain(self, i: int) -> tuple[int, float]:
        """ "<5": 1–4; "×" and unpublished: the known bounds (default 0 or more)."""
        cell = self.cells[i]
        low, high = cell.low, INF if cell.high is None else cell.high
        if i in self.primary:
            return max(low, 1), min(high, self.threshold - 1)
        return low, high

    def component(self, start: int) -> list[int]:
        """Hidden cells linked to ``start`` through relations (published ones are constants)."""
        seen, todo = {start}, [start]
        while todo:
            i = todo.pop()
            for r in self.by_cell[i]:
                for j, _c in self.relations[r].terms:
                    if j not in seen and self.hidden(j):
                        seen.add(j)
                        todo.append(j)
        return sorted(seen)

    def rows(self, position: dict[int, int], low: list, high: list) -> list[_Row]:
        """Every relation touching ``position``'s cells; other cells at their true value.

        A relation left with one variable tightens that variable's bounds instead.
        """
        rows = []
        for r in sorted({r for i in position for r in self.by_cell[i]}):
            relation = self.relations[r]
            terms, constant = [], 0
            for i, c in relation.terms:
                if i in position:
                    terms.append((position[i], c))
                else:
                    constant += c * self.cells[i].value
            row_low, row_high = (-constant if relation.equal else -INF), -constant
            if len(terms) == 1:
                ((v, a),) = terms
                if row_high != INF:  # a * x <= row_high
                    bound = int(row_high)
                    if a > 0:
                        high[v] = min(high[v], bound // a)
                    else:
                        low[v] = max(low[v], _ceil_div(bound, a))
                if row_low != -INF:  # a * x >= row_low
                    bound = int(row_low)
                    if a > 0:
                        low[v] = max(low[v], _ceil_div(bound, a))
                    else:
                        high[v] = min(high[v], bound // a)
                continue
            rows.append((terms, row_low, row_high))
        return rows

    def presolved(self, cells: list[int]) -> tuple[list, list, list[_Row]]:
        """Bounds and binding rows of a hidden component, after propagation."""
        position = {i: k for k, i in enumerate(cells)}
        low, high = map(list, zip(*(self.domain(i) for i in cells), strict=True))
        rows = _reduce(self.rows(position, low, high), low, high)
        return low, high, rows


def _audit_group(variables, rows, low, high, audited, truth, top) -> tuple[dict, int]:
    """Least value >= 1 and greatest <= top of each audited variable of one group."""
    local = {v: k for k, v in enumerate(variables)}
    rows = [([(local[v], a) for v, a in terms], lo, hi) for terms, lo, hi in rows]
    low = [low[v] for v in variables]
    high = [high[v] for v in variables]
    model = _Model(low, high, rows)
    targets = [local[v] for v in audited]
    reached = {1: set(), top: set()}
    solves = 0

    def harvest(point: list[int] | None) -> None:
        if point is not None:
            for k in targets:
                if point[k] in reached:
                    reached[point[k]].add(k)

    harvest([truth[v] for v in variables])
    # Cheap proofs: push every audited cell to 1 (to 4) at once, within 1–4.
    narrow_low, narrow_high = list(low), list(high)
    for k in targets:
        narrow_low[k], narrow_high[k] = max(low[k], 1), min(high[k], top)
    for sign, target in ((1, 1), (-1, top)):
        pending = [k for k in targets if k not in reached[target] and low[k] <= target <= high[k]]
        while len(pending) > 1:
            solution = model.solve(dict.fromkeys(pending, sign), narrow_low, narrow_high)
            solves += 1
            if solution is not None:
                harvest(solution[1])
            still = [k for k in pending if k not in reached[target]]
            if len(still) == len(pending):
                break
            pending = still
    found = {}
    for k in targets:
        ends = []
        for target, sign in ((1, 1), (top, -1)):
            if k in reached[target]:
                ends.append(target)
                continue
            if low[k] <= target <= high[k]:
                fixed_low, fixed_high = list(low), list(high)
                fixed_low[k] = fixed_high[k] = target
                solves += 1
                solution = model.solve({}, fixed_low, fixed_high)
                if solution is not None:
                    harvest(solution[1])
                    ends.append(target)
                    continue
            # Not reachable: the nearest value inside 1–top, for the report.
            bounded_low, bounded_high = list(low), list(high)
            bounded_low[k], bounded_high[k] = max(low[k], 1), min(high[k], top)
            solves += 1
            solution = model.solve({k: sign}, bounded_low, bounded_high)
            if solution is None:
                raise RuntimeError("the release has no solution although its true values fit")
            ends.append(sign * solution[0])
        found[variables[k]] = tuple(ends)
    return found, solves


def _audit_component(
    state: _State, cells: list[int], cache: dict | None
) -> tuple[list[CellAudit], int]:
    """Audit one component: presolve, then each independent group (cached by its model)."""
    top = state.threshold - 1
    low, high, rows = state.presolved(cells)
    truth = [state.cells[i].value for i in cells]
    position = {i: k for k, i in enumerate(cells)}
    audited = {k for k, i in enumerate(cells) if state.audited(i)}
    ends: dict[int, tuple] = {}
    solves = 0
    free = [k for k in range(len(cells)) if low[k] < high[k]]
    for variables, held in _groups(free, rows):
        targets = [v for v in variables if v in audited]
        if not targets:
            continue
        members = [cells[v] for v in variables]
        for i in members:
            state.group_of[i] = members
        if not held:  # a lone variable: its bounds are exact
            (v,) = variables
            ends[v] = (max(low[v], 1), min(high[v], top))
            continue
        local = {v: k for k, v in enumerate(variables)}
        signature = (
            tuple(state.cells[i].key for i in members),
            tuple(low[v] for v in variables),
            tuple(high[v] for v in variables),
            tuple((tuple((local[v], a) for v, a in t), lo, hi) for t, lo, hi in held),
            tuple(i in state.primary for i in members),
        )
        found = cache.get(signature) if cache is not None else None
        if found is None:
            found, count = _audit_group(variables, held, low, high, targets, truth, top)
            solves += count
            found = {state.cells[cells[v]].key: ends_v for v, ends_v in found.items()}
            if cache is not None:
                cache[signature] = found
        index = state.release._index
        ends.update({position[index[key]]: e for key, e in found.items()})
    audits = []
    for k in sorted(audited):
        cell = state.cells[cells[k]]
        low_k, high_k = ends.get(k, (cell.value, cell.value))  # fixed by the presolve
        audits.append(CellAudit(cell.key, cell.value, int(low_k), int(high_k), (1, top)))
    return audits, solves


class _GroupAudits(OrderedDict):
    """The audits of independent groups, by their model (keys, bounds, rows): a pure
    function of it, so shared by every protection in the process — the next release
    of a roll-up re-solves only the groups its changes touched. Least recently used
    entries go first past ``size``."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def get(self, signature, default=None):
        found = super().get(signature, default)
        if found is not None:
            self.move_to_end(signature)
        return found

    def __setitem__(self, signature, found) -> None:
        super().__setitem__(signature, found)
        if len(self) > self.size:
            self.popitem(last=False)


_GROUP_AUDITS = _GroupAudits(50_000)


def _audit(state: _State, cache: dict | None = None) -> AuditResult:
    done: set[int] = set()
    audits: list[CellAudit] = []
    components = solves = 0
    state.group_of = {}
    for i in sorted(state.primary | state.secondary):
        if i in done or not state.audited(i):
            continue
        cells = state.component(i)
        done.update(cells)
        components += 1
        found, count = _audit_component(state, cells, cache)
        solves += count
        audits.extend(found)
    order = {key: n for n, key in enumerate(state.release.keys)}
    audits.sort(key=lambda a: order[a.key])
    return AuditResult(tuple(audits), components, solves, state.threshold)


def audit(protected: Protected) -> AuditResult:
    """What can be proven about every hidden cell of 1–4, given everything shown."""
    state = _State(protected.release, protected.threshold)
    index = protected.release._index
    state.primary = {index[k] for k in protected.primary}
    state.secondary = {index[k] for k in protected.secondary}
    return _audit(state)


# --- secondary suppression ---------------------------------------------------------


def _cost(state: _State, i: int) -> float:
    cell = state.cells[i]
    if i in state.primary:
        return _ESCALATION_COST + cell.value
    return cell.cost if cell.cost is not None else 1 + cell.value


def _freeable(state: _State, i: int) -> bool:
    """A cell that may still be hidden as "×" (a "<5" only by escalation)."""
    cell = state.cells[i]
    return i not in state.secondary and cell.published and not cell.keep


def _cheapest_cover(state: _State, target_cell: int, target: int) -> list[int] | None:
    """The cheapest cells to hide as "×" so that ``target_cell`` may take ``target``.

    The cell's group at the last audit and the cells one relation away become
    variables (every other cell stays at its true value, so a point found is a
    point of the whole release). A published cell may leave its value, and a "<5"
    leave 1–4, only if its switch is on (cost: hiding it); the switch widens the
    variable's bounds through plain rows whose coefficients are the room between
    those bounds, never a common big number. Widened ring by ring until feasible,
    and further while only an escalation helps. [] when no hiding is needed, None
    when nothing helps.
    """
    inside = set(state.group_of.get(target_cell, [target_cell]))
    best, extra = None, 1
    while True:
        ring = {j for i in inside for r in state.by_cell[i] for j, _c in state.relations[r].terms}
        if best is not None and len(inside | ring) > _COVER_VARIABLES:
            return best[1]  # an escalation found, and no small ring left to avoid it
        variables = sorted(inside | ring)
        low, high, switched = [], [], []
        for i in variables:
            cell = state.cells[i]
            hidden_low, hidden_high = cell.low, INF if cell.high is None else cell.high
            if i == target_cell:
                shown = (target, target)
            elif state.hidden(i) and i not in state.primary:
                shown = (hidden_low, hidden_high)
            elif state.hidden(i):
                shown = state.domain(i)
            else:
                shown = (cell.value, cell.value)
            if i != target_cell and shown != (hidden_low, hidden_high) and _freeable(state, i):
                switched.append((i, shown))
                low.append(hidden_low)
                high.append(hidden_high)
            else:
                low.append(shown[0])
                high.append(shown[1])
        rows = state.rows({i: k for k, i in enumerate(variables)}, low, high)
        try:  # upper bounds implied by the relations, with every switch on
            if any(lo > hi for lo, hi in zip(low, high, strict=True)):
                raise RuntimeError("infeasible")
            _propagate(rows, low, high)
            rows = [row for row in rows if _binds(*row, low, high)]
        except RuntimeError:
            solution = None
        else:
            solution = _cover_solve(state, variables, switched, low, high, rows)
        if solution is not None:
            cost, freed = solution
            if best is None or cost < best[0]:
                best = (cost, freed)
            if cost < _ESCALATION_COST:
                return freed
        grown = inside | ring
        if grown == inside or (best is not None and not extra):
            return None if best is None else best[1]
        if best is not None:
            extra -= 1
        inside = grown


def _reachable(
    state: _State, target_cell: int, target: int, extra: frozenset = frozenset()
) -> bool:
    """Whether ``target_cell`` may take ``target`` once ``extra`` is hidden too (a proof).

    The variables are the cell's group at the last audit, ``extra``, and the hidden
    cells up to ``_REACH_RINGS`` relations away from them; every other cell stays at
    its true value, so a point found is a point of the whole release (False may
    only mean "not here").
    """
    inside = set(state.group_of.get(target_cell, [target_cell])) | extra
    ring = inside
    for _ring in range(_REACH_RINGS):
        ring = {
            j
            for i in ring
            for r in state.by_cell[i]
            for j, _c in state.relations[r].terms
            if j not in inside and (state.hidden(j) or j in extra)
        }
        inside |= ring
    variables = sorted(inside)
    low, high = [], []
    for i in variables:
        if i == target_cell:
            bounds = (target, target)
        elif i in extra:
            cell = state.cells[i]
            bounds = (cell.low, INF if cell.high is None else cell.high)
        elif state.hidden(i):
            bounds = state.domain(i)
        else:
            bounds = (state.cells[i].value,) * 2
        low.append(bounds[0])
        high.append(bounds[1])
    try:
        rows = state.rows({i: k for k, i in enumerate(variables)}, low, high)
        if any(lo > hi for lo, hi in zip(low, high, strict=True)):
            return False
        rows = _reduce(rows, low, high)
    except RuntimeError:  # the propagation proved it impossible
        return False
    if not rows:  # no row can bind within the propagated bounds: any point in them fits
        return True
    return _Model(low, high, rows).solve({}) is not None


def _bundle(state: _State, j: int, inside: set[int]) -> frozenset[int]:
    """``j`` and, for each other sum ``j`` is in, its cheapest published cell: hiding ``j``
    alone leaves it pinned by a sum whose other terms are shown (e.g. its ALL total)."""
    bundle = {j}
    for r in state.by_cell[j]:
        relation = state.relations[r]
        terms = [i for i, _c in relation.terms if i != j]
        if not relation.equal or any(i in inside for i in terms):
            continue
        shown = [i for i in terms if not state.hidden(i) and _freeable(state, i)]
        if shown and not any(i in bundle for i in terms):
            bundle.add(min(shown, key=lambda i: (_cost(state, i), i)))
    return frozenset(bundle)


def _greedy_cover(state: _State, target_cell: int, target: int, tries: int) -> list[int] | None:
    """A cheap complement that lets ``target_cell`` take ``target`` (which the last audit,
    still current, proved it cannot): the cheapest that works of the published cells
    in relations with its group, each with the cells that would pin it (``_bundle``);
    None when none of the ``tries`` cheapest does."""
    inside = set(state.group_of.get(target_cell, [target_cell]))
    candidates = {
        j
        for i in inside
        for r in state.by_cell[i]
        for j, _c in state.relations[r].terms
        if not state.hidden(j) and _freeable(state, j)
    }
    bundles = {_bundle(state, j, inside) for j in candidates}
    ranked = sorted(bundles, key=lambda b: (sum(_cost(state, i) for i in b), sorted(b)))
    for bundle in ranked[:tries]:
        if _reachable(state, target_cell, target, bundle):
            return sorted(bundle)
    return None


def _cover_solve(state: _State, variables, switched, low, high, rows) -> tuple | None:
    """Hide the switched cells at the least cost: (cost, cells to hide), or None."""
    position = {i: k for k, i in enumerate(variables)}
    cap = 2 * max(state.cells[i].value for i in variables) + state.threshold
    high = [max(min(h, cap), lo) for lo, h in zip(low, high, strict=True)]  # a safe cap
    rows = list(rows)
    objective = {}
    bounds = []
    for n, (i, (shown_low, shown_high)) in enumerate(switched):
        x, s = position[i], len(variables) + n
        hidden_low, hidden_high = low[x], high[x]
        shown_low, shown_high = max(shown_low, hidden_low), min(shown_high, hidden_high)
        bounds.append((shown_low, shown_high))
        objective[s] = _cost(state, i)
        # off: shown_low <= x <= shown_high; on: the hidden bounds.
        rows.append(([(x, 1), (s, shown_low - hidden_low)], shown_low, INF))
        rows.append(([(x, 1), (s, shown_high - hidden_high)], -INF, shown_high))
    solution = _Model(low + [0] * len(switched), high + [1] * len(switched), rows).solve(
        objective, options=_COVER_OPTIONS
    )
    if solution is None:
        return None
    cost, point, raw = solution
    if point is None:  # inexact: hide whatever the solver touched; the audit checks again
        return cost, [i for n, (i, _s) in enumerate(switched) if raw[len(variables) + n] > 1e-9]
    return cost, [
        i
        for n, ((i, _s), (shown_low, shown_high)) in enumerate(zip(switched, bounds, strict=True))
        if point[len(variables) + n] or not shown_low <= point[position[i]] <= shown_high
    ]


def protect(release: Release, threshold: int = THRESHOLD) -> Protected:
    """Primary then secondary suppression until the exact audit passes.

    While a hidden cell of 1–4 cannot take 1 (or 4), hide the cheapest published
    cells that make it possible: any cell, zeros and totals included, at 1 + its
    value; a "<5" is turned into "×" only when nothing else helps. Each step
    settles its cell for good (hiding only widens what is possible), so the loop
    ends. Deterministic: the same release gets the same pattern, whatever was
    protected before in the process and however busy the machine is (two patterns
    of the same numbers, put side by side, would reveal what each hides).
    """
    release.check()
    state = _State(release, threshold)
    cache = _GROUP_AUDITS
    top = threshold - 1
    hopeless: set[tuple[int, int]] = set()
    while True:
        result = _audit(state, cache)
        index = release._index
        todo = []
        for cell in result.failures:
            i = index[cell.key]
            if cell.low > 1:
                todo.append((i, 1))
            if cell.high < top:
                todo.append((i, top))
        changed = False
        touched: set[int] = set()  # cells whose audit this round's covers made stale
        for i, target in todo:
            if (i, target) in hopeless or not touched.isdisjoint(state.group_of.get(i, [i])):
                continue
            freed = _greedy_cover(state, i, target, _GREEDY_TRIES)
            if freed is None:
                freed = _cheapest_cover(state, i, target)
            if freed is None:
                hopeless.add((i, target))
            if not freed:  # nothing helps, or (exact cover) already reachable
                continue
            for j in freed:
                state.primary.discard(j)
                state.secondary.add(j)
            # The audit's groups are stale around what was hidden: a cell it failed there
            # may already be safe, and a cover built on them may miss the cheap cells (a
            # local proof failing only means "not here", so the greedy step would hide
            # the sizes and totals next to the cell). Failures elsewhere are repaired in
            # the same round; the next audit judges the rest again.
            touched.update(state.group_of.get(i, [i]))
            for j in freed:
                touched.add(j)
                touched.update(state.group_of.get(j, ()))
                for r in state.by_cell[j]:
                    touched.update(k for k, _c in state.relations[r].terms)
            changed = True
        if not changed:
            break
    keys = [c.key for c in state.cells]
    return Protected(
        release,
        threshold,
        frozenset(keys[i] for i in state.primary),
        frozenset(keys[i] for i in state.secondary),
        result,
    )


def protect_cached(release: Release, threshold: int = THRESHOLD, *, cache=None) -> Protected:
    """``protect``, memoised by the release's fingerprint: a page reloaded with
    unchanged data costs one hash.

    ``cache``: any object with Django's ``get``/``set`` (default: Django's default
    cache, with its default timeout; without Django settings, no cache).
    """
    if cache is None:
        cache = django_cache  # a lazy proxy: settings are read at its first use
    key = f"disclosure:protect:{threshold}:{release.fingerprint()}"
    try:
        stored = cache.get(key)
    except ImproperlyConfigured:
        return protect(release, threshold)
    if stored is not None:
        primary, secondary, result = stored
        return Protected(release, threshold, primary, secondary, result)
    protected = protect(release, threshold)
    cache.set(key, (protected.primary, protected.secondary, protected.result))
    return protected
