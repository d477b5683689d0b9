"""The issues' panels of the project dashboard: weekly flows read the daily rollup (`rollups.py`);
backlog and ageing aggregate the open issues only (bounded by the open backlog, on an index)."""

import datetime

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from projects.permissions import Capability
from projects.registry import DashboardPanel, PortfolioFigure
from projects.reporting.dashboards import WEEKS, control_chart, week_starts, weekly_series

from . import compliance
from .models import Issue, IssueDay
from .rollups import daily_counts
from .selectors import leaderboard

AGEING_BUCKETS = ((0, 7), (8, 30), (31, 90), (91, None))


def _weekly_flow(project) -> tuple[list[int], list[int]]:
    """Issues opened and resolved per week of the last `WEEKS` weeks (project-local days), read
    from the daily rollup: at most 7 × WEEKS rows."""
    weeks = week_starts(project.local_today(), WEEKS)
    opened: dict = {}
    resolved: dict = {}
    for day, day_opened, day_resolved in daily_counts([project], weeks[0]).get(project.pk, []):
        monday = day - datetime.timedelta(days=day.weekday())
        opened[monday] = opened.get(monday, 0) + day_opened
        resolved[monday] = resolved.get(monday, 0) + day_resolved
    return weekly_series(opened, weeks), weekly_series(resolved, weeks)


def new_issues_by_project(projects, today) -> dict[int, list[int]]:
    """New issues per week of the last 8 weeks, for all the projects in one query on the rollup,
    summed by week in the database (8 rows a project rather than 56)."""
    weeks = week_starts(today, 8)
    rows = (
        IssueDay.objects.filter(project__in=projects, day__gte=weeks[0])
        .annotate(week=TruncWeek("day"))
        .values_list("project_id", "week")
        .annotate(opened=Sum("opened"))
        .order_by()
    )
    counts: dict[int, dict] = {}
    for project_id, week, opened in rows:
        counts.setdefault(project_id, {})[week] = opened
    return {project.pk: weekly_series(counts.get(project.pk, {}), weeks) for project in projects}


def _week_labels(project) -> list[str]:
    return [week.isoformat() for week in week_starts(project.local_today(), WEEKS)]


def _shared_weekly_flow(project, reads) -> tuple[list[int], list[int]]:
    return reads.once("issues:weekly-flow", lambda: _weekly_flow(project))


def issue_flow(project, reads) -> dict:
    categories = _week_labels(project)
    opened, resolved = _shared_weekly_flow(project, reads)
    return {
        "chart": {
            "kind": "bar",
            "categories": categories,
            "series": [
                {"name": _("Opened"), "data": opened},
                {"name": pgettext("state", "Resolved"), "data": resolved},
            ],
        },
        "columns": [_("Week of"), _("Opened"), pgettext("state", "Resolved")],
        "rows": [list(row) for row in zip(categories, opened, resolved, strict=True)],
    }


def issue_control(project, reads) -> dict:
    categories = _week_labels(project)
    chart = control_chart(_shared_weekly_flow(project, reads)[0])
    out = set(chart.out_of_control)
    return {
        "chart": {
            "kind": "control",
            "categories": categories,
            "series": [{"name": _("New issues"), "data": chart.values}],
            "mean": chart.mean,
            "ucl": chart.ucl,
            "lcl": chart.lcl,
            "out_of_control": chart.out_of_control,
            "labels": {"mean": _("Mean"), "ucl": _("UCL"), "lcl": _("LCL")},
        },
        "summary": _("Mean %(mean)s, upper control limit %(ucl)s, lower control limit %(lcl)s.")
        % {"mean": chart.mean, "ucl": chart.ucl, "lcl": chart.lcl},
        "columns": [_("Week of"), _("New issues"), _("Out of control")],
        "rows": [
            [week, value, _("yes") if index in out else ""]
            for index, (week, value) in enumerate(zip(categories, chart.values, strict=True))
        ],
    }


def _open_issues(project) -> tuple[dict[str, int], list[int]]:
    """The open issues counted by severity and by age (`AGEING_BUCKETS`), in one pass over them."""
    now = timezone.now()
    by_age = {}
    for low, high in AGEING_BUCKETS:
        condition = Q(created_at__lte=now - datetime.timedelta(days=low))
        if high is not None:
            condition &= Q(created_at__gt=now - datetime.timedelta(days=high + 1))
        by_age[f"b{low}"] = Count("id", filter=condition)
    rows = list(
        Issue.objects.filter(project=project, status__in=Issue.OPEN_STATUSES)
        .values("severity")
        .annotate(n=Count("id"), **by_age)
    )
    by_severity = {row["severity"]: row["n"] for row in rows}
    ages = [sum(row[f"b{low}"] for row in rows) for low, _high in AGEING_BUCKETS]
    return by_severity, ages


def _shared_open_issues(project, reads) -> tuple[dict[str, int], list[int]]:
    return reads.once("issues:open-issues", lambda: _open_issues(project))


def issue_backlog(project, reads) -> dict:
    counts = _shared_open_issues(project, reads)[0]
    labels = [label for _value, label in Issue.Severity.choices]
    values = [counts.get(value, 0) for value in Issue.Severity.values]
    return {
        "chart": {
            "kind": "bar",
            "categories": [str(label) for label in labels],
            "series": [{"name": _("Open issues"), "data": values}],
        },
        "columns": [_("Severity"), _("Open issues")],
        "rows": [[label, value] for label, value in zip(labels, values, strict=True)],
    }


def issue_ageing(project, reads) -> dict:
    values = _shared_open_issues(project, reads)[1]
    labels = [
        _("%(low)s–%(high)s days") % {"low": low, "high": high} if high else _("over %(days)s days") % {"days": low - 1}
        for low, high in AGEING_BUCKETS
    ]
    return {
        "chart": {"kind": "bar", "categories": labels, "series": [{"name": _("Open issues"), "data": values}]},
        "columns": [_("Age"), _("Open issues")],
        "rows": [[label, value] for label, value in zip(labels, values, strict=True)],
    }


def recognition(project, _reads) -> dict:
    rows = leaderboard(project, project.local_today(), limit=10)
    return {
        "chart": None,
        "columns": [_("Person"), _("Points"), _("Issues")],
        "rows": [[row.name, row.points, row.issues] for row in rows],
    }


def compliance_heat_map(project, _reads) -> dict:
    """Who filed on which of the last working days (D-LOG-3), the people who missed most first."""
    data = compliance.heat_map(project, project.local_today())
    days = [f"{day.month}-{day.day}" for day in data.days]
    names = [name for name, _states in data.people]
    words = {**_report_states(), "": "—"}
    return {
        "chart": _heat_map_chart(data, days, names) if data.people else None,
        "summary": _heat_map_summary(data, shown=len(names)),
        "link": {
            "url": reverse("issues:compliance", kwargs={"code": project.code}),
            "text": _("Compliance by person and department"),
        },
        "columns": [_("Person"), *days],
        "rows": [[name, *(words[state] for state in states)] for name, states in data.people],
    }


def _report_states() -> dict[str, str]:
    return {
        compliance.FILED: pgettext("report state", "filed"),
        compliance.LATE: pgettext("report state", "late"),
        compliance.MISSING: pgettext("report state", "missing"),
    }


def _heat_map_chart(data, days: list[str], names: list[str]) -> dict:
    levels = {compliance.MISSING: 0, compliance.LATE: 1, compliance.FILED: 2}
    words = _report_states()
    return {
        "kind": "heatmap",
        "categories": days,
        "people": names,
        "cells": [
            [column, row, levels[state]]
            for row, (_name, states) in enumerate(data.people)
            for column, state in enumerate(states)
            if state
        ],
        "states": [words[state] for state in (compliance.MISSING, compliance.LATE, compliance.FILED)],
    }


def _heat_map_summary(data, *, shown: int) -> str:
    if not data.reporters:
        return _("Nobody was expected to report in this time.")
    if shown < data.reporters:
        return _(
            "The %(shown)s people who missed most of the %(count)s expected to report, over the last %(days)s "
            "working days."
        ) % {"shown": shown, "count": data.reporters, "days": len(data.days)}
    return _("Everyone expected to report, over the last %(days)s working days.") % {"days": len(data.days)}


PANELS = [
    DashboardPanel("issue-flow", gettext_lazy("Issues opened and resolved per week"), 20, issue_flow),
    DashboardPanel("issue-control", gettext_lazy("Control chart of new issues per week"), 30, issue_control),
    DashboardPanel("issue-backlog", gettext_lazy("Open issues by severity"), 40, issue_backlog),
    DashboardPanel("issue-ageing", gettext_lazy("Age of open issues"), 50, issue_ageing),
    DashboardPanel(
        "compliance",
        gettext_lazy("Daily reports: who filed on which working day"),
        70,
        compliance_heat_map,
        Capability.COMPLIANCE_VIEW,
    ),
    DashboardPanel("recognition", gettext_lazy("Recognition this month"), 80, recognition),
]

FIGURES = [PortfolioFigure("new-issues", gettext_lazy("New issues, last 8 weeks"), 10, new_issues_by_project)]
