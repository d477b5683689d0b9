"""The steering committee's action items I own that are due or overdue, in "my work" (issue 19)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from projects.core.work import day_began
from projects.permissions import Capability
from projects.registry import WorkItem, WorkSource
from projects.steering.models import ActionItem


def _due_actions(user, memberships) -> list[WorkItem]:
    # Listed where the person may open the meeting it came from.
    projects = {m.project_id: m.project for m in memberships if m.can(Capability.COMMITTEE_VIEW)}
    if not projects:
        return []
    today = {pk: project.local_today() for pk, project in projects.items()}
    actions = ActionItem.objects.open().filter(
        owner=user, project__in=list(projects), due_date__lte=max(today.values())
    )
    items = []
    for action in actions.only("pk", "project_id", "meeting_id", "title", "due_date"):
        project = projects[action.project_id]
        if action.due_date > today[action.project_id]:
            continue
        items.append(
            WorkItem(
                project=project,
                title=action.title,
                url=reverse("projects:meeting_detail", kwargs={"code": project.code, "pk": action.meeting_id}),
                since=day_began(project, action.due_date),
                due=action.due_date,
            )
        )
    return items


ACTION_ITEMS = WorkSource("action-item", _("Action items due"), 60, _due_actions)
