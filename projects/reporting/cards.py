"""The figures of a project's portfolio card besides its status (go-live, budget, issue trends),
for many projects at once in a constant number of queries. Stored in the project's status
snapshot when it is built (services_reporting.status_snapshots_refresh), so the portfolio reads one
row per project instead of aggregating each view (docs/performance.md)."""

import datetime
from decimal import Decimal

from django.db.models import OuterRef, Subquery, Sum

from projects.core.models import Project
from projects.plan.models import BudgetLine, Milestone
from projects.registry import portfolio_figures


def card_figures(projects: list[Project], today: datetime.date) -> dict[int, dict]:
    """{project id: {"go_live", "budget", "trends"}} as JSON-ready values."""
    go_live = _go_live(projects)
    budgets = _budgets(projects)
    trends = {figure.key: figure.build(projects, today) for figure in portfolio_figures}
    return {
        project.pk: {
            "go_live": go_live.get(project.pk),
            "budget": budgets.get(project.pk),
            "trends": {key: values.get(project.pk, []) for key, values in trends.items()},
        }
        for project in projects
    }


def _go_live(projects: list[Project]) -> dict[int, dict]:
    """The last milestone of each project (by baseline date): its go-live."""
    last = Milestone.objects.filter(project=OuterRef("project")).order_by("-baseline_date", "-id").values("pk")[:1]
    rows = Milestone.objects.filter(project__in=projects, pk=Subquery(last)).values_list(
        "project_id", "baseline_date", "forecast_date"
    )
    return {
        project_id: {
            "baseline": baseline.isoformat(),
            "forecast": forecast.isoformat(),
            "slip": (forecast - baseline).days,
        }
        for project_id, baseline, forecast in rows
    }


def _budgets(projects: list[Project]) -> dict[int, dict]:
    rows = (
        BudgetLine.objects.filter(project__in=projects)
        .values("project_id")
        .annotate(baseline=Sum("baseline"), forecast=Sum("forecast"))
    )
    budgets = {}
    for row in rows:
        baseline, forecast = row["baseline"] or Decimal(0), row["forecast"] or Decimal(0)
        variance = forecast - baseline
        budgets[row["project_id"]] = {
            "baseline": str(baseline),
            "forecast": str(forecast),
            "variance": str(variance),
            "percent": float(round(100 * variance / baseline, 1)) if baseline else None,
        }
    return budgets
