"""Remind now (issue 19): the PM reminds, from the compliance page, those who have not filed for
the current period — at once, once per person per period, and is told whom."""

import datetime

import pytest
from django.urls import reverse

from issues.models import DailyReport, IssueSettings
from issues.notifications import reminders_send
from issues.periods import Cadence
from projects.core.models import Membership
from projects.notifications.models import OutboundEmail
from projects.permissions import Role

UTC = datetime.UTC
MONDAY = datetime.date(2026, 10, 12)
MONDAY_MORNING = datetime.datetime(2026, 10, 12, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture(autouse=True)
def monday_morning(time_machine):
    time_machine.move_to(MONDAY_MORNING, tick=False)


@pytest.fixture
def second_key_user(team, make_user):
    user = make_user("li@example.com", full_name="李娜")
    Membership.objects.create(project=team.project, user=user, role=Role.KEY_USER, active_from=MONDAY)
    return user


def reminders():
    return list(OutboundEmail.objects.filter(template="daily-reminder").order_by("to_email"))


def remind(client):
    return client.post(reverse("issues:compliance_remind", kwargs={"code": "SCRM"}), follow=True)


def test_pm_reminds_the_missing_reporters_at_once_and_is_told_whom(team, client, second_key_user):
    DailyReport.objects.create(
        project=team.project, reporter=second_key_user, cadence=Cadence.DAILY, period_start=MONDAY, no_problems=True
    )
    client.force_login(team.user(Role.PM))
    page = remind(client).content.decode()
    assert [email.to_email for email in reminders()] == ["key_user@example.com"]
    assert "Reminder sent to Key user." in page


def test_reminding_twice_sends_nothing_twice(team, client, second_key_user):
    client.force_login(team.user(Role.PM))
    remind(client)
    page = remind(client).content.decode()
    assert len(reminders()) == 2
    assert "Already reminded for this period: Key user, 李娜." in page


def test_the_scheduled_reminder_does_not_double_a_manual_one(team, client):
    client.force_login(team.user(Role.PM))
    remind(client)
    reminders_send(project=team.project, now=datetime.datetime(2026, 10, 12, 9, 30, tzinfo=UTC))
    assert len(reminders()) == 1


def test_a_weekly_reminder_is_sent_once_in_the_week(team, client, time_machine):
    IssueSettings.objects.update_or_create(project=team.project, defaults={"report_cadence": Cadence.WEEKLY})
    client.force_login(team.user(Role.PM))
    remind(client)  # Monday
    reminders_send(project=team.project, now=datetime.datetime(2026, 10, 16, 9, 30, tzinfo=UTC))  # Friday 17:30
    assert len(reminders()) == 1


def test_nobody_to_remind_when_everyone_has_filed(team, client):
    DailyReport.objects.create(
        project=team.project,
        reporter=team.user(Role.KEY_USER),
        cadence=Cadence.DAILY,
        period_start=MONDAY,
        no_problems=True,
    )
    client.force_login(team.user(Role.PM))
    page = remind(client).content.decode()
    assert reminders() == []
    assert "Everyone has filed: nobody to remind." in page


def test_the_compliance_page_offers_the_button_to_the_pm_only(team, client):
    url = reverse("issues:compliance", kwargs={"code": "SCRM"})
    button = reverse("issues:compliance_remind", kwargs={"code": "SCRM"})
    client.force_login(team.user(Role.PM))
    assert button in client.get(url).content.decode()
    client.force_login(team.user(Role.SPONSOR))
    assert button not in client.get(url).content.decode()


def test_the_message_is_in_chinese_for_a_chinese_pm(team, client):
    team.user(Role.PM).language = "zh-hans"
    team.user(Role.PM).save()
    client.force_login(team.user(Role.PM))
    assert "已提醒：" in remind(client).content.decode()
