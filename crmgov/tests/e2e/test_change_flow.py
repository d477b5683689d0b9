"""On phones, in Chinese: a change request beyond the PM's limits, from the key user's request through
the consultant's options, the steering committee's decision on a published agenda, custom development
and a pilot, to the rollout to everyone."""

import datetime
import re
import zoneinfo
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from changes.models import ChangeRequest
from projects.permissions import Role
from projects.plan.models import BudgetLine, Milestone
from projects.registers import services as services_registers
from projects.steering import services as services_steering
from projects.steering.models import AgendaItem, CommitteeMember, Meeting
from projects.tests.factories import baselined_plan

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MONDAY = datetime.datetime(2026, 6, 15, 10, 0, tzinfo=SHANGHAI)
MEETING = datetime.datetime(2026, 6, 25, 14, 0, tzinfo=SHANGHAI)
TITLE = "商机阶段变更时自动通知区域经理"


@pytest.fixture
def committee(chinese_team):
    """A baselined plan, a committee of the sponsor (chair) and a steering member, a training session."""
    team = chinese_team
    baselined_plan(team.project, team.user(Role.PM))
    services_steering.committee_member_add(
        project=team.project, user=team.user(Role.SPONSOR), committee_role=CommitteeMember.CommitteeRole.CHAIR
    )
    services_steering.committee_member_add(
        project=team.project, user=team.user(Role.STEERING), committee_role=CommitteeMember.CommitteeRole.MEMBER
    )
    services_registers.training_session_save(
        project=team.project,
        topic="商机提醒功能培训",
        audience_roles=[Role.KEY_USER],
        trainer="周婷",
        starts_at=datetime.datetime(2026, 8, 3, 14, 0, tzinfo=SHANGHAI),
        duration_minutes=60,
    )
    return team


def test_a_change_request_goes_through_the_committee_to_the_rollout(committee, phones, time_machine):
    team = committee
    project = team.project.name
    key_user, pm, consultant = team.user(Role.KEY_USER), team.user(Role.PM), team.user(Role.CONSULTANT)
    time_machine.move_to(MONDAY, tick=True)

    # The key user asks for the change, saying what she wants to achieve.
    requester = phones(key_user, "key-user")
    requester.log_in()
    requester.open_project(project)
    requester.nav("变更")
    page = requester.page
    page.get_by_role("link", name="新建变更申请").click()
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("原因说明").fill("区域经理常常几天后才知道大单进入报价阶段，错过了支持时机")
    page.get_by_label("目标").fill("商机进入“方案报价”阶段时，区域经理当天在手机上收到提醒")
    requester.shot("request-form")
    page.get_by_role("button", name="提交申请").click()
    requester.says("SCRM-CR001 已提出，已请顾问提供方案。")
    expect(requester.status("已提出")).to_be_visible()
    requester.shot("requested")

    # The consultant proposes two options: configuration only, or custom development.
    adviser = phones(consultant, "consultant")
    adviser.log_in()
    adviser.open_project(project)
    adviser.nav("变更")
    adviser.page.get_by_role("link", name="SCRM-CR001").click()
    form = adviser.open_step("提供方案")
    form.get_by_label("描述").fill("用 CRM 自带的工作流规则发邮件提醒，不开发；手机上只能看邮件")
    form.get_by_label("费用估算").fill("8000")
    form.get_by_label("工期影响（天）").fill("2")
    form.get_by_role("button", name="提供方案").click()
    expect(adviser.status("已提供方案")).to_be_visible()
    form = adviser.open_step("提供方案")
    form.get_by_label("描述").fill("开发企业微信推送接口，阶段变更后 1 分钟内推送到区域经理手机")
    form.get_by_label("需要二次开发").check()
    form.get_by_label("费用估算").fill("68000")
    form.get_by_label("工期影响（天）").fill("10")
    form.get_by_label("华南区全面上线").check()
    adviser.shot("option-b-form")
    form.get_by_role("button", name="提供方案").click()
    expect(adviser.page.get_by_text("方案 B，第 1 版")).to_be_visible()
    adviser.shot("options-proposed")

    # The requester chooses option B: beyond the PM's limits, so the committee decides.
    page = requester.page
    page.reload()
    expect(page.get_by_text("方案 A，第 1 版")).to_be_visible()
    form = requester.open_step("接受方案")
    form.get_by_label("方案").select_option(label="B v1")
    requester.shot("accept-option-b")
    form.get_by_role("button", name="接受方案").click()
    expect(requester.status("待决策")).to_be_visible()
    expect(page.get_by_text("决策方：指导委员会")).to_be_visible()
    expect(page.get_by_text("超出项目经理的审批权限：由指导委员会在下次会议上决定。")).to_be_visible()
    requester.shot("awaiting-committee")

    # The PM schedules the committee meeting: the change is on its agenda, which she publishes.
    manager = phones(pm, "pm")
    manager.log_in()
    manager.open_project(project)
    manager.nav("指导委员会")
    page = manager.page
    page.get_by_role("link", name="会议", exact=True).click()
    page.get_by_label("标题").fill("第三次指导委员会会议")
    page.get_by_label("时间").fill("2026-06-25T14:00")
    page.get_by_label("时长（分钟）").fill("60")
    page.get_by_label("地点").fill("广州总部 18 楼会议室")
    manager.shot("meeting-form")
    page.get_by_role("button", name="保存").click()
    manager.says("会议已保存。")
    agenda_item = page.get_by_text("变更申请 SCRM-CR001：" + TITLE + "（费用 68,000，工期 10 天）").first
    expect(agenda_item).to_be_visible()
    expect(manager.status("议程草拟中")).to_be_visible()
    expect(page.get_by_label("汇报人").locator("option").first).to_have_text("- 请选择 -")
    manager.shot("agenda-draft")
    page.get_by_role("button", name="发布议程").click()  # and says yes to "publish and e-mail it?"
    manager.says("议程已发布，并已连同日历邀请发送给委员会。")
    expect(manager.status("议程已发布")).to_be_visible()
    manager.shot("agenda-published")
    meeting = Meeting.objects.get()
    assert meeting.status == Meeting.Status.PUBLISHED
    invited = {m.to[0] for m in mail.outbox if m.attachments and "第三次指导委员会会议" in m.subject}
    assert invited == {team.user(Role.SPONSOR).email, team.user(Role.STEERING).email}

    # At the meeting, the sponsor records the committee's approval.
    time_machine.move_to(MEETING + datetime.timedelta(minutes=30), tick=True)
    chair = phones(team.user(Role.SPONSOR), "sponsor")
    chair.log_in()
    chair.open_project(project)
    chair.nav("指导委员会")
    page = chair.page
    page.get_by_role("link", name="第三次指导委员会会议").click()
    decision = page.locator("form.decision-form")
    decision.get_by_label("已批准").check()
    decision.get_by_label("理由").fill("提醒直接影响大单赢率；费用在年度预算内，上线推迟 10 天可以接受")
    chair.shot("decision-form")
    decision.get_by_role("button", name="记录决定").click()
    chair.says("决定已记录。")
    expect(page.locator(".badge").filter(has_text=re.compile("^已批准$"))).to_be_visible()
    chair.shot("decision-recorded")
    assert AgendaItem.objects.get().outcome == AgendaItem.Outcome.APPROVED

    # The PM runs the custom development, the pilot and the rollout.
    page = manager.page
    page.reload()
    expect(manager.status("议程已发布")).to_be_visible()
    page.get_by_role("link", name=re.compile("SCRM-CR001")).click()
    expect(manager.status("已批准")).to_be_visible()
    manager.shot("approved")
    form = manager.open_step("开始二次开发")
    form.get_by_label("供应商报价").fill("66000")
    form.get_by_label("商定费用").fill("64000")
    form.get_by_label("预计交付日期").fill("2026-07-20")
    form.get_by_role("button", name="开始二次开发").click()
    expect(manager.status("开发中")).to_be_visible()
    form = manager.open_step("记录进度")
    form.get_by_label("日期").fill("2026-07-06")
    form.get_by_label("完成百分比").fill("60")
    form.get_by_label("说明").fill("推送接口已联调通过，正在做消息模板")
    form.get_by_role("button", name="记录进度").click()
    expect(page.get_by_role("progressbar")).to_contain_text("60%")
    manager.shot("in-development")
    page.get_by_role("button", name="标记为已交付").click()
    expect(manager.status("已交付")).to_be_visible()
    form = manager.open_step("开始试点")
    form.get_by_label("试点人员").select_option(label=["王芳"])
    form.get_by_label("开始").fill("2026-07-21")
    form.get_by_label("结束").fill("2026-07-31")
    form.get_by_label("成功标准").fill("试点区域经理 95% 的提醒在 1 分钟内收到")
    manager.shot("pilot-form")
    form.get_by_role("button", name="开始试点").click()
    expect(manager.status("试点中")).to_be_visible()
    form = manager.open_step("记录试点结果")
    form.get_by_label("通过", exact=True).check()
    form.get_by_label("发现").fill("98% 的提醒在 1 分钟内送达；区域经理希望加上客户名称")
    form.get_by_role("button", name="记录试点结果").click()
    expect(manager.status("待推广")).to_be_visible()
    form = manager.open_step("全员推广")
    form.get_by_label("推广日期").fill("2026-08-03")
    form.get_by_label("通知内容").fill("8 月 3 日起，商机进入“方案报价”阶段时企业微信会提醒区域经理")
    form.get_by_label("培训场次").select_option(label="商机提醒功能培训")
    manager.shot("rollout-form")
    form.get_by_role("button", name="全员推广").click()
    expect(manager.status("已推广并关闭")).to_be_visible()
    manager.shot("rolled-out")

    # The requester sees her change closed; every member was told.
    page = requester.page
    page.reload()
    expect(requester.status("已推广并关闭")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("商机提醒功能培训"))).to_be_visible()
    requester.shot("closed")

    change = ChangeRequest.objects.get()
    assert (change.status, change.route) == (ChangeRequest.Status.CLOSED, ChangeRequest.Route.COMMITTEE)
    assert (change.selected_option.label, change.decided_by) == ("B", team.user(Role.SPONSOR))
    assert change.agreed_cost == Decimal("64000") and list(change.pilot_group.all()) == [key_user]
    assert change.rollout_training.topic == "商机提醒功能培训"
    # The approval moved the affected milestone's forecast, not its baseline; the budget carries the agreed cost.
    go_live = Milestone.objects.get(name="华南区全面上线")
    assert go_live.forecast_date - go_live.baseline_date == datetime.timedelta(days=10)
    assert BudgetLine.objects.get(project=team.project, category=BudgetLine.Category.CUSTOM).forecast == Decimal(
        "64000"
    )
    told = {m.to[0] for m in mail.outbox if TITLE in m.subject and "培训：商机提醒功能培训" in m.body}
    assert told == {membership.user.email for membership in team.members.values()}
