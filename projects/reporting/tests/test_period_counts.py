"""Counts in status reports are of events in the period, in the project's time zone (issue 16
point 8): an approval counts in its week whatever the request's state now."""

import datetime
import zoneinfo
from decimal import Decimal

import time_machine

from changes import services as services_changes
from changes.report_sections import scope
from issues import services as services_issues
from issues.report_sections import issues
from projects.permissions import Role

# Not the server's time zone (Asia/Shanghai), so the project's own boundaries are what count.
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
MONDAY = datetime.date(2026, 11, 16)
SUNDAY = MONDAY + datetime.timedelta(days=6)
NEXT_MONDAY = MONDAY + datetime.timedelta(days=7)


def in_berlin(team):
    team.project.time_zone = "Europe/Berlin"
    team.project.save()


def approved_change(team, title, when):
    with time_machine.travel(when, tick=False):
        change = services_changes.change_request_create(
            project=team.project, requester=team.user(Role.KEY_USER), title=title, reason="r", goal="g"
        )
        option = services_changes.option_propose(
            change=change,
            by=team.user(Role.CONSULTANT),
            description="配置",
            needs_custom_development=False,
            cost_estimate=Decimal(0),
            schedule_impact_days=0,
        )
        change = services_changes.change_request_accept_option(
            change=change, by=team.user(Role.KEY_USER), option=option
        )
        return services_changes.change_request_decide(change=change, by=team.user(Role.PM), approve=True, note="")


def approved_this_week(team, start) -> str:
    return scope(team.project, start, start + datetime.timedelta(days=6))["summary"]


def test_an_approval_at_2359_sunday_counts_in_that_week_one_at_0000_monday_in_the_next(team):
    in_berlin(team)
    approved_change(team, "周日深夜", datetime.datetime(2026, 11, 22, 23, 59, tzinfo=BERLIN))
    approved_change(team, "周一零点", datetime.datetime(2026, 11, 23, 0, 0, tzinfo=BERLIN))
    assert "1 approved this week" in approved_this_week(team, MONDAY)
    assert "1 approved this week" in approved_this_week(team, NEXT_MONDAY)


def test_an_approved_change_rolled_out_the_same_day_still_counts(team):
    change = approved_change(team, "当天上线", datetime.datetime(2026, 11, 18, 10, 0, tzinfo=BERLIN))
    with time_machine.travel(datetime.datetime(2026, 11, 18, 15, 0, tzinfo=BERLIN), tick=False):
        services_changes.change_request_rollout(
            change=change, by=team.user(Role.PM), date=datetime.date(2026, 11, 18), note="全员"
        )
    change.refresh_from_db()
    assert change.status == "closed"
    assert "1 approved this week" in approved_this_week(team, MONDAY)


def test_new_issues_are_counted_by_the_projects_week_boundaries(team):
    in_berlin(team)
    for title, when in (
        ("周日深夜", datetime.datetime(2026, 11, 22, 23, 59, tzinfo=BERLIN)),
        ("周一零点", datetime.datetime(2026, 11, 23, 0, 0, tzinfo=BERLIN)),
    ):
        with time_machine.travel(when, tick=False):
            services_issues.issue_create(
                project=team.project,
                reporter=team.user(Role.KEY_USER),
                report=None,
                draft=services_issues.IssueDraft(title=title, description="d", severity="low"),
            )
    assert "1 new this week" in issues(team.project, MONDAY, SUNDAY)["summary"]
    assert "1 new this week" in issues(team.project, NEXT_MONDAY, NEXT_MONDAY + datetime.timedelta(days=6))["summary"]
