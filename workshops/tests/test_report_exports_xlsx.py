"""Spreadsheets read back with openpyxl: counts are numbers, shares numbers in a %
format, "<5" text with a note on the sheet, one sheet per table, header row frozen."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from workshops.analysis.rollup import build_rollup
from workshops.report import document as doc
from workshops.report import exports, render
from workshops.services.report import build_draft
from workshops.tests.report_factories import make_mali_like_workshop


@pytest.fixture
def mali(workshop, regions):
    make_mali_like_workshop(workshop, regions)
    return workshop


@pytest.fixture
def draft(mali):
    return build_draft(workshop=mali, language="en")


def workbook_of(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_draft_workbook_has_one_sheet_per_table_with_a_frozen_header(draft, mali):
    document = render.build(draft, build_rollup(mali, language="en"))
    tables = document.blocks(doc.Table)
    book = workbook_of(render.to_xlsx(document))
    assert len(book.sheetnames) == len(tables) >= 5
    assert len(set(book.sheetnames)) == len(book.sheetnames)
    for sheet, table in zip(book.worksheets, tables, strict=True):
        assert sheet["A1"].value == render.table_caption(table)
        assert sheet.freeze_panes == "A3"
        assert sheet["A2"].value == table.header[0].text and sheet["A2"].font.bold
        assert sheet.column_dimensions["A"].width >= 10


def test_draft_workbook_counts_are_numbers_and_shares_are_percentages(draft, mali):
    book = workbook_of(render.to_xlsx(render.build(draft, build_rollup(mali, language="en"))))
    zones = next(s for s in book.worksheets if "by zone" in s["A1"].value)
    header = [c.value for c in zones[2]]
    assert header[1].endswith("— share") is False and header[2].endswith("— share")
    numbers = [c for row in zones.iter_rows(min_row=3, min_col=2) for c in row]
    counts = [c for c in numbers if isinstance(c.value, int)]
    shares = [c for c in numbers if isinstance(c.value, float)]
    assert counts and shares
    assert all(c.data_type == "n" for c in counts)
    assert all(0 <= c.value <= 1 and c.number_format == "0%" for c in shares)
    categories = next(s for s in book.worksheets if "Contributions by category" in s["A1"].value)
    column = [row[1].value for row in categories.iter_rows(min_row=3) if row[1].value is not None]
    assert all(isinstance(v, int) for v in column)  # SUM works on it


def test_small_numbers_stay_text_and_the_sheet_carries_a_note(draft, mali):
    book = workbook_of(render.to_xlsx(render.build(draft, build_rollup(mali, language="en"))))
    small_sheets = []
    for sheet in book.worksheets:
        values = [c.value for row in sheet.iter_rows(min_row=3) for c in row]
        if "<5" in values or "×" in values:
            small_sheets.append(sheet)
            filled = [v for v in values if v is not None]
            assert filled[-1] == doc.small_numbers_note()  # under the table
    assert small_sheets  # the Mali-like data has small cells
    for sheet in small_sheets:
        cells = [c for row in sheet.iter_rows(min_row=3) for c in row if c.value == "<5"]
        assert all(c.data_type == "s" for c in cells)


def test_contributions_workbook_stores_counts_as_numbers(mali):
    rows = exports.aggregated_rows(build_rollup(mali, language="en"))
    book = workbook_of(exports.to_xlsx(rows, "Contributions"))
    sheet = book.active
    assert sheet.freeze_panes == "A2"
    table = [row for row in sheet.iter_rows(min_row=2) if row[1].value is not None or row[2].value]
    people = [row[5].value for row in table]
    sizes = [row[6].value for row in table]
    assert any(isinstance(v, int) for v in people)
    assert all(isinstance(v, int) or v in ("<5", "×") for v in people)
    assert all(isinstance(v, int) for v in sizes)
    assert any(doc.small_numbers_note() == row[0].value for row in sheet.iter_rows())


def test_contributions_workbook_keeps_text_columns_as_text_and_neutralises_formulas():
    rows = [["Number", "Text"], ["1", "=SUM(A1)"], ["2", "12"], ["3", "words"]]
    sheet = workbook_of(exports.to_xlsx(rows, "Rows")).active
    assert [sheet.cell(r, 1).value for r in (2, 3, 4)] == [1, 2, 3]
    assert [sheet.cell(r, 2).value for r in (2, 3, 4)] == ["'=SUM(A1)", "12", "words"]
