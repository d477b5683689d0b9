"""One tap from the reminder (issue 19): the e-mail carries a signed, single-use link that files
"no problems" for that person, that project and that period only, and expires with the period."""

import datetime
import re

import pytest
from django.core import signing
from django.urls import reverse

from issues.models import DailyReport, IssueSettings
from issues.notifications import reminders_send
from issues.periods import Cadence
from issues.report_links import report_link_token
from projects.core.models import Membership
from projects.notifications.models import OutboundEmail
from projects.permissions import Role

UTC = datetime.UTC
MONDAY = datetime.date(2026, 10, 12)
MONDAY_EVENING = datetime.datetime(2026, 10, 12, 9, 30, tzinfo=UTC)  # 17:30 in Shanghai


@pytest.fixture(autouse=True)
def monday_evening(time_machine):
    time_machine.move_to(MONDAY_EVENING, tick=False)


def _link(team, role=Role.KEY_USER, day=MONDAY, cadence=Cadence.DAILY, project=None):
    user = team.user(role)
    project = project or team.project
    token = report_link_token(user_id=user.pk, project_id=project.pk, period_start=day, cadence=cadence)
    return reverse("issues:report_link", kwargs={"code": project.code, "token": token})


def _report(team, role=Role.KEY_USER):
    return DailyReport.objects.filter(project=team.project, reporter=team.user(role)).first()


def test_the_reminder_email_carries_the_one_tap_link(team, client):
    reminders_send(project=team.project, now=MONDAY_EVENING)
    email = OutboundEmail.objects.get(template="daily-reminder", to_user=team.user(Role.KEY_USER))
    [path] = re.findall(r"https?://[^/\s]+(/p/SCRM/report/link/[^\s\"<]+/)", email.body_text)
    assert path in email.body_html
    response = client.post(path)
    assert response.status_code == 200
    assert _report(team).no_problems


def test_opening_the_link_files_nothing_and_shows_the_button(team, client):
    response = client.get(_link(team))
    page = response.content.decode()
    assert response.status_code == 200
    assert _report(team) is None, "a link scanner opening it files nothing"
    assert '<form method="post"' in page and "No problems today" in page
    assert reverse("issues:report", kwargs={"code": "SCRM"}) in page, "the full form is one link away"


def test_the_tap_files_no_problems_without_signing_in(team, client):
    response = client.post(_link(team))
    assert response.status_code == 200
    report = _report(team)
    assert report.no_problems and report.period_start == MONDAY and not report.is_late
    assert "_auth_user_id" not in client.session, "signs nobody in"
    assert client.get(reverse("issues:report", kwargs={"code": "SCRM"})).status_code == 302


def test_the_link_works_once(team, client):
    url = _link(team)
    assert client.post(url).status_code == 200
    DailyReport.objects.all().delete()
    response = client.post(url)
    assert response.status_code == 410
    assert _report(team) is None, "a second tap files nothing"
    assert "already been used" in client.get(url).content.decode()


def test_the_link_expires_with_its_period(team, client, time_machine):
    url = _link(team)
    time_machine.move_to(datetime.datetime(2026, 10, 12, 16, 30, tzinfo=UTC), tick=False)  # 00:30 Tuesday
    response = client.post(url)
    assert response.status_code == 410
    assert _report(team) is None
    assert "expired" in client.get(url).content.decode()


def test_a_weekly_link_lasts_the_week(team, client, time_machine):
    IssueSettings.objects.update_or_create(project=team.project, defaults={"report_cadence": Cadence.WEEKLY})
    url = _link(team, cadence=Cadence.WEEKLY)
    time_machine.move_to(datetime.datetime(2026, 10, 16, 9, 0, tzinfo=UTC), tick=False)  # Friday
    assert client.post(url).status_code == 200
    assert _report(team).period_start == MONDAY


def test_a_changed_token_files_nothing(team, client):
    url = _link(team)
    token = url.rstrip("/").rsplit("/", 1)[1]
    payload = signing.loads(token, salt="issues.report-link")
    for changed in ({**payload, "u": team.user(Role.PM).pk}, {**payload, "s": "2026-10-11"}):
        forged = signing.dumps(changed, salt="another-salt")
        assert client.post(reverse("issues:report_link", kwargs={"code": "SCRM", "token": forged})).status_code == 404
    assert client.post(url.replace(token, token[:-2] + "xx")).status_code == 404
    assert DailyReport.objects.count() == 0


def test_a_link_files_only_its_own_persons_report(team, client):
    client.post(_link(team))
    assert list(DailyReport.objects.values_list("reporter__email", flat=True)) == ["key_user@example.com"]


def test_a_link_cannot_be_used_for_another_project(team, client):
    Membership.objects.create(project=team.other_project, user=team.user(Role.KEY_USER), role=Role.KEY_USER)
    token = report_link_token(
        user_id=team.user(Role.KEY_USER).pk, project_id=team.project.pk, period_start=MONDAY, cadence=Cadence.DAILY
    )
    response = client.post(reverse("issues:report_link", kwargs={"code": "OTHER", "token": token}))
    assert response.status_code == 404
    assert DailyReport.objects.count() == 0


def test_a_link_of_someone_who_left_files_nothing(team, client):
    url = _link(team)
    Membership.objects.filter(user=team.user(Role.KEY_USER)).update(ended_at=MONDAY_EVENING)
    assert client.post(url).status_code == 404
    assert DailyReport.objects.count() == 0


def test_the_link_is_not_a_key_to_anything_else(team, client):
    token = _link(team).rstrip("/").rsplit("/", 1)[1]
    response = client.get(reverse("issues:report", kwargs={"code": "SCRM"}), {"token": token})
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    with pytest.raises(signing.BadSignature):
        signing.loads(token)  # another salt (e.g. a session or a password-reset token) does not read it


def test_the_link_page_is_in_chinese_for_a_chinese_reader(team, client):
    team.user(Role.KEY_USER).language = "zh-hans"
    team.user(Role.KEY_USER).save()
    page = client.get(_link(team)).content.decode()
    assert "今日无问题" in page
