"""The project dashboard (issue 7): the plan's own figures plus the panels other apps register.

Figures come from rollup tables (issue 7): per project per day for issues (`issues.rollups`), a
status snapshot per project for the portfolio; the rest are aggregates over small, bounded sets (a
project's milestones, budget lines, open risks, open issues), so a page's query count does not grow
with the project's rows, nor the portfolio's with the number of projects.
"""

import datetime
import hashlib
import statistics
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import services_reporting, tasks
from .models import (
    AgendaItem,
    BudgetLine,
    Escalation,
    EscalationRecipient,
    Membership,
    Milestone,
    Project,
    Risk,
    StatusSnapshot,
)
from .permissions import Capability
from .registry import PanelReads, dashboard_panels, portfolio_figures
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
    milestones = list(
        Milestone.objects.filter(project=project).only("name", "baseline_date", "forecast_date", "actual_date")
    )
    tolerance = project.schedule_tolerance_days
    for milestone in milestones:
        milestone.exception = milestone.beyond_tolerance(tolerance)
    risks = list(
        Risk.objects.filter(project=project, status=Risk.Status.OPEN).only("title", "probability", "impact", "status")
    )
    panels = []
    reads = PanelReads()
    for panel in dashboard_panels:
        built = panel.build(project, reads)
        panels.append({"key": panel.key, "label": panel.label, "data_id": f"panel-{panel.key}-data", **built})
    return {
        "milestones": milestones,
        "milestone_chart": milestone_chart_data(milestones),
        "heat_map": risk_heat_map(risks),
        "panels": panels,
    }


# --- The portfolio (every project the user may see on a dashboard) --------------------------------

SPARK = "▁▂▃▄▅▆▇█"
STATUS_CACHE_SECONDS = 300  # how old a status snapshot may be before the portfolio asks for a refresh


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
    """This week's status of each project (as the status report computes it), read from its
    snapshot: one query for all projects. A project without one for this week (new, or a new week
    before the beat ran) is computed once here; stale ones (older than a few minutes) are shown as
    they are and refreshed by a task, so the page's query count does not grow with the projects."""
    snapshots = {s.project_id: s for s in StatusSnapshot.objects.filter(project__in=projects, language=language)}
    missing = [
        p
        for p in projects
        if p.pk not in snapshots or snapshots[p.pk].period_start != services_reporting.week_of(p.local_today())
    ]
    if missing:
        snapshots.update(services_reporting.status_snapshots_refresh(projects=missing, language=language))
    oldest = timezone.now() - datetime.timedelta(seconds=STATUS_CACHE_SECONDS)
    stale = sorted(pk for pk, snapshot in snapshots.items() if snapshot.built_at < oldest)
    if stale:
        lock = "status-snapshots-refresh:" + hashlib.sha1(repr(stale).encode()).hexdigest()  # noqa: S324 — a key
        if cache.add(lock, 1, STATUS_CACHE_SECONDS):
            transaction.on_commit(lambda: tasks.refresh_status_snapshots.delay(stale))
    return {pk: snapshot.figures for pk, snapshot in snapshots.items()}


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


BADGES = {"green": "text-bg-success", "amber": "text-bg-warning", "red": "text-bg-danger"}


def _dot(status: str) -> dict | None:
    """A status badge, worded here once rather than by a template include per badge (the
    portfolio shows ~300 of them for 50 projects)."""
    labels = {"green": _("green"), "amber": _("amber"), "red": _("red")}
    return {"badge": BADGES[status], "label": labels[status]} if status in BADGES else None


def _go_live_text(milestone: Milestone | None) -> dict | None:
    if milestone is None:
        return None
    slip = milestone.slip_days
    return {
        "dates": _("baseline %(baseline)s, forecast %(forecast)s")
        % {"baseline": milestone.baseline_date.isoformat(), "forecast": milestone.forecast_date.isoformat()},
        "late": ngettext("%(counter)s day late", "%(counter)s days late", slip) % {"counter": slip} if slip > 0 else "",
    }


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
        sections = [{**s, "dot": _dot(s["status"])} for s in status["sections"] if s["status"]]
        adoption = next((s for s in status["sections"] if s["key"] == "adoption"), None)
        trends = []
        for figure, values in figures:
            series = values.get(project.pk, [])
            trends.append({"label": figure.label, "values": series, "spark": sparkline(series)})
        rows.append(
            {
                "project": project,
                "overall": status["overall"],
                "overall_dot": _dot(status["overall"]),
                "sections": sections,
                "adoption": adoption,
                "go_live": go_live.get(project.pk),
                "go_live_text": _go_live_text(go_live.get(project.pk)),
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
