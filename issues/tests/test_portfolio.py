"""The portfolio dashboard: every project the user leads, one screen, constant queries per project."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import SINCE
from issues import rollups
from issues.models import Issue
from projects.core.models import Membership, Project
from projects.permissions import Role
from projects.plan.models import BudgetLine
from projects.reporting import services as services_reporting
from projects.reporting.models import StatusSnapshot
from projects.reporting.tasks import refresh_status_snapshots
from projects.steering.models import AgendaItem, Meeting
from projects.tests.factories import milestone

PORTFOLIO = reverse("projects:portfolio")


def _lead(project, user):
    Membership.objects.create(project=project, user=user, role=Role.SPONSOR, active_from=SINCE)


def _fill(project, reporter, issues=3):
    milestone(project, "上线", datetime.date(2027, 3, 1), forecast=datetime.date(2027, 3, 11))
    BudgetLine.objects.create(
        project=project, category=BudgetLine.Category.values[0], baseline=Decimal(100), forecast=Decimal(120)
    )
    for number in range(1, issues + 1):
        Issue.objects.create(
            project=project,
            number=number,
            reporter=reporter,
            title="问题",
            description="x",
            created_at=timezone.now() - datetime.timedelta(days=7 * number),
        )
    rollups.rebuild(project)  # the issues were written past the services, which keep it exact


def test_portfolio_shows_go_live_budget_and_issue_trend(client, team):
    _fill(team.project, team.user(Role.KEY_USER))
    client.force_login(team.user(Role.SPONSOR))
    page = client.get(PORTFOLIO).content.decode()
    assert team.project.name in page and "Go-live" in page
    assert "baseline 2027-03-01, forecast 2027-03-11" in page and "10 days late" in page
    assert "20.00 (20.0 %)" in page  # budget variance
    card = StatusSnapshot.objects.get(project=team.project, language="en").figures["card"]
    assert sum(card["trends"]["new-issues"]) == 3
    assert " · ".join(str(n) for n in card["trends"]["new-issues"]) in page


def test_a_card_changes_when_its_snapshot_is_rebuilt(client, team):
    _fill(team.project, team.user(Role.KEY_USER))
    client.force_login(team.user(Role.SPONSOR))
    assert "20.00 (20.0 %)" in client.get(PORTFOLIO).content.decode()
    BudgetLine.objects.filter(project=team.project).update(forecast=Decimal(150))
    assert "20.00 (20.0 %)" in client.get(PORTFOLIO).content.decode()  # as of its snapshot, like the status
    refresh_status_snapshots()  # the beat, every five minutes
    page = client.get(PORTFOLIO).content.decode()
    assert "50.00 (50.0 %)" in page and "20.00 (20.0 %)" not in page


def test_only_projects_whose_dashboard_the_user_may_see_are_listed(client, team):
    client.force_login(team.user(Role.KEY_USER))
    response = client.get(PORTFOLIO)
    assert response.status_code == 200 and response.context["cards"] == []
    assert f'href="{PORTFOLIO}"' not in response.content.decode()  # no link in the navigation
    client.force_login(team.user(Role.STEERING))
    page = client.get(reverse("projects:my_projects")).content.decode()
    assert f'href="{PORTFOLIO}"' in page


def test_decisions_at_upcoming_meetings_are_listed(client, team):
    pm = team.user(Role.PM)
    soon, before = timezone.now() + datetime.timedelta(days=3), timezone.now() - datetime.timedelta(days=3)
    upcoming = Meeting.objects.create(project=team.project, title="第三次指导委员会", starts_at=soon, created_by=pm)
    past = Meeting.objects.create(project=team.project, title="上次", starts_at=before, created_by=pm)
    AgendaItem.objects.create(meeting=upcoming, title="批准预算追加", decision_required=True)
    AgendaItem.objects.create(meeting=upcoming, title="只是汇报")
    AgendaItem.objects.create(meeting=past, title="过去的决定", decision_required=True)
    client.force_login(team.user(Role.SPONSOR))
    titles = [item.title for item in client.get(PORTFOLIO).context["decisions"]]
    assert titles == ["批准预算追加"]


def _portfolio_queries(client, no_lazy_loads) -> tuple[int, list]:
    with no_lazy_loads(), CaptureQueriesContext(connection) as queries:
        response = client.get(PORTFOLIO)
    return len(queries), response.context["cards"]


def test_query_count_does_not_grow_with_the_projects_on_a_cold_cache(client, team, no_lazy_loads, settings):
    # No cache at all (never cache.clear(): on Redis it would wipe parallel tests' keys).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    user = team.user(Role.SPONSOR)
    client.force_login(user)
    reporter = team.user(Role.KEY_USER)
    _fill(team.project, reporter)
    counts = {}
    made = [team.project]
    for size in (1, 5):
        while len(made) < size:
            project = Project.objects.create(code=f"P{len(made)}X", name=f"项目{len(made)}")
            _lead(project, user)
            _fill(project, reporter, issues=len(made) * 5)
            made.append(project)
        refresh_status_snapshots()  # as the beat does every few minutes
        counts[size], rows = _portfolio_queries(client, no_lazy_loads)
        assert len(rows) == size
    assert counts[5] == counts[1]
    print(f"portfolio queries: {counts}")


def _shows_status(page: str, figures: dict) -> bool:
    """The page shows this overall status and every dimension's, as badges."""
    badges = {"green": "text-bg-success", "amber": "text-bg-warning", "red": "text-bg-danger"}
    shown = [
        f'{s["label"]} <span class="badge rounded-pill {badges[s["status"]]}">'
        for s in figures["sections"]
        if s["status"]
    ]
    overall = f'<span class="badge rounded-pill {badges[figures["overall"]]}">{figures["overall"]}</span>'
    return overall in page and all(badge in page for badge in shown)


def test_a_project_without_a_status_snapshot_gets_one_on_first_view(client, team):
    _fill(team.project, team.user(Role.KEY_USER))
    client.force_login(team.user(Role.SPONSOR))
    assert not StatusSnapshot.objects.exists()
    page = client.get(PORTFOLIO).content.decode()
    snapshot = StatusSnapshot.objects.get(project=team.project, language="en")
    assert _shows_status(page, snapshot.figures)


def test_the_status_shown_is_the_status_report_of_this_week(client, team):
    _fill(team.project, team.user(Role.KEY_USER))
    refresh_status_snapshots()
    client.force_login(team.user(Role.SPONSOR))
    page = client.get(PORTFOLIO).content.decode()
    live = services_reporting.build(team.project, services_reporting.week_of(team.project.local_today()), "en")
    assert _shows_status(page, live)


def test_the_portfolio_speaks_chinese(client, team):
    _fill(team.project, team.user(Role.KEY_USER))
    user = team.user(Role.SPONSOR)
    user.language = "zh-hans"
    user.save()
    client.force_login(user)
    page = client.get(PORTFOLIO).content.decode()
    assert "项目组合" in page and "预算偏差" in page and "晚 10 天" in page
    assert "数据截至" in page and "各项目的仪表盘会立即反映变更" in page  # how fresh the figures are
