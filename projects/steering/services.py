"""Writes of the steering committee (D-SC-1…4): agendas, decisions, minutes, action items."""

import zoneinfo
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from projects.core.models import Project, User
from projects.notifications.outbox import Attachment, email_queue
from projects.notifications.services import meeting_agenda_notify
from projects.registry import Outcome, decision_providers, pending_decisions
from projects.steering.calendars import meeting_invitation
from projects.steering.models import ActionItem, AgendaItem, CommitteeMember, Meeting
from projects.steering.pdf import minutes_pdf
from projects.steering.selectors import meeting_agenda, pending_not_on_agenda

# --- The committee ------------------------------------------------------------------------------


@transaction.atomic
def committee_member_add(*, project: Project, user: User, committee_role: str, department: str = "") -> CommitteeMember:
    if CommitteeMember.objects.filter(project=project, user=user).exists():
        raise ValidationError(_("%(name)s is already on the committee.") % {"name": user})
    member = CommitteeMember(project=project, user=user, committee_role=committee_role, department=department)
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def committee_member_remove(*, member: CommitteeMember) -> None:
    member.delete()


# --- Meetings and agendas -----------------------------------------------------------------------


def _ensure_open(meeting: Meeting) -> None:
    if meeting.is_locked:
        raise ValidationError(_("The meeting is closed and its minutes are locked."))


def _ensure_started(meeting: Meeting) -> None:
    """Decisions are taken, and minutes closed, in or after the meeting — not before it."""
    if timezone.now() < meeting.starts_at:
        raise ValidationError(_("The meeting has not started yet."))


def _ensure_draft(meeting: Meeting) -> None:
    if meeting.status != Meeting.Status.DRAFT:
        raise ValidationError(_("The agenda has been published and can no longer change."))


@transaction.atomic
def meeting_create(
    *,
    project: Project,
    created_by: User,
    title: str,
    starts_at: datetime,
    duration_minutes: int,
    location: str = "",
    online_url: str = "",
) -> Meeting:
    """Schedule a meeting; everything waiting for a committee decision is put on its agenda."""
    if not (location or online_url):
        raise ValidationError(_("Give a place or an online link."))
    meeting = Meeting(
        project=project,
        created_by=created_by,
        title=title,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=location,
        online_url=online_url,
    )
    meeting.full_clean()
    meeting.save()
    agenda_add_pending(meeting=meeting)
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, **fields) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _ensure_draft(meeting)
    for name, value in fields.items():
        setattr(meeting, name, value)
    if not (meeting.location or meeting.online_url):
        raise ValidationError(_("Give a place or an online link."))
    meeting.full_clean()
    meeting.save()
    return meeting


def _next_order(meeting: Meeting) -> int:
    return (meeting.items.aggregate(Max("order"))["order__max"] or 0) + 1


@transaction.atomic
def agenda_item_add(
    *,
    meeting: Meeting,
    title: str,
    presenter: User | None = None,
    minutes_allotted: int = 10,
    decision_required: bool = False,
    linked_kind: str = "",
    linked_id: int | None = None,
) -> AgendaItem:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _ensure_draft(meeting)
    if linked_kind and linked_kind not in decision_providers:
        raise ValidationError(_("Unknown kind of linked object."))
    item = AgendaItem(
        meeting=meeting,
        order=_next_order(meeting),
        title=title,
        presenter=presenter,
        minutes_allotted=minutes_allotted,
        decision_required=decision_required or bool(linked_kind),
        linked_kind=linked_kind,
        linked_id=linked_id,
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def agenda_add_pending(*, meeting: Meeting) -> list[AgendaItem]:
    """Put every object waiting for a decision, and not on an open agenda yet, on this agenda."""
    if meeting.status != Meeting.Status.DRAFT:
        return []
    # The agenda is one document for the whole committee: written in the project's language.
    with translation.override(meeting.project.default_language):
        pending = pending_not_on_agenda(meeting.project, pending_decisions(meeting.project))
    return [
        agenda_item_add(
            meeting=meeting,
            title=str(item.title),
            minutes_allotted=15,
            decision_required=True,
            linked_kind=item.kind,
            linked_id=item.object_id,
        )
        for item in pending
    ]


@transaction.atomic
def agenda_item_remove(*, item: AgendaItem) -> None:
    _ensure_draft(item.meeting)
    item.delete()


def _committee(project: Project) -> list[User]:
    return [member.user for member in CommitteeMember.objects.filter(project=project).select_related("user")]


@transaction.atomic
def meeting_publish(*, meeting: Meeting, published_by: User) -> Meeting:
    """Publish the agenda — no later than the project's notice period before the meeting (D-SC-2) —
    and e-mail it to the committee with a calendar invitation."""
    meeting = Meeting.objects.select_for_update().select_related("project").get(pk=meeting.pk)
    _ensure_draft(meeting)
    project = meeting.project
    now = timezone.now()
    if now > meeting.publish_deadline(project.agenda_notice_days):
        raise ValidationError(
            _(
                "Too late: the agenda must be published at least %(days)s days before the meeting. "
                "Move the meeting to a later date."
            )
            % {"days": project.agenda_notice_days}
        )
    items = list(meeting.items.select_related("presenter"))
    if not items:
        raise ValidationError(_("Add at least one agenda item before publishing."))
    members = _committee(project)
    if not members:
        raise ValidationError(_("The committee has no members to send the agenda to."))
    meeting.status = Meeting.Status.PUBLISHED
    meeting.published_at = now
    meeting.save(update_fields=["status", "published_at"])
    description = "\n".join(f"{n}. {item.title} ({item.minutes_allotted} min)" for n, item in enumerate(items, 1))
    invitation = meeting_invitation(meeting, description=description, attendees=members)
    for user in members:
        email_queue(
            to=user,
            template="meeting-agenda",
            project=project,
            key=f"meeting-agenda:{meeting.pk}",
            context={"meeting": meeting, "items": items},
            attachments=[Attachment("invitation.ics", invitation, "text/calendar; method=REQUEST; charset=utf-8")],
        )
    meeting_agenda_notify(meeting, items)
    return meeting


# --- In and after the meeting --------------------------------------------------------------------


@transaction.atomic
def meeting_record(*, meeting: Meeting, attendees, minutes: dict[int, str]) -> Meeting:
    """Attendance and the minutes of each item, while the meeting is open."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    _ensure_open(meeting)
    meeting.attendees.set(attendees)
    items = list(meeting.items.filter(pk__in=minutes))
    for item in items:
        item.minutes = minutes[item.pk]
    AgendaItem.objects.bulk_update(items, ["minutes"])
    return meeting


@transaction.atomic
def agenda_item_decide(*, item: AgendaItem, outcome: str, rationale: str, decided_by: User) -> AgendaItem:
    """Record the committee's decision; a linked object (a rebaseline request, a change request…)
    is approved, rejected or deferred by its own app through the decision registry."""
    item = AgendaItem.objects.select_for_update().select_related("meeting__project").get(pk=item.pk)
    meeting = item.meeting
    _ensure_open(meeting)
    if meeting.status == Meeting.Status.DRAFT:
        raise ValidationError(_("Publish the agenda before deciding its items."))
    _ensure_started(meeting)
    if item.outcome in {Outcome.APPROVED, Outcome.REJECTED}:
        raise ValidationError(_("This item has already been decided."))
    if outcome not in AgendaItem.Outcome.values:
        raise ValidationError(_("Choose approved, rejected or deferred."))
    if not rationale.strip():
        raise ValidationError(_("Record the rationale of the decision."))
    if item.linked_kind:
        provider = decision_providers.get(item.linked_kind)
        if provider is None:
            raise ValidationError(_("Unknown kind of linked object."))
        provider.decide(
            project=meeting.project,
            object_id=item.linked_id,
            outcome=outcome,
            rationale=rationale,
            decided_by=decided_by,
        )
    item.outcome = outcome
    item.rationale = rationale
    item.decided_by = decided_by
    item.decided_at = timezone.now()
    item.save(update_fields=["outcome", "rationale", "decided_by", "decided_at"])
    return item


@transaction.atomic
def action_item_add(*, meeting: Meeting, title: str, owner: User, due_date: date) -> ActionItem:
    _ensure_open(meeting)
    action = ActionItem(project=meeting.project, meeting=meeting, title=title, owner=owner, due_date=due_date)
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def action_item_set_status(*, action: ActionItem, status: str) -> ActionItem:
    action = ActionItem.objects.select_for_update().get(pk=action.pk)
    action.status = status
    action.completed_at = timezone.now() if status == ActionItem.Status.DONE else None
    action.full_clean()
    action.save(update_fields=["status", "completed_at"])
    return action


@transaction.atomic
def meeting_close(*, meeting: Meeting, closed_by: User) -> Meeting:
    """Lock the minutes and send them, as text and as PDF, to the committee and those who attended."""
    meeting = Meeting.objects.select_for_update().select_related("project").get(pk=meeting.pk)
    _ensure_open(meeting)
    if meeting.status == Meeting.Status.DRAFT:
        raise ValidationError(_("Publish the agenda before closing the meeting."))
    _ensure_started(meeting)
    undecided = list(
        AgendaItem.objects.filter(meeting=meeting, decision_required=True, outcome="").values_list("title", flat=True)
    )
    if undecided:
        # Nothing waits unseen (issue 16): each decision is taken or explicitly deferred first.
        raise ValidationError(
            _("Still to decide, or to defer explicitly, before closing: %(items)s.") % {"items": "、".join(undecided)},
            code="undecided",
        )
    meeting.status = Meeting.Status.CLOSED
    meeting.closed_at = timezone.now()
    meeting.save(update_fields=["status", "closed_at"])
    context = meeting_agenda(meeting)
    recipients = {user.pk: user for user in _committee(meeting.project)}
    recipients.update({user.pk: user for user in context["attendees"]})
    pdfs: dict[str, bytes] = {}
    for user in recipients.values():
        if user.language not in pdfs:
            pdfs[user.language] = minutes_pdf(meeting, context, language=user.language)
        email_queue(
            to=user,
            template="meeting-minutes",
            project=meeting.project,
            key=f"meeting-minutes:{meeting.pk}",
            context={"meeting": meeting, **context},
            attachments=[Attachment(f"minutes-{meeting.pk}.pdf", pdfs[user.language], "application/pdf")],
        )
    return meeting


# --- Reminders (beat) ---------------------------------------------------------------------------

OVERDUE_REMINDER_EVERY = 7  # days: the day after the due date, then weekly


@transaction.atomic
def action_item_reminders_queue(*, now: datetime | None = None) -> int:
    """Remind owners of action items due today and of overdue ones; idempotent per item and day."""
    now = now or timezone.now()
    reminded = 0
    # Every project's "today" lies within a day of UTC's: take the candidates once, then decide per project.
    horizon = now.date() + timedelta(days=1)
    # A closed project sends nothing more (D-CL-5).
    open_items = (
        ActionItem.objects.open()
        .filter(due_date__lte=horizon)
        .exclude(project__status=Project.Status.CLOSED)
        .select_related("owner", "project", "meeting")
    )
    for action in open_items:
        today = now.astimezone(zoneinfo.ZoneInfo(action.project.time_zone)).date()
        overdue_days = (today - action.due_date).days
        if overdue_days == 0:
            template, key = "action-item-due", f"action-item-due:{action.pk}:{today.isoformat()}"
        elif overdue_days > 0 and (overdue_days - 1) % OVERDUE_REMINDER_EVERY == 0:
            template, key = "action-item-overdue", f"action-item-overdue:{action.pk}:{today.isoformat()}"
        else:
            continue
        email_queue(
            to=action.owner,
            template=template,
            project=action.project,
            key=key,
            context={"action": action, "overdue_days": overdue_days},
        )
        reminded += 1
    return reminded
