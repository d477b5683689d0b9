import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from projects.notifications.models import OutboundEmail
from projects.permissions import Capability, Role
from projects.plan import services as services_plan
from projects.plan.models import BudgetLine, Milestone, PlanBaseline, RebaselineRequest
from projects.tests.factories import baselined_plan, milestone

D = datetime.date


@pytest.fixture
def pm_client(client, team):
    client.force_login(team.user(Role.PM))
    return client


@pytest.fixture(autouse=True)
def _english():
    """Service messages are asserted in English, whatever language an earlier request left active."""
    with translation.override("en"):
        yield


def url(name, **kwargs):
    return reverse(f"projects:{name}", kwargs={"code": "SCRM", **kwargs})


def test_slip_is_forecast_minus_baseline_and_shown_with_the_milestone(pm_client, team):
    late = milestone(team.project, "试点上线", D(2027, 3, 1), forecast=D(2027, 3, 4))
    early = milestone(team.project, "数据迁移", D(2027, 2, 1), forecast=D(2027, 1, 30))
    assert late.slip_days == 3 and early.slip_days == -2
    page = pm_client.get(url("plan")).content.decode()
    assert "3 days" in page and "-2 days" in page


def test_a_milestone_late_beyond_the_schedule_tolerance_is_highlighted(pm_client, team):
    team.project.schedule_tolerance_days = 5
    team.project.save()
    milestone(team.project, "在容差内", D(2027, 3, 1), forecast=D(2027, 3, 6))
    milestone(team.project, "超出容差", D(2027, 3, 1), forecast=D(2027, 3, 7))
    response = pm_client.get(url("plan"))
    flagged = [m.name for m in response.context["milestones"] if m.exception]
    assert flagged == ["超出容差"]
    assert "1 beyond tolerance" in response.content.decode()


def test_the_plan_page_draws_its_chart_from_json_without_inline_script(pm_client, team):
    milestone(team.project, "试点上线", D(2027, 3, 1), forecast=D(2027, 3, 8))
    page = pm_client.get(url("plan")).content.decode()
    assert '<script id="milestone-chart-data" type="application/json">' in page
    assert "static/js/plan-charts.js" in page and "vendor/echarts/echarts.min.js" in page
    scripts = [tag for tag in page.split("<script")[1:]]
    assert all('nonce="' in tag.split(">")[0] or "application/json" in tag.split(">")[0] for tag in scripts)


def test_chart_labels_are_in_the_readers_language(pm_client, team):
    milestone(team.project, "试点上线", D(2027, 3, 1))
    user = team.user(Role.PM)
    user.language = "zh-hans"
    user.save()
    chart = pm_client.get(url("plan")).context["chart"]
    assert chart["labels"]["baseline"] == "基线"


def test_once_baselined_a_milestones_baseline_date_changes_only_by_rebaselining(pm_client, team):
    first, _second = baselined_plan(team.project, team.user(Role.PM))
    response = pm_client.post(
        url("milestone_edit", pk=first.pk),
        {"name": first.name, "baseline_date": "2027-06-30", "forecast_date": "2027-02-01"},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.baseline_date == D(2027, 1, 15) and first.forecast_date == D(2027, 2, 1)
    with pytest.raises(ValidationError, match="request a rebaseline"):
        services_plan.milestone_save(
            project=team.project,
            milestone=first,
            name=first.name,
            phase=None,
            owner=None,
            forecast_date=first.forecast_date,
            baseline_date=D(2027, 6, 30),
        )


def test_an_invalid_milestone_keeps_what_was_typed(pm_client):
    response = pm_client.post(url("milestone_create"), {"name": "客户360视图", "baseline_date": "not a date"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="客户360视图"' in page and "Enter a valid date" in page


def test_loss_statement_is_days_of_delay_times_cost_of_delay_plus_extra_cost(pm_client, team):
    baselined_plan(team.project, team.user(Role.PM), slip_days=12, cost_of_delay=Decimal("5000"))
    response = pm_client.post(url("rebaseline_create"), {"reason": "数据迁移比计划多两周", "extra_cost": "30000"})
    request = RebaselineRequest.objects.get()
    assert response.status_code == 302
    assert request.delay_days == 12
    assert request.loss == Decimal("90000.00")  # 12 × 5,000 + 30,000
    assert services_plan.loss_statement(
        delay_days=12, cost_of_delay_per_day=Decimal("5000"), extra_cost=Decimal("30000")
    ) == Decimal("90000")
    page = pm_client.get(url("rebaseline_detail", pk=request.pk)).content.decode()
    assert "90,000.00" in page and "60,000.00" in page


def test_a_rebaseline_needs_a_baseline_and_only_one_waits_at_a_time(team):
    pm = team.user(Role.PM)
    milestone(team.project)
    with pytest.raises(ValidationError, match="first baseline"):
        services_plan.rebaseline_request_create(project=team.project, requested_by=pm, reason="x", extra_cost=0)
    services_plan.baseline_set_initial(project=team.project, approved_by=pm, reason="启动会")
    services_plan.rebaseline_request_create(project=team.project, requested_by=pm, reason="x", extra_cost=0)
    with pytest.raises(ValidationError, match="already waiting"):
        services_plan.rebaseline_request_create(project=team.project, requested_by=pm, reason="y", extra_cost=0)


def test_sponsor_approval_adds_a_baseline_version_keeps_the_old_one_and_tells_every_member(
    client, team, django_capture_on_commit_callbacks
):
    _first, second = baselined_plan(team.project, team.user(Role.PM), slip_days=10)
    request = services_plan.rebaseline_request_create(
        project=team.project, requested_by=team.user(Role.PM), reason="数据迁移延期", extra_cost=Decimal("20000")
    )
    client.force_login(team.user(Role.SPONSOR))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("rebaseline_decide", pk=request.pk), {"outcome": "approved", "rationale": "同意，控制范围"}
        )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RebaselineRequest.Status.APPROVED and request.baseline.version == 2
    second.refresh_from_db()
    assert second.baseline_date == D(2027, 5, 10) and second.slip_days == 0
    old = PlanBaseline.objects.get(project=team.project, version=1)
    assert old.milestone_dates()[second.pk] == "2027-04-30"
    # The approval also re-evaluates escalations at once (no committee meeting here): only the announcement counts.
    announced = [message for message in mail.outbox if not message.subject.startswith("Escalation")]
    recipients = sorted(message.to[0] for message in announced)
    assert recipients == sorted(m.user.email for m in team.members.values())
    body = announced[0].body
    assert "70,000.00" in body and "华南区全面上线" in body
    page = client.get(url("baseline_compare")).content.decode()
    assert "2027-04-30" in page and "2027-05-10" in page


def test_a_rejected_rebaseline_leaves_the_baseline_alone(team):
    _first, second = baselined_plan(team.project, team.user(Role.PM), slip_days=10)
    request = services_plan.rebaseline_request_create(
        project=team.project, requested_by=team.user(Role.PM), reason="x", extra_cost=Decimal(0)
    )
    services_plan.rebaseline_decide(
        request=request, outcome="rejected", rationale="先赶工", decided_by=team.user("sponsor")
    )
    second.refresh_from_db()
    assert second.baseline_date == D(2027, 4, 30)
    assert PlanBaseline.objects.filter(project=team.project).count() == 1
    assert not OutboundEmail.objects.filter(template="plan-rebaselined").exists()
    with pytest.raises(ValidationError, match="already been decided"):
        services_plan.rebaseline_decide(
            request=request, outcome="approved", rationale="", decided_by=team.user("sponsor")
        )


def test_budget_shows_variance_and_marks_lines_beyond_tolerance(pm_client, team):
    team.project.budget_tolerance_percent = Decimal("10")
    team.project.save()
    services_plan.budget_update(
        project=team.project,
        lines={
            "licences": {"baseline": Decimal("100000"), "committed": 0, "actual": 0, "forecast": Decimal("110000")},
            "custom": {"baseline": Decimal("100000"), "committed": 0, "actual": 0, "forecast": Decimal("125000")},
        },
    )
    response = pm_client.get(url("budget"))
    lines = {line.category: line for line in response.context["lines"]}
    assert lines["licences"].variance == Decimal("10000") and not lines["licences"].exception
    assert lines["custom"].variance_percent == Decimal("25.0") and lines["custom"].exception
    assert len(response.context["lines"]) == len(BudgetLine.Category)
    assert "25,000.00" in response.content.decode()


def test_budget_form_refuses_a_negative_amount_and_keeps_what_was_typed(pm_client):
    data = {}
    for category in BudgetLine.Category.values:
        data.update({f"{category}-{k}": "1000" for k in ("baseline", "committed", "actual", "forecast")})
        data[f"{category}-funding"] = "approved"
    data["training-forecast"] = "-5"
    data["licences-baseline"] = "123456"
    response = pm_client.post(url("budget_edit"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="123456"' in page and "greater than or equal to 0" in page
    assert not BudgetLine.objects.exists()


def test_budget_baselines_are_kept_once_the_plan_is_baselined(team):
    baselined_plan(team.project, team.user(Role.PM))
    with pytest.raises(ValidationError, match="rebaseline"):
        services_plan.budget_update(
            project=team.project,
            lines={"training": {"baseline": Decimal("1"), "committed": 0, "actual": 0, "forecast": 0}},
        )


def test_key_user_sees_the_budget_only_when_granted(pm_client, team):
    from django.test import Client

    key_user = team.members[Role.KEY_USER]
    client = Client()
    client.force_login(key_user.user)
    assert client.get(url("budget")).status_code == 403
    assert url("budget") not in client.get(url("plan")).content.decode()
    response = pm_client.post(
        url("member_edit", pk=key_user.pk), {"role": Role.KEY_USER, "grants": [Capability.BUDGET_VIEW]}
    )
    assert response.status_code == 302
    assert client.get(url("budget")).status_code == 200
    assert url("budget") in client.get(url("plan")).content.decode()
    assert client.get(url("budget_edit")).status_code == 403


def test_a_grant_cannot_give_what_is_not_grantable(team):
    key_user = team.members[Role.KEY_USER]
    key_user.grants = [Capability.PLAN_EDIT]
    key_user.save()
    assert not key_user.can(Capability.PLAN_EDIT)


def _queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_plan_and_budget_query_counts_do_not_grow_with_rows(pm_client, team, fetch_raise):
    phase = services_plan.phase_save(
        project=team.project, name="一期", goals="线索", start_date=D(2027, 1, 1), end_date=D(2027, 3, 1)
    )
    milestone(team.project, "M0", D(2027, 1, 1), phase=phase, owner=team.user(Role.PM))
    few = _queries(pm_client, url("plan")), _queries(pm_client, url("budget"))
    for n in range(1, 12):
        milestone(team.project, f"M{n}", D(2027, 1, n + 1), phase=phase, owner=team.user(Role.CONSULTANT))
    services_plan.baseline_set_initial(project=team.project, approved_by=team.user(Role.PM), reason="v1")
    services_plan.rebaseline_request_create(
        project=team.project, requested_by=team.user(Role.PM), reason="x", extra_cost=Decimal(0)
    )
    services_plan.budget_update(
        project=team.project,
        lines={c: {"baseline": 1, "committed": 1, "actual": 1, "forecast": 2} for c in BudgetLine.Category.values},
    )
    many = _queries(pm_client, url("plan")), _queries(pm_client, url("budget"))
    assert Milestone.objects.count() == 12
    assert many == few, (few, many)
