"""Approved changes act on the plan (D-CR-7); big ones are decided by the steering committee (D-CR-4)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from changes import services
from changes.models import ChangeRequest
from projects.permissions import Role
from projects.plan import services as services_plan
from projects.plan.models import BudgetLine, Milestone
from projects.steering import services as services_steering
from projects.steering.models import AgendaItem


@pytest.fixture
def plan(team):
    go_live = services_plan.milestone_save(
        project=team.project,
        name="全员上线",
        phase=None,
        owner=None,
        baseline_date=datetime.date(2027, 3, 1),
        forecast_date=datetime.date(2027, 3, 1),
    )
    pilot = services_plan.milestone_save(
        project=team.project,
        name="试点完成",
        phase=None,
        owner=None,
        baseline_date=datetime.date(2027, 1, 15),
        forecast_date=datetime.date(2027, 1, 15),
    )
    services_plan.budget_update(
        project=team.project,
        lines={"custom": {"baseline": Decimal("100000"), "forecast": Decimal("100000")}},
    )
    return {"go_live": go_live, "pilot": pilot}


def accepted(team, *, cost="8000", days=4, milestones=(), custom=True):
    change = services.change_request_create(
        project=team.project,
        requester=team.user(Role.KEY_USER),
        title="报价单PDF",
        reason="客户要盖章",
        goal="手机上发盖章报价单",
    )
    option = services.option_propose(
        change=change,
        by=team.user(Role.CONSULTANT),
        description="PDF模板+电子章",
        needs_custom_development=custom,
        cost_estimate=Decimal(cost),
        schedule_impact_days=days,
        affected_milestones=list(milestones),
    )
    return services.change_request_accept_option(change=change, by=team.user(Role.KEY_USER), option=option)


def custom_forecast(team) -> Decimal:
    return BudgetLine.objects.get(project=team.project, category="custom").forecast


def test_approval_moves_the_affected_forecasts_and_grows_the_budget_forecast(team, plan):
    change = accepted(team, milestones=[plan["go_live"]])
    services.change_request_decide(change=change, by=team.user(Role.PM), approve=True, note="")
    go_live, pilot = Milestone.objects.get(pk=plan["go_live"].pk), Milestone.objects.get(pk=plan["pilot"].pk)
    assert go_live.forecast_date == datetime.date(2027, 3, 5) and go_live.baseline_date == datetime.date(2027, 3, 1)
    assert go_live.slip_days == 4
    assert pilot.forecast_date == datetime.date(2027, 1, 15), "only the affected milestones move"
    assert custom_forecast(team) == Decimal("108000")


def test_the_impact_is_applied_exactly_once(team, plan):
    change = accepted(team, milestones=[plan["go_live"]])
    services.change_request_decide(change=change, by=team.user(Role.PM), approve=True, note="")
    services._apply_impact(ChangeRequest.objects.get(pk=change.pk))  # a retry, a double click…
    assert Milestone.objects.get(pk=plan["go_live"].pk).forecast_date == datetime.date(2027, 3, 5)
    assert custom_forecast(team) == Decimal("108000")


def test_a_rejected_change_leaves_the_plan_alone(team, plan):
    change = accepted(team, milestones=[plan["go_live"]])
    services.change_request_decide(change=change, by=team.user(Role.PM), approve=False, note="不做")
    assert Milestone.objects.get(pk=plan["go_live"].pk).forecast_date == datetime.date(2027, 3, 1)
    assert custom_forecast(team) == Decimal("100000")


def test_the_agreed_cost_replaces_the_estimate_in_the_forecast(team, plan):
    change = accepted(team)
    services.change_request_decide(change=change, by=team.user(Role.PM), approve=True, note="")
    services.change_request_start_development(
        change=change,
        by=team.user(Role.PM),
        vendor_quote=Decimal("9500"),
        agreed_cost=Decimal("9000"),
        expected_delivery=datetime.date(2026, 12, 20),
    )
    assert custom_forecast(team) == Decimal("109000")


def test_milestones_of_another_project_cannot_be_affected(team, plan):
    foreign = services_plan.milestone_save(
        project=team.other_project,
        name="别的项目",
        phase=None,
        owner=None,
        baseline_date=datetime.date(2027, 1, 1),
        forecast_date=datetime.date(2027, 1, 1),
    )
    with pytest.raises(services.ValidationError):
        accepted(team, milestones=[foreign])


def test_the_committee_decides_a_big_change_on_its_agenda(team, plan, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 20, 2, tzinfo=datetime.UTC))
    meeting = services_steering.meeting_create(
        project=team.project,
        created_by=team.user(Role.PM),
        title="第五次指导委员会",
        starts_at=timezone.now() + datetime.timedelta(days=14),
        duration_minutes=90,
        location="总部 8 楼会议室",
    )
    change = accepted(team, cost="65000", days=12, milestones=[plan["go_live"]])
    assert change.route == ChangeRequest.Route.COMMITTEE
    item = AgendaItem.objects.get(meeting=meeting, linked_kind="change", linked_id=change.pk)
    assert item.decision_required and change.reference in item.title

    services_steering.committee_member_add(project=team.project, user=team.user(Role.SPONSOR), committee_role="chair")
    services_steering.meeting_publish(meeting=meeting, published_by=team.user(Role.PM))
    time_machine.move_to(meeting.starts_at + datetime.timedelta(minutes=10))
    services_steering.agenda_item_decide(
        item=item, outcome="approved", rationale="对销售效率影响大，批准", decided_by=team.user(Role.SPONSOR)
    )
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.APPROVED and change.decided_by == team.user(Role.SPONSOR)
    assert Milestone.objects.get(pk=plan["go_live"].pk).forecast_date == datetime.date(2027, 3, 13)


def test_a_deferred_change_comes_back_on_the_next_agenda(team, plan, time_machine):
    from projects.registry import decision_providers

    change = accepted(team, cost="65000")
    decision_providers["change"].decide(
        project=team.project,
        object_id=change.pk,
        outcome="deferred",
        rationale="等预算",
        decided_by=team.user(Role.SPONSOR),
    )
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.AWAITING_DECISION
    assert [p.object_id for p in decision_providers["change"].pending(team.project)] == [change.pk]


def test_the_status_report_lists_changes_awaiting_a_decision(team, plan):
    from projects.reporting.services import build

    change = accepted(team, cost="65000", days=12)
    scope = next(s for s in build(team.project, datetime.date(2026, 11, 16), "en")["sections"] if s["key"] == "scope")
    assert scope["status"] == "red", "beyond the schedule tolerance of 5 days"
    assert any(change.reference in item["text"] for item in scope["items"])
