"""What waits for me (issue 19): one list across all my projects, built by the apps' work sources
from the same permission rules as their pages, a count in the top bar, and the landing after login."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from changes import services as services_changes
from issues import services as services_issues
from projects.core.models import Membership, Project
from projects.core.work import count_key, my_work
from projects.escalations.services import escalation_acknowledge, escalation_open
from projects.permissions import Role
from projects.plan import services as services_plan
from projects.registry import Detected
from projects.steering import services as services_steering
from projects.tests.factories import baselined_plan

TODAY = datetime.datetime(2026, 10, 13, 2, 0, tzinfo=datetime.UTC)  # a Tuesday, 10:00 in Shanghai


@pytest.fixture(autouse=True)
def tuesday(time_machine):
    time_machine.move_to(TODAY, tick=False)


def kinds(user) -> dict[str, list]:
    return {group.key: group.items for group in my_work(user)}


def _escalation(project):
    facts = Detected(instance="", title="上线延期", what_happened="延期", consequences="10 天")
    return escalation_open(project=project, kind="other", detected=facts, automatic=False)


def _issue(team, title="导出失败", reporter=None, project=None):
    return services_issues.issue_create(
        project=project or team.project,
        reporter=reporter or team.user(Role.KEY_USER),
        report=None,
        draft=services_issues.IssueDraft(title=title, description="报错", severity="high"),
    )


def _forwarded(team, issue):
    pm = team.user(Role.PM)
    services_issues.issue_analyse(issue=issue, by=pm, context="周二", likely_cause="超时", category="defect")
    return services_issues.issue_forward(issue=issue, by=pm, consultant=team.user(Role.CONSULTANT), summary="请看")


def test_key_user_sees_their_missing_report_one_tap_from_the_report_page(team):
    items = kinds(team.user(Role.KEY_USER))["daily-report"]
    assert [item.url for item in items] == [reverse("issues:report", kwargs={"code": "SCRM"})]
    services_issues.report_no_problems(
        project=team.project, reporter=team.user(Role.KEY_USER), day=datetime.date(2026, 10, 13)
    )
    assert "daily-report" not in kinds(team.user(Role.KEY_USER)), "filing the report empties the list"


def test_no_report_is_waiting_on_a_day_off(team, time_machine):
    time_machine.move_to(datetime.datetime(2026, 10, 17, 2, 0, tzinfo=datetime.UTC), tick=False)  # Saturday
    assert "daily-report" not in kinds(team.user(Role.KEY_USER))


def test_reporter_is_asked_to_confirm_a_resolved_issue(team):
    issue = _issue(team)
    pm = team.user(Role.PM)
    services_issues.issue_analyse(issue=issue, by=pm, context="周二", likely_cause="超时", category="defect")
    services_issues.issue_resolve(issue=issue, by=pm, cause="超时", fix="调大超时")
    [item] = kinds(team.user(Role.KEY_USER))["issue-confirm"]
    assert item.url == issue.get_absolute_url()
    services_issues.issue_confirm(issue=issue, by=team.user(Role.KEY_USER))
    assert "issue-confirm" not in kinds(team.user(Role.KEY_USER))


def test_consultant_sees_only_the_issues_forwarded_to_them(team, make_user):
    _forwarded(team, _issue(team, "导出失败"))
    _issue(team, "没有转给顾问")
    other = make_user()
    Membership.objects.create(project=team.project, user=other, role=Role.CONSULTANT)
    items = kinds(team.user(Role.CONSULTANT))["issue-forwarded"]
    assert [item.title for item in items] == ["SCRM-0001 导出失败"]
    assert "issue-forwarded" not in kinds(other)
    assert "issue-forwarded" not in kinds(team.user(Role.PM))


def test_sponsor_sees_the_escalation_to_acknowledge_until_acknowledged(team):
    escalation = _escalation(team.project)
    sponsor = team.user(Role.SPONSOR)
    [item] = kinds(sponsor)["escalation"]
    assert item.url == reverse("projects:escalation_acknowledge", kwargs={"code": "SCRM", "pk": escalation.pk})
    escalation_acknowledge(escalation=escalation, user=sponsor)
    assert "escalation" not in kinds(sponsor)


def test_sponsor_sees_the_rebaseline_to_decide_but_not_the_pm_who_asked(team):
    pm = team.user(Role.PM)
    baselined_plan(team.project, pm, slip_days=10)
    request = services_plan.rebaseline_request_create(
        project=team.project, requested_by=pm, reason="数据迁移延期", extra_cost=Decimal("20000")
    )
    [item] = kinds(team.user(Role.SPONSOR))["decision"]
    assert item.url == reverse("projects:rebaseline_detail", kwargs={"code": "SCRM", "pk": request.pk})
    assert "decision" not in kinds(pm)
    assert "decision" not in kinds(team.user(Role.KEY_USER))


def test_requester_is_asked_to_evaluate_the_proposed_options(team):
    key_user = team.user(Role.KEY_USER)
    change = services_changes.change_request_create(
        project=team.project, requester=key_user, title="客户查重", reason="重复客户", goal="录入时提示重复"
    )
    assert "change-options" not in kinds(key_user)
    services_changes.option_propose(
        change=change,
        by=team.user(Role.CONSULTANT),
        description="方案",
        cost_estimate=Decimal("8000"),
        schedule_impact_days=3,
    )
    [item] = kinds(key_user)["change-options"]
    assert item.url == change.get_absolute_url()
    assert "change-options" not in kinds(team.user(Role.PM))


def _action(team, owner, due):
    meeting = services_steering.meeting_create(
        project=team.project,
        created_by=team.user(Role.PM),
        title="指导委员会",
        starts_at=timezone.now() + datetime.timedelta(days=1),
        duration_minutes=60,
        location="总部",
    )
    return services_steering.action_item_add(meeting=meeting, title="提交迁移计划", owner=owner, due_date=due)


def test_action_item_owner_sees_items_due_today_or_overdue(team):
    steering = team.user(Role.STEERING)
    _action(team, steering, datetime.date(2026, 10, 10))
    _action(team, steering, datetime.date(2026, 10, 13))
    _action(team, steering, datetime.date(2026, 10, 20))
    items = kinds(steering)["action-item"]
    assert len(items) == 2
    assert items[0].age_days == 3, "the oldest first, with its age"


def test_nothing_from_a_closed_project_or_an_ended_membership(team, make_user):
    _escalation(team.project)
    team.project.status = Project.Status.CLOSED
    team.project.save()
    assert my_work(team.user(Role.SPONSOR)) == []
    assert my_work(team.user(Role.KEY_USER)) == []
    team.project.status = Project.Status.ACTIVE
    team.project.save()
    team.members[Role.SPONSOR].ended_at = timezone.now()
    team.members[Role.SPONSOR].save()
    assert my_work(team.user(Role.SPONSOR)) == []


def test_my_work_is_at_the_root_and_the_projects_list_stays_reachable(client, team):
    escalation = _escalation(team.project)
    client.force_login(team.user(Role.SPONSOR))
    page = client.get("/").content.decode()
    assert "上线延期" in page
    assert reverse("projects:escalation_acknowledge", kwargs={"code": "SCRM", "pk": escalation.pk}) in page
    assert "华南区销售CRM上线" in client.get(reverse("projects:my_projects")).content.decode()
    assert reverse("projects:my_projects") == "/projects/"


def test_my_work_page_is_in_chinese(client, team):
    team.user(Role.KEY_USER).language = "zh-hans"
    team.user(Role.KEY_USER).save()
    client.force_login(team.user(Role.KEY_USER))
    page = client.get(reverse("projects:my_work")).content.decode()
    assert "我的待办" in page and "今日报告未提交" in page


def _busy_sponsor(team, make_user, projects: int, escalations_each: int):
    """The sponsor of `projects` projects (the team's first), with escalations and forwarded issues."""
    sponsor = team.user(Role.SPONSOR)
    all_projects = [team.project]
    for n in range(projects - 1):
        project = Project.objects.create(code=f"P{n}X", name=f"项目{n}")
        Membership.objects.create(project=project, user=sponsor, role=Role.SPONSOR)
        all_projects.append(project)
    for project in all_projects:
        for _ in range(escalations_each):
            _escalation(project)
    return sponsor


def test_query_count_does_not_grow_with_projects_or_items(team, make_user, django_assert_max_num_queries, empty_cache):
    few = _busy_sponsor(team, make_user, projects=1, escalations_each=1)
    with django_assert_max_num_queries(12) as small:
        assert len(my_work(few)) == 1
    empty_cache()
    many = _busy_sponsor(team, make_user, projects=3, escalations_each=3)
    with django_assert_max_num_queries(len(small.captured_queries)):
        [group] = my_work(many)
        assert len(group.items) >= 10


def test_top_bar_shows_the_count_on_every_page_cached_for_a_minute(client, team, django_assert_num_queries):
    _escalation(team.project)
    client.force_login(team.user(Role.SPONSOR))
    badge = reverse("projects:my_work_badge")
    page = client.get(reverse("projects:my_projects")).content.decode()
    assert f'hx-get="{badge}"' in page, "not counted yet: the top bar fetches the count"
    assert 'data-my-work-count="1"' in client.get(badge).content.decode()
    assert cache.get(count_key(team.user(Role.SPONSOR).pk)) == 1
    _escalation(team.project)
    page = client.get(reverse("projects:my_projects")).content.decode()
    assert 'data-my-work-count="1"' in page, "read from the cache, not counted again"
    assert f'hx-get="{badge}"' not in page
    page = client.get(reverse("projects:my_work")).content.decode()
    assert 'data-my-work-count="2"' in page, "the list itself is always counted afresh"


def test_the_count_adds_no_query_to_a_page(client, team):
    _escalation(team.project)
    client.force_login(team.user(Role.SPONSOR))
    url = reverse("projects:detail", kwargs={"code": "SCRM"})
    with CaptureQueriesContext(connection) as cold:
        client.get(url)
    client.get(reverse("projects:my_work_badge"))
    with CaptureQueriesContext(connection) as warm:
        client.get(url)
    assert len(cold) == len(warm)


def test_acting_forgets_the_cached_count(client, team):
    escalation = _escalation(team.project)
    client.force_login(team.user(Role.SPONSOR))
    client.get(reverse("projects:my_work_badge"))
    assert cache.get(count_key(team.user(Role.SPONSOR).pk)) == 1
    url = reverse("projects:escalation_acknowledge", kwargs={"code": "SCRM", "pk": escalation.pk})
    client.post(url)
    assert cache.get(count_key(team.user(Role.SPONSOR).pk)) is None
    assert 'data-my-work-count="0"' in client.get(reverse("projects:my_work_badge")).content.decode()


# --- Landing after login -----------------------------------------------------------------------


def _login(client, email, next_url=None):
    data = {"login": email, "password": "password-123"}
    url = reverse("account_login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, data)


def test_key_user_with_one_project_lands_on_todays_report(client, team):
    response = _login(client, "key_user@example.com")
    assert response.url == reverse("issues:report", kwargs={"code": "SCRM"})
    page = client.get(response.url).content.decode()
    assert reverse("issues:report_no_problems", kwargs={"code": "SCRM"}) in page, "no problems: one tap"


def test_key_user_of_two_projects_and_everyone_else_land_on_my_work(client, team):
    Membership.objects.create(project=team.other_project, user=team.user(Role.KEY_USER), role=Role.KEY_USER)
    assert _login(client, "key_user@example.com").url == reverse("projects:my_work")
    client.logout()
    assert _login(client, "consultant@example.com").url == reverse("projects:my_work")


def test_login_with_a_next_address_goes_there(client, team):
    assert _login(client, "key_user@example.com", "/preferences/").url == "/preferences/"
