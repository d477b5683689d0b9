from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from projects.core.models import Project
from projects.core.spreadsheets import export_response, local_time_text
from projects.steering.models import ActionItem


def action_item_columns():
    return [
        (_("Action"), lambda a: a.title),
        (_("Owner"), lambda a: a.owner.full_name),
        (_("Due"), lambda a: a.due_date.isoformat()),
        (_("Status"), lambda a: a.get_status_display()),
        (_("Meeting"), lambda a: a.meeting.title),
        (_("Meeting date"), lambda a: timezone.localtime(a.meeting.starts_at).strftime("%Y-%m-%d")),
        (pgettext("time", "Completed"), lambda a: local_time_text(a.completed_at)),
    ]


def action_items_export(project: Project, fmt: str):
    rows = ActionItem.objects.filter(project=project).select_related("owner", "meeting").order_by("due_date", "id")
    return export_response(project, "action-items", fmt, action_item_columns(), rows)
