"""Issue 16, point 10 (no undo): the PM reopens an issue resolved by mistake, with a reason; the
reporter corrects her issue while it is still new. Both are lines of the issue's history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from issues import services
from issues.models import Issue, IssueEvent
from issues.transitions import TRANSITIONS
from projects.core.models import Membership
from projects.permissions import Role

from .conftest import image_file

S = Issue.Status


def login(user):
    client = Client()
    client.force_login(user)
    return client


def act(client, issue, action, **data):
    return client.post(
        reverse("issues:action", kwargs={"code": "SCRM", "number": issue.number, "action": action}), data
    )


def resolved(team, issue):
    pm = team.user(Role.PM)
    services.issue_analyse(issue=issue, by=pm, context="电话了解", likely_cause="操作错误", category="user_error")
    return services.issue_resolve(issue=issue, by=pm, cause="操作错误", fix="已培训")


@pytest.fixture
def another_key_user(team, make_user):
    user = make_user("key-user-2@example.com", full_name="另一位关键用户")
    Membership.objects.create(project=team.project, user=user, role=Role.KEY_USER, active_from="2026-01-01")
    return user


def test_pm_reopens_a_mistakenly_resolved_issue_with_a_reason(team, file_issue):
    issue = resolved(team, file_issue())
    pm = login(team.user(Role.PM))
    with translation.override("en"):
        assert "Reopen" in pm.get(issue.get_absolute_url()).content.decode()

    response = act(pm, issue, "unresolve", reason="标错了，客户仍无法导出")

    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.status == S.ANALYSING and issue.resolved_at is None
    line = issue.events.filter(kind=IssueEvent.Kind.STATUS).last()
    assert (line.from_status, line.to_status, line.text) == (S.RESOLVED, S.ANALYSING, "标错了，客户仍无法导出")
    assert line.actor == team.user(Role.PM)
    assert "标错了，客户仍无法导出" in pm.get(issue.get_absolute_url()).content.decode()


def test_pm_also_reopens_a_closed_issue(team, file_issue):
    issue = resolved(team, file_issue())
    services.issue_confirm(issue=issue, by=team.user(Role.KEY_USER))
    issue = services.issue_unresolve(issue=issue, by=team.user(Role.PM), reason="确认错了")
    assert issue.status == S.ANALYSING and issue.closed_at is None and issue.resolved_at is None


def test_reopen_needs_a_reason(team, file_issue):
    issue = resolved(team, file_issue())
    with pytest.raises(ValidationError):
        services.issue_unresolve(issue=issue, by=team.user(Role.PM), reason="  ")
    response = act(login(team.user(Role.PM)), issue, "unresolve", reason="")
    assert response.status_code == 400
    issue.refresh_from_db()
    assert issue.status == S.RESOLVED


def test_only_a_triager_reopens_a_resolved_issue(team, file_issue):
    issue = resolved(team, file_issue())
    with pytest.raises(PermissionDenied):
        services.issue_unresolve(issue=issue, by=team.user(Role.SPONSOR), reason="我觉得没修好")
    with pytest.raises(services.TransitionRefused):
        services.issue_unresolve(issue=file_issue(), by=team.user(Role.PM), reason="还没解决呢")


def test_reporter_edits_her_issue_while_it_is_new(team, file_issue):
    issue = file_issue(title="导出失败")
    reporter = login(team.user(Role.KEY_USER))
    with translation.override("en"):
        assert "Edit" in reporter.get(issue.get_absolute_url()).content.decode()

    response = act(
        reporter, issue, "correct", title="客户列表导出 Excel 失败", description="导出 3000 条以上时报错", category=""
    )

    assert response.status_code == 302
    issue.refresh_from_db()
    assert (issue.title, issue.description) == ("客户列表导出 Excel 失败", "导出 3000 条以上时报错")
    line = issue.events.get(kind=IssueEvent.Kind.EDIT)
    assert line.actor == team.user(Role.KEY_USER)
    assert line.changes["title"] == ["导出失败", "客户列表导出 Excel 失败"], "stored as facts: field and values"
    team.user(Role.KEY_USER).__class__.objects.filter(pk=team.user(Role.KEY_USER).pk).update(language="zh-hans")
    page = reporter.get(issue.get_absolute_url()).content.decode()
    assert "标题" in page and "客户列表导出 Excel 失败" in page, "worded in the reader's language"


def test_reporter_cannot_edit_after_triage(team, file_issue):
    issue = file_issue()
    services.issue_analyse(issue=issue, by=team.user(Role.PM), context="c", likely_cause="l", category="defect")
    with pytest.raises(services.TransitionRefused):
        services.issue_correct(issue=issue, by=team.user(Role.KEY_USER), title="改标题", description="d", category="")
    reporter = login(team.user(Role.KEY_USER))
    assert act(reporter, issue, "correct", title="改标题", description="d").status_code == 403
    correct_url = reverse("issues:action", kwargs={"code": "SCRM", "number": issue.number, "action": "correct"})
    assert correct_url not in reporter.get(issue.get_absolute_url()).content.decode()
    issue.refresh_from_db()
    assert issue.title != "改标题"


def test_another_key_user_cannot_edit_her_issue(team, file_issue, another_key_user):
    issue = file_issue()
    with pytest.raises(PermissionDenied):
        services.issue_correct(issue=issue, by=another_key_user, title="别人的", description="d", category="")
    other = login(another_key_user)
    assert act(other, issue, "correct", title="别人的", description="d").status_code == 403
    correct_url = reverse("issues:action", kwargs={"code": "SCRM", "number": issue.number, "action": "correct"})
    assert correct_url not in other.get(issue.get_absolute_url()).content.decode()
    issue.refresh_from_db()
    assert issue.title != "别人的"


def test_the_page_offers_exactly_what_the_table_allows(team, file_issue, another_key_user):
    new = file_issue()
    done = resolved(team, file_issue())
    for issue in (new, done):
        for user in [*(team.user(role) for role in Role if role != Role.CONSULTANT), another_key_user]:
            membership = Membership.objects.select_related("project").get(project=team.project, user=user)
            page = login(user).get(issue.get_absolute_url()).content.decode()
            for name, action in TRANSITIONS.actions.items():
                if not action.step:
                    continue
                url = reverse("issues:action", kwargs={"code": "SCRM", "number": issue.number, "action": name})
                assert (url in page) == action.allowed(membership, issue), (user, issue.status, name)


# --- A closed project: every step refused, in the service and on the page -----------------------


def _close(team):
    from projects.core.models import Project

    Project.objects.filter(pk=team.project.pk).update(status=Project.Status.CLOSED)


def test_the_reporter_cannot_confirm_or_reopen_on_a_closed_project(team, file_issue):
    from projects.permissions import ProjectReadOnly

    issue = resolved(team, file_issue())
    _close(team)
    reporter = login(team.user(Role.KEY_USER))
    assert act(reporter, issue, "confirm").status_code == 403
    assert act(reporter, issue, "reopen", reason="还是不行").status_code == 403
    with pytest.raises(ProjectReadOnly):
        services.issue_confirm(issue=issue, by=team.user(Role.KEY_USER))
    with pytest.raises(ProjectReadOnly):
        services.issue_reopen(issue=issue, by=team.user(Role.KEY_USER), reason="还是不行")
    with pytest.raises(ProjectReadOnly):
        services.issue_unresolve(issue=issue, by=team.user(Role.PM), reason="标错了")
    issue.refresh_from_db()
    assert issue.status == S.RESOLVED
    page = reporter.get(issue.get_absolute_url()).content.decode()
    assert "/confirm/" not in page and "/reopen/" not in page


def test_the_reporter_cannot_edit_on_a_closed_project(team, file_issue):
    from projects.permissions import ProjectReadOnly

    issue = file_issue()
    _close(team)
    with pytest.raises(ProjectReadOnly):
        services.issue_correct(issue=issue, by=team.user(Role.KEY_USER), title="t", description="d", category="")
    assert act(login(team.user(Role.KEY_USER)), issue, "correct", title="t", description="d").status_code == 403


def test_no_screenshots_are_added_on_a_closed_project(team, file_issue):
    from projects.permissions import ProjectReadOnly

    issue = file_issue()
    _close(team)
    url = reverse("issues:screenshots_add", kwargs={"code": "SCRM", "number": issue.number})
    response = login(team.user(Role.KEY_USER)).post(url, {"screenshots": [image_file()]})
    assert response.status_code == 403
    with pytest.raises(ProjectReadOnly):
        services.issue_add_screenshots(issue=issue, files=[image_file()], by=team.user(Role.KEY_USER))
    assert issue.screenshots.count() == 0
    assert not issue.events.filter(kind=IssueEvent.Kind.EDIT).exists()


def test_an_empty_screenshot_post_records_nothing(team, file_issue):
    issue = file_issue()
    url = reverse("issues:screenshots_add", kwargs={"code": "SCRM", "number": issue.number})
    response = login(team.user(Role.KEY_USER)).post(url, {})
    assert response.status_code == 302
    assert not issue.events.filter(kind=IssueEvent.Kind.EDIT).exists()
    with pytest.raises(ValidationError):
        services.issue_add_screenshots(issue=issue, files=[], by=team.user(Role.KEY_USER))


def test_added_screenshots_are_a_fact_worded_when_read(team, file_issue):
    issue = file_issue()
    services.issue_add_screenshots(issue=issue, files=[image_file(), image_file()], by=team.user(Role.KEY_USER))
    line = issue.events.get(kind=IssueEvent.Kind.EDIT)
    assert line.changes == {"screenshots": [0, 2]} and line.text == ""
    with translation.override("zh-hans"):
        assert [(str(label), old, new) for label, old, new in line.changed_fields()] == [("截图", 0, 2)]


def test_a_consultant_cannot_add_screenshots_to_an_issue_not_theirs(team, file_issue):
    issue = file_issue()
    with pytest.raises(PermissionDenied):
        services.issue_add_screenshots(issue=issue, files=[image_file()], by=team.user(Role.SPONSOR))
