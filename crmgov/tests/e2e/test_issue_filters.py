"""On a phone, in Chinese: the PM filters the issue list by status from "More filters", sees the
filter as a chip, searches without losing it, and removes it with one tap (issue 20)."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from issues import services
from issues.models import Issue, Module
from projects.permissions import Role

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def file_issue(team, title):
    draft = services.IssueDraft(
        title=title,
        description="点击后页面报错",
        severity="high",
        module=Module.objects.get_or_create(project=team.project, name="客户管理")[0],
        screenshots=[],
    )
    reporter = team.user(Role.KEY_USER)
    return services.report_add_issue(
        project=team.project, reporter=reporter, day=team.project.local_today(), draft=draft
    )


def test_a_status_filter_is_a_chip_that_survives_a_search_and_goes_with_one_tap(chinese_team, phones):
    team = chinese_team
    file_issue(team, "客户列表导出失败")
    closed = file_issue(team, "报价单导出乱码")
    Issue.objects.filter(pk=closed.pk).update(status=Issue.Status.CLOSED)
    file_issue(team, "报价单打印异常")

    pm = phones(team.user(Role.PM), "pm")
    pm.log_in(pm.base_url + reverse("issues:list", kwargs={"code": team.project.code}))
    page = pm.page
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(3)

    # Status is behind "More filters", fetched when opened.
    page.locator("summary", has_text="更多筛选条件").click()
    page.get_by_label("状态", exact=True).select_option(label="已关闭")
    page.get_by_role("button", name="筛选").click()
    expect(rows).to_have_count(1)
    chip = page.locator(".filter-chips").get_by_role("link", name=re.compile("状态：已关闭"))
    expect(chip).to_be_visible()
    expect(page.locator("details[open]")).to_have_count(0)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    pm.shot("closed-as-a-chip")

    # A search keeps the status filter, though its select was never drawn on this page.
    page.get_by_label("搜索", exact=True).fill("报价")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"status=closed"))
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("报价单导出乱码")
    expect(chip).to_be_visible()
    pm.shot("searched-still-closed")

    # Opened, the panel shows the filter selected, and the hidden copy is gone.
    page.locator("summary", has_text="更多筛选条件").click()
    expect(page.get_by_label("状态", exact=True)).to_have_values(["closed"])
    expect(page.locator('#more-filters input[type="hidden"][name="status"]')).to_have_count(0)
    pm.shot("more-filters-open")

    # One tap on the chip removes the status and keeps the search.
    chip.click()
    expect(page.locator(".filter-chips")).to_have_count(0)
    expect(rows).to_have_count(2)
    assert "status=" not in page.url and "q=" in page.url
    pm.shot("chip-removed")
