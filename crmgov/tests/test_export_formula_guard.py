"""CSV/XLSX exports: values that Excel would run as a formula are prefixed with ', numbers are not
(issue 17). The fix is in `projects/core/spreadsheets.py` (`safe_cell`)."""

import decimal
import io

import pytest

from projects.core.spreadsheets import csv_response, safe_cell, xlsx_response

NUMBERS = [-12, 0, 7, decimal.Decimal("-1234.50"), -0.25, "-12.5", "-3", "42", "1234.50"]
FORMULAS = [
    "-1+cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example","click")',
    "+SUM(A1:A9)",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "-",
    "--1",
    "-12.5e",
    "-1,2",
]


@pytest.mark.parametrize("value", NUMBERS, ids=repr)
def test_negative_numbers_are_exported_as_they_are(value):
    assert str(safe_cell(value)) == str(value)


@pytest.mark.parametrize("value", FORMULAS, ids=repr)
def test_values_excel_would_run_as_a_formula_are_still_prefixed(value):
    assert safe_cell(value) == "'" + value


def test_a_csv_export_keeps_a_negative_amount_and_neutralises_a_formula():
    columns = [("Amount", lambda row: row[0]), ("Note", lambda row: row[1])]
    response = csv_response("x.csv", columns, [(decimal.Decimal("-300.00"), "=1+1"), ("-12.5", "-1+cmd|x")])
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[1:] == ["-300.00,'=1+1", "-12.5,'-1+cmd|x"]


def test_an_xlsx_export_keeps_negative_numbers_numeric():
    from openpyxl import load_workbook

    columns = [("Amount", lambda row: row[0]), ("Note", lambda row: row[1])]
    response = xlsx_response("x.xlsx", "Sheet", columns, [(-300, "=1+1"), (decimal.Decimal("-1.5"), "@x")])
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows == [(-300, "'=1+1"), (-1.5, "'@x")]
