"""Reminders, the PM's daily digest and the knowledge digest, driven by the beat dispatcher
with the clock moved across two time zones (D-LOG-2, D-LOG-3, D-ISS-4)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from issues.models import Article, DailyReport, Issue, IssueSettings
from issues.periods import Cadence
from issues.services import calendar_day_set
from issues.tasks import dispatch_daily_mail
from projects.core.models import Membership, Project
from projects.notifications.models import OutboundEmail
from projects.permissions import Role

UTC = datetime.UTC
MONDAY = datetime.date(2026, 10, 12)


def at_utc(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=UTC)


@pytest.fixture
def projects(team, make_user):
    """SCRM in Asia/Shanghai (UTC+8) with three key users, BCRM in Europe/Berlin (UTC+2 in October)
    with two; both remind at 17:00 local."""
    for _ in range(2):
        Membership.objects.create(project=team.project, user=make_user(), role=Role.KEY_USER)
    berlin = Project.objects.create(code="BCRM", name="Berlin rollout", time_zone="Europe/Berlin")
    Membership.objects.create(project=berlin, user=make_user(), role=Role.PM)
    for _ in range(2):
        Membership.objects.create(project=berlin, user=make_user(), role=Role.KEY_USER)
    Membership.objects.update(active_from=datetime.date(2026, 1, 1))
    return team.project, berlin


def reminders(project=None) -> list[OutboundEmail]:
    emails = OutboundEmail.objects.filter(template="daily-reminder")
    return list(emails.filter(project=project) if project else emails)


def key_users(project) -> list[Membership]:
    return list(Membership.objects.filter(project=project, role=Role.KEY_USER).select_related("user"))


def tick(time_machine, moment: datetime.datetime) -> None:
    time_machine.move_to(moment, tick=False)
    dispatch_daily_mail.delay()


# --- Reminders -----------------------------------------------------------------------


def test_reminders_follow_each_projects_local_time(time_machine, projects):
    shanghai, berlin = projects
    tick(time_machine, at_utc(MONDAY, 8, 55))  # 16:55 in Shanghai
    assert reminders() == []

    tick(time_machine, at_utc(MONDAY, 9, 0))  # 17:00 in Shanghai, 11:00 in Berlin
    assert {e.to_email for e in reminders(shanghai)} == {m.user.email for m in key_users(shanghai)}
    assert reminders(berlin) == []

    tick(time_machine, at_utc(MONDAY, 9, 5))  # a second tick adds nothing
    assert len(reminders()) == 3

    tick(time_machine, at_utc(MONDAY, 15, 5))  # 17:05 in Berlin
    assert {e.to_email for e in reminders(berlin)} == {m.user.email for m in key_users(berlin)}
    assert len(reminders()) == 5
    assert {e.key for e in reminders(berlin)} == {
        f"daily-reminder:{berlin.pk}:{m.user_id}:2026-10-12" for m in key_users(berlin)
    }


def test_a_missed_tick_catches_up_until_local_midnight(time_machine, projects):
    shanghai, _berlin = projects
    tick(time_machine, at_utc(MONDAY, 15, 55))  # 23:55 in Shanghai: beat was down all evening
    assert len(reminders(shanghai)) == 3
    tick(time_machine, at_utc(MONDAY, 16, 5))  # 00:05 Tuesday in Shanghai: Tuesday's reminder time not reached
    assert len(reminders(shanghai)) == 3


def test_the_next_working_day_brings_a_new_reminder(time_machine, projects):
    shanghai, _berlin = projects
    tick(time_machine, at_utc(MONDAY, 9, 30))
    tick(time_machine, at_utc(MONDAY + datetime.timedelta(days=1), 9, 30))
    assert len(reminders(shanghai)) == 6


def test_no_reminder_on_a_public_holiday_or_a_weekend(time_machine, projects):
    shanghai, _berlin = projects
    calendar_day_set(project=shanghai, date=datetime.date(2026, 10, 1), is_working=False, name="国庆节")
    tick(time_machine, at_utc(datetime.date(2026, 10, 1), 12))
    tick(time_machine, at_utc(datetime.date(2026, 10, 3), 12))
    assert reminders(shanghai) == []


def test_a_make_up_saturday_brings_reminders(time_machine, projects):
    shanghai, _berlin = projects
    calendar_day_set(project=shanghai, date=datetime.date(2026, 10, 10), is_working=True, name="调休")
    tick(time_machine, at_utc(datetime.date(2026, 10, 10), 12))
    assert len(reminders(shanghai)) == 3


def test_who_filed_no_problems_is_not_reminded(time_machine, projects):
    shanghai, _berlin = projects
    filer, *others = key_users(shanghai)
    DailyReport.objects.create(
        project=shanghai, reporter=filer.user, cadence=Cadence.DAILY, period_start=MONDAY, no_problems=True
    )
    tick(time_machine, at_utc(MONDAY, 10))
    assert {e.to_email for e in reminders(shanghai)} == {m.user.email for m in others}


def test_the_reminder_links_to_the_report_page_in_the_recipients_language(time_machine, projects):
    shanghai, _berlin = projects
    reporter = key_users(shanghai)[0].user
    reporter.language = "zh-hans"
    reporter.save()
    tick(time_machine, at_utc(MONDAY, 10))
    email = OutboundEmail.objects.get(template="daily-reminder", to_email=reporter.email)
    assert "https://crmgov.test/p/SCRM/report/" in email.body_text
    assert 'href="https://crmgov.test/p/SCRM/report/"' in email.body_html
    assert "日报" in email.subject


def test_weekly_cadence_reminds_on_the_last_working_day_of_the_week(time_machine, projects):
    shanghai, _berlin = projects
    IssueSettings.objects.create(project=shanghai, report_cadence=Cadence.WEEKLY)
    friday = MONDAY + datetime.timedelta(days=4)
    calendar_day_set(project=shanghai, date=friday, is_working=False, name="公司假日")
    for day in range(4):  # Monday–Wednesday: nothing, Thursday is now the last working day
        tick(time_machine, at_utc(MONDAY + datetime.timedelta(days=day), 10))
        assert len(reminders(shanghai)) == (3 if day == 3 else 0)
    tick(time_machine, at_utc(friday, 10))
    assert len(reminders(shanghai)) == 3


def test_an_ended_member_gets_no_reminder(time_machine, projects):
    shanghai, _berlin = projects
    leaver = key_users(shanghai)[0]
    leaver.ended_at = at_utc(MONDAY - datetime.timedelta(days=3), 2)
    leaver.save()
    tick(time_machine, at_utc(MONDAY, 10))
    assert leaver.user.email not in {e.to_email for e in reminders(shanghai)}
    assert len(reminders(shanghai)) == 2


# --- The daily digest -----------------------------------------------------------------


def make_issue(project, reporter, number, *, created_at, severity=Issue.Severity.MEDIUM, **fields):
    return Issue.objects.create(
        project=project,
        number=number,
        reporter=reporter,
        title=f"问题 {number}",
        description="…",
        severity=severity,
        created_at=created_at,
        **fields,
    )


def digests(project) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(template="daily-digest", project=project))


def test_pm_gets_one_digest_after_the_digest_time_with_new_missing_overdue_and_consultant_issues(
    time_machine, team, projects
):
    shanghai, _berlin = projects
    reporter = team.user(Role.KEY_USER)
    consultant = team.user(Role.CONSULTANT)
    DailyReport.objects.create(project=shanghai, reporter=reporter, cadence=Cadence.DAILY, period_start=MONDAY)
    # Friday 19:00 Shanghai (11:00 UTC) to Monday 19:00: the weekend's issue belongs to Monday's digest.
    make_issue(shanghai, reporter, 1, created_at=at_utc(datetime.date(2026, 10, 10), 3))
    make_issue(shanghai, reporter, 2, created_at=at_utc(MONDAY, 2), severity=Issue.Severity.CRITICAL)
    make_issue(shanghai, reporter, 3, created_at=at_utc(datetime.date(2026, 10, 9), 10))  # in Friday's digest
    make_issue(shanghai, reporter, 4, created_at=at_utc(MONDAY - datetime.timedelta(days=20), 2), severity="high")
    make_issue(
        shanghai,
        reporter,
        5,
        created_at=at_utc(MONDAY - datetime.timedelta(days=3), 2),
        status=Issue.Status.WITH_CONSULTANT,
        consultant=consultant,
        forwarded_at=at_utc(MONDAY - datetime.timedelta(days=2), 2),
    )

    tick(time_machine, at_utc(MONDAY, 10, 55))  # 18:55 in Shanghai
    assert digests(shanghai) == []
    tick(time_machine, at_utc(MONDAY, 11, 0))
    tick(time_machine, at_utc(MONDAY, 11, 5))
    [digest] = digests(shanghai)
    assert digest.to_email == team.user(Role.PM).email
    assert digest.key == f"daily-digest:{shanghai.pk}:2026-10-12"
    text = digest.body_text
    assert "SCRM daily digest" in digest.subject and "2 new, 2 not reported, 1 overdue" in digest.subject
    new_part = text.split("2 new issues since the last digest")[1].split("not reported")[0]
    assert "SCRM-0001" in new_part and "SCRM-0002" in new_part and "SCRM-0003" not in new_part
    assert "https://crmgov.test/p/SCRM/issues/2/" in new_part
    assert new_part.index("SCRM-0002") < new_part.index("SCRM-0001")  # critical first
    missing = text.split("2 people have not reported")[1].split("overdue")[0]
    assert reporter.full_name not in missing
    overdue = text.split("1 issue is overdue")[1].split("waiting on the consultant")[0]
    assert "SCRM-0004" in overdue
    consultant_part = text.split("1 issue is waiting on the consultant")[1]
    assert "SCRM-0005" in consultant_part and consultant.full_name in consultant_part
    assert "SCRM-0002" in digest.body_html and 'href="https://crmgov.test' in digest.body_html


def test_digest_links_are_absolute_issue_urls(time_machine, team, projects):
    shanghai, _berlin = projects
    issue = make_issue(shanghai, team.user(Role.KEY_USER), 7, created_at=at_utc(MONDAY, 2))
    tick(time_machine, at_utc(MONDAY, 12))
    [digest] = digests(shanghai)
    assert f"https://crmgov.test{issue.get_absolute_url()}" in digest.body_text


def test_no_digest_on_a_holiday(time_machine, projects):
    shanghai, _berlin = projects
    calendar_day_set(project=shanghai, date=MONDAY, is_working=False, name="假")
    tick(time_machine, at_utc(MONDAY, 12))
    assert digests(shanghai) == []


def test_digest_follows_the_projects_digest_time_in_its_time_zone(time_machine, projects):
    _shanghai, berlin = projects
    IssueSettings.objects.create(project=berlin, digest_time=datetime.time(8, 30))
    tick(time_machine, at_utc(MONDAY, 6, 25))  # 08:25 in Berlin
    assert digests(berlin) == []
    tick(time_machine, at_utc(MONDAY, 6, 35))
    assert len(digests(berlin)) == 1


# --- The knowledge digest -------------------------------------------------------------


def publish(project, title, published_at):
    return Article.objects.create(
        project=project, title=title, symptom="导出失败", cause="权限", solution="联系管理员", published_at=published_at
    )


def test_new_articles_go_to_every_active_member_once(time_machine, team, projects):
    shanghai, _berlin = projects
    publish(shanghai, "客户导出失败怎么办", at_utc(MONDAY, 3))
    publish(shanghai, "旧文章", at_utc(datetime.date(2026, 10, 8), 3))  # sent with an earlier digest
    tick(time_machine, at_utc(MONDAY, 11, 5))
    tick(time_machine, at_utc(MONDAY, 11, 10))
    emails = OutboundEmail.objects.filter(template="kb-digest", project=shanghai)
    members = Membership.objects.active().filter(project=shanghai)
    assert sorted(e.to_email for e in emails) == sorted(m.user.email for m in members)
    email = emails.first()
    assert "客户导出失败怎么办" in email.body_text and "旧文章" not in email.body_text
    assert email.key == f"kb-digest:{shanghai.pk}:2026-10-12"


def test_no_knowledge_digest_when_nothing_was_published(time_machine, projects):
    tick(time_machine, at_utc(MONDAY, 12))
    assert not OutboundEmail.objects.filter(template="kb-digest").exists()


def test_an_article_published_on_the_weekend_goes_out_on_monday(time_machine, projects):
    shanghai, _berlin = projects
    publish(shanghai, "周末文章", at_utc(datetime.date(2026, 10, 11), 3))
    tick(time_machine, at_utc(datetime.date(2026, 10, 11), 12))  # Sunday: no digest
    assert not OutboundEmail.objects.filter(template="kb-digest").exists()
    tick(time_machine, at_utc(MONDAY, 12))
    assert OutboundEmail.objects.filter(template="kb-digest", project=shanghai).exists()


def test_dispatcher_queries_do_not_grow_with_projects_before_anything_is_due(time_machine, projects, make_user):
    tick(time_machine, at_utc(MONDAY, 1))
    with CaptureQueriesContext(connection) as few:
        tick(time_machine, at_utc(MONDAY, 1, 5))
    per_project = (len(few) - 1) / Project.objects.count()
    for number in range(3):
        Project.objects.create(code=f"P{number}X", name=f"Project {number}")
    tick(time_machine, at_utc(MONDAY, 1, 10))
    with CaptureQueriesContext(connection) as more:
        tick(time_machine, at_utc(MONDAY, 1, 15))
    assert len(more) == 1 + per_project * Project.objects.count()


def test_the_beat_schedule_runs_the_dispatcher_every_five_minutes():
    from crmgov.celery import app

    entry = app.conf.beat_schedule["issues-daily-mail"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 300.0
