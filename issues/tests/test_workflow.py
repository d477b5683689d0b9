import pytest
from django.core import mail
from django.urls import reverse

from issues import services
from issues.models import Issue, IssueEvent, PointAward
from projects.permissions import Role

S = Issue.Status


def act(client, issue, action, **data):
    return client.post(
        reverse("issues:action", kwargs={"code": "SCRM", "number": issue.number, "action": action}), data
    )


@pytest.fixture
def clients(client, team):
    from django.test import Client

    def as_role(role):
        c = Client()
        c.force_login(team.user(role))
        return c

    return as_role


def analysed(issue, team):
    return services.issue_analyse(
        issue=issue,
        by=team.user(Role.PM),
        context="周二下午导出 3000 条客户时出现",
        likely_cause="导出超时",
        category="defect",
    )


def test_the_whole_path_from_report_to_confirmation(team, file_issue, clients, django_capture_on_commit_callbacks):
    issue = file_issue()
    pm, consultant, reporter = clients(Role.PM), clients(Role.CONSULTANT), clients(Role.KEY_USER)

    assert (
        act(pm, issue, "analyse", context="周二下午导出时出现", likely_cause="导出超时", category="defect").status_code
        == 302
    )
    issue.refresh_from_db()
    assert issue.status == S.ANALYSING

    forward_form = pm.get(issue.get_absolute_url()).content.decode()
    assert "周二下午导出时出现" in forward_form, "the forward form is pre-filled with an objective summary"
    with django_capture_on_commit_callbacks(execute=True):
        response = act(
            pm, issue, "forward", consultant=team.user(Role.CONSULTANT).pk, summary="事实：导出 3000 条时报 500"
        )
    assert response.status_code == 302
    issue.refresh_from_db()
    assert issue.status == S.WITH_CONSULTANT and issue.consultant == team.user(Role.CONSULTANT)
    assert mail.outbox[-1].to == ["consultant@example.com"]

    assert consultant.get(issue.get_absolute_url()).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert act(consultant, issue, "solution", solution="调大导出超时并改为异步导出").status_code == 302
    issue.refresh_from_db()
    assert issue.status == S.SOLUTION_PROPOSED

    with django_capture_on_commit_callbacks(execute=True):
        assert act(pm, issue, "resolve", cause="同步导出超时", fix="改为异步导出").status_code == 302
    issue.refresh_from_db()
    assert issue.status == S.RESOLVED
    assert mail.outbox[-1].to == ["key_user@example.com"]

    assert act(reporter, issue, "confirm").status_code == 302
    issue.refresh_from_db()
    assert issue.status == S.CLOSED and issue.closed_at is not None
    kinds = list(issue.events.values_list("kind", "to_status"))
    assert kinds == [
        ("created", "new"),
        ("status", "analysing"),
        ("status", "with_consultant"),
        ("status", "solution_proposed"),
        ("status", "resolved"),
        ("status", "closed"),
    ]


def test_forwarding_requires_the_analysis(team, file_issue):
    issue = file_issue()
    with pytest.raises(services.ValidationError):
        services.issue_forward(issue=issue, by=team.user(Role.PM), consultant=team.user(Role.CONSULTANT), summary="x")


def test_resolving_requires_cause_and_fix(team, file_issue, clients):
    issue = analysed(file_issue(), team)
    response = act(clients(Role.PM), issue, "resolve", cause="", fix="")
    assert response.status_code == 400
    issue.refresh_from_db()
    assert issue.status == S.ANALYSING


def test_the_consultant_sees_only_issues_forwarded_to_them(team, file_issue, clients):
    hidden = file_issue(title="没有转给顾问的问题")
    forwarded = analysed(file_issue(title="转给顾问的问题"), team)
    services.issue_forward(
        issue=forwarded, by=team.user(Role.PM), consultant=team.user(Role.CONSULTANT), summary="事实"
    )
    consultant = clients(Role.CONSULTANT)
    assert consultant.get(hidden.get_absolute_url()).status_code == 404
    assert consultant.get(forwarded.get_absolute_url()).status_code == 200
    listing = consultant.get(reverse("issues:list", kwargs={"code": "SCRM"})).content.decode()
    assert "转给顾问的问题" in listing and "没有转给顾问的问题" not in listing


def test_only_the_reporter_confirms_or_reopens(team, file_issue, clients):
    issue = analysed(file_issue(), team)
    services.issue_resolve(issue=issue, by=team.user(Role.PM), cause="操作错误", fix="培训")
    assert act(clients(Role.PM), issue, "confirm").status_code == 403
    assert act(clients(Role.KEY_USER), issue, "reopen", reason="还是不行").status_code == 302
    issue.refresh_from_db()
    assert issue.status == S.ANALYSING


def test_a_key_user_cannot_triage(team, file_issue, clients):
    issue = file_issue()
    assert (
        act(clients(Role.KEY_USER), issue, "analyse", context="x", likely_cause="y", category="defect").status_code
        == 403
    )


def test_two_people_acting_at_once_cannot_both_win(team, file_issue):
    issue = analysed(file_issue(), team)
    stale = Issue.objects.get(pk=issue.pk)
    services.issue_reject(issue=issue, by=team.user(Role.PM), reason="不是问题")
    with pytest.raises(services.TransitionRefused):
        services.issue_defer(issue=stale, by=team.user(Role.PM), reason="以后再说")
    issue.refresh_from_db()
    assert issue.status == S.REJECTED


def test_duplicate_links_the_original(team, file_issue, clients):
    original = file_issue(title="原始问题")
    copy = file_issue(title="重复的问题")
    assert act(clients(Role.PM), copy, "duplicate", original=original.number).status_code == 302
    copy.refresh_from_db()
    assert copy.status == S.DUPLICATE and copy.duplicate_of == original
    page = clients(Role.KEY_USER).get(copy.get_absolute_url()).content.decode()
    assert f'Duplicate of <a href="/p/SCRM/issues/{original.number}/">SCRM-{original.number:04d} 原始问题</a>' in page
    assert act(clients(Role.PM), original, "duplicate", original=original.number).status_code == 400


def test_points_for_genuine_issues_only_and_once(team, file_issue):
    critical = analysed(file_issue(severity="critical"), team)
    services.issue_resolve(issue=critical, by=team.user(Role.PM), cause="c", fix="f")
    rejected = file_issue(severity="critical")
    services.issue_reject(issue=rejected, by=team.user(Role.PM), reason="不是问题")
    duplicate = file_issue(severity="high")
    services.issue_mark_duplicate(issue=duplicate, by=team.user(Role.PM), original=critical)
    awards = list(PointAward.objects.values_list("issue_id", "points"))
    assert awards == [(critical.pk, 8)]


def test_edits_and_comments_are_in_the_history(team, file_issue, clients):
    issue = file_issue(severity="low")
    pm = clients(Role.PM)
    edit_url = reverse("issues:edit", kwargs={"code": "SCRM", "number": issue.number})
    assert pm.post(edit_url, {"title": issue.title, "severity": "critical", "category": "question"}).status_code == 302
    pm.post(reverse("issues:comment", kwargs={"code": "SCRM", "number": issue.number}), {"text": "已电话联系报告人"})
    events = IssueEvent.objects.filter(issue=issue)
    edit = events.get(kind="edit")
    assert edit.changes["severity"] == ["low", "critical"], "kept as facts, worded when read"
    assert events.get(kind="comment").text == "已电话联系报告人"
    page = pm.get(issue.get_absolute_url()).content.decode()
    assert "已电话联系报告人" in page and "Critical" in page


def test_consultant_records_a_remote_session(team, file_issue, clients):
    issue = analysed(file_issue(), team)
    services.issue_forward(issue=issue, by=team.user(Role.PM), consultant=team.user(Role.CONSULTANT), summary="事实")
    response = act(
        clients(Role.CONSULTANT),
        issue,
        "session",
        kind="remote",
        held_at="2026-11-20T14:00",
        duration_minutes=30,
        notes="远程查看了导出日志",
    )
    assert response.status_code == 302
    assert issue.sessions.get().notes == "远程查看了导出日志"


@pytest.mark.parametrize("held_at", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_a_session_dated_outside_1900_to_2100_gets_a_form_error(team, file_issue, clients, held_at):
    issue = analysed(file_issue(), team)
    services.issue_forward(issue=issue, by=team.user(Role.PM), consultant=team.user(Role.CONSULTANT), summary="事实")
    response = act(
        clients(Role.CONSULTANT), issue, "session", kind="remote", held_at=held_at, duration_minutes=30, notes="日志"
    )
    assert response.status_code == 400
    assert "between 1900 and 2100" in response.content.decode()
    assert not issue.sessions.exists()


def test_issue_page_query_count_does_not_grow_with_history(team, file_issue, clients, fetch_raise):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .conftest import image_file

    issue = file_issue()
    pm = clients(Role.PM)
    with CaptureQueriesContext(connection) as few:
        assert pm.get(issue.get_absolute_url()).status_code == 200
    for n in range(6):
        services.issue_comment(issue=issue, by=team.user(Role.PM), text=f"备注 {n}")
    services.issue_add_screenshots(issue=issue, files=[image_file(), image_file()], by=team.user(Role.PM))
    with CaptureQueriesContext(connection) as many:
        assert pm.get(issue.get_absolute_url()).status_code == 200
    assert len(many) == len(few)


def test_other_apps_can_add_links_to_an_issue_page(team, file_issue, clients):
    from issues.extensions import IssueLink, issue_link_providers

    def hook(issue, membership):
        if issue.category == "question" and membership.can("issues.triage"):
            return [IssueLink("Hooked", f"/hooked/{issue.pk}/")]
        return []

    with issue_link_providers.temporarily(hook):
        issue = services.issue_analyse(
            issue=file_issue(), by=team.user(Role.PM), context="c", likely_cause="l", category="question"
        )
        assert f"/hooked/{issue.pk}/" in clients(Role.PM).get(issue.get_absolute_url()).content.decode()
        assert "/hooked/" not in clients(Role.KEY_USER).get(issue.get_absolute_url()).content.decode()


def test_the_consultant_can_contact_the_reporter_directly(team, file_issue, clients):
    issue = services.issue_analyse(
        issue=file_issue(), by=team.user(Role.PM), context="c", likely_cause="l", category="defect"
    )
    services.issue_forward(issue=issue, by=team.user(Role.PM), consultant=team.user(Role.CONSULTANT), summary="事实")
    page = clients(Role.CONSULTANT).get(issue.get_absolute_url()).content.decode()
    assert 'href="mailto:key_user@example.com"' in page


def test_the_consultant_does_not_see_the_title_of_an_unforwarded_original(team, file_issue, clients):
    """Issue 17: "duplicate of" showed the title of an issue never forwarded to the consultant."""
    original = file_issue(title="未转交的原始问题")
    copy = file_issue(title="转交过的问题")
    Issue.objects.filter(pk=copy.pk).update(consultant=team.user(Role.CONSULTANT))
    services.issue_mark_duplicate(issue=Issue.objects.get(pk=copy.pk), by=team.user(Role.PM), original=original)
    page = clients(Role.CONSULTANT).get(copy.get_absolute_url()).content.decode()
    assert "转交过的问题" in page
    assert "未转交的原始问题" not in page
    assert f"SCRM-{original.number:04d}" in page  # the reference alone, without a link
    assert f'href="/p/SCRM/issues/{original.number}/"' not in page


def test_adding_a_module_whose_name_exists_is_a_form_error(team, clients, module):
    """Issue 17: a 500 before (the form did not check the name against the project's modules)."""
    url = reverse("issues:module_add", kwargs={"code": "SCRM"})
    data = {"module-name": module.name, "module-position": 1, "module-is_active": "on"}
    response = clients(Role.PM).post(url, data)
    assert response.status_code == 400
    assert "already" in response.content.decode()
