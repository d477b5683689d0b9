from datetime import timedelta

from django.utils import timezone

from projects.core.models import Project
from projects.registry import PendingDecision, decision_providers
from projects.steering.models import ActionItem, AgendaItem, CommitteeMember, Meeting


def pending_not_on_agenda(project: Project, pending: list[PendingDecision]) -> list[PendingDecision]:
    """Pending objects not yet on the agenda of a meeting that has not closed."""
    on_agenda = set(
        AgendaItem.objects.filter(meeting__project=project, outcome="")
        .exclude(meeting__status=Meeting.Status.CLOSED)
        .exclude(linked_kind="")
        .values_list("linked_kind", "linked_id")
    )
    return [item for item in pending if (item.kind, item.object_id) not in on_agenda]


# --- The steering committee -----------------------------------------------------------------------


def committee_overview(project: Project) -> dict:
    now = timezone.now()
    today = project.local_today()
    meetings = list(Meeting.objects.filter(project=project))
    upcoming = sorted((m for m in meetings if m.starts_at >= now and not m.is_locked), key=lambda m: m.starts_at)
    past = [m for m in meetings if m not in upcoming]
    actions = list(ActionItem.objects.open().filter(project=project).select_related("owner", "meeting"))
    for action in actions:
        action.overdue = action.is_overdue(today)
    cadence_end = now + timedelta(days=project.meeting_cadence_days)
    next_meeting = upcoming[0] if upcoming else None
    return {
        "members": list(CommitteeMember.objects.filter(project=project).select_related("user")),
        "upcoming": upcoming,
        "past": past,
        "open_actions": actions,
        "overdue_actions": [action for action in actions if action.overdue],
        "next_meeting": next_meeting,
        # D-SC-2: no meeting scheduled within the cadence is flagged.
        "cadence_missed": next_meeting is None or next_meeting.starts_at > cadence_end,
    }


def meeting_agenda(meeting: Meeting) -> dict:
    """Items with their linked objects named, action items and attendance: for the page, e-mail and PDF."""
    items = list(meeting.items.select_related("presenter", "decided_by"))
    by_kind: dict[str, list[int]] = {}
    for item in items:
        if item.linked_kind:
            by_kind.setdefault(item.linked_kind, []).append(item.linked_id)
    described: dict[tuple[str, int], PendingDecision] = {}
    for kind, ids in by_kind.items():
        provider = decision_providers.get(kind)
        if provider is not None:
            for object_id, description in provider.describe(meeting.project, ids).items():
                described[(kind, object_id)] = description
    for item in items:
        item.linked = described.get((item.linked_kind, item.linked_id))
    today = meeting.project.local_today()
    actions = list(meeting.action_items.select_related("owner"))
    for action in actions:
        action.overdue = action.is_overdue(today)
    return {
        "items": items,
        "actions": actions,
        "attendees": list(meeting.attendees.order_by("full_name")),
        "total_minutes": sum(item.minutes_allotted for item in items),
    }
