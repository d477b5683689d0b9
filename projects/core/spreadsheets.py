"""Lists as CSV (opens in Excel with Chinese intact) or XLSX, for every app's exports."""

import csv
import decimal
import io
import re
from collections.abc import Callable, Iterable

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from projects.core.models import Project


def local_time_text(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def export_response(project: Project, name: str, fmt: str, columns, rows):
    filename = f"{project.code}-{name}-{timezone.localdate():%Y%m%d}.{fmt}"
    rows = rows[:MAX_ROWS].iterator(chunk_size=2000)
    if fmt == "xlsx":
        return xlsx_response(filename, project.code, columns, rows)
    return csv_response(filename, columns, rows)


Column = tuple[str, Callable[[object], object]]


MAX_ROWS = 100_000


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


FORMULA_STARTS = {"=", "+", "-", "@", "\t", "\r"}
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?", re.ASCII)


def safe_cell(value):
    """A cell starting with = + - @ (or a tab or CR) would run as a formula in Excel: it gets a '.

    Numbers are not formulas: an int, a Decimal or a float stays as it is (a number in XLSX), and
    so does text that is a plain number ("-12.5"), so negative amounts are not turned into text.
    """
    if isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    if text[:1] in FORMULA_STARTS and not PLAIN_NUMBER.fullmatch(text):
        return f"'{text}"
    return text


class _Echo:
    def write(self, value):
        return value


def csv_response(filename: str, columns: list[Column], rows: Iterable) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # the byte-order mark makes Excel read UTF-8 (Chinese) correctly
        yield writer.writerow([title for title, _get in columns])
        for row in rows:
            yield writer.writerow([safe_cell(get(row)) for _title, get in columns])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(filename: str, sheet_title: str, columns: list[Column], rows: Iterable) -> HttpResponse:
    from openpyxl import Workbook  # imported here: openpyxl takes a second to load, only downloads need it

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title[:31])
    sheet.append([title for title, _get in columns])
    for row in rows:
        sheet.append([safe_cell(get(row)) for _title, get in columns])
    output = io.BytesIO()
    workbook.save(output)
    response = HttpResponse(output.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
