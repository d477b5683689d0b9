"""A meeting closes only when every decision on its agenda is taken or explicitly deferred
(D-SC-4; issue 16)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from projects.permissions import Role
from projects.plan import services as services_plan
from projects.steering import services as services_steering
from projects.steering.models import CommitteeMember, Meeting
from projects.tests.factories import baselined_plan

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def held(team, time_machine):
    """A published meeting under way, its agenda: a rebaseline to decide and a plain report."""
    time_machine.move_to(datetime.datetime(2027, 3, 1, 9, 0, tzinfo=SHANGHAI), tick=False)
    services_steering.committee_member_add(
        project=team.project, user=team.user(Role.SPONSOR), committee_role=CommitteeMember.CommitteeRole.CHAIR
    )
    baselined_plan(team.project, team.user(Role.PM), slip_days=10)
    services_plan.rebaseline_request_create(
        project=team.project, requested_by=team.user(Role.PM), reason="数据迁移延期", extra_cost=Decimal("0")
    )
    meeting = services_steering.meeting_create(
        project=team.project,
        created_by=team.user(Role.PM),
        title="第三次指导委员会",
        starts_at=datetime.datetime(2027, 3, 10, 14, 0, tzinfo=SHANGHAI),
        duration_minutes=90,
        location="12 楼",
    )
    services_steering.agenda_item_add(meeting=meeting, title="项目进展汇报")
    services_steering.meeting_publish(meeting=meeting, published_by=team.user(Role.PM))
    time_machine.move_to(meeting.starts_at + datetime.timedelta(minutes=10), tick=False)
    return meeting


def test_a_meeting_with_an_undecided_decision_item_does_not_close(team, held):
    with pytest.raises(ValidationError, match="Still to decide") as refused:
        services_steering.meeting_close(meeting=held, closed_by=team.user(Role.PM))
    title = held.items.get(decision_required=True).title
    assert title in str(refused.value) and "项目进展汇报" not in str(refused.value)
    held.refresh_from_db()
    assert held.status != Meeting.Status.CLOSED


def test_the_meeting_page_says_which_items_are_still_to_decide(team, held):
    client = Client()
    client.force_login(team.user(Role.PM))
    url = reverse("projects:meeting_close", kwargs={"code": "SCRM", "pk": held.pk})
    page = client.post(url, follow=True).content.decode()
    assert "Still to decide" in page and held.items.get(decision_required=True).title in page
    held.refresh_from_db()
    assert held.status != Meeting.Status.CLOSED


def test_an_explicitly_deferred_item_lets_the_meeting_close(team, held):
    item = held.items.get(decision_required=True)
    services_steering.agenda_item_decide(
        item=item, outcome="deferred", rationale="补充损失测算", decided_by=team.user(Role.SPONSOR)
    )
    services_steering.meeting_close(meeting=held, closed_by=team.user(Role.PM))
    held.refresh_from_db()
    assert held.status == Meeting.Status.CLOSED
