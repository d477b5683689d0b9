"""Lists as CSV (opens in Excel with Chinese intact) or XLSX, for every app's exports."""

import csv
import io
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


def safe_cell(value) -> str:
    """A cell starting with = + - @ would run as a formula in Excel."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


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
