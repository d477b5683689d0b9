"""Reads shared by the plan and committee pages, e-mails and PDFs. Query counts do not grow with rows."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from projects.core.models import Project
from projects.plan.models import BudgetLine, Milestone, Phase, PlanBaseline, RebaselineRequest

ZERO = Decimal("0.00")


# --- The plan -------------------------------------------------------------------------------------


def plan_overview(project: Project) -> dict:
    today = project.local_today()
    tolerance = project.schedule_tolerance_days
    milestones = list(Milestone.objects.filter(project=project).select_related("owner", "phase"))
    for milestone in milestones:
        milestone.slip = milestone.slip_days
        milestone.exception = milestone.beyond_tolerance(tolerance)
        milestone.missed = milestone.is_missed(today)
    baselines = list(PlanBaseline.objects.filter(project=project).select_related("approved_by"))
    requests = list(RebaselineRequest.objects.filter(project=project).select_related("requested_by", "decided_by"))
    return {
        "phases": list(Phase.objects.filter(project=project)),
        "milestones": milestones,
        "exceptions": sum(1 for m in milestones if m.exception),
        "baselines": baselines,
        "current_baseline": baselines[0] if baselines else None,
        "rebaseline_requests": requests,
        "pending_request": next((r for r in requests if r.status == RebaselineRequest.Status.PENDING), None),
        "chart": milestone_chart_data(milestones),
    }


def milestone_chart_data(milestones) -> dict:
    """Labels in the reader's language; dates as ISO strings for ECharts' time axis."""
    return {
        "labels": {
            "baseline": _("Baseline"),
            "forecast": _("Forecast"),
            "actual": _("Actual"),
            "today": _("Today"),
            "slip": _("Slip (days)"),
        },
        "today": timezone.localdate().isoformat(),
        "milestones": [
            {
                "name": m.name,
                "baseline": m.baseline_date.isoformat(),
                "forecast": m.forecast_date.isoformat(),
                "actual": m.actual_date.isoformat() if m.actual_date else None,
                "slip": m.slip_days,
                "exception": getattr(m, "exception", False),
            }
            for m in milestones
        ],
    }


def baseline_comparison(project: Project, versions: list[PlanBaseline]) -> dict:
    """Milestone dates and budget baselines side by side, one column per version (oldest first)."""
    versions = sorted(versions, key=lambda version: version.version)
    names: dict[int, str] = {}
    for version in versions:
        for row in version.milestones:
            names.setdefault(row["id"], row["name"])
    milestone_rows = [
        {"name": name, "dates": [version.milestone_dates().get(pk) for version in versions]}
        for pk, name in names.items()
    ]
    for row in milestone_rows:
        dates = [value for value in row["dates"] if value]
        row["changed"] = len(set(dates)) > 1
    labels = dict(BudgetLine.Category.choices)
    budget_rows = [
        {
            "category": labels[category],
            "amounts": [version.budget_amounts().get(category) for version in versions],
        }
        for category in BudgetLine.Category.values
        if any(category in version.budget_amounts() for version in versions)
    ]
    return {"versions": versions, "milestone_rows": milestone_rows, "budget_rows": budget_rows}


def budget_overview(project: Project) -> dict:
    """Every category, saved or not, with variances and the ones beyond tolerance marked."""
    saved = {line.category: line for line in BudgetLine.objects.filter(project=project)}
    lines = [saved.get(category) or BudgetLine(project=project, category=category) for category in BudgetLine.Category]
    tolerance = project.budget_tolerance_percent
    for line in lines:
        line.exception = line.beyond_tolerance(tolerance)
    totals = BudgetLine(
        project=project,
        baseline=sum((line.baseline for line in lines), ZERO),
        committed=sum((line.committed for line in lines), ZERO),
        actual=sum((line.actual for line in lines), ZERO),
        forecast=sum((line.forecast for line in lines), ZERO),
    )
    totals.exception = totals.beyond_tolerance(tolerance)
    chart = {
        "labels": {
            "baseline": _("Baseline"),
            "committed": _("Committed"),
            "actual": _("Actual"),
            "forecast": _("Forecast"),
        },
        "categories": [line.get_category_display() for line in lines],
        "baseline": [float(line.baseline) for line in lines],
        "committed": [float(line.committed) for line in lines],
        "actual": [float(line.actual) for line in lines],
        "forecast": [float(line.forecast) for line in lines],
    }
    return {"lines": lines, "totals": totals, "chart": chart, "exceptions": sum(1 for line in lines if line.exception)}
