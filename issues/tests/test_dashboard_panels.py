"""The issues' and changes' panels on the project dashboard."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from issues import rollups
from issues.models import DailyReport, Issue
from projects.core.models import Membership
from projects.permissions import Role
from projects.plan.models import BudgetLine

SINCE = datetime.date(2026, 1, 1)

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


def test_query_count_does_not_grow_with_issues_or_reports(
    sponsor_client, team, add_issue, make_user, no_lazy_loads, empty_cache
):
    add_issue()
    assert sponsor_client.get(DASHBOARD).status_code == 200  # creates the project's issue settings
    empty_cache()  # the compliance heat map is cached: count a cold read
    with no_lazy_loads(), CaptureQueriesContext(connection) as few:
        assert sponsor_client.get(DASHBOARD).status_code == 200
    for n in range(40):
        add_issue(days_ago=n * 3, severity=("critical", "high", "medium", "low")[n % 4])
    today = team.project.local_today()
    for _number in range(8):
        reporter = make_user()
        Membership.objects.create(project=team.project, user=reporter, role=Role.KEY_USER, active_from=SINCE)
        for days_ago in range(1, 30):
            day = today - datetime.timedelta(days=days_ago)
            DailyReport.objects.create(
                project=team.project, reporter=reporter, cadence="daily", period_start=day, is_late=days_ago % 5 == 0
            )
    empty_cache()
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


def test_the_compliance_heat_map_shows_who_filed_on_which_working_day(sponsor_client, team):
    key_user = team.user(Role.KEY_USER)
    today = team.project.local_today()
    yesterday = next(
        today - datetime.timedelta(days=n) for n in range(1, 8) if (today - datetime.timedelta(days=n)).weekday() < 5
    )
    DailyReport.objects.create(project=team.project, reporter=key_user, cadence="daily", period_start=yesterday)
    response = sponsor_client.get(DASHBOARD)
    panel = _panel(response, "compliance")
    chart = panel["chart"]
    assert chart["kind"] == "heatmap" and chart["people"] == [str(key_user)] and len(chart["categories"]) == 20
    assert chart["cells"][-1] == [19, 0, 2]  # yesterday: filed
    assert chart["cells"][0] == [0, 0, 0]  # four weeks ago: missing
    assert panel["rows"][0][0] == str(key_user) and panel["rows"][0][-1] == "filed"
    assert panel["columns"][-1] == f"{yesterday.month}-{yesterday.day}"
    page = response.content.decode()
    assert 'href="/p/SCRM/compliance/"' in page and "Compliance by person and department" in page


def test_the_budget_panel_shows_baseline_actual_and_forecast_with_exceptions(sponsor_client, team):
    team.project.budget_tolerance_percent = 10
    team.project.save()
    BudgetLine.objects.create(project=team.project, category="licences", baseline=100000, actual=40000, forecast=100000)
    BudgetLine.objects.create(project=team.project, category="custom", baseline=50000, actual=30000, forecast=80000)
    panel = _panel(sponsor_client.get(DASHBOARD), "budget-burn")
    assert panel["chart"]["categories"] == ["Licences", "Custom development"]
    assert [series["data"] for series in panel["chart"]["series"]] == [
        [100000.0, 50000.0],
        [40000.0, 30000.0],
        [100000.0, 80000.0],
    ]
    assert panel["rows"][-1] == ["Total", "150,000", "70,000", "180,000", "30,000 (+20.0 %) beyond tolerance"]
    assert panel["rows"][0][-1] == "0 (+0.0 %)"
    assert "Spent 70,000 of 150,000; forecast 180,000." in panel["summary"]
    assert "1 category is forecast beyond the tolerance of 10 %." in panel["summary"]


def test_a_project_without_a_budget_shows_an_empty_budget_panel(sponsor_client):
    panel = _panel(sponsor_client.get(DASHBOARD), "budget-burn")
    assert panel["chart"] is None and panel["rows"] == [] and panel["summary"] == ""


@pytest.fixture
def secret_panel(monkeypatch):
    """A panel only members who may configure the issues see (the PM, not the sponsor)."""
    from projects.permissions import Capability
    from projects.registry import DashboardPanel
    from projects.reporting import dashboards

    secret = DashboardPanel(
        "secret",
        "Secret figures",
        99,
        lambda project, reads: {"chart": None, "columns": [], "rows": []},
        Capability.ISSUES_CONFIGURE,
    )
    monkeypatch.setattr(dashboards, "dashboard_panels", [*dashboards.dashboard_panels, secret])
    return secret


def test_a_panel_is_shown_only_to_members_with_its_capability(sponsor_client, secret_panel):
    keys = [panel["key"] for panel in sponsor_client.get(DASHBOARD).context["panels"]]
    assert "secret" not in keys and "budget-burn" in keys and "compliance" in keys


# --- The dashboard's cache ----------------------------------------------------------------------


def test_the_dashboard_body_is_rendered_once_and_again_after_a_change(
    sponsor_client, team, django_capture_on_commit_callbacks
):
    from issues.services import IssueDraft, issue_create

    first = sponsor_client.get(DASHBOARD)
    assert _panel(first, "issue-backlog")["chart"]["series"][0]["data"] == [0, 0, 0, 0]
    with CaptureQueriesContext(connection) as cached:
        again = sponsor_client.get(DASHBOARD)
    assert again.content.decode().count('class="card h-100') == first.content.decode().count('class="card h-100')
    assert not [q for q in cached.captured_queries if "issues_issue" in q["sql"]]  # the body came from the cache
    with django_capture_on_commit_callbacks(execute=True):
        issue_create(
            project=team.project,
            reporter=team.user(Role.KEY_USER),
            report=None,
            draft=IssueDraft(title="打印失败", description="报错", severity="critical"),
        )
    page = sponsor_client.get(DASHBOARD).content.decode()
    backlog = page.split('id="panel-issue-backlog-data" type="application/json">')[1].split("</script>")[0]
    assert '"data": [1, 0, 0, 0]' in backlog


def test_a_milestone_edit_shows_on_the_dashboard_at_once(sponsor_client, team, django_capture_on_commit_callbacks):
    from projects.plan.services import milestone_save

    sponsor_client.get(DASHBOARD)
    with django_capture_on_commit_callbacks(execute=True):
        milestone_save(
            project=team.project,
            name="试点上线",
            phase=None,
            owner=None,
            baseline_date=datetime.date(2026, 12, 1),
            forecast_date=datetime.date(2026, 12, 20),
        )
    assert "试点上线" in sponsor_client.get(DASHBOARD).content.decode()


def test_each_language_has_its_own_dashboard_body(client, team):
    user = team.user(Role.SPONSOR)
    client.force_login(user)
    assert "Control chart of new issues per week" in client.get(DASHBOARD).content.decode()
    user.language = "zh-hans"
    user.save()
    page = client.get(DASHBOARD).content.decode()
    assert "控制图" in page and "Control chart of new issues per week" not in page


def test_a_cached_body_never_shows_a_panel_to_a_member_without_its_capability(client, team, secret_panel):
    client.force_login(team.user(Role.PM))  # may configure: sees it, and the body is cached
    assert "Secret figures" in client.get(DASHBOARD).content.decode()
    client.force_login(team.user(Role.SPONSOR))
    assert "Secret figures" not in client.get(DASHBOARD).content.decode()


def test_the_dashboard_says_how_fresh_its_figures_are(sponsor_client):
    page = sponsor_client.get(DASHBOARD).content.decode()
    assert "refreshed with every change and at least once a minute" in page
