"""The project dashboard (issue 7): the plan's own figures plus the panels other apps register.

Every figure is an aggregate in SQL over a bounded window (the last `WEEKS` weeks), so a page's
query count does not grow with the project's rows. Rollup tables come later; these reads are their
reference.
"""

import datetime
import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Sum
from django.utils import timezone

from . import services_reporting
from .models import AgendaItem, BudgetLine, Escalation, EscalationRecipient, Membership, Milestone, Project, Risk
from .permissions import Capability
from .registry import dashboard_panels, portfolio_figures
from .selectors import milestone_chart_data, risk_heat_map

WEEKS = 12


def week_starts(today: datetime.date, weeks: int = WEEKS) -> list[datetime.date]:
    """The Mondays of the last `weeks` weeks, oldest first, this week's last."""
    monday = today - datetime.timedelta(days=today.weekday())
    return [monday - datetime.timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


def weekly_series(counts: dict, weeks: list[datetime.date]) -> list[int]:
    """Counts keyed by week start (date or datetime) laid on `weeks`, zero where a week had none."""
    by_day = {(key.date() if isinstance(key, datetime.datetime) else key): value for key, value in counts.items()}
    return [by_day.get(week, 0) for week in weeks]


@dataclass(frozen=True)
class ControlChart:
    """A control chart (D-PLAN-10): centre line at the mean, limits at mean ± 3σ, the lower one
    clipped at 0; a point beyond a limit is out of control."""

    values: list[int]
    mean: float
    sigma: float
    ucl: float
    lcl: float
    out_of_control: list[int]  # indexes into values


def control_chart(values: list[int]) -> ControlChart:
    if not values:
        return ControlChart([], 0.0, 0.0, 0.0, 0.0, [])
    mean = statistics.fmean(values)
    sigma = statistics.pstdev(values)
    ucl = mean + 3 * sigma
    lcl = max(0.0, mean - 3 * sigma)
    out = [index for index, value in enumerate(values) if value > ucl or value < lcl]
    return ControlChart(list(values), round(mean, 2), round(sigma, 2), round(ucl, 2), round(lcl, 2), out)


def project_dashboard(project: Project) -> dict:
    milestones = list(Milestone.objects.filter(project=project).select_related("owner", "phase"))
    tolerance = project.schedule_tolerance_days
    for milestone in milestones:
        milestone.exception = milestone.beyond_tolerance(tolerance)
    risks = list(Risk.objects.filter(project=project, status=Risk.Status.OPEN))
    panels = []
    for panel in dashboard_panels:
        built = panel.build(project)
        panels.append({"key": panel.key, "label": panel.label, "data_id": f"panel-{panel.key}-data", **built})
    return {
        "milestones": milestones,
        "milestone_chart": milestone_chart_data(milestones),
        "heat_map": risk_heat_map(risks),
        "panels": panels,
    }


# --- The portfolio (every project the user may see on a dashboard) --------------------------------

SPARK = "▁▂▃▄▅▆▇█"
STATUS_CACHE_SECONDS = 300


def sparkline(values: list[int]) -> str:
    """A text sparkline (no chart needed on a phone): one block per value, scaled to the highest."""
    top = max(values, default=0)
    if not top:
        return SPARK[0] * len(values)
    return "".join(SPARK[round(value * (len(SPARK) - 1) / top)] for value in values)


def dashboard_memberships(user) -> list[Membership]:
    memberships = Membership.objects.active().filter(user=user).select_related("project").order_by("project__code")
    return [m for m in memberships if m.can(Capability.DASHBOARD_VIEW)]


def _statuses(projects: list[Project], language: str) -> dict[int, dict]:
    """This week's status of each project (as the status report computes it), cached a few minutes:
    one cache read for all projects, a constant number of queries per project on a miss."""
    keys = {p.pk: f"dashboard-status:{p.pk}:{services_reporting.week_of(p.local_today())}:{language}" for p in projects}
    cached = cache.get_many(list(keys.values()))
    result, missing = {}, {}
    for project in projects:
        key = keys[project.pk]
        if key in cached:
            result[project.pk] = cached[key]
        else:
            built = services_reporting.build(project, services_reporting.week_of(project.local_today()), language)
            result[project.pk] = missing[key] = built
    if missing:
        cache.set_many(missing, STATUS_CACHE_SECONDS)
    return result


def _go_live(projects: list[Project]) -> dict[int, Milestone]:
    """The last milestone of each project (by baseline date): its go-live."""
    last: dict[int, Milestone] = {}
    for milestone in Milestone.objects.filter(project__in=projects).order_by("project_id", "baseline_date", "id"):
        last[milestone.project_id] = milestone
    return last


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
        percent = round(100 * variance / baseline, 1) if baseline else None
        budgets[row["project_id"]] = {
            "baseline": baseline,
            "forecast": forecast,
            "variance": variance,
            "percent": percent,
        }
    return budgets


def portfolio(user, language: str) -> dict:
    memberships = dashboard_memberships(user)
    projects = [m.project for m in memberships]
    statuses = _statuses(projects, language)
    go_live = _go_live(projects)
    budgets = _budgets(projects)
    today = timezone.localdate()
    figures = [(figure, figure.build(projects, today)) for figure in portfolio_figures]
    rows = []
    for project in projects:
        status = statuses[project.pk]
        sections = [s for s in status["sections"] if s["status"]]
        adoption = next((s for s in status["sections"] if s["key"] == "adoption"), None)
        trends = []
        for figure, values in figures:
            series = values.get(project.pk, [])
            trends.append({"label": figure.label, "values": series, "spark": sparkline(series)})
        rows.append(
            {
                "project": project,
                "overall": status["overall"],
                "sections": sections,
                "adoption": adoption,
                "go_live": go_live.get(project.pk),
                "budget": budgets.get(project.pk),
                "trends": trends,
            }
        )
    ids = [p.pk for p in projects]
    receipts = list(
        EscalationRecipient.objects.filter(
            user=user,
            acknowledged_at__isnull=True,
            escalation__status=Escalation.Status.OPEN,
            escalation__project__in=ids,
        )
        .select_related("escalation", "escalation__project")
        .order_by("-escalation__opened_at")[:20]
    )
    decisions = list(
        AgendaItem.objects.filter(
            meeting__project__in=ids, decision_required=True, outcome="", meeting__starts_at__gte=timezone.now()
        )
        .select_related("meeting", "meeting__project")
        .order_by("meeting__starts_at", "order", "id")[:20]
    )
    return {"rows": rows, "receipts": receipts, "decisions": decisions}
