"""Small-cell suppression: nothing under 5 is shown, nothing hidden can be worked out.

The check of recoverability is independent of the algorithm: it writes the
equations a reader has (every row and column of the table adds up to its total)
and asks, by exact Gaussian elimination, whether a hidden value is determined.
"""

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workshops.analysis.suppression import (
    PRIMARY,
    SECONDARY,
    protect,
    protect_vector,
)


def _rank(matrix: list[list[Fraction]]) -> int:
    rows = [row[:] for row in matrix]
    rank = 0
    width = len(rows[0]) if rows else 0
    for column in range(width):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][column] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(len(rows)):
            if r != rank and rows[r][column] != 0:
                factor = rows[r][column] / rows[rank][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        rank += 1
    return rank


def recoverable_cells(protected, hidden_rest: bool) -> set:
    """Hidden positions whose value follows from the row and column equations."""
    rows, columns = protected.rows, protected.columns
    # Unknowns: hidden cells, hidden row totals, hidden column totals, hidden grand total,
    # and one "rest" value per row when row totals include people outside the columns.
    unknowns = sorted(protected.hidden)
    rest = [f"rest{i}" for i in range(rows)] if hidden_rest else []
    names = [*unknowns, *rest]
    index = {name: k for k, name in enumerate(names)}
    equations = []

    def coefficient_row(terms):
        row = [Fraction(0)] * len(names)
        for name, sign in terms:
            if name in index:
                row[index[name]] += sign
        return row

    for i in range(rows):  # cells + rest - row total = 0
        terms = [((i, j), 1) for j in range(columns)] + [((i, columns), -1)]
        if hidden_rest:
            terms.append((f"rest{i}", 1))
        equations.append(coefficient_row(terms))
    for j in range(columns):  # column cells - column total = 0
        terms = [((i, j), 1) for i in range(rows)] + [((rows, j), -1)]
        equations.append(coefficient_row(terms))
    # Row totals add up to the grand total.
    equations.append(
        coefficient_row([((i, columns), 1) for i in range(rows)] + [((rows, columns), -1)])
    )
    if not hidden_rest:  # column totals add up to the grand total too
        equations.append(
            coefficient_row([((rows, j), 1) for j in range(columns)] + [((rows, columns), -1)])
        )
    base = _rank(equations)
    found = set()
    for position in unknowns:
        probe = [Fraction(0)] * len(names)
        probe[index[position]] = Fraction(1)
        if _rank([*equations, probe]) == base:
            found.add(position)
    return found


def shown_values(protected):
    rows, columns = protected.rows, protected.columns
    for i in range(rows):
        for j in range(columns):
            yield protected.cell(i, j), protected.cells[i][j]
        yield protected.row_total(i), protected.row_totals[i]
    for j in range(columns):
        yield protected.column_total(j), protected.column_totals[j]
    yield protected.grand(), protected.grand_total


counts = st.one_of(st.integers(0, 4), st.integers(0, 12), st.integers(5, 60))


@st.composite
def tables(draw):
    rows = draw(st.integers(1, 6))
    columns = draw(st.integers(1, 5))
    return [[draw(counts) for _ in range(columns)] for _ in range(rows)]


@st.composite
def small_tables(draw):
    """Cross-tab-like tables: every row total is at least 5 (smaller rows are left out)."""
    rows = draw(st.integers(1, 4))
    columns = draw(st.integers(2, 3))
    table = [[draw(counts) for _ in range(columns)] for _ in range(rows)]
    return [row if sum(row) >= 5 else [*row[:-1], row[-1] + 5] for row in table]


@pytest.mark.fuzz
@settings(max_examples=600, deadline=None)
@given(tables())
def test_suppression_never_shows_a_small_count_nor_lets_one_be_recovered(table):
    protected = protect(table)
    for shown, value in shown_values(protected):
        if shown not in (PRIMARY, SECONDARY):
            assert shown == str(value)
            assert value == 0 or value >= 5
    assert recoverable_cells(protected, hidden_rest=False) == set()


@pytest.mark.fuzz
@settings(max_examples=500, deadline=None)
@given(tables(), st.lists(st.integers(0, 6), min_size=6, max_size=6))
def test_suppression_holds_when_row_totals_include_people_without_a_group(table, extra):
    totals = [sum(row) + extra[i] for i, row in enumerate(table)]
    protected = protect(table, row_totals=totals)
    for shown, value in shown_values(protected):
        if shown not in (PRIMARY, SECONDARY):
            assert value == 0 or value >= 5
    assert recoverable_cells(protected, hidden_rest=any(extra[: len(table)])) == set()


def test_suppression_hides_the_row_total_before_another_cell():
    protected = protect([[3, 10, 12], [8, 9, 20]])
    assert protected.cell(0, 0) == PRIMARY
    assert [protected.cell(0, j) for j in (1, 2)] == ["10", "12"]
    assert protected.row_total(0) == SECONDARY
    assert recoverable_cells(protected, hidden_rest=False) == set()


def test_suppression_leaves_a_table_of_large_counts_alone():
    protected = protect([[5, 10], [7, 9]])
    assert protected.hidden == frozenset()
    assert protected.cell(1, 1) == "9"
    assert protected.grand() == "31"


def test_suppression_of_a_vector_with_one_small_value_hides_the_total():
    protected = protect_vector([2, 30, 40])
    assert [protected.cell(0, j) for j in range(3)] == [PRIMARY, "30", "40"]
    assert protected.row_total(0) == SECONDARY


def test_suppression_of_a_vector_with_two_small_values_keeps_the_total():
    protected = protect_vector([2, 3, 40])
    assert [protected.cell(0, j) for j in range(3)] == [PRIMARY, PRIMARY, "40"]
    assert protected.row_total(0) == "45"


def jointly_recoverable(tables) -> set:
    """Hidden cells and row totals determined by the equations of tables sharing row totals.

    Column sums and the grand total are never printed and count people several
    times over, so their being determined discloses nothing; they are still
    unknowns of the system.
    """
    names: list = []
    index: dict = {}

    def var(name):
        if name not in index:
            index[name] = len(names)
            names.append(name)
        return name

    def name_of(k, protected, i, j):
        if j == protected.columns and i < protected.rows:
            return ("total", i)
        if (i, j) == (protected.rows, protected.columns):
            return ("grand",)
        return (k, i, j)

    raw_equations = []
    for k, p in enumerate(tables):
        hidden = {name_of(k, p, i, j) for i, j in p.hidden}
        for name in hidden:
            var(name)

        def term(i, j, sign, p=p, k=k, hidden=hidden):
            name = name_of(k, p, i, j)
            return (name, sign) if name in hidden else None

        for i in range(p.rows):
            raw_equations.append(
                [term(i, j, 1) for j in range(p.columns)] + [term(i, p.columns, -1)]
            )
        for j in range(p.columns):
            raw_equations.append([term(i, j, 1) for i in range(p.rows)] + [term(p.rows, j, -1)])
        raw_equations.append(
            [term(i, p.columns, 1) for i in range(p.rows)] + [term(p.rows, p.columns, -1)]
        )
        raw_equations.append(
            [term(p.rows, j, 1) for j in range(p.columns)] + [term(p.rows, p.columns, -1)]
        )
    equations = []
    for terms in raw_equations:
        row = [Fraction(0)] * len(names)
        for item in terms:
            if item:
                row[index[item[0]]] += item[1]
        equations.append(row)
    base = _rank(equations)
    found = set()
    printed = [
        name
        for name in names
        if name[0] == "total" or (name[0] != "grand" and name[1] < tables[name[0]].rows)
    ]
    for name in printed:
        probe = [Fraction(0)] * len(names)
        probe[index[name]] = Fraction(1)
        if _rank([*equations, probe]) == base:
            found.add(name)
    return found


@pytest.mark.fuzz
@settings(max_examples=500, deadline=None)
@given(small_tables(), st.integers(2, 3), st.data())
def test_tables_sharing_totals_are_safe_read_together(table, width, data):
    totals = [sum(row) for row in table]
    other = []
    for total in totals:
        cuts = sorted(
            data.draw(st.lists(st.integers(0, total), min_size=width - 1, max_size=width - 1))
        )
        bounds = [0, *cuts, total]
        other.append([bounds[k + 1] - bounds[k] for k in range(width)])
    first = protect(table, row_totals=totals, keep_totals=True)
    second = protect(other, row_totals=totals, keep_totals=True)
    for protected in (first, second):
        for shown, value in shown_values(protected):
            if shown not in (PRIMARY, SECONDARY):
                assert value == 0 or value >= 5
    assert jointly_recoverable([first, second]) == set()
