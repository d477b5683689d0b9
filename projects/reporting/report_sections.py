"""The status report's sections owned by `projects`: schedule, budget, decisions, escalations,
the next steering meeting. The rules are written down in docs/status-rules.md."""

import datetime
import zoneinfo
from datetime import timedelta
from decimal import Decimal

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.escalations.models import Escalation
from projects.plan.models import BudgetLine, Milestone
from projects.registry import AMBER, GREEN, RED, ReportSection, pending_decisions
from projects.steering.models import Meeting


def period_bounds(project, start, end) -> tuple[datetime.datetime, datetime.datetime]:
    """The report's days [start, end] as instants [start 00:00, the day after end 00:00) in the
    project's time zone: counts of events in the period compare timestamps with these."""
    zone = zoneinfo.ZoneInfo(project.time_zone)
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    until = datetime.datetime.combine(end + timedelta(days=1), datetime.time.min, tzinfo=zone)
    return since, until


def schedule(project, start, end) -> dict:
    milestones = list(Milestone.objects.filter(project=project).order_by("forecast_date"))
    open_ones = [m for m in milestones if m.actual_date is None]
    worst = max((m.slip_days for m in open_ones), default=0)
    status = GREEN if worst <= 0 else AMBER if worst <= project.schedule_tolerance_days else RED
    reached = [m for m in milestones if m.actual_date and start <= m.actual_date <= end]
    upcoming = [m for m in open_ones if m.forecast_date <= end + timedelta(days=28)][:5]
    items = [
        {"text": _("Reached: %(name)s (%(date)s)") % {"name": m.name, "date": m.actual_date}, "url": ""}
        for m in reached
    ]
    items += [
        {
            "text": _("Next: %(name)s, forecast %(date)s (%(slip)s days against baseline)")
            % {"name": m.name, "date": m.forecast_date, "slip": m.slip_days},
            "url": "",
        }
        for m in upcoming
    ]
    return {
        "status": status,
        "rule": _("Green: no milestone forecast slips. Amber: slips within %(days)s days. Red: beyond.")
        % {"days": project.schedule_tolerance_days},
        "summary": _("Largest forecast slip: %(days)s days.") % {"days": worst},
        "items": items,
    }


def budget(project, start, end) -> dict:
    totals = BudgetLine.objects.filter(project=project).aggregate(
        baseline=Sum("baseline"), actual=Sum("actual"), forecast=Sum("forecast")
    )
    baseline, actual, forecast = (totals[name] or Decimal(0) for name in ("baseline", "actual", "forecast"))
    limit = baseline * (1 + Decimal(project.budget_tolerance_percent) / 100)
    status = GREEN if forecast <= baseline else AMBER if forecast <= limit else RED
    if baseline == 0 and forecast == 0:
        status = None
    return {
        "status": status,
        "rule": _("Green: forecast within the baseline. Amber: over it by up to %(percent)s %%. Red: beyond.")
        % {"percent": project.budget_tolerance_percent},
        "summary": _("Baseline %(baseline)s · actual %(actual)s · forecast %(forecast)s")
        % {"baseline": f"{baseline:,.0f}", "actual": f"{actual:,.0f}", "forecast": f"{forecast:,.0f}"},
        "items": [],
    }


def decisions(project, start, end) -> dict:
    pending = pending_decisions(project)
    return {
        "status": None,
        "rule": "",
        "summary": _("%(count)s awaiting a decision.") % {"count": len(pending)},
        "items": [{"text": str(item.title), "url": item.url} for item in pending],
    }


def escalations(project, start, end) -> dict:
    open_ones = Escalation.objects.filter(project=project, status=Escalation.Status.OPEN).select_related("project")
    return {
        "status": None,
        "rule": "",
        "summary": _("%(count)s open.") % {"count": len(open_ones)},
        "items": [{"text": escalation.title, "url": escalation.get_absolute_url()} for escalation in open_ones],
    }


def next_meeting(project, start, end) -> dict:
    meeting = (
        Meeting.objects.filter(project=project, starts_at__gte=timezone.now())
        .exclude(status=Meeting.Status.CLOSED)
        .order_by("starts_at")
        .first()
    )
    if meeting is None:
        return {"status": None, "rule": "", "summary": _("None scheduled."), "items": []}
    url = reverse("projects:meeting_detail", kwargs={"code": project.code, "pk": meeting.pk})
    when = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")
    return {
        "status": None,
        "rule": "",
        "summary": f"{meeting.title} · {when}",
        "items": [{"text": meeting.title, "url": url}],
    }


SECTIONS = [
    ReportSection("schedule", gettext_lazy("Schedule"), 10, schedule),
    ReportSection("budget", gettext_lazy("Budget"), 20, budget),
    ReportSection("decisions", gettext_lazy("Awaiting decision"), 60, decisions),
    ReportSection("escalations", gettext_lazy("Open escalations"), 70, escalations),
    ReportSection("meeting", gettext_lazy("Next steering meeting"), 80, next_meeting),
]


def escalation_figures(project) -> list:
    """For the end-project report (D-CL-5): how often leadership was told before the slip."""
    escalations = Escalation.objects.filter(project=project)
    return [
        (gettext_lazy("Escalations"), escalations.count()),
        (gettext_lazy("detected by the system"), escalations.filter(automatic=True).count()),
        (gettext_lazy("second notice"), escalations.filter(level__gt=1).count()),
        (gettext_lazy("Open escalations"), escalations.filter(status=Escalation.Status.OPEN).count()),
    ]
