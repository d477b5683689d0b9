"""The requirement-change issue a change request came from is no loose end (issue 16 point 9a):
rolling the change out resolves it, rejecting it rejects it, and its reporter hears of it."""

import datetime
from decimal import Decimal

from django.core import mail

from changes import services as services_changes
from issues import services as services_issues
from issues.models import Issue
from projects.permissions import Role


def change_from_issue(team):
    issue = services_issues.issue_create(
        project=team.project,
        reporter=team.user(Role.KEY_USER),
        report=None,
        draft=services_issues.IssueDraft(title="报价单需要审批流", description="d", severity="medium"),
    )
    issue = services_issues.issue_analyse(
        issue=issue, by=team.user(Role.PM), context="销售总监要求", likely_cause="需求变更", category="requirement"
    )
    assert issue.status == Issue.Status.ANALYSING
    change = services_changes.change_request_create(
        project=team.project,
        requester=team.user(Role.KEY_USER),
        title="报价审批流",
        reason="r",
        goal="g",
        source_issue=issue,
    )
    option = services_changes.option_propose(
        change=change,
        by=team.user(Role.CONSULTANT),
        description="配置审批流",
        needs_custom_development=False,
        cost_estimate=Decimal(0),
        schedule_impact_days=0,
    )
    change = services_changes.change_request_accept_option(change=change, by=team.user(Role.KEY_USER), option=option)
    return issue, change


def test_rolling_out_the_change_resolves_the_issue_and_tells_its_reporter(team, django_capture_on_commit_callbacks):
    issue, change = change_from_issue(team)
    change = services_changes.change_request_decide(change=change, by=team.user(Role.PM), approve=True, note="")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services_changes.change_request_rollout(
            change=change, by=team.user(Role.PM), date=datetime.date(2026, 11, 18), note="全员"
        )
    issue.refresh_from_db()
    assert issue.status == Issue.Status.RESOLVED and change.reference in issue.fix
    to_reporter = [m for m in mail.outbox if m.to == [team.user(Role.KEY_USER).email] and issue.reference in m.subject]
    assert len(to_reporter) == 1
    assert change.get_absolute_url() in to_reporter[0].body and "rolled out" in to_reporter[0].body


def test_rejecting_the_change_rejects_the_issue_with_the_reason(team, django_capture_on_commit_callbacks):
    issue, change = change_from_issue(team)
    with django_capture_on_commit_callbacks(execute=True):
        services_changes.change_request_decide(change=change, by=team.user(Role.PM), approve=False, note="超出范围")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.REJECTED and "超出范围" in issue.status_reason
    assert any(issue.reference in m.subject and "rejected" in m.subject for m in mail.outbox)


def test_an_issue_already_closed_is_left_alone(team):
    issue, change = change_from_issue(team)
    services_issues.issue_defer(issue=issue, by=team.user(Role.PM), reason="下一期")
    services_changes.change_request_decide(change=change, by=team.user(Role.PM), approve=False, note="不做")
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DEFERRED
