"""The REST API of daily reports and issues: filing with screenshots, filters, visibility, paging."""

import datetime
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from issues import services
from issues.models import DailyReport, Issue
from projects.permissions import Role

from .conftest import image_file


def _count(client, url, no_lazy_loads) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries, no_lazy_loads():
        assert client.get(url).status_code == 200
    return len(queries)


def test_filing_an_issue_with_a_screenshot_cleans_it_like_the_page(api_client, team, module):
    client = api_client(team.user(Role.KEY_USER))
    photo = image_file("phone.jpg", image_format="JPEG", exif=Image.Exif())
    response = client.post(
        reverse("api:issue-list", args=["SCRM"]),
        {
            "title": "报价单无法保存",
            "description": "点保存没反应",
            "severity": "high",
            "module": module.pk,
            "screenshots": [photo, image_file("second.png")],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["reference"] == "SCRM-0001" and body["module"]["name"] == module.name
    assert [s["content_type"] for s in body["screenshots"]] == ["image/jpeg", "image/png"]
    issue = Issue.objects.get()
    assert issue.report.reporter == team.user(Role.KEY_USER)  # filed in the reporter's daily report
    download = client.get(body["screenshots"][0]["url"])
    assert download.status_code == 200 and download["Content-Type"] == "image/jpeg"
    assert not Image.open(io.BytesIO(b"".join(download.streaming_content))).getexif()
    assert client.get(body["screenshots"][0]["thumbnail_url"])["Content-Type"] == "image/webp"


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_filed(api_client, team):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("shot.png", b"<script>alert(1)</script>", content_type="image/png")
    response = api_client(team.user(Role.KEY_USER)).post(
        reverse("api:issue-list", args=["SCRM"]), {"title": "t", "description": "d", "screenshots": [fake]}
    )
    assert response.status_code == 400
    assert "PNG, JPEG" in str(response.json())
    assert not Issue.objects.exists()


def test_an_issue_cannot_be_filed_for_a_future_day(api_client, team):
    response = api_client(team.user(Role.PM)).post(
        reverse("api:issue-list", args=["SCRM"]),
        {"title": "权限配置", "description": "销售看不到客户", "day": "2099-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "day" in response.json()


def test_issue_filters(api_client, team, file_issue):
    first = file_issue(title="一", severity="critical")
    file_issue(title="二", severity="low")
    file_issue(title="三", severity="low", reporter=team.user(Role.PM))
    services.issue_reject(issue=first, by=team.user(Role.PM), reason="不是问题")
    client = api_client(team.user(Role.SPONSOR))
    url = reverse("api:issue-list", args=["SCRM"])

    def titles(**params):
        response = client.get(url, params)
        assert response.status_code == 200, response.content
        return [issue["title"] for issue in response.json()["results"]]

    assert titles() == ["三", "二", "一"]
    assert titles(severity="low") == ["三", "二"]
    assert titles(status="rejected") == ["一"]
    assert titles(status=["new", "rejected"], severity="critical") == ["一"]
    assert titles(reporter=team.user(Role.PM).pk) == ["三"]
    today = team.project.local_today()
    assert titles(created_from=today.isoformat()) == ["三", "二", "一"]
    assert titles(created_to=(today - datetime.timedelta(days=1)).isoformat()) == []
    assert client.get(url, {"reporter": "abc"}).status_code == 400


def test_the_consultant_sees_only_issues_forwarded_to_them(api_client, team, file_issue):
    pm, consultant = team.user(Role.PM), team.user(Role.CONSULTANT)
    forwarded = file_issue(title="转给顾问")
    file_issue(title="没转")
    services.issue_analyse(issue=forwarded, by=pm, context="c", likely_cause="l", category="defect")
    services.issue_forward(issue=forwarded, by=pm, consultant=consultant, summary="s")
    client = api_client(consultant)
    assert [i["title"] for i in client.get(reverse("api:issue-list", args=["SCRM"])).json()["results"]] == ["转给顾问"]


def test_issue_list_pages_by_cursor_with_constant_queries(api_client, team, file_issue, no_lazy_loads):
    client = api_client(team.user(Role.PM))
    file_issue(title="0")
    url = reverse("api:issue-list", args=["SCRM"]) + "?page_size=2"
    one = _count(client, url, no_lazy_loads)
    for n in range(1, 5):
        file_issue(title=str(n), screenshots=[image_file()])
    assert _count(client, url, no_lazy_loads) == one
    seen, next_url = [], url
    while next_url:
        page = client.get(next_url).json()
        seen += [issue["title"] for issue in page["results"]]
        next_url = page["next"]
    assert seen == ["4", "3", "2", "1", "0"]


def test_issue_detail_queries_do_not_grow_with_screenshots(api_client, team, file_issue, no_lazy_loads):
    client = api_client(team.user(Role.PM))
    one = file_issue(title="一张", screenshots=[image_file()])
    many = file_issue(title="多张", screenshots=[image_file(f"{n}.png") for n in range(5)])
    counts = [
        _count(client, reverse("api:issue-detail", args=["SCRM", issue.number]), no_lazy_loads) for issue in (one, many)
    ]
    assert counts[0] == counts[1]


# --- Daily reports --------------------------------------------------------------------------------


def test_a_key_user_files_no_problems_and_sees_only_their_own_reports(api_client, team):
    key_user, pm = team.user(Role.KEY_USER), team.user(Role.PM)
    services.report_no_problems(project=team.project, reporter=pm, day=team.project.local_today())
    client = api_client(key_user)
    url = reverse("api:daily-report-list", args=["SCRM"])
    response = client.post(url, {}, content_type="application/json")
    assert response.status_code == 201 and response.json()["no_problems"] is True
    assert [r["reporter"]["id"] for r in client.get(url).json()["results"]] == [key_user.pk]
    everyone = api_client(team.user(Role.SPONSOR)).get(url).json()["results"]
    assert {r["reporter"]["id"] for r in everyone} == {key_user.pk, pm.pk}


def test_daily_reports_filter_by_period_and_reporter_with_constant_queries(api_client, team, no_lazy_loads):
    key_user, pm = team.user(Role.KEY_USER), team.user(Role.PM)
    today = team.project.local_today()
    client = api_client(team.user(Role.SPONSOR))
    url = reverse("api:daily-report-list", args=["SCRM"])
    services.report_no_problems(project=team.project, reporter=key_user, day=today)
    one = _count(client, url, no_lazy_loads)
    for days in range(1, 6):
        services.report_no_problems(project=team.project, reporter=pm, day=today - datetime.timedelta(days=days))
    assert _count(client, url, no_lazy_loads) == one
    week_ago = (today - datetime.timedelta(days=3)).isoformat()
    rows = client.get(url, {"period_from": week_ago, "reporter": pm.pk}).json()["results"]
    assert len(rows) == DailyReport.objects.filter(reporter=pm, period_start__gte=week_ago).count() > 0
    assert all(r["reporter"]["id"] == pm.pk and r["period_start"] >= week_ago for r in rows)


def test_filing_on_a_closed_project_is_refused(api_client, team):
    team.project.status = team.project.Status.CLOSED
    team.project.save()
    client = api_client(team.user(Role.KEY_USER))
    response = client.post(reverse("api:issue-list", args=["SCRM"]), {"title": "t", "description": "d"})
    assert response.status_code == 403
    assert client.get(reverse("api:issue-list", args=["SCRM"])).status_code == 200
