"""The change-request workflow's one table: decisions by someone other than the requester, and a
closed project refuses every step, in the service and on the page."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from changes import services
from changes.models import ChangeRequest
from changes.transitions import TRANSITIONS
from projects.core.models import Membership, Project
from projects.permissions import ProjectReadOnly, Role

S = ChangeRequest.Status


def login(user):
    client = Client()
    client.force_login(user)
    return client


def act(client, change, action, **data):
    url = reverse("changes:action", kwargs={"code": "SCRM", "number": change.number, "action": action})
    return client.post(url, data)


def option(team, change):
    return services.option_propose(
        change=change,
        by=team.user(Role.CONSULTANT),
        description="加一个字段",
        cost_estimate=Decimal("1000"),
        schedule_impact_days=1,
    )


def raise_change(team, requester):
    return services.change_request_create(
        project=team.project, requester=requester, title="查重", reason="重复录入", goal="每个客户一条记录"
    )


@pytest.fixture
def second_pm(team, make_user):
    user = make_user("pm-2@example.com", full_name="第二位项目经理")
    Membership.objects.create(project=team.project, user=user, role=Role.PM, active_from="2026-01-01")
    return user


def test_the_requester_cannot_decide_her_own_change_request(team, second_pm):
    pm = team.user(Role.PM)
    change = raise_change(team, pm)
    chosen = option(team, change)
    change = services.change_request_accept_option(change=change, by=pm, option=chosen)
    assert change.route == ChangeRequest.Route.PM

    with pytest.raises(PermissionDenied):
        services.change_request_decide(change=change, by=pm, approve=True, note="我自己批")
    with pytest.raises(PermissionDenied):
        services.change_request_decide(change=change, by=pm, approve=False, note="我自己拒")
    assert act(login(pm), change, "decide", decision="approve", note="").status_code == 403
    decide_url = reverse("changes:action", kwargs={"code": "SCRM", "number": change.number, "action": "decide"})
    assert decide_url not in login(pm).get(change.get_absolute_url()).content.decode()

    assert decide_url in login(second_pm).get(change.get_absolute_url()).content.decode()
    change = services.change_request_decide(change=change, by=second_pm, approve=True, note="另一位经理批准")
    assert change.status == S.APPROVED and change.decided_by == second_pm


def test_the_committee_route_is_decided_by_a_committee_member_only(team):
    change = raise_change(team, team.user(Role.KEY_USER))
    chosen = services.option_propose(
        change=change,
        by=team.user(Role.CONSULTANT),
        description="大改",
        cost_estimate=Decimal("90000"),
        schedule_impact_days=30,
    )
    change = services.change_request_accept_option(change=change, by=team.user(Role.KEY_USER), option=chosen)
    with pytest.raises(PermissionDenied):
        services.change_request_decide(change=change, by=team.user(Role.PM), approve=True, note="越权")
    change = services.change_request_decide(change=change, by=team.user(Role.SPONSOR), approve=True, note="批准")
    assert change.status == S.APPROVED


def test_only_the_requester_sends_feedback_or_accepts(team):
    change = raise_change(team, team.user(Role.KEY_USER))
    chosen = option(team, change)
    with pytest.raises(PermissionDenied):
        services.change_request_feedback(change=change, by=team.user(Role.PM), option=chosen, text="再改改")
    with pytest.raises(PermissionDenied):
        services.change_request_accept_option(change=change, by=team.user(Role.PM), option=chosen)


def test_a_revision_names_an_option_of_this_request(team):
    change = raise_change(team, team.user(Role.KEY_USER))
    other = raise_change(team, team.user(Role.KEY_USER))
    foreign = option(team, other)
    option(team, change)
    with pytest.raises(services.ValidationError):
        services.option_revise(
            change=change,
            option=foreign,
            by=team.user(Role.CONSULTANT),
            description="改",
            cost_estimate=Decimal("1"),
            schedule_impact_days=1,
        )


def test_the_page_offers_exactly_what_the_table_allows(team):
    change = raise_change(team, team.user(Role.KEY_USER))
    option(team, change)
    for role in Role:
        membership = Membership.objects.select_related("project").get(project=team.project, user=team.user(role))
        page = login(team.user(role)).get(change.get_absolute_url()).content.decode()
        for name, action in TRANSITIONS.actions.items():
            if not action.step:
                continue
            url = reverse("changes:action", kwargs={"code": "SCRM", "number": change.number, "action": name})
            assert (url in page) == action.allowed(membership, change), (role, name)


def _close(team):
    Project.objects.filter(pk=team.project.pk).update(status=Project.Status.CLOSED)


def test_the_requester_cannot_give_feedback_accept_or_withdraw_on_a_closed_project(team):
    key_user = team.user(Role.KEY_USER)
    change = raise_change(team, key_user)
    chosen = option(team, change)
    _close(team)
    requester = login(key_user)
    assert act(requester, change, "feedback", option=chosen.pk, text="再改改").status_code == 403
    assert act(requester, change, "accept", option=chosen.pk).status_code == 403
    assert act(requester, change, "withdraw", reason="不要了").status_code == 403
    with pytest.raises(ProjectReadOnly):
        services.change_request_feedback(change=change, by=key_user, option=chosen, text="再改改")
    with pytest.raises(ProjectReadOnly):
        services.change_request_accept_option(change=change, by=key_user, option=chosen)
    with pytest.raises(ProjectReadOnly):
        services.change_request_withdraw(change=change, by=key_user, reason="不要了")
    with pytest.raises(ProjectReadOnly):
        option(team, change)
    change.refresh_from_db()
    assert change.status == S.OPTIONS_PROPOSED and not change.feedback.exists()
    page = requester.get(change.get_absolute_url()).content.decode()
    assert "/withdraw/" not in page and "/accept/" not in page and "/feedback/" not in page


def test_a_change_beyond_the_pms_limits_is_announced_to_the_committees_deciders_at_once(team):
    """Issue 16: whoever must decide is told at once, by e-mail, not only at the next meeting."""
    from django.core import mail as sent
    from django.test import TestCase

    from changes.models import ChangeRequest, ChangeSettings
    from changes.services import change_request_accept_option, change_request_create, option_propose

    ChangeSettings.objects.update_or_create(project=team.project, defaults={"pm_cost_limit": 0, "pm_days_limit": 0})
    change = change_request_create(
        project=team.project, requester=team.user(Role.KEY_USER), title="新增审批流", reason="r", goal="g"
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        option = option_propose(
            change=change,
            by=team.user(Role.CONSULTANT),
            description="二次开发",
            needs_custom_development=True,
            cost_estimate=50000,
            schedule_impact_days=10,
        )
    sent.outbox.clear()
    with TestCase.captureOnCommitCallbacks(execute=True):
        change_request_accept_option(change=change, by=team.user(Role.KEY_USER), option=option)
    change.refresh_from_db()
    assert change.route == ChangeRequest.Route.COMMITTEE
    told = {message.to[0] for message in sent.outbox}
    assert {"sponsor@example.com", "steering@example.com"} <= told
    assert "key_user@example.com" not in told
