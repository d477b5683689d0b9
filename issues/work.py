"""What the issues app asks of people, in "my work" (issue 19): issues forwarded to me as the
consultant and not answered yet, resolved issues I reported that wait for my confirmation, and my
report for the current period when it is not filed."""

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.core.work import day_began
from projects.permissions import Capability
from projects.registry import WorkItem, WorkSource

from .compliance import active_on
from .models import CalendarDay, DailyReport, Issue, IssueSettings
from .periods import Cadence, days_of, period_end, period_start


def _issue_items(issues, projects, since_field: str) -> list[WorkItem]:
    items = []
    for issue in issues.only("pk", "project_id", "number", "title", "created_at", since_field):
        issue.project = projects[issue.project_id]
        items.append(
            WorkItem(
                project=issue.project,
                title=f"{issue.reference} {issue.title}",
                url=issue.get_absolute_url(),
                since=getattr(issue, since_field) or issue.created_at,
            )
        )
    return items


def _forwarded_to_me(user, memberships) -> list[WorkItem]:
    """As `Issue.objects.visible_to` scopes a consultant: only what was forwarded to them."""
    projects = {m.project_id: m.project for m in memberships if m.can(Capability.ISSUES_RESPOND)}
    if not projects:
        return []
    issues = Issue.objects.filter(project__in=list(projects), consultant=user, status=Issue.Status.WITH_CONSULTANT)
    return _issue_items(issues, projects, "forwarded_at")


def _to_confirm(user, memberships) -> list[WorkItem]:
    """The reporter confirms the fix (or says it still does not work): the workflow's `confirm` step."""
    projects = {m.project_id: m.project for m in memberships if m.can(Capability.PROJECT_VIEW)}
    if not projects:
        return []
    issues = Issue.objects.filter(project__in=list(projects), reporter=user, status=Issue.Status.RESOLVED)
    return _issue_items(issues, projects, "resolved_at")


def _report_missing(user, memberships) -> list[WorkItem]:
    """My report for the current period of each project that expects one from me, once the period
    has had a working day on which I was a member, until I file it. Three queries for all projects:
    their cadences, their calendars' exceptions over the periods, my reports that may cover them."""
    expected = [m for m in memberships if m.can(Capability.REPORTS_EXPECTED) and m.can(Capability.REPORTS_FILE)]
    if not expected:
        return []
    ids = [m.project_id for m in expected]
    cadences = dict(IssueSettings.objects.filter(project__in=ids).values_list("project_id", "report_cadence"))
    periods = {}
    for m in expected:
        cadence = cadences.get(m.project_id, Cadence.DAILY)
        today = m.project.local_today()
        start = period_start(cadence, today)
        periods[m.project_id] = (cadence, start, today)
    first = min(start for _cadence, start, _today in periods.values())
    last = max(today for _cadence, _start, today in periods.values())
    exceptions = {
        (project_id, date): working
        for project_id, date, working in CalendarDay.objects.filter(
            project__in=ids, date__range=(first, last)
        ).values_list("project_id", "date", "is_working")
    }
    # A report covers the days of its own period (a weekly one begun before a daily period, too).
    covered = set()
    reports = DailyReport.objects.filter(
        Q(period_start__gte=first - datetime.timedelta(days=30)), project__in=ids, reporter=user, period_start__lte=last
    )
    for project_id, start, cadence in reports.values_list("project_id", "period_start", "cadence"):
        covered.update((project_id, day) for day in days_of(cadence, start))

    items = []
    for m in expected:
        cadence, start, today = periods[m.project_id]
        days_so_far = [start + datetime.timedelta(days=n) for n in range((today - start).days + 1)]
        working = [
            day
            for day in days_so_far
            if exceptions.get((m.project_id, day), day.weekday() < 5) and active_on(m, m.project, day)
        ]
        if not working or any((m.project_id, day) in covered for day in days_of(cadence, start)):
            continue
        if cadence == Cadence.DAILY:
            title = _("Today's report not filed")
        else:
            title = _("Report for %(start)s – %(end)s not filed") % {
                "start": date_format(start, "SHORT_DATE_FORMAT"),
                "end": date_format(period_end(cadence, start), "SHORT_DATE_FORMAT"),
            }
        items.append(
            WorkItem(
                project=m.project,
                title=title,
                url=reverse("issues:report", kwargs={"code": m.project.code}),
                since=day_began(m.project, working[0]),
            )
        )
    return items


SOURCES = [
    WorkSource("issue-forwarded", gettext_lazy("Issues forwarded to me"), 40, _forwarded_to_me),
    WorkSource("issue-confirm", gettext_lazy("Fixes to confirm"), 50, _to_confirm),
    WorkSource("daily-report", gettext_lazy("My report"), 70, _report_missing),
]
