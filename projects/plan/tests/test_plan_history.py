"""History of the plan (issue 16 point 11): who moved a forecast, a budget line or a risk, when,
from what to what — on the object's page, in the reader's language, in a bounded list."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.permissions import Role
from projects.plan import services as services_plan
from projects.registers import services as services_registers

D = datetime.date
BASELINE = D(2027, 3, 1)


def url(name, **kwargs):
    return reverse(f"projects:{name}", kwargs={"code": "SCRM", **kwargs})


def a_milestone(team, forecast=BASELINE, by=None, milestone=None):
    return services_plan.milestone_save(
        project=team.project,
        milestone=milestone,
        name="全员上线",
        phase=None,
        owner=None,
        baseline_date=D(2027, 3, 1),
        forecast_date=forecast,
        by=by,
    )


def test_the_milestone_page_shows_who_moved_the_forecast_from_what_to_what(client, team):
    pm = team.user(Role.PM)
    milestone = a_milestone(team, by=pm)
    a_milestone(team, forecast=D(2027, 3, 21), by=pm, milestone=milestone)  # a service call, no request
    client.force_login(pm)
    page = client.get(url("milestone_edit", pk=milestone.pk)).content.decode()
    assert "History" in page and "forecast date: 2027-03-01 → " in page and "2027-03-21" in page
    assert str(pm) in page
    pm.language = "zh-hans"
    pm.save()
    chinese = client.get(url("milestone_edit", pk=milestone.pk)).content.decode()
    assert "预测日期：2027-03-01 → " in chinese or "预测日期: 2027-03-01 → " in chinese


def test_a_change_through_the_page_records_the_signed_in_user(client, team):
    milestone = a_milestone(team)
    sponsor_pm = team.user(Role.PM)
    client.force_login(sponsor_pm)
    response = client.post(
        url("milestone_edit", pk=milestone.pk),
        {"name": "全员上线", "baseline_date": "2027-03-01", "forecast_date": "2027-03-15"},
    )
    assert response.status_code == 302
    latest = milestone.history.first()
    assert latest.history_user == sponsor_pm and latest.forecast_date == D(2027, 3, 15)


def test_an_approved_change_moving_the_forecast_is_in_the_history(team):
    milestone = a_milestone(team)
    services_plan.plan_apply_change_impact(
        project=team.project,
        milestones=[milestone],
        delay_days=10,
        cost=Decimal(0),
        category="services",
        by=team.user(Role.SPONSOR),
    )
    latest = milestone.history.first()
    assert latest.forecast_date == D(2027, 3, 11) and latest.history_user == team.user(Role.SPONSOR)


def test_the_budget_page_shows_the_history_of_its_lines(client, team):
    pm = team.user(Role.PM)
    services_plan.budget_update(project=team.project, lines={"training": {"forecast": Decimal(1000)}}, by=pm)
    services_plan.budget_update(project=team.project, lines={"training": {"forecast": Decimal(5000)}}, by=pm)
    client.force_login(pm)
    page = client.get(url("budget")).content.decode()
    assert "Training" in page and "forecast: 1000.00 → " in page and "5000.00" in page


def test_the_risk_page_shows_its_history(client, team):
    pm = team.user(Role.PM)
    fields = {"title": "关键用户流失", "probability": 2, "impact": 4}
    risk = services_registers.risk_save(project=team.project, by=pm, **fields)
    services_registers.risk_save(project=team.project, risk=risk, by=pm, **{**fields, "probability": 4})
    client.force_login(pm)
    page = client.get(url("risk_edit", pk=risk.pk)).content.decode()
    assert "probability (1–5): 2 → " in page


def test_history_pages_query_counts_do_not_grow_with_history_rows(client, team, fetch_raise):
    pm = team.user(Role.PM)
    milestone = a_milestone(team, by=pm)
    risk = services_registers.risk_save(project=team.project, by=pm, title="r", probability=1, impact=1)
    services_plan.budget_update(project=team.project, lines={"training": {"forecast": Decimal(1)}}, by=pm)
    client.force_login(pm)
    pages = [url("milestone_edit", pk=milestone.pk), url("budget"), url("risk_edit", pk=risk.pk)]

    def counts():
        result = []
        for page in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(page).status_code == 200
            result.append(len(queries))
        return result

    few = counts()
    for day in range(2, 40):
        a_milestone(team, forecast=D(2027, 3, day % 28 + 1), by=pm, milestone=milestone)
        services_registers.risk_save(
            project=team.project, risk=risk, by=team.user(Role.SPONSOR), title="r", probability=day % 5 + 1, impact=1
        )
        services_plan.budget_update(
            project=team.project, lines={"training": {"forecast": Decimal(day)}}, by=team.user(Role.SPONSOR)
        )
    assert counts() == few
