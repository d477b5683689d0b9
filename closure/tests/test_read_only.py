"""A closed project is read-only: every write URL of every app refuses, every page stays readable
for its members, and no reminder goes out for it (D-CL-5)."""

import datetime

import pytest
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import translation

from crmgov.tests.test_authorization import AREAS, PROJECT_CASES, AreaTestData
from issues.tasks import dispatch_daily_mail
from projects.core.models import Project
from projects.notifications.models import OutboundEmail
from projects.permissions import Role
from projects.steering import services as services_steering
from projects.steering.models import CommitteeMember
from projects.steering.tasks import dispatch_action_item_reminders

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
# Pages that only exist to change something: closed, they refuse like their POST. The successor's
# self-assessment page also shows the assessment: it stays readable, without its form.
# Pages whose GET is a form (refused on a closed project); reading pages that merely carry a small
# form beside what they show stay readable.
FORM_PAGES = ({case.url_name for case in PROJECT_CASES if case.method == "POST"} | {"issues:calendar"}) - {
    "closure:assessment",
    "projects:status_report",
    "projects:escalation_acknowledge",
    "closure:reopen",
}
# The one change a closed project accepts: its sponsor reopens it (closure/tests/test_governance.py).
WAYS_OUT = {"closure:reopen"}


def _case_id(case):
    return f"{case.method} {case.url_name}"


def _allowed_role(case):
    roles = sorted(case.allowed - case.hidden_from)
    return Role.PM if Role.PM in roles else roles[0]


def _close(team):
    Project.objects.filter(pk=team.project.pk).update(status=Project.Status.CLOSED)


class ClosedProjectChecks(AreaTestData):
    """An area's URLs once the project is closed, each as a role that may use it (team built once)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        _close(cls.team)

    def test_every_write_url_refuses_a_closed_project(self):
        for case, kwargs in zip(self.cases, self.kwargs, strict=True):
            if case.method == "POST" and case.url_name not in WAYS_OUT:
                role = _allowed_role(case)
                with self.subTest(url=case.url_name, method=case.method, role=role.value):
                    response = self.request(self.client_for(self.team.user(role)), case, kwargs)
                    self.check(response, {403}, case, role.value)

    def test_every_page_stays_readable_for_members_of_a_closed_project(self):
        for case, kwargs in zip(self.cases, self.kwargs, strict=True):
            if case.method == "GET":
                role = _allowed_role(case)
                with self.subTest(url=case.url_name, method=case.method, role=role.value):
                    response = self.request(self.client_for(self.team.user(role)), case, kwargs)
                    self.check(response, {403 if case.url_name in FORM_PAGES else 200}, case, role.value)


# One class per area of the authorization matrix (its team and objects built once).
@pytest.mark.xdist_group("read-only-issues")
class TestProjectAndIssueClosed(ClosedProjectChecks, TestCase):
    cases = AREAS["ProjectAndIssue"]


@pytest.mark.xdist_group("read-only-changes")
class TestChangeEscalationAndReportClosed(ClosedProjectChecks, TestCase):
    cases = AREAS["ChangeEscalationAndReport"]


@pytest.mark.xdist_group("read-only-plan")
class TestPlanAndSteeringClosed(ClosedProjectChecks, TestCase):
    cases = AREAS["PlanAndRegisters"] + AREAS["Steering"]


@pytest.mark.xdist_group("read-only-closure")
class TestClosureNotStartedClosed(ClosedProjectChecks, TestCase):
    cases = AREAS["ClosureNotStarted"]


@pytest.mark.xdist_group("read-only-closure")
class TestClosureClosed(ClosedProjectChecks, TestCase):
    cases = AREAS["Closure"]


def test_every_case_is_checked_on_a_closed_project():
    classes = [TestProjectAndIssueClosed, TestChangeEscalationAndReportClosed, TestPlanAndSteeringClosed]
    classes += [TestClosureNotStartedClosed, TestClosureClosed]
    checked = sorted(_case_id(case) for test in classes for case in test.cases)
    assert checked == sorted(map(_case_id, PROJECT_CASES))


def test_the_refusal_says_the_project_is_closed_and_hides_the_buttons(team):
    client = Client()
    client.force_login(team.user(Role.PM))
    _close(team)
    with translation.override("en"):
        refused = client.post(reverse("projects:risk_create", kwargs={"code": "SCRM"}), {"title": "x"})
    assert refused.status_code == 403
    assert "This project is closed" in refused.content.decode()
    page = client.get(reverse("projects:risks", kwargs={"code": "SCRM"}))
    assert page.status_code == 200
    assert reverse("projects:risk_create", kwargs={"code": "SCRM"}) not in page.content.decode()


def test_a_project_in_closure_still_accepts_writes(team):
    client = Client()
    client.force_login(team.user(Role.PM))
    Project.objects.filter(pk=team.project.pk).update(status=Project.Status.CLOSING)
    response = client.get(reverse("projects:risk_create", kwargs={"code": "SCRM"}))
    assert response.status_code == 200


@pytest.mark.parametrize("status", [Project.Status.CLOSING, Project.Status.CLOSED])
def test_daily_report_reminders_stop_when_the_project_is_closed(team, time_machine, status):
    Project.objects.filter(pk=team.project.pk).update(status=status)
    monday_after_reminder_time = datetime.datetime(2026, 10, 12, 17, 5, tzinfo=SHANGHAI)
    time_machine.move_to(monday_after_reminder_time, tick=False)
    dispatch_daily_mail.delay()
    reminded = OutboundEmail.objects.filter(project=team.project, template="daily-reminder").count()
    assert reminded == (1 if status == Project.Status.CLOSING else 0)


@pytest.mark.parametrize("status", [Project.Status.CLOSING, Project.Status.CLOSED])
def test_action_item_reminders_stop_when_the_project_is_closed(team, time_machine, status):
    time_machine.move_to(datetime.datetime(2027, 3, 1, 9, 0, tzinfo=SHANGHAI), tick=False)
    services_steering.committee_member_add(
        project=team.project, user=team.user(Role.SPONSOR), committee_role=CommitteeMember.CommitteeRole.CHAIR
    )
    meeting = services_steering.meeting_create(
        project=team.project,
        created_by=team.user(Role.PM),
        title="收尾会",
        starts_at=datetime.datetime(2027, 3, 10, 14, 0, tzinfo=SHANGHAI),
        duration_minutes=60,
        location="三楼会议室",
    )
    services_steering.agenda_item_add(meeting=meeting, title="验收")
    services_steering.meeting_publish(meeting=meeting, published_by=team.user(Role.PM))
    services_steering.action_item_add(
        meeting=meeting, title="移交文档", owner=team.user(Role.CONSULTANT), due_date=datetime.date(2027, 3, 12)
    )
    Project.objects.filter(pk=team.project.pk).update(status=status)
    time_machine.move_to(datetime.datetime(2027, 3, 12, 8, 0, tzinfo=SHANGHAI), tick=False)
    dispatch_action_item_reminders.delay()
    due = OutboundEmail.objects.filter(project=team.project, template="action-item-due").count()
    assert due == (1 if status == Project.Status.CLOSING else 0)
