"""Governance that cannot be bypassed (issue 16): the project's status moves only through its own
workflow, nobody changes their own role, role changes are recorded and the sponsor is told, and
whoever must decide sees what waits for them (D-PLAN-5, D-SC-3, D-CL-5)."""

from decimal import Decimal

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from projects.core import services
from projects.core.models import Membership, Project
from projects.notifications.models import OutboundEmail
from projects.permissions import Role
from projects.plan import services as services_plan
from projects.tests.factories import baselined_plan


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def url(name, **kwargs):
    return reverse(f"projects:{name}", kwargs={"code": "SCRM", **kwargs})


def login(team, role) -> Client:
    client = Client()
    client.force_login(team.user(role))
    return client


SETTINGS = {
    "name": "华南区销售CRM上线",
    "description": "",
    "vision": "",
    "time_zone": "Asia/Shanghai",
    "default_language": "zh-hans",
    "cost_of_delay_per_day": "0",
    "schedule_tolerance_days": "5",
    "budget_tolerance_percent": "10",
    "agenda_notice_days": "3",
    "meeting_cadence_days": "30",
    "report_weekday": "4",
    "report_time": "16:00",
    "report_draft_hours": "4",
    "escalation_ack_hours": "24",
    "blocker_days": "3",
    "compliance_threshold_percent": "80",
    "compliance_low_days": "3",
}


# --- 1. Closing only through the closure procedure ------------------------------------------------


def test_pm_saving_closed_in_the_settings_does_not_close_the_project(team):
    pm = login(team, Role.PM)
    page = pm.get(url("edit"))
    assert "status" not in page.context["form"].fields
    response = pm.post(url("edit"), SETTINGS | {"status": "closed"})
    assert response.status_code == 302
    team.project.refresh_from_db()
    assert team.project.status == Project.Status.ACTIVE
    assert pm.get(url("edit")).status_code == 200  # still editable


@pytest.mark.parametrize("status", [Project.Status.CLOSED, Project.Status.CLOSING])
def test_the_settings_service_refuses_a_status_change(team, status):
    with pytest.raises(ValidationError, match="closure"):
        services.project_update(project=team.project, name="x", status=status)
    team.project.refresh_from_db()
    assert team.project.status == Project.Status.ACTIVE and team.project.name != "x"


def test_the_settings_service_refuses_to_reopen_a_closed_project(team):
    Project.objects.filter(pk=team.project.pk).update(status=Project.Status.CLOSED)
    project = Project.objects.get(pk=team.project.pk)
    with pytest.raises(ValidationError):
        services.project_update(project=project, status=Project.Status.ACTIVE)


def test_the_admin_shows_the_status_but_does_not_let_it_be_changed(team, make_user):
    admin = make_user(is_staff=True, is_superuser=True)
    request = RequestFactory().get("/")
    request.user = admin
    model_admin = admin_site._registry[Project]
    assert "status" in model_admin.get_readonly_fields(request, team.project)


# --- 3. Separation of duties: roles ------------------------------------------------------------------


def test_a_pm_cannot_make_herself_sponsor(team):
    pm_membership = team.members[Role.PM]
    with pytest.raises(ValidationError, match="your own role"):
        services.membership_update(membership=pm_membership, role=Role.SPONSOR, changed_by=pm_membership.user)
    pm_membership.refresh_from_db()
    assert pm_membership.role == Role.PM


def test_the_member_page_shows_a_clear_error_when_the_pm_changes_her_own_role(team):
    pm = login(team, Role.PM)
    mine = team.members[Role.PM]
    response = pm.post(url("member_edit", pk=mine.pk), {"role": Role.SPONSOR, "department": "", "title": ""})
    assert response.status_code == 400
    assert "You cannot change your own role" in response.content.decode()
    mine.refresh_from_db()
    assert mine.role == Role.PM


def test_the_pm_may_still_edit_her_own_department(team):
    mine = team.members[Role.PM]
    services.membership_update(membership=mine, role=Role.PM, department="信息部", changed_by=mine.user)
    mine.refresh_from_db()
    assert mine.department == "信息部"


def test_a_role_change_is_recorded_and_the_sponsor_is_told(team, django_capture_on_commit_callbacks):
    pm = login(team, Role.PM)
    key_user = team.members[Role.KEY_USER]
    with django_capture_on_commit_callbacks(execute=True):
        response = pm.post(url("member_edit", pk=key_user.pk), {"role": Role.STEERING, "department": "销售部"})
    assert response.status_code == 302
    record = key_user.history.order_by("-history_id").first()
    previous = record.prev_record
    assert (previous.role, record.role) == (Role.KEY_USER, Role.STEERING)
    assert record.history_user == team.user(Role.PM)
    told = OutboundEmail.objects.get(template="role-changed")
    assert told.to_user == team.user(Role.SPONSOR)
    assert told.key == f"role-change:{key_user.pk}:{record.history_id}"
    assert "Key user" in told.body_text and "Steering committee member" in told.body_text
    assert "Project manager" in told.body_text  # who changed it


def test_no_e_mail_when_the_role_stays(team):
    key_user = team.members[Role.KEY_USER]
    services.membership_update(membership=key_user, role=Role.KEY_USER, title="主管", changed_by=team.user(Role.PM))
    assert not OutboundEmail.objects.filter(template="role-changed").exists()


# --- 7. Decisions are seen: the overview lists what waits for the viewer's decision --------------------


def test_the_sponsor_sees_the_rebaseline_waiting_for_his_decision_on_the_overview(team):
    baselined_plan(team.project, team.user(Role.PM), slip_days=10)
    request = services_plan.rebaseline_request_create(
        project=team.project, requested_by=team.user(Role.PM), reason="数据迁移延期", extra_cost=Decimal("0")
    )
    page = login(team, Role.SPONSOR).get(url("detail")).content.decode()
    assert "Waiting for your decision" in page
    assert url("rebaseline_detail", pk=request.pk) in page
    # The PM who asked does not decide it: nothing waits for her.
    assert "Waiting for your decision" not in login(team, Role.PM).get(url("detail")).content.decode()
    assert "Waiting for your decision" not in login(team, Role.KEY_USER).get(url("detail")).content.decode()


def test_membership_update_needs_to_know_who_changes(team):
    with pytest.raises(TypeError):
        services.membership_update(membership=team.members[Role.KEY_USER], role=Role.KEY_USER)


def test_history_keeps_every_role_of_a_membership(team):
    key_user = team.members[Role.KEY_USER]
    services.membership_update(membership=key_user, role=Role.STEERING, changed_by=team.user(Role.PM))
    services.membership_update(membership=key_user, role=Role.EXECUTIVE, changed_by=team.user(Role.PM))
    roles = list(Membership.history.filter(id=key_user.pk).order_by("history_id").values_list("role", flat=True))
    assert roles[-3:] == [Role.KEY_USER, Role.STEERING, Role.EXECUTIVE]


def _admin_request(user):
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = RequestFactory().post("/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def test_a_role_changed_in_the_admin_goes_through_the_same_rules(team, make_user):
    from types import SimpleNamespace

    admin = make_user(is_staff=True, is_superuser=True)
    model_admin = admin_site._registry[Membership]
    key_user = Membership.objects.get(pk=team.members[Role.KEY_USER].pk)
    key_user.role = Role.STEERING
    form = SimpleNamespace(changed_data=["role"], initial={"role": Role.KEY_USER})
    model_admin.save_model(_admin_request(admin), key_user, form, change=True)
    key_user.refresh_from_db()
    assert key_user.role == Role.STEERING
    assert key_user.history.order_by("-history_id").first().history_user == admin
    assert OutboundEmail.objects.filter(template="role-changed", to_user=team.user(Role.SPONSOR)).exists()

    # A site administrator who is also the PM cannot change his own role there either.
    own = Membership.objects.create(project=team.project, user=admin, role=Role.PM)
    own.role = Role.SPONSOR
    request = _admin_request(admin)
    model_admin.save_model(request, own, SimpleNamespace(changed_data=["role"], initial={"role": Role.PM}), True)
    own.refresh_from_db()
    assert own.role == Role.PM
    assert any("your own role" in str(message) for message in request._messages)
