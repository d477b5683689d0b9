"""The issues' and changes' panels on the project dashboard."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from issues import rollups
from issues.models import Issue
from projects.permissions import Role

DASHBOARD = reverse("projects:dashboard", kwargs={"code": "SCRM"})


@pytest.fixture
def sponsor_client(client, team):
    client.force_login(team.user(Role.SPONSOR))
    return client


@pytest.fixture
def add_issue(team):
    numbers = iter(range(1, 10_000))

    def add(days_ago=0, severity="medium", status=Issue.Status.NEW, resolved_days_ago=None):
        now = timezone.now()
        issue = Issue.objects.create(
            project=team.project,
            number=next(numbers),
            reporter=team.user(Role.KEY_USER),
            title="导出失败",
            description="报错",
            severity=severity,
            status=status,
            created_at=now - datetime.timedelta(days=days_ago),
            resolved_at=None if resolved_days_ago is None else now - datetime.timedelta(days=resolved_days_ago),
        )
        # Written past the services (which keep the rollup exact), so recount the rollup.
        rollups.issue_days_refresh(project=team.project, moments=[issue.created_at, issue.resolved_at])
        return issue

    return add


def _panel(response, key):
    return next(panel for panel in response.context["panels"] if panel["key"] == key)


def test_backlog_by_severity_and_ageing_count_open_issues_only(sponsor_client, add_issue):
    add_issue(days_ago=2, severity="critical")
    add_issue(days_ago=20, severity="high")
    add_issue(days_ago=45, severity="high")
    add_issue(days_ago=200, severity="low")
    add_issue(days_ago=3, severity="critical", status=Issue.Status.CLOSED)
    response = sponsor_client.get(DASHBOARD)
    backlog = _panel(response, "issue-backlog")["chart"]["series"][0]["data"]
    assert backlog == [1, 2, 0, 1]  # critical, high, medium, low
    ageing = _panel(response, "issue-ageing")["chart"]["series"][0]["data"]
    assert ageing == [1, 1, 1, 1]  # 0–7, 8–30, 31–90, over 90 days


def test_opened_and_resolved_per_week_cover_twelve_weeks_only(sponsor_client, add_issue):
    add_issue(days_ago=0, status=Issue.Status.RESOLVED, resolved_days_ago=0)
    add_issue(days_ago=0)
    add_issue(days_ago=200)  # outside the window
    flow = _panel(sponsor_client.get(DASHBOARD), "issue-flow")
    opened, resolved = (series["data"] for series in flow["chart"]["series"])
    assert len(opened) == 12 and opened[-1] == 2 and sum(opened) == 2
    assert resolved[-1] == 1 and sum(resolved) == 1
    assert len(flow["rows"]) == 12


def test_the_control_chart_marks_a_burst_week(sponsor_client, add_issue):
    for week in range(1, 12):
        add_issue(days_ago=7 * week)
    for _n in range(15):
        add_issue(days_ago=0)
    control = _panel(sponsor_client.get(DASHBOARD), "issue-control")
    assert control["chart"]["out_of_control"] == [11]
    assert any(row[2] for row in control["rows"])


def test_change_funnel_and_leaderboard_panels_are_shown(sponsor_client):
    page = sponsor_client.get(DASHBOARD).content.decode()
    assert "Change requests by status" in page and "Recognition this month" in page


def test_query_count_does_not_grow_with_issues(sponsor_client, add_issue, no_lazy_loads):
    add_issue()
    with no_lazy_loads(), CaptureQueriesContext(connection) as few:
        assert sponsor_client.get(DASHBOARD).status_code == 200
    for n in range(40):
        add_issue(days_ago=n * 3, severity=("critical", "high", "medium", "low")[n % 4])
    with no_lazy_loads(), CaptureQueriesContext(connection) as many:
        assert sponsor_client.get(DASHBOARD).status_code == 200
    assert len(many) == len(few)
    print(f"dashboard queries: {len(many)}")


def test_charts_start_from_static_js_with_nonced_scripts(sponsor_client):
    page = sponsor_client.get(DASHBOARD).content.decode()
    assert "static/js/dashboard-charts.js" in page and "vendor/echarts/echarts.min.js" in page
    assert '<script id="panel-issue-control-data" type="application/json">' in page
    for tag in page.split("<script")[1:]:
        opening = tag.split(">")[0]
        assert 'nonce="' in opening or "application/json" in opening


def test_the_dashboard_speaks_chinese(client, team):
    user = team.user(Role.SPONSOR)
    user.language = "zh-hans"
    user.save()
    client.force_login(user)
    page = client.get(DASHBOARD).content.decode()
    assert "仪表板" in page and "控制图" in page
