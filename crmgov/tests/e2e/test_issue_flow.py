"""On a phone, in Chinese: a key user's daily reports, and her issue from the report to the knowledge base."""

import datetime
import re
import zoneinfo

import pytest
from django.core import mail
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from issues.models import Article, DailyReport, Issue, Module
from projects.permissions import Role

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

WEDNESDAY = datetime.datetime(2026, 6, 17, 9, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
TITLE = "客户列表导出 Excel 失败"


def crm_error_screenshot(path):
    """A PNG like a phone's screenshot of the CRM's error page."""
    image = Image.new("RGB", (390, 700), (245, 246, 248))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 390, 56), fill=(33, 37, 41))
    draw.rectangle((20, 120, 370, 260), outline=(220, 53, 69), width=4)
    draw.text((40, 170), "HTTP 500  export failed", fill=(220, 53, 69))
    image.save(path, "PNG")
    return path


def test_an_issue_goes_from_the_key_users_phone_to_the_knowledge_base(chinese_team, phones, time_machine, tmp_path):
    team = chinese_team
    project = team.project.name
    Module.objects.create(project=team.project, name="客户管理")
    key_user, pm, consultant = team.user(Role.KEY_USER), team.user(Role.PM), team.user(Role.CONSULTANT)
    time_machine.move_to(WEDNESDAY, tick=True)

    # Wednesday: nothing went wrong, one tap.
    reporter = phones(key_user, "key-user")
    reporter.log_in()
    reporter.open_project(project)
    reporter.nav("每日报告")
    expect(reporter.page.get_by_text("尚未提交")).to_be_visible()
    reporter.shot("report-not-filed")
    reporter.page.get_by_role("button", name="今日无问题").click()
    reporter.says("报告已提交：今日无问题。谢谢！")
    expect(reporter.page.get_by_text("已提交：无问题")).to_be_visible()
    reporter.shot("no-problems-filed")
    assert DailyReport.objects.get(reporter=key_user).no_problems

    # Thursday: the customer export fails; she reports it with a screenshot.
    time_machine.move_to(WEDNESDAY + datetime.timedelta(days=1), tick=True)
    page = reporter.page
    page.reload()
    expect(page.get_by_text("尚未提交")).to_be_visible()
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("发生了什么").fill("在客户列表点“导出”后页面报错 500，华南区的周报做不出来")
    page.locator("fieldset").get_by_text("高", exact=True).click()
    page.get_by_label("发生在 CRM 的哪个模块").select_option(label="客户管理")
    page.get_by_label("截图").set_input_files(crm_error_screenshot(tmp_path / "导出报错.png"))
    expect(page.locator(".screenshot-previews img")).to_have_count(1)
    reporter.shot("issue-form-filled")
    page.get_by_role("button", name="提交问题").click()
    reporter.says("问题 SCRM-0001 已提交，谢谢！")
    expect(page.get_by_text("已提交：1 个问题")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(TITLE))).to_be_visible()
    reporter.shot("issue-filed")
    issue = Issue.objects.get()
    assert (issue.status, issue.severity, issue.module.name) == (Issue.Status.NEW, "high", "客户管理")
    assert issue.screenshots.count() == 1
    assert issue.report.period_start == datetime.date(2026, 6, 18) and not issue.report.no_problems

    # The PM analyses it and forwards it to the consultant.
    manager = phones(pm, "pm")
    manager.log_in()
    manager.open_project(project)
    manager.nav("问题")
    page = manager.page
    page.get_by_role("link", name="SCRM-0001").click()
    expect(manager.status("新问题")).to_be_visible()
    thumbnail = page.locator("img.screenshot-thumb")
    expect(thumbnail).to_be_visible()
    # decode() waits for the (lazily loaded) image and fails if the thumbnail is not a picture.
    assert thumbnail.evaluate("image => image.decode().then(() => image.naturalWidth)") > 0
    manager.shot("issue-new")
    form = manager.open_step("记录分析")
    form.get_by_label("报告人提供的背景").fill("电话确认：筛选华南区全部客户（约 3 万条）后导出；数据少时正常")
    form.get_by_label("可能原因").fill("导出数据量超过同步导出的上限")
    form.get_by_label("类别").select_option(label="软件缺陷")
    form.get_by_role("button", name="记录分析").click()
    manager.says("SCRM-0001：已完成。")
    expect(manager.status("分析中")).to_be_visible()
    form = manager.open_step("转交给顾问")
    form.get_by_label("实施顾问").select_option(label="周婷")
    expect(form.get_by_label("给顾问的摘要")).to_contain_text(TITLE)
    manager.shot("forward-form")
    form.get_by_role("button", name="转交给顾问").click()
    expect(manager.status("顾问处理中")).to_be_visible()
    manager.shot("forwarded")
    assert any(consultant.email in m.to and "SCRM-0001" in m.subject for m in mail.outbox)

    # The consultant answers on her phone.
    adviser = phones(consultant, "consultant")
    adviser.log_in()
    adviser.open_project(project)
    adviser.nav("问题")
    adviser.page.get_by_role("link", name="SCRM-0001").click()
    form = adviser.open_step("提出解决方案")
    form.get_by_label("建议的解决方案").fill("把导出改为后台任务：超过 5000 条时生成文件，完成后发邮件通知下载")
    adviser.shot("solution-form")
    form.get_by_role("button", name="提出解决方案").click()
    expect(adviser.status("已提出方案")).to_be_visible()
    adviser.shot("solution-proposed")

    # The PM resolves it and publishes what was learnt.
    page = manager.page
    page.reload()
    expect(manager.status("已提出方案")).to_be_visible()
    form = manager.open_step("解决")
    # The analysis and the consultant's answer are already filled in.
    expect(form.get_by_role("textbox", name=re.compile(r"^原因\W*$"))).to_have_value("导出数据量超过同步导出的上限")
    expect(form.get_by_role("textbox", name=re.compile(r"^解决办法\W*$"))).to_have_value(re.compile("后台任务"))
    form.get_by_role("button", name="解决").click()
    expect(manager.status("已解决")).to_be_visible()
    manager.shot("resolved")
    page.get_by_role("link", name="发布为知识库文章").click()
    expect(page.get_by_label("标题")).to_have_value(TITLE)
    manager.shot("article-form")
    page.get_by_role("button", name="发布").click()
    manager.says("文章已发布。")
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    manager.shot("article-published")
    assert any(key_user.email in m.to and "SCRM-0001" in m.subject for m in mail.outbox)

    # The reporter confirms the fix from her phone.
    reporter.nav("问题")
    page = reporter.page
    page.get_by_role("link", name="SCRM-0001").click()
    expect(reporter.status("已解决")).to_be_visible()
    expect(page.get_by_role("link", name="已发布到知识库")).to_be_visible()
    reporter.shot("asked-to-confirm")
    page.get_by_role("button", name="确认已解决").click()
    expect(reporter.status("已关闭")).to_be_visible()
    reporter.shot("confirmed")

    issue.refresh_from_db()
    assert (issue.status, issue.consultant, issue.category) == (Issue.Status.CLOSED, consultant, "defect")
    article = Article.objects.get(issue=issue)
    assert (article.title, article.published_by) == (TITLE, pm)
    assert "后台任务" in article.solution
