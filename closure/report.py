"""The end-project report (D-CL-5): the plan against what happened, the figures other apps
register, the lessons log and what follows. Shared by the page and its PDF; constant queries."""

import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from changes.models import ChangeRequest
from issues.models import Issue
from projects.core.models import Project
from projects.plan.models import BudgetLine, Milestone, PlanBaseline
from projects.registry import ClosureFigures, closure_figure_providers

from .gates import closure_state
from .models import ClosureItem, Lesson

ZERO = Decimal("0")


def issue_figures(project: Project) -> list[tuple]:
    row = Issue.objects.filter(project=project).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=Issue.OPEN_STATUSES)),
        deferred=Count("pk", filter=Q(status=Issue.Status.DEFERRED)),
        closed=Count("pk", filter=Q(status=Issue.Status.CLOSED)),
        defects=Count("pk", filter=Q(category=Issue.Category.DEFECT)),
        user_errors=Count("pk", filter=Q(category=Issue.Category.USER_ERROR)),
    )
    return [
        (_("Issues reported"), row["total"]),
        (pgettext_lazy("state", "Closed"), row["closed"]),
        (_("Still open"), row["open"]),
        (_("Deferred"), row["deferred"]),
        (_("Software defects"), row["defects"]),
        (_("Operation (user) errors"), row["user_errors"]),
    ]


def change_figures(project: Project) -> list[tuple]:
    S = ChangeRequest.Status
    row = ChangeRequest.objects.filter(project=project).aggregate(
        total=Count("pk"),
        delivered=Count("pk", filter=Q(status=S.CLOSED)),
        rejected=Count("pk", filter=Q(status=S.REJECTED)),
        withdrawn=Count("pk", filter=Q(status=S.WITHDRAWN)),
        agreed=Sum("agreed_cost"),
    )
    still_open = row["total"] - row["delivered"] - row["rejected"] - row["withdrawn"]
    return [
        (_("Change requests raised"), row["total"]),
        (_("Rolled out"), row["delivered"]),
        (_("Rejected"), row["rejected"]),
        (_("Withdrawn"), row["withdrawn"]),
        (_("Not delivered"), still_open),
        (_("Agreed cost of changes (¥)"), row["agreed"] or ZERO),
    ]


def closure_figure_sections() -> list[ClosureFigures]:
    return [
        ClosureFigures("issues", _("Issues"), issue_figures, 10),
        ClosureFigures("changes", _("Change requests"), change_figures, 20),
    ]


def _schedule(project: Project) -> list[dict]:
    first = PlanBaseline.objects.filter(project=project).order_by("version").first()
    original = first.milestone_dates() if first else {}
    rows = []
    for milestone in Milestone.objects.filter(project=project).order_by("baseline_date", "pk"):
        finished = milestone.actual_date or milestone.forecast_date
        rows.append(
            {
                "milestone": milestone,
                "original": datetime.date.fromisoformat(original[milestone.pk]) if milestone.pk in original else None,
                "finished": finished,
                "done": milestone.actual_date is not None,
                "variance": (finished - milestone.baseline_date).days,
            }
        )
    return rows


def _cost(project: Project) -> tuple[list[BudgetLine], dict]:
    lines = list(BudgetLine.objects.filter(project=project).order_by("category"))
    totals = {name: sum((getattr(line, name) for line in lines), ZERO) for name in ("baseline", "actual", "forecast")}
    totals["variance"] = totals["forecast"] - totals["baseline"]
    return lines, totals


def end_report(project: Project) -> dict:
    lines, totals = _cost(project)
    state = closure_state(project)
    follow_on = [item for item in state.items if item.kind != ClosureItem.Kind.GAP]
    return {
        "project": project,
        "state": state,
        "schedule": _schedule(project),
        "budget_lines": lines,
        "budget_totals": totals,
        "sections": [(provider.label, provider.figures(project)) for provider in closure_figure_providers],
        "lessons": list(Lesson.objects.filter(project=project).select_related("logged_by")),
        "follow_on": follow_on,
        "roadmap": state.roadmap,
    }
