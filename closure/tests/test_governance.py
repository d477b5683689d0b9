"""Closure that cannot be bypassed (issue 16) and its items worded for the reader (issue 18):
reopening only by the sponsor or a site administrator, with a reason, recorded and announced; a
waiver requested by one person and granted by another; every escalation resolved before
acceptance; compiled items kept as facts and worded in the reader's language (D-CL-2, D-CL-5)."""

import importlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from changes import services as change_services
from changes.models import ChangeRequest
from closure import services
from closure.gates import closure_state
from closure.models import ClosureItem, ClosureReopening, Gate, GateWaiver
from issues import services as issue_services
from projects.core import services as services_core
from projects.core.models import Project
from projects.escalations.models import Escalation
from projects.escalations.services import escalation_open
from projects.notifications.models import OutboundEmail
from projects.permissions import Role
from projects.registry import Detected


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def url(name, **kwargs):
    return reverse(f"closure:{name}", kwargs={"code": "SCRM", **kwargs})


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def closing(team):
    return services.closure_start(project=team.project, by=team.user(Role.PM))


@pytest.fixture
def closed(team, closing):
    """Accepted by the sponsor: every gate waived by him directly."""
    sponsor = team.user(Role.SPONSOR)
    for gate in (Gate.SOPS, Gate.SUCCESSOR, Gate.IMPROVEMENT):
        services.gate_waive(closure=closing, gate=gate, reason="顾问延期支持三个月", by=sponsor)
    services.closure_sign(closure=closing, by=sponsor, note="同意结项")
    closing.refresh_from_db()
    return closing


def status(team) -> str:
    return Project.objects.get(pk=team.project.pk).status


# --- Reopening a closed project -------------------------------------------------------------------


def test_the_sponsor_reopens_a_closed_project_with_a_reason_recorded_and_announced(team, closed):
    sponsor = login(team.user(Role.SPONSOR))
    overview = sponsor.get(url("overview")).content.decode()
    assert url("reopen") in overview  # the button is on the closure page
    refused = sponsor.post(url("reopen"), {"reason": "  "})
    assert refused.status_code == 400 and status(team) == Project.Status.CLOSED
    response = sponsor.post(url("reopen"), {"reason": "验收后发现数据迁移缺漏"})
    assert response.status_code == 302
    assert status(team) == Project.Status.CLOSING
    reopening = ClosureReopening.objects.get()
    assert (reopening.reopened_by, reopening.reason) == (team.user(Role.SPONSOR), "验收后发现数据迁移缺漏")
    assert reopening.signed_by == team.user(Role.SPONSOR) and reopening.signed_at is not None
    closed.refresh_from_db()
    assert closed.signed_at is None  # closing again means signing again
    record = Project.history.filter(id=team.project.pk).order_by("-history_id").first()
    assert record.status == Project.Status.CLOSING and record.history_user == team.user(Role.SPONSOR)
    emails = OutboundEmail.objects.filter(template="project-reopened")
    assert sorted(e.to_email for e in emails) == sorted(m.user.email for m in team.members.values())
    assert {e.key for e in emails} == {f"project-reopened:{reopening.pk}"}
    assert "验收后发现数据迁移缺漏" in emails.first().body_text
    # Writable again: the PM edits the settings.
    assert login(team.user(Role.PM)).get(reverse("projects:edit", kwargs={"code": "SCRM"})).status_code == 200


def test_the_pm_cannot_reopen_a_closed_project(team, closed):
    with pytest.raises(PermissionDenied):
        services.closure_reopen(project=team.project, by=team.user(Role.PM), reason="我想改")
    assert login(team.user(Role.PM)).post(url("reopen"), {"reason": "我想改"}).status_code == 403
    assert status(team) == Project.Status.CLOSED


def test_a_site_administrator_reopens_a_project_he_is_not_a_member_of(team, closed, make_user):
    admin = make_user(is_staff=True, is_superuser=True)
    page = login(admin).get(url("reopen"))
    assert page.status_code == 200
    response = login(admin).post(url("reopen"), {"reason": "误操作"})
    assert response.status_code == 302 and status(team) == Project.Status.CLOSING
    assert ClosureReopening.objects.get().reopened_by == admin


def test_only_a_closed_project_is_reopened(team, closing):
    with pytest.raises(ValidationError, match="not closed"):
        services.closure_reopen(project=team.project, by=team.user(Role.SPONSOR), reason="x")


def test_a_reopened_project_is_announced_again_when_it_closes_again(team, closed):
    services.closure_reopen(project=team.project, by=team.user(Role.SPONSOR), reason="补数据")
    services.closure_sign(closure=closed, by=team.user(Role.SPONSOR), note="再次结项")
    assert status(team) == Project.Status.CLOSED
    assert OutboundEmail.objects.filter(template="project-closed", to_user=team.user(Role.PM)).count() == 2


# --- Waivers: requested by one, granted by another --------------------------------------------------


def test_the_pm_requests_a_waiver_and_the_sponsor_is_told_and_grants_it(team, closing):
    pm = login(team.user(Role.PM))
    response = pm.post(url("waiver_request"), {"gate": Gate.SOPS, "reason": "流程文档三月补齐"})
    assert response.status_code == 302
    waiver = GateWaiver.objects.get()
    assert waiver.requested_by == team.user(Role.PM) and not waiver.granted
    assert not closure_state(team.project).gate(Gate.SOPS).done  # requested is not waived
    told = OutboundEmail.objects.get(template="waiver-requested")
    assert told.to_user == team.user(Role.SPONSOR) and told.key == f"waiver-requested:{waiver.pk}"
    assert "流程文档三月补齐" in told.body_text
    overview = login(team.user(Role.SPONSOR)).get(reverse("projects:detail", kwargs={"code": "SCRM"}))
    assert "Waiting for your decision" in overview.content.decode()
    granted = login(team.user(Role.SPONSOR)).post(url("waive"), {"gate": Gate.SOPS, "reason": "同意"})
    assert granted.status_code == 302
    waiver.refresh_from_db()
    assert waiver.granted and waiver.waived_by == team.user(Role.SPONSOR)
    assert closure_state(team.project).gate(Gate.SOPS).done


def test_whoever_requested_a_waiver_cannot_grant_it(team, closing):
    services.gate_waiver_request(closure=closing, gate=Gate.SOPS, reason="流程文档三月补齐", by=team.user(Role.PM))
    second_pm = team.members[Role.PM].user.__class__.objects.create_user("pm2@example.com", "x", full_name="PM 2")
    team.project.memberships.create(user=second_pm, role=Role.PM)
    services_core.membership_update(membership=team.members[Role.PM], role=Role.SPONSOR, changed_by=second_pm)
    with pytest.raises(ValidationError, match="your own request"):
        services.gate_waive(closure=closing, gate=Gate.SOPS, reason="同意", by=team.user(Role.PM))
    response = login(team.user(Role.PM)).post(url("waive"), {"gate": Gate.SOPS, "reason": "同意"})
    assert response.status_code == 400 and "your own request" in response.content.decode()
    assert not GateWaiver.objects.get().granted


# --- Escalations must be resolved before acceptance -----------------------------------------------


def open_escalation(team) -> Escalation:
    facts = Detected(instance="", title="关键用户离职", what_happened="销售主管离职", consequences="培训延后")
    return escalation_open(project=team.project, kind="other", detected=facts, automatic=False)


def test_an_open_escalation_holds_the_acceptance_and_cannot_be_waived(team, closing):
    escalation = open_escalation(team)
    state = closure_state(team.project)
    assert state.gate(Gate.ESCALATIONS).problems == ["关键用户离职: not resolved."]
    assert not state.gate(Gate.ESCALATIONS).waivable
    with pytest.raises(ValidationError):
        services.gate_waive(closure=closing, gate=Gate.ESCALATIONS, reason="x", by=team.user(Role.SPONSOR))
    for gate in (Gate.SOPS, Gate.SUCCESSOR, Gate.IMPROVEMENT):
        services.gate_waive(closure=closing, gate=gate, reason="r", by=team.user(Role.SPONSOR))
    with pytest.raises(ValidationError, match="Escalations"):
        services.closure_sign(closure=closing, by=team.user(Role.SPONSOR))
    # The sponsor closes it with a note, on its page; then he may sign.
    sponsor = login(team.user(Role.SPONSOR))
    page = sponsor.get(reverse("projects:escalation", kwargs={"code": "SCRM", "pk": escalation.pk}))
    assert reverse("projects:escalation_resolve", kwargs={"code": "SCRM", "pk": escalation.pk}) in page.content.decode()
    response = sponsor.post(
        reverse("projects:escalation_resolve", kwargs={"code": "SCRM", "pk": escalation.pk}),
        {"outcome": "接任者已到岗，风险接受"},
    )
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.status == Escalation.Status.RESOLVED and escalation.resolved_by == team.user(Role.SPONSOR)
    assert closure_state(team.project).gate(Gate.ESCALATIONS).passed
    services.closure_sign(closure=closing, by=team.user(Role.SPONSOR))
    assert status(team) == Project.Status.CLOSED


def test_the_steering_member_does_not_resolve_escalations(team, closing):
    escalation = open_escalation(team)
    response = login(team.user(Role.STEERING)).post(
        reverse("projects:escalation_resolve", kwargs={"code": "SCRM", "pk": escalation.pk}), {"outcome": "x"}
    )
    assert response.status_code == 403


# --- Closure items compiled from the data are facts, worded for the reader (issue 18) ----------------


def compiled_from_rejections(team):
    change = change_services.change_request_create(
        project=team.project, requester=team.user(Role.KEY_USER), title="情绪识别", reason="r", goal="g"
    )
    ChangeRequest.objects.filter(pk=change.pk).update(
        status=ChangeRequest.Status.REJECTED, status_reason="成本过高，二期不做"
    )
    draft = issue_services.IssueDraft(title="报表慢", description="d", severity="medium")
    new_issue = issue_services.issue_create(
        project=team.project, reporter=team.user(Role.KEY_USER), report=None, draft=draft
    )
    services.closure_start(project=team.project, by=team.user(Role.PM))
    return ClosureItem.objects.get(source_id=change.pk, kind="change"), ClosureItem.objects.get(
        source_id=new_issue.pk, kind="issue"
    )


def test_compiled_items_are_stored_as_facts_not_words(team):
    change_item, issue_item = compiled_from_rejections(team)
    assert change_item.facts == {"status": "rejected", "reason": "成本过高，二期不做"}
    assert issue_item.facts == {"status": "new"}
    assert change_item.detail == "" and issue_item.detail == ""


def test_an_english_reader_reads_compiled_items_in_english(team):
    change_item, issue_item = compiled_from_rejections(team)
    assert change_item.detail_text == "Rejected: 成本过高，二期不做"
    assert issue_item.detail_text == "New"
    page = login(team.user(Role.PM)).get(url("items")).content.decode()
    assert "Rejected: 成本过高，二期不做" in page


def test_a_chinese_reader_reads_compiled_items_in_chinese(team):
    change_item, issue_item = compiled_from_rejections(team)
    with translation.override("zh-hans"):
        assert change_item.detail_text == "已驳回：成本过高，二期不做"
        assert issue_item.detail_text == "新问题"
    pm = team.user(Role.PM)
    pm.language = "zh-hans"
    pm.save()
    client = login(pm)
    client.cookies["django_language"] = "zh-hans"
    with translation.override("zh-hans"):
        page = client.get(url("item_detail", pk=change_item.pk), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已驳回：成本过高，二期不做" in page
    assert "Rejected" not in page


def test_existing_worded_details_are_parsed_back_into_facts_or_kept_as_typed():
    migration = importlib.import_module("closure.migrations.0003_closure_item_facts")
    assert migration.parse_detail("change", "Rejected: 成本过高，二期不做") == {
        "status": "rejected",
        "reason": "成本过高，二期不做",
    }
    assert migration.parse_detail("issue", "新问题") == {"status": "new"}
    assert migration.parse_detail("issue", "已推迟: 三期再做") == {"status": "deferred", "reason": "三期再做"}
    assert migration.parse_detail("issue", "手写的说明") is None
