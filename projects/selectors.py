"""Reads shared by the plan and committee pages, e-mails and PDFs. Query counts do not grow with rows."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    ActionItem,
    AgendaItem,
    BudgetLine,
    CommitteeMember,
    Meeting,
    Membership,
    Milestone,
    Phase,
    PlanBaseline,
    Project,
    RebaselineRequest,
    Risk,
    TrainingSession,
)
from .registry import PendingDecision, decision_providers

ZERO = Decimal("0.00")


def pending_not_on_agenda(project: Project, pending: list[PendingDecision]) -> list[PendingDecision]:
    """Pending objects not yet on the agenda of a meeting that has not closed."""
    on_agenda = set(
        AgendaItem.objects.filter(meeting__project=project, outcome="")
        .exclude(meeting__status=Meeting.Status.CLOSED)
        .exclude(linked_kind="")
        .values_list("linked_kind", "linked_id")
    )
    return [item for item in pending if (item.kind, item.object_id) not in on_agenda]


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


# --- Risks ----------------------------------------------------------------------------------------


def risk_heat_map(risks: list[Risk]) -> list[dict]:
    """Rows from impact 5 down to 1, columns probability 1…5, each cell the open risks in it (and
    their titles, for the cell's tooltip)."""
    cells: dict[tuple[int, int], list[Risk]] = {}
    for risk in risks:
        if risk.status == Risk.Status.OPEN:
            cells.setdefault((risk.impact, risk.probability), []).append(risk)
    return [
        {
            "impact": impact,
            "cells": [
                {
                    "probability": probability,
                    "risks": cells.get((impact, probability), []),
                    "titles": "; ".join(risk.title for risk in cells.get((impact, probability), [])),
                    "level": "high" if impact * probability >= 15 else "medium" if impact * probability >= 6 else "low",
                }
                for probability in range(1, 6)
            ],
        }
        for impact in range(5, 0, -1)
    ]


# --- Training -------------------------------------------------------------------------------------


@dataclass
class SessionCoverage:
    session: TrainingSession
    required: set = field(default_factory=set)
    attended: set = field(default_factory=set)

    @property
    def required_count(self) -> int:
        return len(self.required)

    @property
    def attended_count(self) -> int:
        return len(self.attended & self.required)

    @property
    def coverage(self) -> int | None:
        """Share (%) of the people who must attend who did."""
        if not self.required:
            return None
        return round(100 * self.attended_count / self.required_count)


def training_overview(project: Project) -> dict:
    sessions = list(TrainingSession.objects.filter(project=project).prefetch_related("audience_people", "attendance"))
    members = list(Membership.objects.active().filter(project=project).values_list("user_id", "role"))
    rows = []
    required_seats = attended_seats = 0
    for session in sessions:
        row = SessionCoverage(session=session)
        row.required = {user_id for user_id, role in members if role in session.audience_roles}
        row.required |= {person.pk for person in session.audience_people.all()}
        row.attended = {attendance.user_id for attendance in session.attendance.all()}
        if session.status == TrainingSession.Status.HELD:
            required_seats += row.required_count
            attended_seats += row.attended_count
        rows.append(row)
    return {
        "rows": rows,
        "coverage": round(100 * attended_seats / required_seats) if required_seats else None,
        "flagged": sum(1 for session in sessions if session.is_flagged),
    }


def training_required_people(session: TrainingSession) -> list:
    """Who must attend this session: its audience roles' active members and the people named."""
    from .models import User

    role_users = Membership.objects.active().filter(project=session.project, role__in=session.audience_roles)
    return list(
        User.objects.filter(pk__in=role_users.values("user_id"))
        .union(session.audience_people.all())
        .order_by("full_name")
    )


# --- The steering committee -----------------------------------------------------------------------


def committee_overview(project: Project) -> dict:
    now = timezone.now()
    today = project.local_today()
    meetings = list(Meeting.objects.filter(project=project))
    upcoming = sorted((m for m in meetings if m.starts_at >= now and not m.is_locked), key=lambda m: m.starts_at)
    past = [m for m in meetings if m not in upcoming]
    actions = list(ActionItem.objects.open().filter(project=project).select_related("owner", "meeting"))
    for action in actions:
        action.overdue = action.is_overdue(today)
    cadence_end = now + timedelta(days=project.meeting_cadence_days)
    next_meeting = upcoming[0] if upcoming else None
    return {
        "members": list(CommitteeMember.objects.filter(project=project).select_related("user")),
        "upcoming": upcoming,
        "past": past,
        "open_actions": actions,
        "overdue_actions": [action for action in actions if action.overdue],
        "next_meeting": next_meeting,
        # D-SC-2: no meeting scheduled within the cadence is flagged.
        "cadence_missed": next_meeting is None or next_meeting.starts_at > cadence_end,
    }


def meeting_agenda(meeting: Meeting) -> dict:
    """Items with their linked objects named, action items and attendance: for the page, e-mail and PDF."""
    items = list(meeting.items.select_related("presenter", "decided_by"))
    by_kind: dict[str, list[int]] = {}
    for item in items:
        if item.linked_kind:
            by_kind.setdefault(item.linked_kind, []).append(item.linked_id)
    described: dict[tuple[str, int], PendingDecision] = {}
    for kind, ids in by_kind.items():
        provider = decision_providers.get(kind)
        if provider is not None:
            for object_id, description in provider.describe(meeting.project, ids).items():
                described[(kind, object_id)] = description
    for item in items:
        item.linked = described.get((item.linked_kind, item.linked_id))
    today = meeting.project.local_today()
    actions = list(meeting.action_items.select_related("owner"))
    for action in actions:
        action.overdue = action.is_overdue(today)
    return {
        "items": items,
        "actions": actions,
        "attendees": list(meeting.attendees.order_by("full_name")),
        "total_minutes": sum(item.minutes_allotted for item in items),
    }
