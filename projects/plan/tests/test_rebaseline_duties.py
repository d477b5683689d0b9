"""Nobody decides their own rebaseline request, and whoever decides hears of it at once (D-PLAN-5,
D-SC-3; issue 16)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from projects.core import services as services_core
from projects.notifications.models import OutboundEmail
from projects.permissions import Role
from projects.plan import services as services_plan
from projects.plan.models import RebaselineRequest
from projects.tests.factories import baselined_plan


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def url(name, **kwargs):
    return reverse(f"projects:{name}", kwargs={"code": "SCRM", **kwargs})


def request_by_pm(team) -> RebaselineRequest:
    baselined_plan(team.project, team.user(Role.PM), slip_days=10)
    return services_plan.rebaseline_request_create(
        project=team.project, requested_by=team.user(Role.PM), reason="数据迁移延期", extra_cost=Decimal("20000")
    )


def promote_pm_to_sponsor(team):
    """Another PM makes her sponsor (she cannot do it herself)."""
    second_pm = team.members[Role.PM].user.__class__.objects.create_user("pm2@example.com", "x", full_name="PM 2")
    team.project.memberships.create(user=second_pm, role=Role.PM)
    services_core.membership_update(membership=team.members[Role.PM], role=Role.SPONSOR, changed_by=second_pm)


def test_the_pm_who_requested_a_rebaseline_cannot_approve_it_even_as_sponsor(team):
    request = request_by_pm(team)
    promote_pm_to_sponsor(team)
    with pytest.raises(ValidationError, match="your own request"):
        services_plan.rebaseline_decide(
            request=request, outcome="approved", rationale="我同意", decided_by=team.user(Role.PM)
        )
    request.refresh_from_db()
    assert request.status == RebaselineRequest.Status.PENDING


def test_the_rebaseline_page_refuses_the_requesters_own_approval_with_a_clear_error(team):
    request = request_by_pm(team)
    promote_pm_to_sponsor(team)
    client = Client()
    client.force_login(team.user(Role.PM))
    response = client.post(url("rebaseline_decide", pk=request.pk), {"outcome": "approved", "rationale": "同意"})
    assert response.status_code == 400
    assert "cannot decide your own request" in response.content.decode()
    request.refresh_from_db()
    assert request.status == RebaselineRequest.Status.PENDING


def test_the_sponsor_is_told_at_once_that_a_rebaseline_waits_for_his_decision(team):
    request = request_by_pm(team)
    told = OutboundEmail.objects.filter(template="rebaseline-requested")
    assert [email.to_user for email in told] == [team.user(Role.SPONSOR)]
    email = told.get()
    assert email.key == f"rebaseline-requested:{request.pk}"
    assert "70,000.00" in email.body_text and url("rebaseline_detail", pk=request.pk) in email.body_text


def test_the_decision_e_mail_reaches_a_chinese_sponsor_in_chinese(team):
    sponsor = team.user(Role.SPONSOR)
    sponsor.language = "zh-hans"
    sponsor.save()
    request_by_pm(team)
    email = OutboundEmail.objects.get(template="rebaseline-requested")
    assert "等待您的决定" in email.subject
