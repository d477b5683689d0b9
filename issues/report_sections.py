"""The status report's issue and adoption dimensions (D-RPT-1), from the issues app."""

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.registry import AMBER, GREEN, RED, ReportSection
from projects.reporting.report_sections import period_bounds

from .calendars import last_working_days
from .compliance import _reports_covering, expected_reporters
from .models import Issue
from .periods import Cadence

UNRESOLVED = (Issue.Status.NEW, Issue.Status.ANALYSING, Issue.Status.WITH_CONSULTANT, Issue.Status.SOLUTION_PROPOSED)


def issues(project, start, end) -> dict:
    unresolved = Issue.objects.filter(project=project, status__in=UNRESOLVED)
    limit = datetime.datetime.combine(end, datetime.time.max, tzinfo=datetime.UTC) - datetime.timedelta(
        days=project.blocker_days
    )
    blockers = unresolved.filter(severity=Issue.Severity.CRITICAL, created_at__lte=limit).count()
    serious = unresolved.filter(severity__in=[Issue.Severity.CRITICAL, Issue.Severity.HIGH]).count()
    status = RED if blockers else AMBER if serious else GREEN
    top = unresolved.select_related("project").order_by("severity_rank", "created_at")[:5]
    since, until = period_bounds(project, start, end)
    new = Issue.objects.filter(project=project, created_at__gte=since, created_at__lt=until).count()
    return {
        "status": status,
        "rule": _(
            "Green: no critical or high issue open. Amber: some open. Red: a critical one open over %(days)s days."
        )
        % {"days": project.blocker_days},
        "summary": _("%(open)s open, %(new)s new this week, %(serious)s critical or high.")
        % {"open": unresolved.count(), "new": new, "serious": serious},
        "items": [
            {
                "text": f"{issue.reference} [{issue.get_severity_display()}] {issue.title} · "
                + _("%(days)s days old") % {"days": issue.age_days()},
                "url": issue.get_absolute_url(),
            }
            for issue in top
        ],
    }


def adoption(project, start, end) -> dict:
    # Completed days only: today's reports are still coming in, and the week may not be over.
    until = min(end, project.local_today() - datetime.timedelta(days=1))
    days = last_working_days(project, until, 5)
    if not days:
        return {"status": None, "rule": "", "summary": _("No working day."), "items": []}
    covered = _reports_covering(project, days[0], days[-1])
    expected = filed = 0
    for day in days:
        people = expected_reporters(project, day, cadence=Cadence.DAILY)
        expected += len(people)
        filed += sum((m.user_id, day) in covered for m in people)
    if not expected:
        return {"status": None, "rule": "", "summary": _("Nobody is expected to report."), "items": []}
    share = round(100 * filed / expected)
    threshold = project.compliance_threshold_percent
    status = GREEN if share >= threshold else AMBER if share >= threshold - 15 else RED
    return {
        "status": status,
        "rule": _(
            "Daily-report compliance over the last 5 working days. "
            "Green: at least %(t)s %%. Amber: within 15 points. Red: below."
        )
        % {"t": threshold},
        "summary": _("%(share)s %% of expected reports filed (%(filed)s of %(expected)s).")
        % {"share": share, "filed": filed, "expected": expected},
        "items": [],
    }


SECTIONS = [
    ReportSection("issues", gettext_lazy("Issues"), 40, issues),
    ReportSection("adoption", gettext_lazy("Adoption"), 50, adoption),
]
