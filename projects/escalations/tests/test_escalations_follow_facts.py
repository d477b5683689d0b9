"""Escalations follow the facts (issue 16 points 4–6, issue 18): a growing slip reaches leadership
again, every service that changes the plan re-evaluates at once, every kind carries a loss
estimate, and the texts are worded in the reader's language."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation

from projects.core import services as services_core
from projects.escalations.models import Escalation
from projects.escalations.services import escalations_evaluate
from projects.escalations.tests.test_escalations import slipping_milestone
from projects.notifications.models import OutboundEmail
from projects.permissions import Role
from projects.plan import services as services_plan
from projects.plan.models import BudgetLine

BASELINE = datetime.date(2027, 3, 1)


def move_forecast(project, milestone, slip_days):
    return services_plan.milestone_save(
        project=project,
        milestone=milestone,
        name=milestone.name,
        phase=None,
        owner=None,
        baseline_date=milestone.baseline_date,
        forecast_date=BASELINE + datetime.timedelta(days=slip_days),
    )


def escalated_at_6_days(team, project, capture):
    with capture(execute=True):
        milestone = slipping_milestone(team, project, 6)
    escalation = Escalation.objects.get(kind="milestone_beyond_tolerance")
    assert escalation.delay_days == 6
    mail.outbox.clear()
    return milestone, escalation


# --- Point 4: a growing slip reaches leadership ----------------------------------------------------


def test_a_slip_growing_by_the_tolerance_is_told_again_with_the_new_figures(
    team, project, django_capture_on_commit_callbacks
):
    milestone, escalation = escalated_at_6_days(team, project, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services_plan.plan_apply_change_impact(
            project=project, milestones=[milestone], delay_days=15, cost=Decimal(0), category="services"
        )
    escalation.refresh_from_db()
    assert escalation.delay_days == 21 and escalation.loss == Decimal(21 * 5000)
    with translation.override("en"):
        assert "21 days late" in escalation.title
    assert sorted(m.to[0] for m in mail.outbox) == [
        "executive@example.com",
        "sponsor@example.com",
        "steering@example.com",
    ]
    assert "6 → 21 days" in mail.outbox[0].body and "[Worsened]" in mail.outbox[0].subject
    assert OutboundEmail.objects.filter(key=f"escalation:{escalation.pk}:worsened:21").count() == 3
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        escalations_evaluate(project=project)
    assert mail.outbox == [], "told once per worsening"


def test_a_small_growth_updates_the_figures_without_a_new_notice(team, project, django_capture_on_commit_callbacks):
    milestone, escalation = escalated_at_6_days(team, project, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        move_forecast(project, milestone, 10)  # 6 → 10 is less than the tolerance (5) again
    escalation.refresh_from_db()
    assert escalation.delay_days == 10 and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        move_forecast(project, milestone, 11)  # 6 → 11: material
    assert len(mail.outbox) == 3 and "6 → 11 days" in mail.outbox[0].body


def test_a_resolved_escalation_whose_slip_grows_materially_is_reopened(
    team, project, django_capture_on_commit_callbacks
):
    from projects.escalations.services import escalation_resolve

    milestone, escalation = escalated_at_6_days(team, project, django_capture_on_commit_callbacks)
    escalation_resolve(escalation=escalation, by=team.user(Role.PM), outcome="委员会同意延期 6 天")
    with django_capture_on_commit_callbacks(execute=True):
        move_forecast(project, milestone, 21)
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.OPEN and escalation.delay_days == 21 and len(mail.outbox) == 3


def test_a_budget_overrun_growing_by_the_tolerance_amount_is_told_again(
    team, project, django_capture_on_commit_callbacks
):
    # Baseline 100,000, tolerance 10 % = 10,000: escalated at 12,000 over, told again from 22,000.
    with django_capture_on_commit_callbacks(execute=True):
        services_plan.budget_update(
            project=project, lines={"training": {"baseline": Decimal(100000), "forecast": Decimal(112000)}}
        )
    escalation = Escalation.objects.get(kind="budget_beyond_tolerance")
    assert escalation.extra_cost == Decimal(12000)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services_plan.budget_update(project=project, lines={"training": {"forecast": Decimal(121000)}})
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        services_plan.budget_update(project=project, lines={"training": {"forecast": Decimal(122000)}})
    escalation.refresh_from_db()
    assert escalation.extra_cost == Decimal(22000) and len(mail.outbox) == 3
    assert "12,000.00 → 22,000.00" in mail.outbox[0].body


def test_approving_a_change_re_evaluates_at_once(team, project, django_capture_on_commit_callbacks):
    """The approval path: change_request_decide → plan_apply_change_impact, evaluated after commit."""
    milestone, escalation = escalated_at_6_days(team, project, django_capture_on_commit_callbacks)
    from changes import services as services_changes

    change = services_changes.change_request_create(
        project=project, requester=team.user(Role.KEY_USER), title="报价审批", reason="r", goal="g"
    )
    option = services_changes.option_propose(
        change=change,
        by=team.user(Role.CONSULTANT),
        affected_milestones=[milestone],
        description="定制开发",
        needs_custom_development=False,
        cost_estimate=Decimal(1000),
        schedule_impact_days=15,
    )
    services_changes.change_request_accept_option(change=change, by=team.user(Role.KEY_USER), option=option)
    change.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services_changes.change_request_decide(change=change, by=team.user(Role.SPONSOR), approve=True, note="同意")
    escalation.refresh_from_db()
    assert escalation.delay_days == 21
    assert any("6 → 21 days" in m.body for m in mail.outbox)


def test_an_approved_rebaseline_clears_the_schedule_escalation_at_once(
    team, project, django_capture_on_commit_callbacks
):
    pm = team.user(Role.PM)
    with django_capture_on_commit_callbacks(execute=True):
        slipping_milestone(team, project, 1)
        services_plan.baseline_set_initial(project=project, approved_by=pm, reason="启动会")
    milestone = project.milestones.get()
    with django_capture_on_commit_callbacks(execute=True):
        move_forecast(project, milestone, 12)
    escalation = Escalation.objects.get(kind="milestone_beyond_tolerance")
    request = services_plan.rebaseline_request_create(
        project=project, requested_by=pm, reason="数据迁移", extra_cost=Decimal(0)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services_plan.rebaseline_decide(
            request=request, outcome="approved", rationale="同意", decided_by=team.user(Role.SPONSOR)
        )
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.RESOLVED and escalation.cleared_at is not None


def test_changing_a_membership_re_evaluates_at_once(team, project, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services_core.membership_update(
            membership=team.members[Role.PM],
            role=Role.PM,
            active_until=timezone.localdate() + datetime.timedelta(days=20),
            changed_by=team.user(Role.SPONSOR),
        )
    assert Escalation.objects.filter(kind="key_person_leaving").count() == 1


# --- Point 5: a key person removed at once ------------------------------------------------------------


def test_a_key_person_removed_at_once_is_escalated(team, project, django_capture_on_commit_callbacks):
    membership = team.members[Role.KEY_USER]
    membership.is_key = True
    membership.save()
    with django_capture_on_commit_callbacks(execute=True):
        services_core.membership_end(membership=membership)
    escalation = Escalation.objects.get(kind="key_person_leaving")
    with translation.override("en"):
        assert "left the project on" in escalation.what_happened
    assert len(mail.outbox) == 3


# --- Point 6: every kind carries a loss estimate -----------------------------------------------------


def loss_of(project, kind) -> Escalation:
    escalations_evaluate(project=project)
    return Escalation.objects.get(project=project, kind=kind)


def test_funding_short_estimates_the_shortfall_as_extra_cost(team, project):
    services_plan.budget_update(
        project=project,
        lines={
            "training": {
                "baseline": Decimal(50000),
                "forecast": Decimal(50000),
                "actual": Decimal(20000),
                "funding": BudgetLine.Funding.SHORT,
            }
        },
    )
    escalation = loss_of(project, "funding_short")
    assert escalation.extra_cost == Decimal(30000) and escalation.loss == Decimal(30000)


def test_key_person_leaving_estimates_the_replacement_days(team, project):
    from projects.escalations.conditions import KEY_PERSON_REPLACEMENT_DAYS

    services_core.membership_update(
        membership=team.members[Role.SPONSOR],
        role=Role.SPONSOR,
        active_until=timezone.localdate() + datetime.timedelta(days=3),
        changed_by=team.user(Role.PM),
    )
    escalation = loss_of(project, "key_person_leaving")
    assert escalation.delay_days == KEY_PERSON_REPLACEMENT_DAYS
    assert escalation.loss == KEY_PERSON_REPLACEMENT_DAYS * Decimal(5000)


def test_no_meeting_estimates_the_agenda_notice_days(team, project):
    project.meetings.all().delete()
    project.agenda_notice_days = 4
    project.save()
    assert loss_of(project, "no_meeting_in_cadence").loss == 4 * Decimal(5000)


def test_cancelled_training_estimates_the_rescheduling_days(team, project):
    from projects.escalations.conditions import TRAINING_RESCHEDULE_DAYS
    from projects.registers.models import TrainingSession

    TrainingSession.objects.create(
        project=project,
        topic="报价模块",
        trainer="顾问",
        starts_at=timezone.now(),
        duration_minutes=60,
        status=TrainingSession.Status.CANCELLED,
        status_reason="业务太忙",
    )
    assert loss_of(project, "training_cancelled").delay_days == TRAINING_RESCHEDULE_DAYS


def test_budget_and_milestone_losses_come_from_their_figures(team, project):
    slipping_milestone(team, project, 8)
    services_plan.budget_update(
        project=project, lines={"licences": {"baseline": Decimal(100000), "forecast": Decimal(130000)}}
    )
    assert loss_of(project, "milestone_beyond_tolerance").loss == 8 * Decimal(5000)
    assert loss_of(project, "budget_beyond_tolerance").loss == Decimal(30000)


def test_a_blocker_estimates_the_days_users_were_blocked(team, project):
    from issues import services as issue_services
    from issues.models import Issue

    issue = issue_services.issue_create(
        project=project,
        reporter=team.user(Role.KEY_USER),
        report=None,
        draft=issue_services.IssueDraft(title="无法登录", description="所有人", severity="critical"),
    )
    Issue.objects.filter(pk=issue.pk).update(created_at=timezone.now() - datetime.timedelta(days=4))
    assert loss_of(project, "blocker_issue").delay_days == 4


# --- Issue 18: worded in the reader's language ------------------------------------------------------


@pytest.fixture
def funding_escalation(team, project, django_capture_on_commit_callbacks):
    sponsor = team.user(Role.SPONSOR)
    sponsor.language = "zh-hans"
    sponsor.save()
    with django_capture_on_commit_callbacks(execute=True):
        services_plan.budget_update(
            project=project,
            lines={"training": {"forecast": Decimal(8000), "funding": BudgetLine.Funding.SHORT}},
        )
    return Escalation.objects.get(kind="funding_short")


def test_the_same_escalation_reads_in_each_readers_language_on_the_page(client, team, funding_escalation):
    client.force_login(team.user(Role.EXECUTIVE))  # English
    english = client.get(funding_escalation.get_absolute_url()).content.decode()
    assert "Funding short: Training" in english and "资金不足" not in english
    listing = client.get(reverse("projects:escalations", kwargs={"code": "SCRM"})).content.decode()
    assert "Funding short: Training" in listing
    client.force_login(team.user(Role.SPONSOR))  # Chinese
    chinese = client.get(funding_escalation.get_absolute_url()).content.decode()
    assert "资金不足：培训" in chinese and "Funding short" not in chinese


def test_the_same_escalation_reads_in_each_readers_language_in_the_api(api_client, team, funding_escalation):
    url = reverse("api:escalation-detail", args=["SCRM", funding_escalation.pk])
    assert api_client(team.user(Role.EXECUTIVE)).get(url).json()["title"] == "Funding short: Training"
    assert api_client(team.user(Role.SPONSOR)).get(url).json()["title"] == "资金不足：培训"


def test_the_same_escalation_reads_in_each_recipients_language_in_the_email(team, funding_escalation):
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert "Funding short: Training" in by_recipient["executive@example.com"].subject
    assert "8,000" in by_recipient["executive@example.com"].body
    assert "资金不足：培训" in by_recipient["sponsor@example.com"].subject
    assert "Funding short" not in by_recipient["sponsor@example.com"].body


def test_a_manual_escalation_keeps_the_text_as_typed(team, project):
    from projects.escalations.services import escalation_raise

    escalation = escalation_raise(
        project=project,
        by=team.user(Role.PM),
        kind="other",
        title="客户方项目负责人离职",
        what_happened="下月离职",
        consequences="推迟两周",
    )
    with translation.override("en"):
        assert escalation.title == "客户方项目负责人离职" and escalation.consequences == "推迟两周"


def test_the_migration_finds_the_facts_in_texts_stored_in_either_language():
    import importlib

    migration = importlib.import_module("projects.migrations.0010_escalation_facts_and_plan_history")
    assert migration._facts("funding_short", "资金不足：培训", "", "") == {"category": "training", "shortfall": "0"}
    assert migration._facts("no_meeting_in_cadence", "未来 30 天内没有指导委员会会议", "", "") == {"days": 30}
    assert migration._facts(
        "key_person_leaving", "关键人员离开：刘洋", "刘洋（项目发起人）将于 2026-12-20 离开项目。", ""
    ) == {
        "name": "刘洋",
        "role": "sponsor",
        "date": "2026-12-20",
        "left": False,
    }
    milestone = migration._facts(
        "milestone_beyond_tolerance",
        "",
        "The forecast of “Go-live” is 2027-03-21, 20 days after its baseline 2027-03-01; the tolerance is 5 days.",
        "",
    )
    assert milestone == {
        "name": "Go-live",
        "forecast": "2027-03-21",
        "baseline": "2027-03-01",
        "days": 20,
        "tolerance": 5,
    }
    assert migration._facts("funding_short", "Something typed by hand", "", "") is None
