import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from changes import services
from changes.models import ChangeEvent, ChangeRequest, SolutionOption
from projects.permissions import Role

S = ChangeRequest.Status


@pytest.fixture
def as_role(team):
    def client_for(role):
        c = Client()
        c.force_login(team.user(role))
        return c

    return client_for


def act(client, change, action, **data):
    url = reverse("changes:action", kwargs={"code": "SCRM", "number": change.number, "action": action})
    return client.post(url, data)


def option_data(cost="8000", days="3", custom=False, description="在客户页面增加信用代码字段并查重"):
    data = {"description": description, "cost_estimate": cost, "schedule_impact_days": days}
    if custom:
        data["needs_custom_development"] = "on"
    return data


@pytest.fixture
def raised(team):
    def raise_change(**fields):
        fields.setdefault("title", "新建客户时按信用代码查重")
        fields.setdefault("reason", "同一客户被重复录入三次")
        fields.setdefault("goal", "每个客户在系统中只有一条记录")
        return services.change_request_create(project=team.project, requester=team.user(Role.KEY_USER), **fields)

    return raise_change


def test_the_goal_is_required(as_role):
    response = as_role(Role.KEY_USER).post(
        reverse("changes:create", kwargs={"code": "SCRM"}), {"title": "查重", "reason": "重复录入", "goal": ""}
    )
    assert response.status_code == 400 and ChangeRequest.objects.count() == 0
    assert "重复录入" in response.content.decode()


def test_happy_path_without_custom_development(team, raised, as_role, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        change = raised()
    assert change.reference == "SCRM-CR001"
    assert [m.to for m in mail.outbox] == [["consultant@example.com"]], "the consultant is asked for options"
    consultant, requester, pm = as_role(Role.CONSULTANT), as_role(Role.KEY_USER), as_role(Role.PM)

    assert act(consultant, change, "propose", **option_data()).status_code == 302
    option = SolutionOption.objects.get()
    assert act(requester, change, "accept", option=option.pk).status_code == 302
    change.refresh_from_db()
    assert change.status == S.AWAITING_DECISION and change.route == ChangeRequest.Route.PM

    assert act(pm, change, "decide", decision="approve", note="成本小，直接批准").status_code == 302
    change.refresh_from_db()
    assert change.status == S.APPROVED and change.impact_applied_at is not None
    assert (
        act(pm, change, "develop", vendor_quote="1", agreed_cost="1", expected_delivery="2026-12-01").status_code == 403
    ), "no custom development for this option"
    with django_capture_on_commit_callbacks(execute=True):
        assert act(pm, change, "rollout", date="2026-12-01", note="新建客户时会自动查重").status_code == 302
    change.refresh_from_db()
    assert change.status == S.CLOSED
    announced = {m.to[0] for m in mail.outbox if "新建客户时按信用代码查重" in m.subject and "CRM" in m.subject}
    assert len(announced) == len(team.members), "every member hears of the rollout"


def test_happy_path_with_custom_development_and_a_failed_pilot(team, raised, as_role):
    change = raised()
    services.option_propose(change=change, by=team.user(Role.CONSULTANT), **_option(needs_custom_development=True))
    option = change.options.get()
    services.change_request_accept_option(change=change, by=team.user(Role.KEY_USER), option=option)
    pm = as_role(Role.PM)
    act(pm, change, "decide", decision="approve", note="")
    assert act(pm, change, "rollout", date="2026-12-01", note="x").status_code == 403, "custom work is piloted first"
    assert (
        act(pm, change, "develop", vendor_quote="9000", agreed_cost="8500", expected_delivery="2026-12-10").status_code
        == 302
    )
    assert act(pm, change, "progress", date="2026-11-25", percent="60", note="接口完成").status_code == 302
    assert act(pm, change, "deliver").status_code == 302
    group = [team.user(Role.KEY_USER).pk]
    assert (
        act(
            pm, change, "pilot", group=group, start="2026-12-11", end="2026-12-18", success_criteria="一周内无重复客户"
        ).status_code
        == 302
    )
    assert act(pm, change, "pilot_result", result="fail", findings="导入时未查重").status_code == 302
    change.refresh_from_db()
    assert change.status == S.IN_DEVELOPMENT, "a failed pilot sends the work back to development"
    act(pm, change, "deliver")
    act(pm, change, "pilot", group=group, start="2026-12-20", end="2026-12-27", success_criteria="一周内无重复客户")
    act(pm, change, "pilot_result", result="pass", findings="通过")
    assert act(pm, change, "rollout", date="2027-01-04", note="全员启用").status_code == 302
    change.refresh_from_db()
    assert change.status == S.CLOSED and change.agreed_cost == Decimal("8500")
    statuses = list(
        ChangeEvent.objects.filter(change_request=change).exclude(to_status="").values_list("to_status", flat=True)
    )
    assert statuses.count("in_pilot") == 2 and statuses[-1] == "closed"


def _option(**fields):
    values = {"description": "方案", "cost_estimate": Decimal("8000"), "schedule_impact_days": 3}
    values.update(fields)
    return values


def test_feedback_loop_keeps_old_versions(team, raised, as_role):
    change = raised()
    option = services.option_propose(change=change, by=team.user(Role.CONSULTANT), **_option())
    assert (
        act(as_role(Role.KEY_USER), change, "feedback", option=option.pk, text="还需要支持导入时查重").status_code
        == 302
    )
    change.refresh_from_db()
    assert change.status == S.REVISION_REQUESTED
    response = act(
        as_role(Role.CONSULTANT), change, "revise", option=option.pk, **option_data(description="新建和导入时都查重")
    )
    assert response.status_code == 302
    versions = list(change.options.values_list("label", "version", "is_current"))
    assert sorted(versions) == [("A", 1, False), ("A", 2, True)]
    old = change.options.get(version=1)
    assert act(as_role(Role.KEY_USER), change, "accept", option=old.pk).status_code == 400, "only current versions"


def test_a_big_change_goes_to_the_steering_committee(team, raised, as_role):
    change = raised()
    option = services.option_propose(
        change=change, by=team.user(Role.CONSULTANT), **_option(cost_estimate=Decimal("80000"))
    )
    services.change_request_accept_option(change=change, by=team.user(Role.KEY_USER), option=option)
    change.refresh_from_db()
    assert change.route == ChangeRequest.Route.COMMITTEE
    assert act(as_role(Role.PM), change, "decide", decision="approve", note="").status_code == 403
    assert "steering committee decides" in as_role(Role.PM).get(change.get_absolute_url()).content.decode()
    services.change_request_decide(change=change, by=team.user(Role.SPONSOR), approve=False, note="本期预算不足")
    change.refresh_from_db()
    assert change.status == S.REJECTED and change.status_reason == "本期预算不足"


def test_schedule_impact_beyond_the_limit_also_goes_to_the_committee(team, raised):
    change = raised()
    option = services.option_propose(change=change, by=team.user(Role.CONSULTANT), **_option(schedule_impact_days=30))
    assert services.route_for(change, option) == ChangeRequest.Route.COMMITTEE


def test_rejection_needs_a_reason(team, raised, as_role):
    change = raised()
    option = services.option_propose(change=change, by=team.user(Role.CONSULTANT), **_option())
    services.change_request_accept_option(change=change, by=team.user(Role.KEY_USER), option=option)
    assert act(as_role(Role.PM), change, "decide", decision="reject", note="").status_code == 400


def test_only_the_requester_evaluates(team, raised, as_role):
    change = raised()
    option = services.option_propose(change=change, by=team.user(Role.CONSULTANT), **_option())
    assert act(as_role(Role.PM), change, "accept", option=option.pk).status_code == 403
    assert act(as_role(Role.KEY_USER), change, "propose", **option_data()).status_code == 403


def test_two_approvals_at_once_apply_the_impact_once(team, raised):
    change = raised()
    option = services.option_propose(change=change, by=team.user(Role.CONSULTANT), **_option())
    services.change_request_accept_option(change=change, by=team.user(Role.KEY_USER), option=option)
    stale = ChangeRequest.objects.get(pk=change.pk)
    services.change_request_decide(change=change, by=team.user(Role.PM), approve=True, note="")
    with pytest.raises(services.TransitionRefused):
        services.change_request_decide(change=stale, by=team.user(Role.PM), approve=True, note="")
    assert ChangeEvent.objects.filter(change_request=change, to_status="approved").count() == 1


def test_withdrawn_is_final_and_needs_a_reason(team, raised, as_role):
    change = raised()
    assert act(as_role(Role.KEY_USER), change, "withdraw", reason="").status_code == 400
    assert act(as_role(Role.KEY_USER), change, "withdraw", reason="不再需要").status_code == 302
    change.refresh_from_db()
    assert change.status == S.WITHDRAWN
    with pytest.raises(services.TransitionRefused):
        services.option_propose(change=change, by=team.user(Role.CONSULTANT), **_option())


def test_raised_from_a_requirement_change_issue_keeps_the_link_both_ways(team, as_role):
    from issues import services as issue_services

    issue = issue_services.issue_create(
        project=team.project,
        reporter=team.user(Role.KEY_USER),
        report=None,
        draft=issue_services.IssueDraft(title="希望导出PDF", description="客户要盖章版", severity="medium"),
    )
    issue_services.issue_analyse(
        issue=issue, by=team.user(Role.PM), context="c", likely_cause="l", category="requirement_change"
    )
    pm = as_role(Role.PM)
    issue_page = pm.get(issue.get_absolute_url()).content.decode()
    create_url = f"{reverse('changes:create', kwargs={'code': 'SCRM'})}?issue={issue.number}"
    assert create_url in issue_page
    assert "希望导出PDF" in pm.get(create_url).content.decode(), "prefilled from the issue"
    response = pm.post(
        create_url,
        {"issue": issue.number, "title": "希望导出PDF", "reason": "客户要盖章版", "goal": "报价单可直接发客户"},
    )
    change = ChangeRequest.objects.get()
    assert response.status_code == 302 and change.source_issue == issue
    assert change.reference in pm.get(issue.get_absolute_url()).content.decode()
    assert issue.reference in pm.get(change.get_absolute_url()).content.decode()


def test_pipeline_and_export(team, raised, as_role):
    raised(title="甲")
    second = raised(title="乙")
    services.option_propose(change=second, by=team.user(Role.CONSULTANT), **_option())
    page = as_role(Role.EXECUTIVE).get(reverse("changes:list", kwargs={"code": "SCRM"}))
    pipeline = {stage["status"]: stage["count"] for stage in page.context["pipeline"]}
    assert pipeline["requested"] == 1 and pipeline["options_proposed"] == 1
    csv_body = b"".join(
        as_role(Role.EXECUTIVE).get(reverse("changes:export_csv", kwargs={"code": "SCRM"})).streaming_content
    )
    assert b"SCRM-CR002" in csv_body and "乙".encode() in csv_body


def test_list_and_detail_query_counts_do_not_grow(team, raised, as_role, no_lazy_loads):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    change = raised()
    services.option_propose(change=change, by=team.user(Role.CONSULTANT), **_option())
    client = as_role(Role.PM)
    list_url = reverse("changes:list", kwargs={"code": "SCRM"})
    with no_lazy_loads(), CaptureQueriesContext(connection) as few_list:
        assert client.get(list_url).status_code == 200
    with no_lazy_loads(), CaptureQueriesContext(connection) as few_detail:
        assert client.get(change.get_absolute_url()).status_code == 200
    for n in range(5):
        services.option_propose(change=raised(title=f"变更 {n}"), by=team.user(Role.CONSULTANT), **_option())
        services.option_propose(change=change, by=team.user(Role.CONSULTANT), **_option())
    with no_lazy_loads(), CaptureQueriesContext(connection) as many_list:
        assert client.get(list_url).status_code == 200
    with no_lazy_loads(), CaptureQueriesContext(connection) as many_detail:
        assert client.get(change.get_absolute_url()).status_code == 200
    assert len(many_list) == len(few_list)
    assert len(many_detail) == len(few_detail)


def test_approval_limits_are_set_by_the_pm(as_role):
    url = reverse("changes:settings", kwargs={"code": "SCRM"})
    assert as_role(Role.PM).post(url, {"pm_cost_limit": "-1", "pm_days_limit": "5"}).status_code == 400
    assert as_role(Role.PM).post(url, {"pm_cost_limit": "50000", "pm_days_limit": "10"}).status_code == 302
    assert as_role(Role.KEY_USER).get(url).status_code == 403


def test_dates_are_validated(team, raised, as_role):
    change = raised()
    services.option_propose(change=change, by=team.user(Role.CONSULTANT), **_option(needs_custom_development=True))
    services.change_request_accept_option(change=change, by=team.user(Role.KEY_USER), option=change.options.get())
    services.change_request_decide(change=change, by=team.user(Role.PM), approve=True, note="")
    services.change_request_start_development(
        change=change,
        by=team.user(Role.PM),
        vendor_quote=Decimal(1),
        agreed_cost=Decimal(1),
        expected_delivery=datetime.date(2026, 12, 1),
    )
    services.change_request_deliver(change=change, by=team.user(Role.PM))
    response = act(
        as_role(Role.PM),
        change,
        "pilot",
        group=[team.user(Role.KEY_USER).pk],
        start="2026-12-10",
        end="2026-12-01",
        success_criteria="x",
    )
    assert response.status_code == 400 and "cannot end before" in response.content.decode()


def test_demo_has_requests_in_several_states(db):
    from django.core.management import call_command

    call_command("seed_demo")
    states = set(ChangeRequest.objects.values_list("status", flat=True))
    assert {"closed", "in_pilot", "awaiting_decision", "requested", "rejected"} <= states
    assert ChangeRequest.objects.get(status="awaiting_decision").route == ChangeRequest.Route.COMMITTEE


def test_amounts_keep_their_thousands_separator_in_chinese(team, raised, as_role):
    """Django's zh-Hans number format groups nothing; finance reads 68,000 in both languages."""
    change = raised()
    services.option_propose(change=change, by=team.user(Role.CONSULTANT), **_option(cost_estimate=Decimal("68000")))
    pm = team.user(Role.PM)
    pm.language = "zh-hans"
    pm.save(update_fields=["language"])
    page = as_role(Role.PM).get(change.get_absolute_url()).content.decode()
    assert "方案" in page and "¥68,000" in page
