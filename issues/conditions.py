"""Exceptions the issues app detects for the escalation engine (D-ESC-3)."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.registry import Detected, EscalationCondition, Wording

from .calendars import last_working_days
from .compliance import _reports_covering, expected_reporters
from .models import Issue
from .periods import Cadence
from .services import issue_settings_for

UNRESOLVED = (Issue.Status.NEW, Issue.Status.ANALYSING, Issue.Status.WITH_CONSULTANT, Issue.Status.SOLUTION_PROPOSED)


def blocker_issues(project) -> list[Detected]:
    """Critical issues unresolved for longer than the project allows. Loss estimate: the days
    users have been blocked so far (docs/status-rules.md)."""
    limit = timezone.now() - datetime.timedelta(days=project.blocker_days)
    issues = Issue.objects.filter(
        project=project, severity=Issue.Severity.CRITICAL, status__in=UNRESOLVED, created_at__lte=limit
    ).select_related("project")
    return [
        Detected(
            instance=f"issue:{issue.pk}",
            params={"ref": issue.reference, "title": issue.title, "status": issue.status, "days": issue.age_days()},
            delay_days=issue.age_days(),
        )
        for issue in issues
    ]


def word_blocker(params: dict) -> Wording:
    try:
        status = str(Issue.Status(params["status"]).label)
    except ValueError:
        status = params["status"]
    return Wording(
        title=_("Blocker %(ref)s unresolved for %(days)s days") % params,
        what_happened=_("The critical issue %(ref)s “%(title)s” is still %(status)s.") % {**params, "status": status},
        consequences=_("Users cannot work as planned in the CRM while it lasts."),
        recommendation=_("Get the consultant on site or remote today and agree a work-around."),
    )


def low_compliance(project) -> list[Detected]:
    """Daily-report compliance below the threshold on each of the last working days."""
    if issue_settings_for(project).report_cadence != Cadence.DAILY:
        return []
    yesterday = project.local_today() - datetime.timedelta(days=1)
    days = last_working_days(project, yesterday, project.compliance_low_days)
    if len(days) < project.compliance_low_days:
        return []
    covered = _reports_covering(project, days[0], days[-1])
    shares = []
    for day in days:
        expected = expected_reporters(project, day, cadence=Cadence.DAILY)
        if not expected:
            return []
        filed = sum((m.user_id, day) in covered for m in expected)
        shares.append(100 * filed / len(expected))
    if max(shares) >= project.compliance_threshold_percent:
        return []
    return [
        Detected(
            instance="compliance",
            params={
                "threshold": project.compliance_threshold_percent,
                "days": len(days),
                "shares": [[day.isoformat(), round(share)] for day, share in zip(days, shares, strict=True)],
            },
            # The working days the project went without a reliable view of its problems.
            delay_days=len(days),
        )
    ]


def word_compliance(params: dict) -> Wording:
    shares = ", ".join(f"{day[5:]} {share}%" for day, share in params["shares"])
    return Wording(
        title=_("Daily reports: compliance below %(threshold)s %% for %(days)s working days") % params,
        what_happened=_("Share of expected reports filed: %(shares)s.") % {"shares": shares},
        consequences=_("Problems are no longer reported; the project cannot see what goes wrong."),
        recommendation=_("Department heads remind their people; find out what keeps them from reporting."),
    )


CONDITIONS = [
    EscalationCondition("blocker_issue", gettext_lazy("Blocker issue unresolved"), blocker_issues, word_blocker),
    EscalationCondition("low_compliance", gettext_lazy("Daily-report compliance low"), low_compliance, word_compliance),
]
