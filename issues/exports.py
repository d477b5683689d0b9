"""The filtered issue list as CSV or XLSX."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from projects.core.spreadsheets import MAX_ROWS, csv_response, xlsx_response


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
        (pgettext("time", "Reported"), lambda i: timezone.localtime(i.created_at).strftime("%Y-%m-%d %H:%M")),
        (_("What happened"), lambda i: i.description),
        (_("Cause"), lambda i: i.cause),
        (_("Fix"), lambda i: i.fix),
    ]


def _filename(project, extension: str) -> str:
    return f"{project.code}-issues-{timezone.localdate():%Y%m%d}.{extension}"


def issues_csv(project, issues):
    return csv_response(_filename(project, "csv"), _columns(), issues[:MAX_ROWS].iterator(chunk_size=2000))


def issues_xlsx(project, issues):
    rows = issues[:MAX_ROWS].iterator(chunk_size=2000)
    return xlsx_response(_filename(project, "xlsx"), project.code, _columns(), rows)
