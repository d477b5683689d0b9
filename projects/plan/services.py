"""Writes of the plan and its registers (D-PLAN-1…9, D-ESC-5). Views, commands and tasks call these."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from projects.core.models import Membership, Project, User
from projects.escalations.services import escalations_evaluate_soon
from projects.notifications.outbox import email_queue
from projects.permissions import Capability, roles_with
from projects.plan.models import BudgetLine, Milestone, Phase, PlanBaseline, RebaselineRequest
from projects.registry import DecisionProvider, Outcome, PendingDecision
from projects.reporting.dashboard_cache import forget_dashboard


def record_by(instance, by: User | None) -> None:
    """Name who made the change in the object's history (a request's user is recorded anyway by
    HistoryRequestMiddleware; this covers commands and tasks)."""
    if by is not None:
        instance._history_user = by


# --- Phases and milestones ----------------------------------------------------------------------


@transaction.atomic
def phase_save(*, project: Project, phase: Phase | None = None, **fields) -> Phase:
    phase = phase or Phase(project=project)
    for name, value in fields.items():
        setattr(phase, name, value)
    phase.full_clean()
    phase.save()
    return phase


def is_baselined(project: Project) -> bool:
    return PlanBaseline.objects.filter(project=project).exists()


@transaction.atomic
def milestone_save(
    *,
    project: Project,
    milestone: Milestone | None = None,
    name: str,
    phase: Phase | None,
    owner: User | None,
    forecast_date: date,
    actual_date: date | None = None,
    baseline_date: date | None = None,
    by: User | None = None,
) -> Milestone:
    """Create or update a milestone. Once the plan is baselined, an existing milestone's
    baseline date changes only through an approved rebaseline request (D-PLAN-5)."""
    creating = milestone is None
    milestone = milestone or Milestone(project=project)
    if creating or not is_baselined(project):
        if baseline_date is None:
            raise ValidationError({"baseline_date": _("Give the baseline date.")})
        milestone.baseline_date = baseline_date
    elif baseline_date is not None and baseline_date != milestone.baseline_date:
        raise ValidationError(
            {"baseline_date": _("The plan is baselined: request a rebaseline to change a baseline date.")}
        )
    if phase is not None and phase.project_id != project.pk:
        raise ValidationError({"phase": _("Choose a phase of this project.")})
    milestone.name = name
    milestone.phase = phase
    milestone.owner = owner
    milestone.forecast_date = forecast_date
    milestone.actual_date = actual_date
    milestone.full_clean()
    record_by(milestone, by)
    milestone.save()
    forget_dashboard(project)
    escalations_evaluate_soon(project)
    return milestone


# --- Budget -------------------------------------------------------------------------------------


@transaction.atomic
def budget_update(*, project: Project, lines: dict[str, dict], by: User | None = None) -> list[BudgetLine]:
    """Save the budget, one entry per category. Baselines are kept once the plan is baselined."""
    baselined = is_baselined(project)
    existing = {line.category: line for line in BudgetLine.objects.select_for_update().filter(project=project)}
    saved = []
    for category, values in lines.items():
        line = existing.get(category) or BudgetLine(project=project, category=category)
        baseline = values.pop("baseline", None)
        if baselined and line.pk and baseline is not None and baseline != line.baseline:
            raise ValidationError(
                _("The plan is baselined: request a rebaseline to change the baseline of %(category)s.")
                % {"category": line.get_category_display()}
            )
        if baseline is not None and not (baselined and line.pk):
            line.baseline = baseline
        for name, value in values.items():
            setattr(line, name, value)
        line.full_clean()
        record_by(line, by)
        line.save()
        saved.append(line)
    forget_dashboard(project)
    escalations_evaluate_soon(project)
    return saved


# --- Baselines and rebaselining ------------------------------------------------------------------


def _snapshot_milestones(milestones, field: str) -> list[dict]:
    return [{"id": m.pk, "name": m.name, "date": getattr(m, field).isoformat()} for m in milestones]


def _snapshot_budget(lines, field: str) -> list[dict]:
    return [{"category": line.category, "amount": str(getattr(line, field))} for line in lines]


@transaction.atomic
def baseline_set_initial(*, project: Project, approved_by: User, reason: str) -> PlanBaseline:
    """Freeze today's milestone baseline dates and budget baselines as version 1."""
    Project.objects.select_for_update().get(pk=project.pk)
    if is_baselined(project):
        raise ValidationError(_("The plan already has a baseline; changing it needs a rebaseline request."))
    milestones = list(Milestone.objects.filter(project=project))
    if not milestones:
        raise ValidationError(_("Add the milestones before setting the baseline."))
    return PlanBaseline.objects.create(
        project=project,
        version=1,
        reason=reason,
        milestones=_snapshot_milestones(milestones, "baseline_date"),
        budget=_snapshot_budget(BudgetLine.objects.filter(project=project), "baseline"),
        approved_by=approved_by,
    )


def loss_statement(*, delay_days: int, cost_of_delay_per_day: Decimal, extra_cost: Decimal) -> Decimal:
    """D-PLAN-6: days of delay × the project's cost of delay per day + extra cost."""
    return delay_days * cost_of_delay_per_day + extra_cost


@transaction.atomic
def rebaseline_request_create(
    *, project: Project, requested_by: User, reason: str, extra_cost: Decimal
) -> RebaselineRequest:
    """Propose today's forecasts as the new baseline, with the loss this change causes."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not is_baselined(project):
        raise ValidationError(_("Set the first baseline before requesting a rebaseline."))
    if RebaselineRequest.objects.filter(project=project, status=RebaselineRequest.Status.PENDING).exists():
        raise ValidationError(_("A rebaseline request is already waiting for a decision."))
    milestones = list(Milestone.objects.filter(project=project))
    lines = list(BudgetLine.objects.filter(project=project))
    delay_days = max([m.slip_days for m in milestones if m.actual_date is None] + [0])
    request = RebaselineRequest(
        project=project,
        reason=reason,
        extra_cost=extra_cost,
        delay_days=delay_days,
        cost_of_delay_per_day=project.cost_of_delay_per_day,
        requested_by=requested_by,
        proposal={
            "milestones": [
                {
                    "id": m.pk,
                    "name": m.name,
                    "current": m.baseline_date.isoformat(),
                    "proposed": m.forecast_date.isoformat(),
                }
                for m in milestones
            ],
            "budget": [
                {"category": line.category, "current": str(line.baseline), "proposed": str(line.forecast)}
                for line in lines
            ],
        },
    )
    request.full_clean()
    request.save()
    _ask_for_decision(request)
    return request


def _ask_for_decision(request: RebaselineRequest) -> None:
    """Whoever decides a rebaseline (the sponsor) hears at once that one waits (D-SC-3; issue 16);
    not the requester, who cannot decide it."""
    project = request.project
    deciders = (
        Membership.objects.active()
        .filter(project=project, role__in=roles_with(Capability.REBASELINE_APPROVE))
        .exclude(user_id=request.requested_by_id)
        .select_related("user")
    )
    for membership in deciders:
        email_queue(
            to=membership.user,
            template="rebaseline-requested",
            project=project,
            key=f"rebaseline-requested:{request.pk}",
            context={"request": request},
        )


@transaction.atomic
def rebaseline_decide(
    *, request: RebaselineRequest, outcome: str, rationale: str, decided_by: User
) -> RebaselineRequest:
    """Approve (a new baseline version, announced to every member), reject, or defer a request."""
    request = RebaselineRequest.objects.select_for_update().select_related("project").get(pk=request.pk)
    if outcome == Outcome.DEFERRED:
        # Nothing changes; a committee may still defer an item the sponsor decided meanwhile.
        return request
    if request.status != RebaselineRequest.Status.PENDING:
        raise ValidationError(_("This rebaseline request has already been decided."))
    if outcome not in {Outcome.APPROVED, Outcome.REJECTED}:
        raise ValidationError(_("Choose approve or reject."))
    if request.requested_by_id == decided_by.pk:
        # Separation of duties (issue 16): whatever role the requester holds now.
        raise ValidationError(_("You cannot decide your own request: someone else decides it."), code="own_request")
    request.decided_by = decided_by
    request.decided_at = timezone.now()
    request.decision_note = rationale
    if outcome == Outcome.REJECTED:
        request.status = RebaselineRequest.Status.REJECTED
        request.save()
        return request
    project = request.project
    version = (PlanBaseline.objects.filter(project=project).aggregate(Max("version"))["version__max"] or 0) + 1
    proposed_dates = {row["id"]: date.fromisoformat(row["proposed"]) for row in request.proposal.get("milestones", [])}
    proposed_budget = {row["category"]: Decimal(row["proposed"]) for row in request.proposal.get("budget", [])}
    milestones = list(Milestone.objects.select_for_update().filter(project=project, pk__in=proposed_dates))
    for milestone in milestones:
        milestone.baseline_date = proposed_dates[milestone.pk]
    bulk_update_with_history(milestones, Milestone, ["baseline_date"], default_user=decided_by)
    lines = list(BudgetLine.objects.select_for_update().filter(project=project, category__in=proposed_budget))
    for line in lines:
        line.baseline = proposed_budget[line.category]
    bulk_update_with_history(lines, BudgetLine, ["baseline"], default_user=decided_by)
    forget_dashboard(project)
    request.baseline = PlanBaseline.objects.create(
        project=project,
        version=version,
        reason=request.reason,
        milestones=_snapshot_milestones(Milestone.objects.filter(project=project), "baseline_date"),
        budget=_snapshot_budget(BudgetLine.objects.filter(project=project), "baseline"),
        approved_by=decided_by,
    )
    request.status = RebaselineRequest.Status.APPROVED
    request.save()
    _announce_rebaseline(request)
    escalations_evaluate_soon(project)
    return request


def _announce_rebaseline(request: RebaselineRequest) -> None:
    """D-PLAN-5/6: every member hears of the new plan and what the change cost."""
    project = request.project
    rows = [
        {"name": row["name"], "current": date.fromisoformat(row["current"]), "new": date.fromisoformat(row["proposed"])}
        for row in request.proposal.get("milestones", [])
        if row["current"] != row["proposed"]
    ]
    members = Membership.objects.active().filter(project=project).select_related("user")
    for membership in members:
        email_queue(
            to=membership.user,
            template="plan-rebaselined",
            project=project,
            key=f"rebaseline-approved:{request.pk}",
            context={"request": request, "changes": rows, "version": request.baseline.version},
        )


def _rebaseline_pending(project: Project) -> list[PendingDecision]:
    requests = RebaselineRequest.objects.filter(project=project, status=RebaselineRequest.Status.PENDING)
    return [_describe_request(project, request) for request in requests]


def _rebaseline_pending_in(projects: list[Project]) -> list[tuple[int, PendingDecision]]:
    """Every project's pending requests at once (one query): what waits in "my work" (issue 19)."""
    by_id = {project.pk: project for project in projects}
    requests = RebaselineRequest.objects.filter(project__in=list(by_id), status=RebaselineRequest.Status.PENDING)
    return [(request.project_id, _describe_request(by_id[request.project_id], request)) for request in requests]


def _describe_request(project: Project, request: RebaselineRequest) -> PendingDecision:
    return PendingDecision(
        kind="rebaseline",
        object_id=request.pk,
        title=_("Rebaseline: %(days)s days of delay, loss %(loss)s")
        % {"days": request.delay_days, "loss": f"{request.loss:,.2f}"},
        url=reverse("projects:rebaseline_detail", kwargs={"code": project.code, "pk": request.pk}),
        decider_capability=Capability.REBASELINE_APPROVE,
        requested_by_id=request.requested_by_id,
        since=request.requested_at,
    )


def _rebaseline_describe(project: Project, ids: list[int]) -> dict[int, PendingDecision]:
    return {
        request.pk: _describe_request(project, request)
        for request in RebaselineRequest.objects.filter(project=project, pk__in=ids)
    }


def _rebaseline_decide(*, project: Project, object_id: int, outcome: str, rationale: str, decided_by: User) -> None:
    request = RebaselineRequest.objects.filter(project=project, pk=object_id).first()
    if request is None:
        raise ValidationError(_("The linked rebaseline request no longer exists."))
    rebaseline_decide(request=request, outcome=outcome, rationale=rationale, decided_by=decided_by)


def rebaseline_decision_provider() -> DecisionProvider:
    return DecisionProvider(
        kind="rebaseline",
        label=_("Rebaseline request"),
        pending=_rebaseline_pending,
        decide=_rebaseline_decide,
        describe=_rebaseline_describe,
        pending_in=_rebaseline_pending_in,
    )


# --- Impact of approved changes (D-CR-7) --------------------------------------------------------


@transaction.atomic
def plan_apply_change_impact(
    *,
    project: Project,
    milestones: list[Milestone],
    delay_days: int,
    cost: Decimal,
    category: str,
    by: User | None = None,
) -> None:
    """An approved change moves the forecast of the milestones it affects and grows the budget
    forecast of its category; baselines stay as they are, so the slip becomes visible."""
    if delay_days:
        for milestone in Milestone.objects.select_for_update().filter(
            project=project, pk__in=[m.pk for m in milestones], actual_date__isnull=True
        ):
            milestone.forecast_date += timedelta(days=delay_days)
            record_by(milestone, by)
            milestone.save(update_fields=["forecast_date"])
    if cost:
        line, _created = BudgetLine.objects.select_for_update().get_or_create(project=project, category=category)
        line.forecast += cost
        record_by(line, by)
        line.save(update_fields=["forecast"])
    forget_dashboard(project)
    escalations_evaluate_soon(project)
