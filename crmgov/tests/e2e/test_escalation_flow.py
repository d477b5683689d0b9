"""An escalation raised by the PM reaches an executive by e-mail; its link, opened on his phone,
asks him to log in and then to acknowledge it with one tap — and the PM sees that he has."""

import datetime
import re
import zoneinfo
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from projects.escalations.models import Escalation, EscalationRecipient
from projects.permissions import Role

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

TUESDAY = datetime.datetime(2026, 6, 16, 17, 45, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
TITLE = "华南区数据迁移负责人离职"


def acknowledge_link(message, server_url: str) -> str:
    """The e-mail's link points at SITE_URL; the same path on the test's live server."""
    link = re.search(r"https?://\S+/acknowledge/", message.body).group(0)
    return server_url + urlsplit(link).path


def test_an_executive_acknowledges_an_escalation_from_its_email(chinese_team, phones, time_machine):
    team = chinese_team
    team.project.cost_of_delay_per_day = Decimal("5000")
    team.project.save(update_fields=["cost_of_delay_per_day"])
    pm, executive = team.user(Role.PM), team.user(Role.EXECUTIVE)
    time_machine.move_to(TUESDAY, tick=True)

    # The PM raises it before the slip, with the expected loss.
    manager = phones(pm, "pm")
    manager.log_in()
    manager.open_project(team.project.name)
    manager.nav("风险上报")
    page = manager.page
    page.get_by_role("link", name="提出风险上报").click()
    page.get_by_role("combobox", name=re.compile(r"^事件类别\W*$")).select_option(label="关键人员离开")
    page.get_by_label("标题").fill(TITLE)
    page.get_by_label("发生了什么及原因").fill("负责客户数据迁移的刘工下周五离职，交接人尚未确定")
    page.get_by_label("后果").fill("数据迁移预计推迟 15 天，需外聘顾问")
    page.get_by_label("延误天数").fill("15")
    page.get_by_label("额外成本").fill("30000")
    page.get_by_label("可选方案").fill("1. 从华东项目借调一人\n2. 外聘数据迁移顾问")
    page.get_by_label("建议的应对").fill("从华东项目借调，本周内确定人选")
    manager.shot("escalation-form")
    page.get_by_role("button", name="上报领导层").click()
    manager.says("已上报领导层。")
    expect(page.get_by_text("15 天 × 每天 5,000.00 + 额外 30,000.00 = 105,000.00")).to_be_visible()
    manager.shot("escalation-raised")

    # The executive's e-mail is in Chinese, with the acknowledge link.
    message = next(m for m in mail.outbox if m.to == [executive.email])
    assert TITLE in message.subject
    assert "请确认已阅（登录后点击一次即可）" in message.body

    # He opens the link on his phone: log in first, then one tap.
    boss = phones(executive, "executive")
    boss.log_in(acknowledge_link(message, boss.base_url))
    page = boss.page
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_text("105,000.00")).to_be_visible()
    boss.shot("escalation-from-email")
    page.get_by_role("button", name="确认已阅").click()
    boss.says("已确认。项目经理会看到您已阅读。")
    expect(page.get_by_text(re.compile("^您已于 .+ 确认。$"))).to_be_visible()
    expect(page.get_by_role("button", name="确认已阅")).to_have_count(0)
    boss.shot("acknowledged")

    # The PM sees who has read it, and who not yet.
    manager.page.reload()
    sent_to = manager.page.locator("li", has_text="钱立新")
    expect(sent_to).not_to_contain_text("尚未确认")
    expect(manager.page.locator("li", has_text="赵建国")).to_contain_text("尚未确认")
    manager.shot("sees-acknowledgement")

    escalation = Escalation.objects.get()
    receipts = {r.user.email: r.acknowledged_at for r in EscalationRecipient.objects.filter(escalation=escalation)}
    assert receipts.keys() == {team.user(role).email for role in (Role.SPONSOR, Role.EXECUTIVE, Role.STEERING)}
    assert receipts.pop(executive.email) is not None
    assert set(receipts.values()) == {None}
