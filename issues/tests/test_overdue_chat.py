"""Overdue issues posted once per working day to the project's chat groups."""

import datetime

import pytest

from issues.tasks import dispatch_daily_mail
from issues.tests.test_notifications import MONDAY, at_utc, make_issue
from projects.notifications import services as services_notifications
from projects.notifications.models import ChatMessage
from projects.permissions import Role
from projects.tests.chat_server import ChatServer


@pytest.fixture
def server():
    with ChatServer() as running:
        yield running


@pytest.fixture
def tick(time_machine, django_capture_on_commit_callbacks):
    """A beat tick at `moment`; what it queues is delivered once it commits."""

    def run(_time_machine, moment):
        time_machine.move_to(moment, tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            dispatch_daily_mail.delay()

    return run


@pytest.fixture
def overdue(team, server):
    services_notifications.chat_webhook_save(
        project=team.project,
        by=team.user(Role.PM),
        name="项目群",
        platform="wecom",
        url=server.url("/hook"),
        events=["overdue_issues"],
    )
    reporter = team.user(Role.KEY_USER)
    old = at_utc(MONDAY - datetime.timedelta(days=20), 2)
    make_issue(team.project, reporter, 1, created_at=old, severity="high")
    make_issue(team.project, reporter, 2, created_at=old, severity="critical")
    make_issue(team.project, reporter, 3, created_at=at_utc(MONDAY, 1))  # not overdue yet
    make_issue(team.project, reporter, 4, created_at=old, status="resolved")
    return team.project


def test_overdue_issues_are_posted_once_a_working_day_after_the_digest_time(time_machine, tick, server, overdue):
    tick(time_machine, at_utc(MONDAY, 10, 55))  # 18:55 in Shanghai: before the digest time
    assert server.received == []
    tick(time_machine, at_utc(MONDAY, 11, 0))
    tick(time_machine, at_utc(MONDAY, 11, 5))  # a second tick the same day posts nothing more
    [request] = server.received
    content = request.json["markdown"]["content"]
    assert content.startswith("**SCRM：2 个问题已超期**")
    lines = content.splitlines()
    assert lines[1].startswith("SCRM-0002") and lines[2].startswith("SCRM-0001")  # critical first
    assert "SCRM-0003" not in content and "SCRM-0004" not in content
    assert "(https://crmgov.test/p/SCRM/issues/)" in content
    assert ChatMessage.objects.get().key.endswith(f"overdue-issues:{overdue.pk}:2026-10-12")
    tick(time_machine, at_utc(MONDAY + datetime.timedelta(days=1), 11, 5))
    assert len(server.received) == 2


def test_nothing_is_posted_on_a_weekend(time_machine, tick, server, overdue):
    tick(time_machine, at_utc(MONDAY - datetime.timedelta(days=1), 12))  # Sunday
    assert server.received == []


def test_nothing_is_posted_without_overdue_issues(time_machine, tick, server, overdue):
    overdue.issues.update(status="closed")
    tick(time_machine, at_utc(MONDAY, 12))
    assert server.received == []
