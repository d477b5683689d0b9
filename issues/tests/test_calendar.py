"""The working-day calendar: parsing imports, the PM's page, and what it means for who must report."""

import datetime
import zoneinfo

import chinese_calendar
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crmgov.celery import app as celery_app
from issues.calendars import MAX_FILE_BYTES, WorkingCalendar, is_working_day, parse_calendar_file
from issues.compliance import expected_reporters
from issues.holidays import official_years
from issues.models import CalendarDay
from issues.services import calendar_day_remove, calendar_day_set, calendar_fill_due, calendar_fill_years
from issues.tasks import dispatch_calendar_fill
from projects.core.models import Membership, Project
from projects.permissions import Role

NATIONAL_DAY = datetime.date(2026, 10, 1)  # Thursday, 国庆节
MAKE_UP_SATURDAY = datetime.date(2026, 10, 10)


def upload(content: bytes, name: str = "holidays.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


ICS = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//test//EN\r
BEGIN:VEVENT\r
UID:1@test\r
SUMMARY:\xe5\x9b\xbd\xe5\xba\x86\xe8\x8a\x82\r
DTSTART;VALUE=DATE:20261001\r
DTEND;VALUE=DATE:20261008\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:2@test\r
SUMMARY:\xe5\x9b\xbd\xe5\xba\x86\xe8\x8a\x82\xe8\xa1\xa5\xe7\x8f\xad\r
DTSTART;VALUE=DATE:20261010\r
END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.fixture
def reporters(team, make_user):
    """Three key users (one from the team, two more), members since the start of 2026."""
    for department in ("销售部", "客服部"):
        Membership.objects.create(project=team.project, user=make_user(), role=Role.KEY_USER, department=department)
    Membership.objects.filter(project=team.project).update(active_from=datetime.date(2026, 1, 1))
    return list(Membership.objects.filter(project=team.project, role=Role.KEY_USER))


@pytest.fixture
def pm_client(client, team):
    client.force_login(team.user(Role.PM))
    return client


# --- What the calendar means -------------------------------------------------------


def test_on_a_public_holiday_nobody_is_expected_to_report(team, reporters):
    assert len(expected_reporters(team.project, datetime.date(2026, 9, 30))) == 3
    calendar_day_set(project=team.project, date=NATIONAL_DAY, is_working=False, name="国庆节")
    assert expected_reporters(team.project, NATIONAL_DAY) == []


def test_on_a_make_up_saturday_every_key_user_is_expected(team, reporters):
    assert expected_reporters(team.project, MAKE_UP_SATURDAY) == []
    calendar_day_set(project=team.project, date=MAKE_UP_SATURDAY, is_working=True, name="国庆节调休上班")
    expected = expected_reporters(team.project, MAKE_UP_SATURDAY)
    assert {m.pk for m in expected} == {m.pk for m in reporters}
    assert all(m.role == Role.KEY_USER for m in expected)


def test_the_2026_calendar_has_the_national_day_week_off_and_two_make_up_days(team):
    calendar_fill_years(project=team.project, years=[2026])
    calendar = WorkingCalendar(team.project, datetime.date(2026, 9, 14), datetime.date(2026, 10, 18))
    october = calendar.working_days(datetime.date(2026, 9, 28), datetime.date(2026, 10, 11))
    assert NATIONAL_DAY not in october and datetime.date(2026, 10, 7) not in october
    assert MAKE_UP_SATURDAY in october
    assert calendar.is_working(datetime.date(2026, 9, 20))  # the Sunday worked before the holiday
    assert not calendar.is_working(datetime.date(2026, 10, 5))
    # Spring Festival: nine days off, Saturday 2/14 and 2/28 worked.
    spring = WorkingCalendar(team.project, datetime.date(2026, 2, 14), datetime.date(2026, 2, 28))
    assert spring.working_days() == [
        datetime.date(2026, 2, 14),
        *[datetime.date(2026, 2, day) for day in (24, 25, 26, 27, 28)],
    ]


# --- Parsing -------------------------------------------------------------------------


def test_csv_with_header_chinese_types_and_names_is_read():
    days = parse_calendar_file(upload("日期,类型,名称\n2026-10-01,休,国庆节\n2026-10-10,班,国庆节调休\n".encode()))
    assert [(d.date, d.is_working, d.name) for d in days] == [
        (NATIONAL_DAY, False, "国庆节"),
        (MAKE_UP_SATURDAY, True, "国庆节调休"),
    ]


def test_gb18030_csv_saved_by_excel_with_slashed_dates_is_read():
    content = "日期,类型,名称\r\n2026/10/1,休,国庆节\r\n2026/10/10,补班,国庆节调休上班\r\n".encode("gb18030")
    days = parse_calendar_file(upload(content))
    assert [(d.date, d.is_working, d.name) for d in days] == [
        (NATIONAL_DAY, False, "国庆节"),
        (MAKE_UP_SATURDAY, True, "国庆节调休上班"),
    ]


def test_csv_errors_name_every_bad_line():
    content = b"2026-10-01,holiday,National Day\n2026-13-01,holiday,Nope\n2026-10-10,maybe,?\n"
    with pytest.raises(ValidationError) as error:
        parse_calendar_file(upload(content))
    messages = error.value.messages
    assert len(messages) == 2
    assert messages[0].startswith("Line 2:") and "2026-13-01" in messages[0]
    assert messages[1].startswith("Line 3:") and "maybe" in messages[1]


def test_the_same_date_as_holiday_and_workday_is_refused():
    with pytest.raises(ValidationError) as error:
        parse_calendar_file(upload(b"2026-10-10,holiday\n2026-10-10,workday\n"))
    assert "Line 2" in error.value.messages[0] and "line 1" in error.value.messages[0]


def test_ics_events_become_days_off_and_make_up_days():
    days = parse_calendar_file(upload(ICS, "holidays.ics"))
    off = [d.date for d in days if not d.is_working]
    assert off == [NATIONAL_DAY + datetime.timedelta(days=n) for n in range(7)]
    assert [d.date for d in days if d.is_working] == [MAKE_UP_SATURDAY]


def test_ics_with_a_byte_order_mark_is_still_read_as_icalendar():
    assert len(parse_calendar_file(upload(b"\xef\xbb\xbf" + ICS, "holidays.ics"))) == 8


def test_ics_event_without_a_start_is_named_in_the_error():
    broken = ICS.replace(b"DTSTART;VALUE=DATE:20261010\r\n", b"")
    with pytest.raises(ValidationError) as error:
        parse_calendar_file(upload(broken, "holidays.ics"))
    assert "Event 2" in error.value.messages[0]


def test_a_file_over_the_limit_is_refused_not_cut_short():
    big = b"2026-10-01,holiday,x\n" * (MAX_FILE_BYTES // 20 + 10)
    with pytest.raises(ValidationError, match="larger than 2 MB"):
        parse_calendar_file(upload(big))


@pytest.mark.parametrize("date", [b"99991231", b"00010101", b"18991231"])
def test_an_ics_day_outside_1900_to_2100_is_named_in_the_error(date):
    far = ICS.replace(b"DTSTART;VALUE=DATE:20261010", b"DTSTART;VALUE=DATE:" + date)
    with pytest.raises(ValidationError) as error:
        parse_calendar_file(upload(far, "holidays.ics"))
    assert "Event 2" in error.value.messages[0] and "between 1900 and 2100" in error.value.messages[0]


def test_a_csv_day_outside_1900_to_2100_is_named_in_the_error():
    with pytest.raises(ValidationError) as error:
        parse_calendar_file(upload(b"2026-10-01,holiday\n9999-12-31,holiday\n0001-01-01,workday\n"))
    assert [message[:7] for message in error.value.messages] == ["Line 2:", "Line 3:"]
    assert all("between 1900 and 2100" in message for message in error.value.messages)


def test_a_csv_field_over_128_kb_is_refused_with_its_line():
    huge = b"2026-10-01,holiday,National Day\n2026-10-02,holiday," + b"x" * 140_000 + b"\n"
    with pytest.raises(ValidationError) as error:
        parse_calendar_file(upload(huge))
    assert error.value.messages[0].startswith("Line 2:") and "too long" in error.value.messages[0]


def test_importing_a_far_ics_day_from_the_page_is_a_form_error(pm_client, team):
    far = ICS.replace(b"DTSTART;VALUE=DATE:20261010", b"DTSTART;VALUE=DATE:99991231")
    response = pm_client.post(
        reverse("issues:calendar_import", kwargs={"code": "SCRM"}), {"file": upload(far, "a.ics")}
    )
    assert response.status_code == 400 and "between 1900 and 2100" in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_importing_a_csv_with_a_huge_field_from_the_page_is_a_form_error(pm_client, team):
    huge = b"2026-10-01,holiday," + b"x" * 140_000 + b"\n"
    response = pm_client.post(reverse("issues:calendar_import", kwargs={"code": "SCRM"}), {"file": upload(huge)})
    assert response.status_code == 400 and "too long" in response.content.decode()
    assert not CalendarDay.objects.exists()


# --- The page ------------------------------------------------------------------------


def test_pm_sees_the_years_exceptions_and_the_months(pm_client, team):
    calendar_fill_years(project=team.project, years=[2026])
    page = pm_client.get(reverse("issues:calendar", kwargs={"code": "SCRM"}), {"year": 2026})
    assert page.status_code == 200
    text = page.content.decode()
    assert "国庆节" in text and "2026-10-10" in text
    assert text.count('class="day-holiday"') == sum(1 for d in page.context["days"] if not d.is_working)
    assert page.context["working_day_count"] == 248  # 365 days − 104 weekend days − 13 statutory holidays


def test_pm_adds_a_make_up_day(pm_client, team):
    url = reverse("issues:calendar_day", kwargs={"code": "SCRM"})
    response = pm_client.post(url, {"date": "2026-10-10", "kind": "working", "name": "国庆节调休", "year": "2026"})
    assert response.status_code == 302 and response.url.endswith("?year=2026")
    day = CalendarDay.objects.get(project=team.project)
    assert (day.date, day.is_working, day.name) == (MAKE_UP_SATURDAY, True, "国庆节调休")


def test_pm_changes_a_day_through_its_prefilled_form(pm_client, team):
    calendar_day_set(project=team.project, date=NATIONAL_DAY, is_working=False, name="国庆")
    page = pm_client.get(reverse("issues:calendar", kwargs={"code": "SCRM"}), {"year": 2026, "date": "2026-10-01"})
    assert page.context["day_form"].initial == {"date": NATIONAL_DAY, "kind": "off", "name": "国庆"}
    pm_client.post(
        reverse("issues:calendar_day", kwargs={"code": "SCRM"}), {"date": "2026-10-01", "kind": "off", "name": "国庆节"}
    )
    assert CalendarDay.objects.get(project=team.project).name == "国庆节"


def test_a_redundant_day_is_refused_and_the_form_keeps_what_was_typed(pm_client, team):
    response = pm_client.post(
        reverse("issues:calendar_day", kwargs={"code": "SCRM"}),
        {"date": "2026-10-10", "kind": "off", "name": "我的备注", "year": "2026"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "weekend day, already off" in text
    assert 'value="我的备注"' in text and 'value="2026-10-10"' in text
    assert not CalendarDay.objects.exists()


def test_pm_removes_a_day(pm_client, team):
    calendar_day_set(project=team.project, date=NATIONAL_DAY, is_working=False, name="国庆节")
    response = pm_client.post(reverse("issues:calendar_day_remove", kwargs={"code": "SCRM", "day": "2026-10-01"}))
    assert response.status_code == 302
    assert not CalendarDay.objects.filter(project=team.project).exists()


def test_removing_a_day_that_is_not_listed_is_404(pm_client, team):
    url = reverse("issues:calendar_day_remove", kwargs={"code": "SCRM", "day": "2026-10-03"})
    assert pm_client.post(url).status_code == 404
    bad = reverse("issues:calendar_day_remove", kwargs={"code": "SCRM", "day": "yesterday"})
    assert pm_client.post(bad).status_code == 404


def test_import_of_a_gb18030_csv_adds_every_day(pm_client, team):
    content = "日期,类型,名称\r\n2026/10/1,休,国庆节\r\n2026/10/2,休,国庆节\r\n2026/10/10,班,调休\r\n".encode("gb18030")
    response = pm_client.post(
        reverse("issues:calendar_import", kwargs={"code": "SCRM"}), {"file": upload(content), "year": "2026"}
    )
    assert response.status_code == 302
    assert CalendarDay.objects.filter(project=team.project).count() == 3
    assert CalendarDay.objects.get(project=team.project, date=MAKE_UP_SATURDAY).is_working


def test_import_of_an_ics_file_from_the_page(pm_client, team):
    response = pm_client.post(
        reverse("issues:calendar_import", kwargs={"code": "SCRM"}), {"file": upload(ICS, "a.ics")}
    )
    assert response.status_code == 302
    assert CalendarDay.objects.filter(project=team.project, is_working=False).count() == 7


def test_import_with_a_bad_line_imports_nothing_and_lists_the_line(pm_client, team):
    content = b"2026-10-01,holiday,National Day\n2026-10-02,holiday\n2026-10-xx,holiday,typo\n"
    response = pm_client.post(reverse("issues:calendar_import", kwargs={"code": "SCRM"}), {"file": upload(content)})
    assert response.status_code == 400
    assert "Line 3: “2026-10-xx” is not a date like 2026-10-01." in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_import_without_a_file_says_so(pm_client, team):
    response = pm_client.post(reverse("issues:calendar_import", kwargs={"code": "SCRM"}), {})
    assert response.status_code == 400
    assert response.context["import_form"].errors["file"]


def test_calendar_page_is_in_chinese_for_a_chinese_pm(client, team):
    pm = team.user(Role.PM)
    pm.language = "zh-hans"
    pm.save()
    client.force_login(pm)
    text = client.get(reverse("issues:calendar", kwargs={"code": "SCRM"})).content.decode()
    assert "工作日历" in text and "导入" in text


def test_tapping_a_saturday_proposes_to_make_it_a_working_day(pm_client, team):
    url = reverse("issues:calendar", kwargs={"code": "SCRM"})
    saturday = pm_client.get(url, {"year": 2026, "date": "2026-10-10"}).context["day_form"]
    assert saturday.initial == {"date": MAKE_UP_SATURDAY, "kind": "working"}
    thursday = pm_client.get(url, {"year": 2026, "date": "2026-10-01"}).context["day_form"]
    assert thursday.initial == {"date": NATIONAL_DAY, "kind": "off"}


# --- The official schedule, from the chinese-calendar library (issue 16) ------------------------

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at_noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12, 0), tzinfo=SHANGHAI)


@pytest.fixture
def library_knows_2027(monkeypatch):
    """A newer release of the library, which has 2027: 元旦 on Friday 1/1 and a make-up Saturday 1/9."""
    monkeypatch.setitem(chinese_calendar.holidays, datetime.date(2027, 1, 1), "New Year's Day")
    monkeypatch.setitem(chinese_calendar.workdays, datetime.date(2027, 1, 9), "New Year's Day")


def test_new_year_holidays_are_rest_days_for_a_new_project(team, time_machine):
    time_machine.move_to(at_noon(datetime.date(2025, 12, 10)), tick=False)
    assert not CalendarDay.objects.filter(project=team.project).exists()

    assert calendar_fill_due(project=team.project) == [2025, 2026]

    assert not is_working_day(team.project, datetime.date(2026, 1, 1))  # Thursday, 元旦
    assert not is_working_day(team.project, datetime.date(2026, 1, 2))
    assert is_working_day(team.project, datetime.date(2026, 1, 4))  # the Sunday worked for it
    assert CalendarDay.objects.get(project=team.project, date=datetime.date(2026, 1, 1)).name == "元旦"


def test_spring_festival_makeup_saturday_is_a_working_day(team, reporters):
    calendar_fill_years(project=team.project, years=[2026])
    saturday = datetime.date(2026, 2, 14)
    assert is_working_day(team.project, saturday)
    assert {m.pk for m in expected_reporters(team.project, saturday)} == {m.pk for m in reporters}
    assert CalendarDay.objects.get(project=team.project, date=saturday).name == "春节调休上班"
    assert expected_reporters(team.project, datetime.date(2026, 2, 18)) == []  # Wednesday of 春节


def test_the_whole_2026_schedule_comes_from_the_library(team):
    calendar_fill_years(project=team.project, years=[2026])
    days = CalendarDay.objects.filter(project=team.project)
    assert days.filter(is_working=False).count() == 33  # 3 + 9 + 3 + 5 + 3 + 3 + 7 days off
    assert sorted(days.filter(is_working=True).values_list("date", flat=True)) == [
        datetime.date(2026, *day) for day in ((1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10))
    ]
    assert set(days.values_list("name", flat=True)) >= {"清明节", "端午节", "中秋节", "国庆节", "劳动节调休上班"}


def test_filling_a_year_keeps_days_the_pm_edited(team):
    team_day = datetime.date(2026, 10, 9)  # a Friday the project takes off, before the schedule is filled
    calendar_day_set(project=team.project, date=team_day, is_working=False, name="团建")
    calendar_day_set(project=team.project, date=NATIONAL_DAY, is_working=False, name="国庆（公司）")

    calendar_fill_years(project=team.project, years=[2026])

    assert CalendarDay.objects.get(project=team.project, date=team_day).name == "团建"
    assert CalendarDay.objects.get(project=team.project, date=NATIONAL_DAY).name == "国庆（公司）"
    assert not is_working_day(team.project, datetime.date(2026, 10, 2))  # the rest of the week is added


def test_filling_a_year_again_brings_back_no_day_the_pm_removed(team):
    calendar_fill_years(project=team.project, years=[2026])
    calendar_day_remove(project=team.project, date=MAKE_UP_SATURDAY)  # the project does not work that Saturday
    count = CalendarDay.objects.filter(project=team.project).count()

    assert calendar_fill_years(project=team.project, years=[2026]) == []

    assert CalendarDay.objects.filter(project=team.project).count() == count
    assert not is_working_day(team.project, MAKE_UP_SATURDAY)


def test_a_year_the_library_does_not_know_is_left_empty_and_editable(pm_client, team, time_machine):
    time_machine.move_to(at_noon(datetime.date(2026, 12, 3)), tick=False)
    assert 2027 not in official_years()
    assert calendar_fill_due(project=team.project) == [2026]
    assert not CalendarDay.objects.filter(project=team.project, date__year=2027).exists()

    response = pm_client.post(
        reverse("issues:calendar_day", kwargs={"code": "SCRM"}),
        {"date": "2027-01-01", "kind": "off", "name": "元旦", "year": "2027"},
    )
    assert response.status_code == 302
    assert not is_working_day(team.project, datetime.date(2027, 1, 1))


def test_existing_projects_get_next_year_once_the_library_has_it(team, time_machine, library_knows_2027):
    time_machine.move_to(at_noon(datetime.date(2026, 12, 3)), tick=False)
    calendar_fill_years(project=team.project, years=[2026])
    team.other_project.status = Project.Status.CLOSED
    team.other_project.save()

    assert dispatch_calendar_fill() == 1  # the closed project is left alone

    assert not is_working_day(team.project, datetime.date(2027, 1, 1))
    assert is_working_day(team.project, datetime.date(2027, 1, 9))
    assert not CalendarDay.objects.filter(project=team.other_project).exists()
    assert dispatch_calendar_fill() == 0, "a filled project is not dispatched again"


def test_a_project_created_without_a_calendar_gets_one_from_the_hourly_fill(team, time_machine):
    time_machine.move_to(at_noon(datetime.date(2026, 6, 1)), tick=False)
    assert dispatch_calendar_fill() == 2
    assert not is_working_day(team.project, datetime.date(2026, 10, 1))
    assert not is_working_day(team.other_project, datetime.date(2026, 10, 1))
    assert "issues.tasks.dispatch_calendar_fill" in {entry["task"] for entry in celery_app.conf.beat_schedule.values()}


def test_pm_is_warned_from_1_december_when_next_years_schedule_is_missing(pm_client, team, time_machine):
    calendar_page = reverse("issues:calendar", kwargs={"code": "SCRM"})
    compliance_page = reverse("issues:compliance", kwargs={"code": "SCRM"})
    warning = "The official holiday schedule for 2027 is not available yet"

    time_machine.move_to(at_noon(datetime.date(2026, 11, 30)), tick=False)
    assert warning not in pm_client.get(calendar_page).content.decode()
    assert warning not in pm_client.get(compliance_page).content.decode()

    time_machine.move_to(at_noon(datetime.date(2026, 12, 1)), tick=False)
    for page in (calendar_page, compliance_page):
        text = pm_client.get(page).content.decode()
        assert warning in text
        assert f"{calendar_page}?year=2027" in text  # straight to the days to edit


def test_pm_is_not_warned_when_the_library_has_next_years_schedule(pm_client, team, time_machine, library_knows_2027):
    time_machine.move_to(at_noon(datetime.date(2026, 12, 1)), tick=False)
    for name in ("issues:calendar", "issues:compliance"):
        text = pm_client.get(reverse(name, kwargs={"code": "SCRM"})).content.decode()
        assert "The official holiday schedule for" not in text


def test_pm_is_still_warned_in_january_while_this_years_schedule_is_missing(client, team, time_machine):
    time_machine.move_to(at_noon(datetime.date(2027, 1, 5)), tick=False)
    client.force_login(team.user(Role.PM))  # a session from a month ago would have expired
    page = client.get(reverse("issues:calendar", kwargs={"code": "SCRM"}))
    assert "The official holiday schedule for 2027 is not available yet" in page.content.decode()
    assert page.context["awaiting_years"] == [2027], "2028 is not due before 1 December 2027"


def test_the_warning_is_in_chinese_for_a_chinese_pm(client, team, time_machine):
    time_machine.move_to(at_noon(datetime.date(2026, 12, 1)), tick=False)
    pm = team.user(Role.PM)
    pm.language = "zh-hans"
    pm.save()
    client.force_login(pm)
    text = client.get(reverse("issues:calendar", kwargs={"code": "SCRM"})).content.decode()
    assert "2027 年的官方节假日安排尚未" in text


def test_only_those_who_can_edit_the_calendar_are_warned_on_the_compliance_page(client, team, time_machine):
    time_machine.move_to(at_noon(datetime.date(2026, 12, 1)), tick=False)
    client.force_login(team.user(Role.SPONSOR))
    page = client.get(reverse("issues:compliance", kwargs={"code": "SCRM"}))
    assert page.status_code == 200
    assert "The official holiday schedule for" not in page.content.decode()
