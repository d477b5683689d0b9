import csv
import html
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from issues import services
from projects.permissions import Role

LIST = reverse("issues:list", kwargs={"code": "SCRM"})


@pytest.fixture
def pm_client(client, team):
    client.force_login(team.user(Role.PM))
    return client


def titles(response):
    return [issue.title for issue in response.context["page"].object_list]


def test_chinese_search_matches_part_of_a_title(pm_client, file_issue):
    file_issue(title="客户列表导出失败", description="点了按钮没有反应")
    file_issue(title="商机阶段无法保存", description="提示权限不足")
    assert titles(pm_client.get(LIST, {"q": "导出"})) == ["客户列表导出失败"]
    assert titles(pm_client.get(LIST, {"q": "无法保存"})) == ["商机阶段无法保存"]
    assert titles(pm_client.get(LIST, {"q": "1"})) == ["客户列表导出失败"], "a number finds that issue"


@pytest.mark.parametrize(
    "query",
    ["SCRM-0012", "scrm-0012", "SCRM-12", "Scrm-012", "#12", "# 12", "12", "0012", " SCRM-0012 ", "ＳＣＲＭ－００１２"],
)
def test_the_displayed_reference_finds_that_issue(pm_client, file_issue, query):
    for n in range(1, 13):
        file_issue(title=f"问题{n}", description="描述")
    assert titles(pm_client.get(LIST, {"q": query})) == ["问题12"]


def test_the_search_box_says_a_reference_can_be_searched(pm_client):
    assert (
        'placeholder="Words, or a number such as SCRM-0147"'
        in pm_client.get(LIST, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )


def test_another_projects_reference_finds_nothing_here(pm_client, file_issue):
    file_issue(title="客户列表导出失败", description="描述")
    assert titles(pm_client.get(LIST, {"q": "OTHER-0001"})) == []
    assert titles(pm_client.get(LIST, {"q": "SCRM-0002"})) == []


def test_filters_by_status_severity_and_reporter(pm_client, team, file_issue):
    file_issue(title="严重", severity="critical")
    low = file_issue(title="轻微", severity="low")
    services.issue_reject(issue=low, by=team.user(Role.PM), reason="不是问题")
    assert titles(pm_client.get(LIST, {"severity": ["critical"]})) == ["严重"]
    assert titles(pm_client.get(LIST, {"status": ["rejected"]})) == ["轻微"]
    assert len(titles(pm_client.get(LIST, {"reporter": team.user(Role.KEY_USER).pk}))) == 2
    assert titles(pm_client.get(LIST, {"reporter": team.user(Role.PM).pk})) == []


def test_sorting_by_severity(pm_client, file_issue):
    for title, severity in [("低", "low"), ("严重", "critical"), ("中", "medium")]:
        file_issue(title=title, severity=severity)
    assert titles(pm_client.get(LIST, {"sort": "severity"})) == ["严重", "中", "低"]
    assert titles(pm_client.get(LIST, {"sort": "oldest"})) == ["低", "严重", "中"]


def test_invalid_filter_values_do_not_break_the_page(pm_client, file_issue):
    file_issue()
    response = pm_client.get(LIST, {"severity": ["nonsense"], "module": "abc", "page": "x", "age": "99"})
    assert response.status_code == 200


def test_csv_export_opens_in_excel_with_chinese_intact(pm_client, file_issue):
    file_issue(title='=HYPERLINK("http://evil") 客户导出')
    response = pm_client.get(reverse("issues:export_csv", kwargs={"code": "SCRM"}), {"q": "客户"})
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff"), "Excel needs the BOM to read UTF-8"
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:2] == ["Number", "Title"]
    assert rows[1][0] == "SCRM-0001"
    assert rows[1][1].startswith("'="), "a formula is neutralised"
    assert "客户导出" in rows[1][1]


def test_xlsx_export(pm_client, file_issue):
    file_issue(title="合同审批卡住")
    response = pm_client.get(reverse("issues:export_xlsx", kwargs={"code": "SCRM"}))
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "SCRM-0001" and sheet["B2"].value == "合同审批卡住"


def test_list_query_count_does_not_grow_with_issues(pm_client, file_issue, fetch_raise):
    file_issue()
    with CaptureQueriesContext(connection) as few:
        assert pm_client.get(LIST).status_code == 200
    for n in range(20):
        file_issue(title=f"问题 {n}")
    with CaptureQueriesContext(connection) as many:
        assert pm_client.get(LIST).status_code == 200
    assert len(many) == len(few)


def test_the_count_is_capped_instead_of_scanning_everything(pm_client, file_issue, monkeypatch):
    from projects.core import paging

    for n in range(4):
        file_issue(title=f"问题 {n}")
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    page = pm_client.get(LIST).context["page"]
    assert page.count == 3 and page.count_capped


def test_a_row_shows_the_issue_escaped_with_its_labels_in_the_readers_language(pm_client, team, file_issue):
    file_issue(title='<script>alert("x")</script> & 报价', severity="high")
    pm = team.user(Role.PM)
    pm.language = "zh-hans"
    pm.save()
    page = pm_client.get(LIST).content.decode()
    assert "<script>alert" not in page
    title = page.split('class="text-body" href="/p/SCRM/issues/1/">')[1].split("</a>")[0]
    assert "<" not in title and '"' not in title and html.unescape(title) == '<script>alert("x")</script> & 报价'
    assert 'href="/p/SCRM/issues/1/">SCRM-0001</a>' in page
    assert '<span class="badge severity-badge-high me-1">高</span>' in page
    assert "新问题" in page  # the status


def _queries(client, path, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, params).status_code == 200
    return len(queries)


def test_more_filters_are_fetched_when_opened(pm_client, team, file_issue):
    file_issue(title="报价单打印异常")
    reporter = team.user(Role.KEY_USER)
    closed = pm_client.get(LIST, {"q": "报价"}).content.decode()
    assert 'name="reporter"' not in closed and reporter.full_name not in closed.split("<tbody>")[0]
    assert 'hx-get="/p/SCRM/issues/more-filters/?q=%E6%8A%A5%E4%BB%B7"' in closed
    assert 'href="?q=%E6%8A%A5%E4%BB%B7&amp;more=1"' in closed  # without JavaScript
    fragment = pm_client.get(reverse("issues:list_more_filters", kwargs={"code": "SCRM"}), {"q": "报价"})
    assert f'<option value="{reporter.pk}">{reporter.full_name}</option>' in fragment.content.decode()
    page = pm_client.get(LIST, {"more": "1"}).content.decode()
    assert "<details open" in page and 'name="reporter"' in page
    selected = pm_client.get(reverse("issues:list_more_filters", kwargs={"code": "SCRM"}), {"reporter": reporter.pk})
    assert f'<option value="{reporter.pk}" selected>' in selected.content.decode()


def test_a_filter_in_use_shows_as_a_chip_and_stays_in_the_form_without_filling_the_selects(pm_client, team, file_issue):
    """Filtering by status (the most used filter) or a person does not build the hundred-person selects: the filter
    shows as a chip that removes it, and rides along in the form as a hidden field until the panel is opened."""
    reporter = team.user(Role.KEY_USER)
    file_issue(title="报价单打印异常", reporter=reporter)
    page = pm_client.get(LIST, {"status": ["new", "closed"], "reporter": reporter.pk, "q": "报价"}).content.decode()
    form = page.split("<tbody>")[0]
    assert "<details open" not in form and "<option" not in form.split('id="more-filters"')[1]
    more = form.split('id="more-filters"')[1].split("</details>")[0]
    for name, value in (("status", "new"), ("status", "closed"), ("reporter", reporter.pk)):
        assert f'<input type="hidden" name="{name}" value="{value}">' in more
    chips = html.unescape(form.split('class="filter-chips')[1].split("</ul>")[0])
    assert "Status: Closed" in chips and "Status: New" in chips and f"Reporter: {reporter.full_name}" in chips
    assert 'href="?status=new&reporter=' in chips, "removing one status keeps the other and the rest"
    assert titles(pm_client.get(LIST, {"status": "new", "reporter": reporter.pk})) == ["报价单打印异常"]


def test_a_status_filter_costs_no_more_queries_than_the_plain_list(pm_client, file_issue):
    file_issue(title="问题")
    assert _queries(pm_client, LIST, {"status": "closed"}) == _queries(pm_client, LIST)


def test_a_bad_filter_value_opens_the_panel_with_its_error(pm_client, file_issue):
    file_issue(title="问题")
    response = pm_client.get(LIST, {"status": "bogus"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<details open" in page and "is-invalid" in page


def test_the_people_and_modules_are_read_only_when_their_selects_are_shown(pm_client, file_issue):
    file_issue(title="问题")
    assert _queries(pm_client, LIST) + 2 == _queries(pm_client, LIST, {"more": "1"})


def test_each_row_shows_its_local_reporting_day_in_the_readers_format(pm_client, team, file_issue):
    import datetime

    from issues.models import Issue

    late, early = file_issue(title="深夜"), file_issue(title="傍晚")
    Issue.objects.filter(pk=late.pk).update(created_at=datetime.datetime(2026, 11, 20, 16, 30, tzinfo=datetime.UTC))
    Issue.objects.filter(pk=early.pk).update(created_at=datetime.datetime(2026, 11, 20, 15, 30, tzinfo=datetime.UTC))
    pm = team.user(Role.PM)
    pm.language, pm.time_zone = "zh-hans", "Asia/Shanghai"
    pm.save()
    rows = pm_client.get(LIST).content.decode().split("<tbody")[1]
    assert rows.split("深夜")[1].split("</tr>")[0].endswith("2026年11月21日</td>")  # 00:30 in Shanghai
    assert rows.split("傍晚")[1].split("</tr>")[0].endswith("2026年11月20日</td>")  # 23:30 the day before


def test_the_filter_fields_are_labelled_and_a_bad_value_is_shown_at_its_field(pm_client, file_issue):
    file_issue()
    page = pm_client.get(LIST, {"module": "abc", "q": "报价"}).content.decode()
    assert '<label for="id_q" class="form-label">Search</label>' in page
    field = re.search(r"<input type=\"search\" name=\"q\"[^>]*>", page).group(0)
    assert 'value="报价"' in field and 'class="form-control"' in field and 'id="id_q"' in field
    assert '<select name="sort" class="form-select" id="id_sort">' in page
    assert '<select name="status" size="4" class="form-select" id="id_status" multiple>' in page
    module = page[page.index('id="div_id_module"') : page.index('id="div_id_reporter"')]
    assert 'class="form-select is-invalid"' in module
    assert '<div class="invalid-feedback d-block">Select a valid choice.' in module


def test_a_bad_value_elsewhere_keeps_the_more_filters_in_the_form(pm_client, file_issue):
    """A wrong age beside a status: the page shows the error and still carries the status."""
    file_issue(title="问题")
    page = pm_client.get(LIST, {"age": "bogus", "status": "closed"}).content.decode()
    assert "<details open" in page
    assert '<option value="closed" selected>' in page
