"""Writes of the change-request workflow (D-CR-1…7). Every transition is one conditional UPDATE
(of two people acting at once only the first wins) and one line of history."""

import datetime
import string
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from issues.services import issue_resolve_by_change
from projects.core.models import Membership, Project, User
from projects.escalations.services import escalations_evaluate_soon
from projects.notifications.outbox import email_queue
from projects.permissions import Capability
from projects.plan.models import BudgetLine
from projects.plan.services import plan_apply_change_impact
from projects.reporting.dashboard_cache import forget_dashboard
from projects.steering.models import Meeting
from projects.steering.services import agenda_add_pending

from .models import ChangeEvent, ChangeRequest, ChangeSettings, DevelopmentUpdate, OptionFeedback, SolutionOption

Status = ChangeRequest.Status
OPEN_FOR_OPTIONS = (Status.REQUESTED, Status.OPTIONS_PROPOSED, Status.REVISION_REQUESTED)


class TransitionRefused(ValidationError):
    pass


def change_settings_for(project: Project) -> ChangeSettings:
    return ChangeSettings.objects.get_or_create(project=project)[0]


def _next_number(project: Project) -> int:
    row = change_settings_for(project)
    ChangeSettings.objects.filter(pk=row.pk).update(last_number=F("last_number") + 1)
    return ChangeSettings.objects.values_list("last_number", flat=True).get(pk=row.pk)


def _move(change: ChangeRequest, *, by: User, sources, target: str, note: str = "", **fields) -> ChangeRequest:
    moved = ChangeRequest.objects.filter(pk=change.pk, status__in=sources).update(
        status=target, updated_at=timezone.now(), **fields
    )
    if not moved:
        raise TransitionRefused(
            _("This change request is no longer in a state that allows this; reload the page."), code="stale_state"
        )
    ChangeEvent.objects.create(change_request=change, actor=by, from_status=change.status, to_status=target, text=note)
    change.refresh_from_db()
    forget_dashboard(change.project)
    return change


def _members_who_can(project: Project, capability: str) -> list[User]:
    memberships = Membership.objects.active().filter(project=project).select_related("user")
    return [m.user for m in memberships if m.can(capability)]


STEP_TEXT = {
    "propose": gettext_lazy("propose solution options"),
    "evaluate": gettext_lazy("evaluate the proposed options"),
    "revise": gettext_lazy("revise the option after the requester's feedback"),
    "decide": gettext_lazy("decide on the change"),
    "committee": gettext_lazy("put the change on the steering committee's agenda"),
    "pilot": gettext_lazy("take part in the pilot"),
}


def _ask(change: ChangeRequest, recipients: list[User], step: str) -> None:
    """Tell whoever must act next (D-CR: notification to the next actor)."""
    key = f"change-step:{change.pk}:{step}:{change.events.count()}"
    for person in recipients:
        email_queue(
            to=person,
            template="change-action-needed",
            project=change.project,
            key=key,
            context={"change": change, "step": STEP_TEXT[step]},
        )


@transaction.atomic
def change_request_create(
    *, project: Project, requester: User, title: str, reason: str, goal: str, source_issue=None
) -> ChangeRequest:
    """Record a change request; the goal is required (D-CR-1). May come from an issue."""
    if not goal.strip():
        raise ValidationError(_("Say what you want to be able to do: the goal is required."), code="goal_required")
    if source_issue is not None and source_issue.project_id != project.pk:
        raise ValidationError(_("The issue belongs to another project."), code="foreign_issue")
    change = ChangeRequest.objects.create(
        project=project,
        number=_next_number(project),
        requester=requester,
        title=title,
        reason=reason,
        goal=goal,
        source_issue=source_issue,
        consultant=source_issue.consultant if source_issue else None,
    )
    ChangeEvent.objects.create(change_request=change, actor=requester, to_status=Status.REQUESTED)
    forget_dashboard(project)
    consultants = [change.consultant] if change.consultant else _members_who_can(project, Capability.CHANGES_PROPOSE)
    _ask(change, consultants, "propose")
    return change


def _next_label(change: ChangeRequest) -> str:
    used = set(change.options.values_list("label", flat=True))
    return next(letter for letter in string.ascii_uppercase if letter not in used)


def _save_option(option: SolutionOption, milestones) -> SolutionOption:
    milestones = list(milestones or [])
    if any(milestone.project_id != option.change_request.project_id for milestone in milestones):
        raise ValidationError(_("Choose milestones of this project."), code="foreign_milestone")
    option.full_clean()
    option.save()
    option.affected_milestones.set(milestones)
    return option


@transaction.atomic
def option_propose(*, change: ChangeRequest, by: User, affected_milestones=(), **fields) -> SolutionOption:
    if change.status not in OPEN_FOR_OPTIONS:
        raise TransitionRefused(_("Options can no longer be proposed for this request."))
    option = SolutionOption(change_request=change, label=_next_label(change), created_by=by, **fields)
    _save_option(option, affected_milestones)
    _move(change, by=by, sources=OPEN_FOR_OPTIONS, target=Status.OPTIONS_PROPOSED, note=f"{option}")
    ChangeRequest.objects.filter(pk=change.pk, consultant__isnull=True).update(consultant=by)
    _ask(change, [change.requester], "evaluate")
    return option


@transaction.atomic
def option_revise(*, option: SolutionOption, by: User, affected_milestones=(), **fields) -> SolutionOption:
    """A new version of the option; the old one is kept (D-CR-3)."""
    change = option.change_request
    if change.status not in OPEN_FOR_OPTIONS or not option.is_current:
        raise TransitionRefused(_("Only the current version of an open request's option can be revised."))
    SolutionOption.objects.filter(pk=option.pk).update(is_current=False)
    revised = SolutionOption(
        change_request=change, label=option.label, version=option.version + 1, created_by=by, **fields
    )
    _save_option(revised, affected_milestones)
    _move(change, by=by, sources=OPEN_FOR_OPTIONS, target=Status.OPTIONS_PROPOSED, note=f"{revised}")
    _ask(change, [change.requester], "evaluate")
    return revised


@transaction.atomic
def change_request_feedback(*, change: ChangeRequest, by: User, option: SolutionOption, text: str) -> ChangeRequest:
    _requester_only(change, by)
    if not text.strip():
        raise ValidationError(_("Write your feedback."), code="empty")
    OptionFeedback.objects.create(change_request=change, option=option, author=by, text=text)
    change = _move(change, by=by, sources=(Status.OPTIONS_PROPOSED,), target=Status.REVISION_REQUESTED, note=text)
    if change.consultant:
        _ask(change, [change.consultant], "revise")
    return change


def _requester_only(change: ChangeRequest, by: User) -> None:
    if by.pk != change.requester_id:
        raise TransitionRefused(_("Only the requester evaluates the options."))


def route_for(change: ChangeRequest, option: SolutionOption) -> str:
    """Within the project's limits the PM decides; beyond them, the steering committee (D-CR-4)."""
    limits = change_settings_for(change.project)
    if option.cost_estimate > limits.pm_cost_limit or option.schedule_impact_days > limits.pm_days_limit:
        return ChangeRequest.Route.COMMITTEE
    return ChangeRequest.Route.PM


@transaction.atomic
def change_request_accept_option(*, change: ChangeRequest, by: User, option: SolutionOption) -> ChangeRequest:
    _requester_only(change, by)
    if option.change_request_id != change.pk or not option.is_current:
        raise ValidationError(_("Choose a current option of this request."), code="bad_option")
    route = route_for(change, option)
    change = _move(
        change,
        by=by,
        sources=(Status.OPTIONS_PROPOSED,),
        target=Status.AWAITING_DECISION,
        note=str(option),
        selected_option=option,
        route=route,
    )
    pms = _members_who_can(change.project, Capability.CHANGES_APPROVE)
    _ask(change, pms, "decide" if route == ChangeRequest.Route.PM else "committee")
    if route == ChangeRequest.Route.COMMITTEE:
        next_agenda_propose_pending(change.project)
    escalations_evaluate_soon(change.project)
    return change


def next_agenda_propose_pending(project: Project) -> None:
    """Put the request on the agenda of the next meeting whose agenda is still a draft."""
    meeting = (
        Meeting.objects.filter(project=project, status=Meeting.Status.DRAFT, starts_at__gt=timezone.now())
        .order_by("starts_at")
        .first()
    )
    if meeting is not None:
        agenda_add_pending(meeting=meeting)


@transaction.atomic
def change_request_decide(*, change: ChangeRequest, by: User, approve: bool, note: str) -> ChangeRequest:
    """Approve or reject. Approval applies the impact to the plan, exactly once (D-CR-7)."""
    if not approve and not note.strip():
        raise ValidationError(_("Say why the change is rejected."), code="reason_required")
    now = timezone.now()
    change = _move(
        change,
        by=by,
        sources=(Status.AWAITING_DECISION,),
        target=Status.APPROVED if approve else Status.REJECTED,
        note=note,
        decision_note=note,
        decided_by=by,
        decided_at=now,
        status_reason="" if approve else note,
    )
    if approve:
        _apply_impact(change)
    email_queue(
        to=change.requester,
        template="change-decided",
        project=change.project,
        key=f"change-decided:{change.pk}",
        context={"change": change},
    )
    escalations_evaluate_soon(change.project)
    if not approve:
        issue_resolve_by_change(issue=change.source_issue, change_request=change, outcome="rejected", by=by)
    return change


def _budget_category(option: SolutionOption) -> str:
    return BudgetLine.Category.CUSTOM if option.needs_custom_development else BudgetLine.Category.SERVICES


def _apply_impact(change: ChangeRequest) -> None:
    """Move the affected milestones' forecasts and grow the budget forecast — once, whoever calls."""
    claimed = ChangeRequest.objects.filter(pk=change.pk, impact_applied_at__isnull=True).update(
        impact_applied_at=timezone.now()
    )
    if not claimed:
        return
    option = change.selected_option
    plan_apply_change_impact(
        project=change.project,
        milestones=list(option.affected_milestones.all()),
        delay_days=option.schedule_impact_days,
        cost=option.cost_estimate,
        category=_budget_category(option),
    )
    change.refresh_from_db()


@transaction.atomic
def change_request_start_development(
    *, change: ChangeRequest, by: User, vendor_quote: Decimal, agreed_cost: Decimal, expected_delivery: datetime.date
) -> ChangeRequest:
    option = change.selected_option
    if not option or not option.needs_custom_development:
        raise TransitionRefused(_("The chosen option needs no custom development."))
    # The budget forecast carried the estimate since approval; it now carries the agreed cost.
    plan_apply_change_impact(
        project=change.project,
        milestones=[],
        delay_days=0,
        cost=agreed_cost - option.cost_estimate,
        category=_budget_category(option),
    )
    return _move(
        change,
        by=by,
        sources=(Status.APPROVED,),
        target=Status.IN_DEVELOPMENT,
        vendor_quote=vendor_quote,
        agreed_cost=agreed_cost,
        expected_delivery=expected_delivery,
    )


@transaction.atomic
def development_progress_add(
    *, change: ChangeRequest, by: User, date: datetime.date, percent: int, note: str
) -> DevelopmentUpdate:
    if change.status != Status.IN_DEVELOPMENT:
        raise TransitionRefused(_("Progress is recorded while the change is in development."))
    update = DevelopmentUpdate(change_request=change, date=date, percent=percent, note=note, author=by)
    update.full_clean()
    update.save()
    ChangeEvent.objects.create(change_request=change, actor=by, text=f"{percent}% {note}".strip())
    return update


@transaction.atomic
def change_request_deliver(*, change: ChangeRequest, by: User) -> ChangeRequest:
    return _move(change, by=by, sources=(Status.IN_DEVELOPMENT,), target=Status.DELIVERED, delivered_at=timezone.now())


@transaction.atomic
def change_request_start_pilot(
    *,
    change: ChangeRequest,
    by: User,
    group: list[User],
    start: datetime.date,
    end: datetime.date,
    success_criteria: str,
) -> ChangeRequest:
    """Delivered custom work is piloted with a small group before anyone else uses it (D-CR-6)."""
    if not group:
        raise ValidationError(_("Choose the people of the pilot group."), code="empty_group")
    if end < start:
        raise ValidationError(_("The pilot cannot end before it starts."), code="dates")
    if not success_criteria.strip():
        raise ValidationError(_("Write the success criteria."), code="criteria_required")
    change = _move(
        change,
        by=by,
        sources=(Status.DELIVERED,),
        target=Status.IN_PILOT,
        pilot_start=start,
        pilot_end=end,
        success_criteria=success_criteria,
    )
    change.pilot_group.set(group)
    _ask(change, list(group), "pilot")
    return change


@transaction.atomic
def change_request_pilot_result(*, change: ChangeRequest, by: User, passed: bool, findings: str) -> ChangeRequest:
    """A passed pilot allows rollout; a failed one sends the work back to development."""
    if not findings.strip():
        raise ValidationError(_("Write down what the pilot found."), code="findings_required")
    return _move(
        change,
        by=by,
        sources=(Status.IN_PILOT,),
        target=Status.READY_FOR_ROLLOUT if passed else Status.IN_DEVELOPMENT,
        note=findings,
        pilot_findings=findings,
    )


def _rollout_sources(change: ChangeRequest) -> tuple:
    custom = change.selected_option and change.selected_option.needs_custom_development
    return (Status.READY_FOR_ROLLOUT,) if custom else (Status.APPROVED,)


@transaction.atomic
def change_request_rollout(
    *, change: ChangeRequest, by: User, date: datetime.date, note: str, training=None
) -> ChangeRequest:
    """Company-wide rollout: announced to every member (with the training session, if any), then closed."""
    if training is not None and training.project_id != change.project_id:
        raise ValidationError(_("Choose a training session of this project."), code="foreign_training")
    change = _move(
        change,
        by=by,
        sources=_rollout_sources(change),
        target=Status.CLOSED,
        rollout_date=date,
        rollout_note=note,
        rollout_training=training,
    )
    for member in Membership.objects.active().filter(project=change.project).select_related("user"):
        email_queue(
            to=member.user,
            template="change-rolled-out",
            project=change.project,
            key=f"change-rolled-out:{change.pk}",
            context={"change": change},
        )
    issue_resolve_by_change(issue=change.source_issue, change_request=change, outcome="rolled_out", by=by)
    return change


@transaction.atomic
def change_request_withdraw(*, change: ChangeRequest, by: User, reason: str) -> ChangeRequest:
    if not reason.strip():
        raise ValidationError(_("Say why the request is withdrawn."), code="reason_required")
    sources = [status for status in ChangeRequest.PIPELINE if status not in ChangeRequest.FINAL]
    return _move(change, by=by, sources=sources, target=Status.WITHDRAWN, note=reason, status_reason=reason)


@transaction.atomic
def change_settings_update(*, project: Project, pm_cost_limit: Decimal, pm_days_limit: int) -> ChangeSettings:
    row = change_settings_for(project)
    row.pm_cost_limit, row.pm_days_limit = pm_cost_limit, pm_days_limit
    row.full_clean()
    row.save()
    return row
