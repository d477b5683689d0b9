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
from projects.workflow import TransitionRefused

from .models import ChangeEvent, ChangeRequest, ChangeSettings, DevelopmentUpdate, OptionFeedback, SolutionOption
from .transitions import TRANSITIONS

_move = TRANSITIONS.move

Status = ChangeRequest.Status


def change_settings_for(project: Project) -> ChangeSettings:
    return ChangeSettings.objects.get_or_create(project=project)[0]


def _next_number(project: Project) -> int:
    row = change_settings_for(project)
    ChangeSettings.objects.filter(pk=row.pk).update(last_number=F("last_number") + 1)
    return ChangeSettings.objects.values_list("last_number", flat=True).get(pk=row.pk)


def _members_who_can(project: Project, capability: str) -> list[User]:
    memberships = Membership.objects.active().filter(project=project).select_related("user")
    return [m.user for m in memberships if m.can(capability)]


STEP_TEXT = {
    "propose": gettext_lazy("propose solution options"),
    "evaluate": gettext_lazy("evaluate the proposed options"),
    "revise": gettext_lazy("revise the option after the requester's feedback"),
    "decide": gettext_lazy("decide on the change"),
    "committee": gettext_lazy("put the change on the steering committee's agenda"),
    "committee_decide": gettext_lazy("decide on the change at the steering committee: it is beyond the PM's limits"),
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
    TRANSITIONS.check(change, "propose", by)
    option = SolutionOption(change_request=change, label=_next_label(change), created_by=by, **fields)
    _save_option(option, affected_milestones)
    _move(change, "propose", by=by, note=f"{option}")
    ChangeRequest.objects.filter(pk=change.pk, consultant__isnull=True).update(consultant=by)
    _ask(change, [change.requester], "evaluate")
    return option


@transaction.atomic
def option_revise(
    *, change: ChangeRequest, option: SolutionOption, by: User, affected_milestones=(), **fields
) -> SolutionOption:
    """A new version of the option; the old one is kept (D-CR-3)."""
    TRANSITIONS.check(change, "revise", by)
    if option.change_request_id != change.pk or not option.is_current:
        raise TransitionRefused(_("Only the current version of an open request's option can be revised."))
    SolutionOption.objects.filter(pk=option.pk).update(is_current=False)
    revised = SolutionOption(
        change_request=change, label=option.label, version=option.version + 1, created_by=by, **fields
    )
    _save_option(revised, affected_milestones)
    _move(change, "revise", by=by, note=f"{revised}")
    _ask(change, [change.requester], "evaluate")
    return revised


@transaction.atomic
def change_request_feedback(*, change: ChangeRequest, by: User, option: SolutionOption, text: str) -> ChangeRequest:
    TRANSITIONS.check(change, "feedback", by)
    if not text.strip():
        raise ValidationError(_("Write your feedback."), code="empty")
    if option is not None and option.change_request_id != change.pk:
        raise ValidationError(_("Choose a current option of this request."), code="bad_option")
    OptionFeedback.objects.create(change_request=change, option=option, author=by, text=text)
    change = _move(change, "feedback", by=by, note=text)
    if change.consultant:
        _ask(change, [change.consultant], "revise")
    return change


def route_for(change: ChangeRequest, option: SolutionOption) -> str:
    """Within the project's limits the PM decides; beyond them, the steering committee (D-CR-4)."""
    limits = change_settings_for(change.project)
    if option.cost_estimate > limits.pm_cost_limit or option.schedule_impact_days > limits.pm_days_limit:
        return ChangeRequest.Route.COMMITTEE
    return ChangeRequest.Route.PM


@transaction.atomic
def change_request_accept_option(*, change: ChangeRequest, by: User, option: SolutionOption) -> ChangeRequest:
    TRANSITIONS.check(change, "accept", by)
    if option.change_request_id != change.pk or not option.is_current:
        raise ValidationError(_("Choose a current option of this request."), code="bad_option")
    route = route_for(change, option)
    change = _move(change, "accept", by=by, note=str(option), selected_option=option, route=route)
    pms = _members_who_can(change.project, Capability.CHANGES_APPROVE)
    _ask(change, pms, "decide" if route == ChangeRequest.Route.PM else "committee")
    if route == ChangeRequest.Route.COMMITTEE:
        # Whoever decides is told at once, not only at the next meeting (issue 16); never the requester.
        deciders = [
            p for p in _members_who_can(change.project, Capability.MEETINGS_DECIDE) if p.pk != change.requester_id
        ]
        _ask(change, deciders, "committee_decide")
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
    """Approve or reject: the PM within the project's limits, the steering committee beyond them;
    never the requester. Approval applies the impact to the plan, exactly once (D-CR-7)."""
    step = "committee_decide" if change.route == ChangeRequest.Route.COMMITTEE else "decide"
    TRANSITIONS.check(change, step, by)
    if not approve and not note.strip():
        raise ValidationError(_("Say why the change is rejected."), code="reason_required")
    now = timezone.now()
    change = _move(
        change,
        step,
        by=by,
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
    TRANSITIONS.check(change, "develop", by)
    option = change.selected_option
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
        "develop",
        by=by,
        vendor_quote=vendor_quote,
        agreed_cost=agreed_cost,
        expected_delivery=expected_delivery,
    )


@transaction.atomic
def development_progress_add(
    *, change: ChangeRequest, by: User, date: datetime.date, percent: int, note: str
) -> DevelopmentUpdate:
    TRANSITIONS.check(change, "progress", by)
    update = DevelopmentUpdate(change_request=change, date=date, percent=percent, note=note, author=by)
    update.full_clean()
    _move(change, "progress", by=by)
    update.save()
    ChangeEvent.objects.create(change_request=change, actor=by, text=f"{percent}% {note}".strip())
    return update


@transaction.atomic
def change_request_deliver(*, change: ChangeRequest, by: User) -> ChangeRequest:
    return _move(change, "deliver", by=by, delivered_at=timezone.now())


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
    TRANSITIONS.check(change, "pilot", by)
    if not group:
        raise ValidationError(_("Choose the people of the pilot group."), code="empty_group")
    if end < start:
        raise ValidationError(_("The pilot cannot end before it starts."), code="dates")
    if not success_criteria.strip():
        raise ValidationError(_("Write the success criteria."), code="criteria_required")
    change = _move(
        change,
        "pilot",
        by=by,
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
    TRANSITIONS.check(change, "pilot_result", by)
    if not findings.strip():
        raise ValidationError(_("Write down what the pilot found."), code="findings_required")
    return _move(
        change,
        "pilot_result",
        by=by,
        target=Status.READY_FOR_ROLLOUT if passed else Status.IN_DEVELOPMENT,
        note=findings,
        pilot_findings=findings,
    )


@transaction.atomic
def change_request_rollout(
    *, change: ChangeRequest, by: User, date: datetime.date, note: str, training=None
) -> ChangeRequest:
    """Company-wide rollout: announced to every member (with the training session, if any), then closed."""
    TRANSITIONS.check(change, "rollout", by)
    if training is not None and training.project_id != change.project_id:
        raise ValidationError(_("Choose a training session of this project."), code="foreign_training")
    change = _move(
        change,
        "rollout",
        by=by,
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
    TRANSITIONS.check(change, "withdraw", by)
    if not reason.strip():
        raise ValidationError(_("Say why the request is withdrawn."), code="reason_required")
    return _move(change, "withdraw", by=by, note=reason, status_reason=reason)


@transaction.atomic
def change_settings_update(*, project: Project, pm_cost_limit: Decimal, pm_days_limit: int) -> ChangeSettings:
    row = change_settings_for(project)
    row.pm_cost_limit, row.pm_days_limit = pm_cost_limit, pm_days_limit
    row.full_clean()
    row.save()
    return row
