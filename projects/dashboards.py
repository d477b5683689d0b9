"""The project dashboard (issue 7): the plan's own figures plus the panels other apps register.

Every figure is an aggregate in SQL over a bounded window (the last `WEEKS` weeks), so a page's
query count does not grow with the project's rows. Rollup tables come later; these reads are their
reference.
"""

import datetime
import statistics
from dataclasses import dataclass

from .models import Milestone, Project, Risk
from .registry import dashboard_panels
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
