"""The filtered issue list as CSV (opens in Excel with Chinese intact) or XLSX."""

import csv
import io

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

MAX_ROWS = 100_000


def _columns():
    return [
        (_("Number"), lambda i: i.reference),
        (_("Title"), lambda i: i.title),
        (_("Status"), lambda i: i.get_status_display()),
        (_("Severity"), lambda i: i.get_severity_display()),
        (_("Category"), lambda i: i.get_category_display() if i.category else ""),
        (_("Module"), lambda i: i.module.name if i.module else ""),
        (_("Reporter"), lambda i: i.reporter.full_name),
        (_("Consultant"), lambda i: i.consultant.full_name if i.consultant else ""),
        (_("Reported"), lambda i: timezone.localtime(i.created_at).strftime("%Y-%m-%d %H:%M")),
        (_("What happened"), lambda i: i.description),
        (_("Cause"), lambda i: i.cause),
        (_("Fix"), lambda i: i.fix),
    ]


def _filename(project, extension: str) -> str:
    return f"{project.code}-issues-{timezone.localdate():%Y%m%d}.{extension}"


def _safe(value: str) -> str:
    # A cell starting with = + - @ would run as a formula in Excel.
    return f"'{value}" if value[:1] in {"=", "+", "-", "@", "\t", "\r"} else value


class _Echo:
    def write(self, value):
        return value


def issues_csv(project, issues) -> StreamingHttpResponse:
    columns = _columns()
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff"  # the byte-order mark makes Excel read UTF-8 (Chinese) correctly
        yield writer.writerow([title for title, _get in columns])
        for issue in issues[:MAX_ROWS].iterator(chunk_size=2000):
            yield writer.writerow([_safe(str(get(issue))) for _title, get in columns])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(project, "csv")}"'
    return response


def issues_xlsx(project, issues) -> HttpResponse:
    from openpyxl import Workbook

    columns = _columns()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(project.code)
    sheet.append([title for title, _get in columns])
    for issue in issues[:MAX_ROWS].iterator(chunk_size=2000):
        sheet.append([_safe(str(get(issue))) for _title, get in columns])
    output = io.BytesIO()
    workbook.save(output)
    response = HttpResponse(
        output.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(project, "xlsx")}"'
    return response
