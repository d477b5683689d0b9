"""Wording a Chinese reader trips over (issue 18): one word for two things, a button named differently
from the text that points to it, a link shown twice, a state that reads as “unknown”."""

from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import translation

from changes.forms import PilotResultForm
from projects.core.forms import MembershipForm
from projects.notifications.emails import render_email
from projects.notifications.models import OutboundEmail
from projects.permissions import Role
from projects.plan.forms import MilestoneForm


@pytest.fixture(autouse=True)
def _english_afterwards():
    """A Chinese page activates Chinese in this thread; the next test must not inherit it."""
    with translation.override("en"):
        yield


def test_a_failed_pilot_is_not_a_failed_e_mail():
    with translation.override("zh-hans"):
        pilot = dict(PilotResultForm.base_fields["result"].choices)["fail"]
        assert str(pilot) == "未通过"
        assert str(OutboundEmail.Status.FAILED.label) == "发送失败"


def test_a_milestone_has_a_name_not_a_persons_name():
    with translation.override("zh-hans"):
        assert str(MilestoneForm.base_fields["name"].label) == "名称"
        assert (
            str(
                MembershipForm.Meta.model._meta.get_field("user")
                .related_model._meta.get_field("full_name")
                .verbose_name
            )
            == "姓名"
        )


def test_the_login_page_offers_the_password_reset_once(client, db):
    page = client.get(reverse("account_login"), headers={"accept-language": "zh-hans"}).content.decode()
    assert page.count("忘记密码") == 1


def test_receiving_status_reports_defaults_to_as_the_role_says_not_unknown(team):
    with translation.override("zh-hans"):
        form = MembershipForm(instance=team.members[Role.KEY_USER])
        select = str(form["receives_reports"])
    assert "按角色决定" in select and "未知" not in select
    assert 'value="unknown" selected' in select


def test_the_reminder_names_the_button_as_it_is_labelled():
    context = {"recipient": SimpleNamespace(full_name="张伟"), "project": SimpleNamespace(name="华南区销售CRM上线")}
    daily = render_email(
        "daily-reminder", {**context, "cadence": "daily"}, language="zh-hans", time_zone="Asia/Shanghai"
    )
    weekly = render_email(
        "daily-reminder", {**context, "cadence": "weekly"}, language="zh-hans", time_zone="Asia/Shanghai"
    )
    assert "点一下“今日无问题”" in daily.text and "点一下“今日无问题”" in daily.html
    assert "点一下“本周期无问题”" in weekly.text


def test_a_rebaseline_request_is_sent_for_approval_not_a_decision_submitted(client, team):
    client.force_login(team.user(Role.PM))
    team.user(Role.PM).__class__.objects.filter(pk=team.user(Role.PM).pk).update(language="zh-hans")
    page = client.get(reverse("projects:rebaseline_create", kwargs={"code": "SCRM"})).content.decode()
    assert "提交审批" in page and "提交决定" not in page


def test_e_mail_headings_end_in_a_full_width_colon_in_chinese():
    issue = SimpleNamespace(reference="SCRM-7", title="导出失败", cause="权限", fix="已授权", get_absolute_url="/x/")
    email = render_email(
        "issue-resolved",
        {"issue": issue, "recipient": SimpleNamespace(full_name="张伟")},
        language="zh-hans",
        time_zone="Asia/Shanghai",
    )
    assert "原因：权限" in email.text and "原因：</strong>" in email.html


def test_the_today_marker_is_labelled_away_from_the_year_on_the_axis():
    from pathlib import Path

    script = (Path(__file__).resolve().parents[2] / "static" / "js" / "plan-charts.js").read_text()
    # The y axis is inverted (first milestone on top): the line's end lies on the x axis and its labels.
    assert "inverse: true" in script
    assert 'position: "insideStartTop"' in script and "insideEndTop" not in script
