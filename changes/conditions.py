"""A change whose impact exceeds a tolerance is escalated before it is decided (D-ESC-1, D-CR-7)."""

from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.plan.models import BudgetLine
from projects.registry import Detected, EscalationCondition, Wording

from .models import ChangeRequest

LIVE = (
    ChangeRequest.Status.AWAITING_DECISION,
    ChangeRequest.Status.APPROVED,
    ChangeRequest.Status.IN_DEVELOPMENT,
    ChangeRequest.Status.DELIVERED,
    ChangeRequest.Status.IN_PILOT,
    ChangeRequest.Status.READY_FOR_ROLLOUT,
)


def changes_beyond_tolerance(project) -> list[Detected]:
    baseline = BudgetLine.objects.filter(project=project).aggregate(total=Sum("baseline"))["total"] or Decimal(0)
    cost_tolerance = baseline * Decimal(project.budget_tolerance_percent) / 100
    found = []
    changes = ChangeRequest.objects.filter(project=project, status__in=LIVE, selected_option__isnull=False)
    for change in changes.select_related("project", "selected_option"):
        option = change.selected_option
        late = option.schedule_impact_days > project.schedule_tolerance_days
        costly = baseline > 0 and option.cost_estimate > cost_tolerance
        if not (late or costly):
            continue
        found.append(
            Detected(
                instance=f"change:{change.pk}",
                params={
                    "ref": change.reference,
                    "title": change.title,
                    "status": change.status,
                    "cost": str(option.cost_estimate),
                    "days": option.schedule_impact_days,
                    "tolerance_days": project.schedule_tolerance_days,
                    "tolerance_percent": str(project.budget_tolerance_percent),
                },
                delay_days=option.schedule_impact_days,
                extra_cost=option.cost_estimate,
            )
        )
    return found


def word_change(params: dict) -> Wording:
    try:
        status = str(ChangeRequest.Status(params["status"]).label)
    except ValueError:
        status = params["status"]
    return Wording(
        title=_("Change %(ref)s exceeds a tolerance") % params,
        what_happened=_("“%(title)s” (%(status)s) would cost %(cost)s and delay the plan by %(days)s days.")
        % {**params, "status": status, "cost": f"{Decimal(params['cost']):,.0f}"},
        consequences=_("Tolerances: %(days)s days, %(percent)s %% of the budget.")
        % {"days": params["tolerance_days"], "percent": params["tolerance_percent"]},
        recommendation=_("Weigh the goal of the change against its cost and delay before approving it."),
    )


CONDITIONS = [
    EscalationCondition(
        "change_beyond_tolerance", gettext_lazy("Change beyond tolerance"), changes_beyond_tolerance, word_change
    ),
]
