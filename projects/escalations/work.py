"""The escalations waiting for my acknowledgement, in "my work" (issue 19)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from projects.escalations.models import Escalation, EscalationRecipient
from projects.permissions import Capability
from projects.registry import WorkItem, WorkSource


def _awaiting_acknowledgement(user, memberships) -> list[WorkItem]:
    projects = {m.project_id: m.project for m in memberships if m.can(Capability.ESCALATIONS_VIEW)}
    if not projects:
        return []
    receipts = EscalationRecipient.objects.filter(
        user=user,
        acknowledged_at__isnull=True,
        escalation__status=Escalation.Status.OPEN,
        escalation__project__in=list(projects),
    ).select_related("escalation")
    items = []
    for receipt in receipts:
        escalation = receipt.escalation
        project = projects[escalation.project_id]
        escalation.project = project  # already loaded: the wording may name it
        items.append(
            WorkItem(
                project=project,
                title=escalation.title,
                url=reverse("projects:escalation_acknowledge", kwargs={"code": project.code, "pk": escalation.pk}),
                since=receipt.notified_at,
            )
        )
    return items


ESCALATIONS = WorkSource("escalation", _("Escalations to acknowledge"), 10, _awaiting_acknowledgement)
