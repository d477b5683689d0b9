"""Who is expected to report, and the compliance page (D-LOG-3, D-LOG-4)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from issues.compliance import (
    FILED,
    LATE,
    MISSING,
    compliance,
    expected_reporters,
    heat_map,
    heat_map_read,
    missing_reporters,
)
from issues.models import DailyReport, IssueSettings
from issues.periods import Cadence
from issues.services import calendar_day_set, report_no_problems
from projects.core.models import Membership
from projects.permissions import Role

MONDAY = datetime.date(2026, 10, 12)
START = datetime.date(2026, 1, 1)


@pytest.fixture
def sales(team, make_user):
    """The team's key user 张伟 in 销售部 plus two more: 王芳 (销售部) and 李娜 (客服部)."""
    team.members[Role.KEY_USER].department = "销售部"
    team.members[Role.KEY_USER].save()
    team.user(Role.KEY_USER).full_name = "张伟"  # the fixture's name depends on the active language
    team.user(Role.KEY_USER).save()
    for name, department in (("王芳", "销售部"), ("李娜", "客服部")):
        Membership.objects.create(
            project=team.project, user=make_user(full_name=name), role=Role.KEY_USER, department=department
        )
    Membership.objects.filter(project=team.project).update(active_from=START)
    return {m.user.full_name: m for m in Membership.objects.filter(project=team.project, role=Role.KEY_USER)}


def file_report(membership, day, *, late=False, cadence=Cadence.DAILY):
    return DailyReport.objects.create(
        project=membership.project,
        reporter=membership.user,
        cadence=cadence,
        period_start=day,
        no_problems=True,
        is_late=late,
    )


def names(memberships):
    return sorted(m.user.full_name for m in memberships)


def test_only_roles_expected_to_report_are_expected(team, sales):
    assert names(expected_reporters(team.project, MONDAY)) == ["张伟", "李娜", "王芳"]


def test_nobody_is_expected_on_a_weekend(team, sales):
    assert expected_reporters(team.project, datetime.date(2026, 10, 11)) == []


def test_membership_dates_are_respected(team, sales):
    sales["王芳"].active_from = MONDAY + datetime.timedelta(days=1)
    sales["王芳"].save()
    sales["李娜"].active_until = MONDAY - datetime.timedelta(days=1)
    sales["李娜"].save()
    assert names(expected_reporters(team.project, MONDAY)) == ["张伟"]
    assert "王芳" in names(expected_reporters(team.project, MONDAY + datetime.timedelta(days=1)))


def test_an_ended_membership_is_not_expected_from_the_day_it_ended(team, sales):
    # Ended at 09:00 Shanghai on Monday: still expected on Friday before, not on Monday.
    sales["王芳"].ended_at = datetime.datetime(2026, 10, 12, 1, 0, tzinfo=datetime.UTC)
    sales["王芳"].save()
    assert "王芳" not in names(expected_reporters(team.project, MONDAY))
    assert "王芳" in names(expected_reporters(team.project, datetime.date(2026, 10, 9)))


def test_a_deactivated_account_is_not_expected(team, sales):
    sales["李娜"].user.is_active = False
    sales["李娜"].user.save()
    assert "李娜" not in names(expected_reporters(team.project, MONDAY))


def test_no_problems_counts_as_filed(team, sales):
    file_report(sales["王芳"], MONDAY)
    assert names(missing_reporters(team.project, MONDAY)) == ["张伟", "李娜"]


def test_weekly_cadence_expects_one_report_per_week_with_a_working_day(team, sales):
    IssueSettings.objects.create(project=team.project, report_cadence=Cadence.WEEKLY)
    file_report(sales["李娜"], MONDAY, cadence=Cadence.WEEKLY)
    friday = MONDAY + datetime.timedelta(days=4)
    assert names(missing_reporters(team.project, friday)) == ["张伟", "王芳"]
    # The National Day week (9/28–10/4) still has working days (9/28–9/30); a week all off would not.
    for offset in range(5):
        calendar_day_set(
            project=team.project, date=MONDAY + datetime.timedelta(days=7 + offset), is_working=False, name=""
        )
    assert expected_reporters(team.project, MONDAY + datetime.timedelta(days=9)) == []


def test_a_weekly_report_still_covers_its_days_after_the_cadence_became_daily(team, sales):
    file_report(sales["王芳"], datetime.date(2026, 10, 5), cadence=Cadence.WEEKLY)
    file_report(sales["李娜"], datetime.date(2026, 10, 1), cadence=Cadence.MONTHLY)
    wednesday = datetime.date(2026, 10, 7)
    assert names(missing_reporters(team.project, wednesday)) == ["张伟"]
    assert names(missing_reporters(team.project, datetime.date(2026, 11, 2))) == ["张伟", "李娜", "王芳"]


def test_monthly_report_is_expected_once_in_the_month(team, sales):
    IssueSettings.objects.create(project=team.project, report_cadence=Cadence.MONTHLY)
    file_report(sales["王芳"], datetime.date(2026, 10, 1), cadence=Cadence.MONTHLY)
    assert names(missing_reporters(team.project, datetime.date(2026, 10, 30))) == ["张伟", "李娜"]


def test_shares_over_the_last_30_working_days_count_late_reports(team, sales):
    calendar_day_set(project=team.project, date=datetime.date(2026, 10, 20), is_working=False, name="公司假日")
    today = datetime.date(2026, 11, 20)
    result = compliance(team.project, today)
    assert len(result.periods) == 30
    assert result.periods[-1].end == datetime.date(2026, 11, 19)
    days = [period.start for period in result.periods]
    assert datetime.date(2026, 10, 20) not in days and days[0] == datetime.date(2026, 10, 8)
    for day in days:  # 王芳 files every day, the last five late
        file_report(sales["王芳"], day, late=day >= datetime.date(2026, 11, 13))
    for day in days[:15]:  # 李娜 files half
        file_report(sales["李娜"], day)

    result = compliance(team.project, today)
    people = {row.membership.user.full_name: row for row in result.people}
    assert (people["王芳"].share.filed, people["王芳"].share.late, people["王芳"].share.percent) == (30, 5, 100)
    assert [state for _, state in people["王芳"].marks][-6:] == [FILED, LATE, LATE, LATE, LATE, LATE]
    assert (people["李娜"].share.filed, people["李娜"].share.percent) == (15, 50)
    assert people["张伟"].share.percent == 0 and people["张伟"].marks[0][1] == MISSING
    departments = {row.name: row for row in result.departments}
    assert (departments["销售部"].people, departments["销售部"].share.filed, departments["销售部"].share.expected) == (
        2,
        30,
        60,
    )
    assert departments["客服部"].share.percent == 50
    assert result.total.expected == 90 and result.total.filed == 45
    # The worst first, so the PM sees whom to talk to.
    assert [row.membership.user.full_name for row in result.people] == ["张伟", "李娜", "王芳"]


def test_a_new_member_is_only_counted_from_their_first_day(team, sales):
    today = datetime.date(2026, 11, 20)
    sales["李娜"].active_from = datetime.date(2026, 11, 16)
    sales["李娜"].save()
    row = {r.membership.user.full_name: r for r in compliance(team.project, today).people}["李娜"]
    assert row.share.expected == 4  # Monday 16 to Thursday 19


def test_todays_missing_reporters_are_listed(team, sales):
    file_report(sales["王芳"], MONDAY)
    result = compliance(team.project, MONDAY)
    assert names(result.missing_now) == ["张伟", "李娜"]
    assert (result.filed_now, result.expected_now) == (1, 3)


# --- The page --------------------------------------------------------------------------


@pytest.fixture
def shanghai_monday(time_machine):
    time_machine.move_to(datetime.datetime(2026, 10, 12, 10, 0, tzinfo=datetime.UTC))


def test_leadership_sees_who_has_not_filed_today(client, team, sales, shanghai_monday):
    file_report(sales["王芳"], MONDAY)
    client.force_login(team.user(Role.SPONSOR))
    page = client.get(reverse("issues:compliance", kwargs={"code": "SCRM"}))
    assert page.status_code == 200
    text = page.content.decode()
    missing = text.split("have not filed yet")[1].split("</ul>")[0]
    assert "李娜" in missing and "张伟" in missing and "王芳" not in missing
    assert "1 of 3 reports filed." in text


def test_page_says_when_today_is_not_a_working_day(client, team, sales, shanghai_monday):
    calendar_day_set(project=team.project, date=MONDAY, is_working=False, name="假")
    client.force_login(team.user(Role.PM))
    text = client.get(reverse("issues:compliance", kwargs={"code": "SCRM"})).content.decode()
    assert "Not a working day: nobody is expected to report." in text


def test_compliance_page_query_count_does_not_grow_with_members_or_reports(
    client, team, sales, make_user, fetch_raise, shanghai_monday
):
    client.force_login(team.user(Role.PM))
    url = reverse("issues:compliance", kwargs={"code": "SCRM"})
    today = timezone.localdate()
    client.get(url)  # the first visit creates the project's issue settings
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for number in range(12):
        membership = Membership.objects.create(
            project=team.project,
            user=make_user(),
            role=Role.KEY_USER,
            department=f"部门{number % 4}",
            active_from=START,
        )
        for offset in range(1, 25):
            file_report(membership, today - datetime.timedelta(days=offset), late=offset % 3 == 0)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
    assert len(many) <= 8, [q["sql"] for q in many.captured_queries]


# --- The dashboard's heat map ------------------------------------------------------------------


def test_heat_map_marks_each_working_day_filed_late_or_missing_worst_first(team, sales):
    friday = datetime.date(2026, 10, 9)
    file_report(sales["王芳"], friday)
    file_report(sales["王芳"], friday - datetime.timedelta(days=1), late=True)
    for offset in range(40):
        file_report(sales["李娜"], friday - datetime.timedelta(days=offset))
    data = heat_map_read(team.project, MONDAY)
    assert len(data.days) == 20 and data.days[-1] == friday and data.days[0] == datetime.date(2026, 9, 14)
    assert all(day.weekday() < 5 for day in data.days)  # the weekends are not columns
    assert [name for name, _states in data.people] == ["张伟", "王芳", "李娜"]  # the most missed first
    states = dict(data.people)
    assert set(states["张伟"]) == {MISSING}
    assert states["王芳"][-2:] == (LATE, FILED) and set(states["王芳"][:-2]) == {MISSING}
    assert set(states["李娜"]) == {FILED}
    assert data.reporters == 3


def test_heat_map_leaves_days_before_a_member_joined_blank(team, sales):
    sales["李娜"].active_from = datetime.date(2026, 10, 8)
    sales["李娜"].save()
    states = dict(heat_map_read(team.project, MONDAY).people)["李娜"]
    assert states[:-2] == ("",) * 18 and states[-2:] == (MISSING, MISSING)


def test_heat_map_does_not_call_a_weekly_report_missing_before_its_week_is_over(team, sales):
    IssueSettings.objects.create(project=team.project, report_cadence=Cadence.WEEKLY)
    wednesday = datetime.date(2026, 10, 14)
    file_report(sales["李娜"], MONDAY, cadence=Cadence.WEEKLY)
    states = dict(heat_map_read(team.project, wednesday).people)
    assert states["李娜"][-2:] == (FILED, FILED)  # this week's Monday and Tuesday, covered
    assert states["张伟"][-2:] == ("", "")  # this week is not over: not missing yet
    assert states["张伟"][-3] == MISSING  # last week's Friday


def test_heat_map_shows_the_people_who_missed_most_and_counts_everyone(team, sales, make_user, monkeypatch):
    monkeypatch.setattr("issues.compliance.HEAT_MAP_PEOPLE", 2)
    for offset in range(30):
        file_report(sales["李娜"], MONDAY - datetime.timedelta(days=offset + 1))
    data = heat_map_read(team.project, MONDAY)
    assert [name for name, _states in data.people] == ["张伟", "王芳"] and data.reporters == 3


def test_heat_map_reads_with_four_queries_however_many_people_and_reports(team, sales, make_user):
    IssueSettings.objects.create(project=team.project)
    with CaptureQueriesContext(connection) as few:
        heat_map_read(team.project, MONDAY)
    for _number in range(10):
        membership = Membership.objects.create(
            project=team.project, user=make_user(), role=Role.KEY_USER, active_from=START
        )
        for offset in range(1, 30):
            file_report(membership, MONDAY - datetime.timedelta(days=offset), late=offset % 4 == 0)
    with CaptureQueriesContext(connection) as many:
        assert heat_map_read(team.project, MONDAY).reporters == 13
    assert len(many) == len(few) == 4


def test_heat_map_is_kept_until_a_report_is_filed(team, sales, django_capture_on_commit_callbacks):
    today = team.project.local_today()
    assert heat_map(team.project, today) == heat_map(team.project, today)  # the second from the cache
    with CaptureQueriesContext(connection) as cached:
        heat_map(team.project, today)
    assert len(cached) == 0
    with django_capture_on_commit_callbacks(execute=True):
        report_no_problems(project=team.project, reporter=team.user(Role.KEY_USER), day=_previous_working_day(today))
    states = dict(heat_map(team.project, today).people)
    assert states["张伟"][-1] in (FILED, LATE)


def test_heat_map_is_forgotten_when_the_calendar_changes(team, sales, django_capture_on_commit_callbacks):
    today = team.project.local_today()
    last = heat_map(team.project, today).days[-1]
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_set(project=team.project, date=last, is_working=False, name="调休")
    assert last not in heat_map(team.project, today).days


def _previous_working_day(day):
    day -= datetime.timedelta(days=1)
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day
