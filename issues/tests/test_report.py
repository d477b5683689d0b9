import datetime

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from issues import services
from issues.models import DailyReport, Issue
from issues.periods import Cadence
from projects.permissions import Role

from .conftest import image_file

REPORT = "issues:report"


@pytest.fixture
def key_user_client(client, team):
    client.force_login(team.user(Role.KEY_USER))
    return client


def url(name=REPORT, **kwargs):
    return reverse(name, kwargs={"code": "SCRM", **kwargs})


def test_no_problems_is_one_tap(key_user_client, team):
    response = key_user_client.post(url("issues:report_no_problems"))
    assert response.status_code == 302
    report = DailyReport.objects.get(reporter=team.user(Role.KEY_USER))
    assert report.no_problems and not report.is_late
    assert report.period_start == team.project.local_today()
    page = key_user_client.get(url()).content.decode()
    assert "Filed: no problems" in page


def test_a_second_no_problems_tap_keeps_one_report(key_user_client, team):
    key_user_client.post(url("issues:report_no_problems"))
    key_user_client.post(url("issues:report_no_problems"))
    assert DailyReport.objects.filter(reporter=team.user(Role.KEY_USER)).count() == 1


def test_the_database_refuses_a_second_report_for_one_period(team):
    reporter = team.user(Role.KEY_USER)
    today = team.project.local_today()
    DailyReport.objects.create(project=team.project, reporter=reporter, cadence="daily", period_start=today)
    with pytest.raises(IntegrityError):
        DailyReport.objects.create(project=team.project, reporter=reporter, cadence="daily", period_start=today)


def test_filing_an_issue_with_a_screenshot(key_user_client, team, module):
    response = key_user_client.post(
        url(),
        {
            "title": "商机阶段无法保存",
            "description": "把商机从“初步接洽”改为“方案报价”后点保存，提示权限不足",
            "severity": "critical",
            "module": module.pk,
            "steps": "1. 打开商机\n2. 修改阶段\n3. 保存",
            "screenshots": [image_file("a.png"), image_file("b.jpg", image_format="JPEG")],
        },
    )
    assert response.status_code == 302
    issue = Issue.objects.get()
    assert issue.number == 1 and issue.status == Issue.Status.NEW
    assert issue.reference == "SCRM-0001"
    assert issue.screenshots.count() == 2
    assert issue.report.reporter == team.user(Role.KEY_USER)
    assert not issue.report.no_problems


def test_no_problems_after_an_issue_is_refused(key_user_client, file_issue):
    file_issue()
    response = key_user_client.post(url("issues:report_no_problems"), follow=True)
    assert "already lists issues" in response.content.decode()
    assert not DailyReport.objects.get().no_problems


def test_an_issue_after_no_problems_turns_the_report_into_one_with_issues(key_user_client, file_issue):
    key_user_client.post(url("issues:report_no_problems"))
    file_issue()
    report = DailyReport.objects.get()
    assert not report.no_problems and report.issues.count() == 1


def test_invalid_issue_keeps_what_was_typed(key_user_client):
    response = key_user_client.post(url(), {"title": "", "description": "页面卡住了三分钟", "severity": "high"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "页面卡住了三分钟" in page
    assert Issue.objects.count() == 0


def test_an_invalid_issue_shows_the_error_at_its_field(key_user_client, module):
    typed = {"title": "", "description": "卡住", "module": module.pk, "severity": "high"}
    page = key_user_client.post(url(), typed).content.decode()
    title = page[page.index('id="div_id_title"') : page.index('id="suggestions"')]
    assert 'class="textinput form-control is-invalid"' in title and 'aria-invalid="true"' in title
    assert "This field is required." in title
    assert f'<option value="{module.pk}" selected>' in page
    assert 'aria-describedby="id_screenshots_helptext"' in page
    assert "On a computer you can also paste." in page


def test_a_missed_day_can_be_filed_late(key_user_client, team, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 18, 10, tzinfo=datetime.UTC))  # a Wednesday
    response = key_user_client.post(url("issues:report_no_problems"), {"day": "2026-11-17"})
    assert response.status_code == 302
    report = DailyReport.objects.get()
    assert report.period_start == datetime.date(2026, 11, 17) and report.is_late


def test_a_closed_period_cannot_be_changed(team, file_issue, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 17, 3, tzinfo=datetime.UTC))
    file_issue()
    time_machine.move_to(datetime.datetime(2026, 11, 18, 3, tzinfo=datetime.UTC))
    with pytest.raises(services.ValidationError, match="closed"):
        services.report_no_problems(
            project=team.project, reporter=team.user(Role.KEY_USER), day=datetime.date(2026, 11, 17)
        )


def test_the_future_cannot_be_reported(key_user_client, team):
    tomorrow = team.project.local_today() + datetime.timedelta(days=1)
    assert key_user_client.post(url("issues:report_no_problems"), {"day": tomorrow.isoformat()}).status_code == 404


def test_weekly_cadence_gives_one_report_per_week(team, time_machine):
    services.issue_settings_update(project=team.project, report_cadence=Cadence.WEEKLY)
    reporter = team.user(Role.KEY_USER)
    time_machine.move_to(datetime.datetime(2026, 11, 17, 3, tzinfo=datetime.UTC))  # Tuesday
    services.report_no_problems(project=team.project, reporter=reporter, day=team.project.local_today())
    time_machine.move_to(datetime.datetime(2026, 11, 20, 3, tzinfo=datetime.UTC))  # Friday, same week
    report = services.report_no_problems(project=team.project, reporter=reporter, day=team.project.local_today())
    assert DailyReport.objects.count() == 1
    assert report.period_start == datetime.date(2026, 11, 16) and report.period_end == datetime.date(2026, 11, 22)


def test_report_page_query_count_does_not_grow_with_issues(key_user_client, file_issue, fetch_raise):
    file_issue()
    with CaptureQueriesContext(connection) as few:
        assert key_user_client.get(url()).status_code == 200
    for n in range(8):
        file_issue(title=f"问题 {n}", screenshots=[image_file()])
    with CaptureQueriesContext(connection) as many:
        assert key_user_client.get(url()).status_code == 200
    assert len(many) == len(few)


def test_suggestions_find_articles_and_open_issues_sharing_the_title(key_user_client, team, file_issue):
    from issues.models import Article

    file_issue(title="客户列表导出失败")

    def article(title):
        Article.objects.create(project=team.project, title=title, symptom="-", cause="-", solution="分批导出")

    article("导出报表失败，提示超时")
    article("导出按钮的位置")  # one shared word: not this
    page = key_user_client.get(url("issues:suggest"), {"title": "导出失败了"}).content.decode()
    assert "导出报表失败，提示超时" in page
    assert "SCRM-0001" in page
    assert "导出按钮的位置" not in page
    assert key_user_client.get(url("issues:suggest"), {"title": "完全无关"}).content.decode().strip() == ""


def test_a_consultant_cannot_file_a_daily_report(client, team):
    client.force_login(team.user(Role.CONSULTANT))
    assert client.get(url()).status_code == 403


def test_adoption_counts_completed_working_days_only(team, file_issue, time_machine):
    from issues.report_sections import adoption
    from issues.services import report_no_problems

    time_machine.move_to(datetime.datetime(2026, 11, 19, 2, tzinfo=datetime.UTC))  # Thursday morning in Shanghai
    reporter = team.user(Role.KEY_USER)
    for day in (16, 17, 18):
        report_no_problems(project=team.project, reporter=reporter, day=datetime.date(2026, 11, day))
    section = adoption(team.project, datetime.date(2026, 11, 16), datetime.date(2026, 11, 22))
    assert "(3 of 5)" in section["summary"], "Mon–Wed filed; the previous Thu and Fri were not; today not counted"


def _squeezed(html: str) -> str:
    import re

    return re.sub(r"\s+", " ", re.sub(r">\s+|\s+<", lambda m: m.group().strip(), html))


def _field(page: str, name: str) -> str:
    """One field's markup, up to the next field's."""
    start = page.index(f'id="div_id_{name}"')
    end = page.find('id="div_id_', start + 1)
    return page[start : end if end != -1 else None]


def test_the_report_form_labels_its_fields_marks_the_required_ones_and_explains_screenshots(key_user_client):
    page = _squeezed(key_user_client.get(url()).content.decode())
    assert (
        '<label for="id_title" class="form-label requiredField">Title<span class="asteriskField">*</span></label>'
        in page
    )
    assert (
        'for="id_description" class="form-label requiredField">What happened<span class="asteriskField">*</span>'
        in page
    )
    assert '<label for="id_module" class="form-label">Where in the CRM</label>' in page  # optional: no marker
    assert '<select name="module" class="select form-select" id="id_module">' in page
    assert (
        '<textarea name="description" cols="40" rows="3" class="textarea form-control" required id="id_description">'
        in page
    )
    screenshots = _field(page, "screenshots")
    assert 'type="file"' in screenshots and 'name="screenshots"' in screenshots and "multiple" in screenshots
    assert 'accept="image/png,image/jpeg,image/webp"' in screenshots and 'id="id_screenshots"' in screenshots
    assert 'class="form-control"' in screenshots and 'data-paste-target="true"' in screenshots
    assert '<div id="id_screenshots_helptext" class="form-text">PNG, JPEG or WEBP' in screenshots
    assert "invalid-feedback" not in page


def test_a_field_error_is_shown_under_its_field_and_marks_it_invalid(key_user_client):
    typed = {"title": "x" * 201, "description": "", "severity": "high"}
    page = _squeezed(key_user_client.post(url(), typed).content.decode())
    title = _field(page, "title")
    assert 'value="' + "x" * 201 + '"' in title and "is-invalid" in title
    assert '<div id="id_title_error" class="invalid-feedback"><p id="error_1_id_title"><strong>' in title
    assert "Ensure this value has at most 200 characters (it has 201)." in title
    description = _field(page, "description")
    assert "This field is required." in description and "textarea form-control is-invalid" in description
