"""The risk register and the committee's action items as CSV or XLSX, in the reader's language."""

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ActionItem, Project, Risk
from .spreadsheets import MAX_ROWS, csv_response, xlsx_response


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def risk_columns():
    return [
        (_("Score"), lambda r: r.score),
        (_("Risk"), lambda r: r.title),
        (_("Description"), lambda r: r.description),
        (_("Probability"), lambda r: r.probability),
        (_("Impact"), lambda r: r.impact),
        (_("Owner"), lambda r: r.owner.full_name if r.owner else ""),
        (_("Response"), lambda r: r.get_response_display()),
        (_("Mitigation"), lambda r: r.mitigation),
        (_("Trigger"), lambda r: r.trigger),
        (_("Proximity"), lambda r: r.get_proximity_display()),
        (_("Status"), lambda r: r.get_status_display()),
        (_("Updated"), lambda r: _when(r.updated_at)),
    ]


def action_item_columns():
    return [
        (_("Action"), lambda a: a.title),
        (_("Owner"), lambda a: a.owner.full_name),
        (_("Due"), lambda a: a.due_date.isoformat()),
        (_("Status"), lambda a: a.get_status_display()),
        (_("Meeting"), lambda a: a.meeting.title),
        (_("Meeting date"), lambda a: timezone.localtime(a.meeting.starts_at).strftime("%Y-%m-%d")),
        (_("Completed"), lambda a: _when(a.completed_at)),
    ]


def _respond(project: Project, name: str, fmt: str, columns, rows):
    filename = f"{project.code}-{name}-{timezone.localdate():%Y%m%d}.{fmt}"
    rows = rows[:MAX_ROWS].iterator(chunk_size=2000)
    if fmt == "xlsx":
        return xlsx_response(filename, project.code, columns, rows)
    return csv_response(filename, columns, rows)


def risks_export(project: Project, fmt: str):
    rows = Risk.objects.filter(project=project).select_related("owner").order_by("-score", "id")
    return _respond(project, "risks", fmt, risk_columns(), rows)


def action_items_export(project: Project, fmt: str):
    rows = ActionItem.objects.filter(project=project).select_related("owner", "meeting").order_by("due_date", "id")
    return _respond(project, "action-items", fmt, action_item_columns(), rows)
