"""The change requests whose proposed options wait for my evaluation as the requester, in "my
work" (issue 19): the workflow's `accept` and `feedback` steps are the requester's."""

from django.utils.translation import gettext_lazy as _

from projects.permissions import Capability
from projects.registry import WorkItem, WorkSource

from .models import ChangeRequest


def _options_to_evaluate(user, memberships) -> list[WorkItem]:
    projects = {m.project_id: m.project for m in memberships if m.can(Capability.PROJECT_VIEW)}
    if not projects:
        return []
    changes = ChangeRequest.objects.filter(
        project__in=list(projects), requester=user, status=ChangeRequest.Status.OPTIONS_PROPOSED
    ).only("pk", "project_id", "number", "title", "updated_at")
    items = []
    for change in changes:
        change.project = projects[change.project_id]
        items.append(
            WorkItem(
                project=change.project,
                title=f"{change.reference} {change.title}",
                url=change.get_absolute_url(),
                since=change.updated_at,
            )
        )
    return items


OPTIONS = WorkSource("change-options", _("Options to evaluate"), 30, _options_to_evaluate)
