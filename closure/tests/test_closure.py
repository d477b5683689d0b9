"""Closure's gates computed from the data, waivers, acceptance, the end-project report (D-CL-1…5)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from changes import services as change_services
from changes.models import ChangeRequest
from closure import services
from closure.gates import closure_state
from closure.models import ASSESSED_AREAS, Area, ClosureItem, Gate, Lesson
from issues import services as issue_services
from projects.core.models import Project
from projects.notifications.models import OutboundEmail
from projects.permissions import Role
from projects.plan.models import Phase
from projects.tests.factories import milestone


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def url(name, **kwargs):
    return reverse(f"closure:{name}", kwargs={"code": "SCRM", **kwargs})


def login(team, role) -> Client:
    client = Client()
    client.force_login(team.user(role))
    return client


def issue(team, title, **kwargs):
    draft = issue_services.IssueDraft(title=title, description="d", severity="medium")
    return issue_services.issue_create(
        project=team.project, reporter=team.user(Role.KEY_USER), report=None, draft=draft
    )


@pytest.fixture
def closing(team):
    """SCRM in closure, started by its PM."""
    return services.closure_start(project=team.project, by=team.user(Role.PM))


def gate(team, key):
    return closure_state(Project.objects.get(pk=team.project.pk)).gate(key)


def sop(team, **fields):
    values = {
        "process": "投诉处理",
        "procedure": "登记、分派、回访",
        "document": "",
        "owner_department": "客服部",
        "version": "1.0",
        "departments": ["客服部", "销售部"],
        "users_trained": True,
        "improver": team.user(Role.KEY_USER),
    } | fields
    return services.sop_save(project=team.project, **values)


# --- Starting closure and the outstanding items (D-CL-2) ----------------------------------------------


def test_starting_closure_compiles_what_is_unfinished_and_nothing_that_is_done(team):
    open_issue = issue(team, "导出失败")
    deferred = issue(team, "报表慢")
    issue_services.issue_defer(issue=deferred, by=team.user(Role.PM), reason="三期再做")
    rejected_issue = issue(team, "不是问题")
    issue_services.issue_reject(issue=rejected_issue, by=team.user(Role.PM), reason="操作错误")
    rejected = change_services.change_request_create(
        project=team.project, requester=team.user(Role.KEY_USER), title="情绪识别", reason="r", goal="g"
    )
    ChangeRequest.objects.filter(pk=rejected.pk).update(status=ChangeRequest.Status.REJECTED)
    withdrawn = change_services.change_request_create(
        project=team.project, requester=team.user(Role.KEY_USER), title="撤回的", reason="r", goal="g"
    )
    change_services.change_request_withdraw(change=withdrawn, by=team.user(Role.KEY_USER), reason="不需要了")
    for name, status in [("一期", Phase.Status.DONE), ("门户", Phase.Status.PLANNED)]:
        Phase.objects.create(
            project=team.project, name=name, goals="g", start_date="2026-01-01", end_date="2026-02-01", status=status
        )

    response = login(team, Role.PM).post(url("start"))

    assert response.status_code == 302
    assert Project.objects.get(pk=team.project.pk).status == Project.Status.CLOSING
    compiled = {(item.kind, item.title) for item in ClosureItem.objects.filter(project=team.project)}
    assert compiled == {
        (ClosureItem.Kind.ISSUE, open_issue.title),
        (ClosureItem.Kind.ISSUE, deferred.title),
        (ClosureItem.Kind.CHANGE, "情绪识别"),
        (ClosureItem.Kind.PHASE, "门户"),
    }
    assert ClosureItem.objects.get(title="报表慢").reference == f"SCRM-{deferred.number:04d}"


def test_an_issue_raised_after_compiling_holds_the_gate_until_compiled_again(team, closing):
    assert gate(team, Gate.OUTSTANDING).passed
    issue(team, "新问题")
    assert gate(team, Gate.OUTSTANDING).problems == [
        "1 unfinished item(s) in the issues, change requests or phases are not on the list yet."
    ]
    login(team, Role.PM).post(url("items_compile"))
    login(team, Role.PM).post(url("items_compile"))  # twice: still one item
    assert ClosureItem.objects.filter(project=team.project, title="新问题").count() == 1


def test_an_outstanding_item_needs_an_owner_and_an_answer_and_a_no_is_settled_with_the_consultant(team, closing):
    pm, consultant = login(team, Role.PM), login(team, Role.CONSULTANT)
    response = pm.post(url("item_create"), {"title": "集体投诉", "detail": "", "interim_handling": "", "knows": ""})
    assert response.status_code == 400
    assert "Say how the company handles this process meanwhile." in response.content.decode()
    assert "集体投诉" in response.content.decode()  # what was typed is kept

    pm.post(url("item_create"), {"title": "集体投诉", "interim_handling": "线下处理", "knows": ""})
    item = ClosureItem.objects.get(title="集体投诉")
    assert gate(team, Gate.OUTSTANDING).problems == [
        "集体投诉: no owner.",
        "集体投诉: does the company know how to handle it?",
    ]

    owner = team.user(Role.KEY_USER).pk
    pm.post(
        url("item_edit", pk=item.pk),
        {"title": "集体投诉", "interim_handling": "线下处理", "owner": owner, "knows": "no"},
    )
    assert gate(team, Gate.OUTSTANDING).problems == ["集体投诉: still to resolve with the consultant."]

    pm.post(url("item_message", pk=item.pk), {"text": "能挂主单吗？"})
    refused = pm.post(url("item_resolve", pk=item.pk))
    assert refused.status_code == 302 and ClosureItem.objects.get(pk=item.pk).resolved_at is None

    consultant.post(url("item_message", pk=item.pk), {"text": "用关联工单。"})
    assert [m.from_consultant for m in item.messages.all()] == [False, True]
    pm.post(url("item_resolve", pk=item.pk))
    assert gate(team, Gate.OUTSTANDING).passed

    # Changing the answer back to "no" opens it again.
    pm.post(
        url("item_edit", pk=item.pk),
        {"title": "集体投诉", "interim_handling": "线下处理", "owner": owner, "knows": "yes"},
    )
    pm.post(
        url("item_edit", pk=item.pk),
        {"title": "集体投诉", "interim_handling": "线下处理", "owner": owner, "knows": "no"},
    )
    assert not gate(team, Gate.OUTSTANDING).passed


# --- SOPs (D-CL-1) ----------------------------------------------------------------------------------------


def test_the_sop_gate_needs_a_written_procedure_confirmed_by_every_department_of_its_version(team, closing):
    assert gate(team, Gate.SOPS).problems == ["No business process is recorded yet."]
    procedure = sop(team, users_trained=False)
    assert gate(team, Gate.SOPS).problems == [
        "投诉处理: users not trained on it yet.",
        "投诉处理: version 1.0 not yet confirmed by 客服部、销售部.",
    ]
    login(team, Role.KEY_USER).post(url("sop_confirm", pk=procedure.pk), {"department": "客服部"})
    login(team, Role.SPONSOR).post(url("sop_confirm", pk=procedure.pk), {"department": "销售部"})
    services.sop_save(project=team.project, sop=procedure, users_trained=True)
    assert gate(team, Gate.SOPS).passed

    services.sop_save(project=team.project, sop=procedure, version="1.1")
    assert gate(team, Gate.SOPS).problems == ["投诉处理: version 1.1 not yet confirmed by 客服部、销售部."]


def test_a_sop_without_procedure_or_document_is_refused_and_keeps_what_was_typed(team, closing):
    response = login(team, Role.PM).post(
        url("sop_create"),
        {
            "process": "满意度回访",
            "owner_department": "客服部",
            "version": "1.0",
            "departments": "客服部，市场部",
            "improver": team.user(Role.KEY_USER).pk,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Write the procedure or say where its document is kept." in page
    assert "满意度回访" in page and "客服部，市场部" in page


def test_a_department_not_involved_cannot_confirm(team, closing):
    procedure = sop(team)
    with pytest.raises(ValidationError):
        services.sop_confirm(sop=procedure, department="财务部", by=team.user(Role.SPONSOR))


# --- Successor (D-CL-3) -----------------------------------------------------------------------------------


def test_only_the_successor_assesses_and_each_gap_becomes_an_item_to_resolve(team, closing):
    assert gate(team, Gate.SUCCESSOR).problems == ["No successor named yet."]
    login(team, Role.PM).post(
        url("successor_set"), {"successor": team.user(Role.KEY_USER).pk, "readiness_threshold": 4}
    )
    assert gate(team, Gate.SUCCESSOR).problems == ["The successor has not filled in the self-assessment yet."]

    form = {f"score_{area}": "4" for area in ASSESSED_AREAS} | {f"score_{Area.ANALYTICS}": "2"}
    assert login(team, Role.PM).post(url("assessment"), form).status_code == 403
    incomplete = login(team, Role.KEY_USER).post(url("assessment"), {f"score_{Area.SALES}": "5", "gaps": "分派规则"})
    assert incomplete.status_code == 400 and "分派规则" in incomplete.content.decode()

    successor = login(team, Role.KEY_USER)
    successor.post(url("assessment"), form | {"gaps": "分派规则在哪里配置\n\n回访报表口径"})
    assert gate(team, Gate.SUCCESSOR).problems == [
        "Analytics and reports: readiness 2, below 4.",
        "Not yet understood: 分派规则在哪里配置",
        "Not yet understood: 回访报表口径",
    ]
    successor.post(url("assessment"), form | {f"score_{Area.ANALYTICS}": "4", "gaps": "回访报表口径"})
    gaps = list(ClosureItem.objects.filter(kind=ClosureItem.Kind.GAP).order_by("pk"))
    assert len(gaps) == 2  # the same point is not listed twice
    for gap in gaps:
        successor.post(url("item_message", pk=gap.pk), {"text": "怎么做？"})
        assert successor.post(url("item_resolve", pk=gap.pk)).status_code == 302
        assert ClosureItem.objects.get(pk=gap.pk).resolved_at is None  # the consultant has not answered
        login(team, Role.CONSULTANT).post(url("item_message", pk=gap.pk), {"text": "这样做。"})
        assert login(team, Role.PM).post(url("item_resolve", pk=gap.pk)).status_code == 403  # the successor's call
        successor.post(url("item_resolve", pk=gap.pk))
    assert gate(team, Gate.SUCCESSOR).passed


# --- Improvement plan (D-CL-4) ---------------------------------------------------------------------------


def test_the_roadmap_covers_three_years_is_approved_again_after_each_change_and_warns_on_blind_spots(team, closing):
    pm, consultant = login(team, Role.PM), login(team, Role.CONSULTANT)
    owner = team.user(Role.PM).pk
    for year, area in [(1, Area.SERVICE), (2, Area.SALES)]:
        pm.post(url("improvement_create"), {"year": year, "objective": f"目标{year}", "area": area, "owner": owner})
    page = consultant.get(url("improvement")).content.decode()
    assert "The plan has nothing on Analytics and reports" in page
    assert "The plan has nothing on Prospect development" in page
    assert gate(team, Gate.IMPROVEMENT).problems == [
        "Nothing planned for year 3.",
        "The consultant has not approved the plan yet.",
    ]
    pm.post(url("improvement_create"), {"year": 3, "objective": "流失预警", "area": Area.ANALYTICS, "owner": owner})
    consultant.post(url("improvement_review"), {"text": "同意", "approves": "on"})
    assert gate(team, Gate.IMPROVEMENT).passed
    assert "Analytics and reports" not in "".join(closure_state(team.project).roadmap_warnings)

    bad = pm.post(url("improvement_create"), {"year": 4, "objective": "第四年", "area": Area.DATA, "owner": owner})
    assert bad.status_code == 400 and "第四年" in bad.content.decode()
    pm.post(url("improvement_create"), {"year": 2, "objective": "商机开发", "area": Area.PROSPECTS, "owner": owner})
    assert gate(team, Gate.IMPROVEMENT).problems == ["The consultant has not approved the plan yet."]


# --- Waivers and acceptance (D-CL-5) ----------------------------------------------------------------------


def test_the_sponsor_signs_only_when_every_gate_passed_or_was_waived_and_the_project_closes(team, closing):
    sponsor = login(team, Role.SPONSOR)
    sponsor.post(url("sign"), {"note": ""})
    assert Project.objects.get(pk=team.project.pk).status == Project.Status.CLOSING

    no_reason = sponsor.post(url("waive"), {"gate": Gate.SOPS, "reason": " "})
    assert no_reason.status_code == 400 and not closing.waivers.exists()
    assert no_reason.context["failed_gate"] == Gate.SOPS  # the refused form is open again, with its error
    assert no_reason.context["waiver_forms"][Gate.SOPS].errors

    for key in (Gate.SOPS, Gate.SUCCESSOR, Gate.IMPROVEMENT):
        sponsor.post(url("waive"), {"gate": key, "reason": "顾问延期支持三个月"})
    state = closure_state(team.project)
    # Outstanding passed: nothing unfinished; escalations passed: none open.
    assert [g.done for g in state.gates] == [True, True, True, True, True]
    assert state.gate(Gate.SOPS).waiver.reason == "顾问延期支持三个月"

    response = sponsor.post(url("sign"), {"note": "同意结项"})
    assert response.status_code == 302
    project = Project.objects.get(pk=team.project.pk)
    assert project.status == Project.Status.CLOSED
    assert project.closure.signed_by == team.user(Role.SPONSOR)
    emails = OutboundEmail.objects.filter(template="project-closed")
    assert sorted(e.to_email for e in emails) == sorted(m.user.email for m in team.members.values())
    assert "/p/SCRM/closure/report/" in emails.first().body_text and "同意结项" in emails.first().body_text
    # Closed: readable, never changed again.
    assert login(team, Role.KEY_USER).get(url("overview")).status_code == 200
    assert sponsor.post(url("sign"), {"note": ""}).status_code == 403


def test_a_refused_successor_form_keeps_what_was_typed(team, closing):
    response = login(team, Role.PM).post(
        url("successor_set"), {"successor": team.user(Role.KEY_USER).pk, "readiness_threshold": "9"}
    )
    assert response.status_code == 400
    form = response.context["successor_form"]
    assert form.errors["readiness_threshold"] and form["readiness_threshold"].value() == "9"
    assert closure_state(team.project).closure.successor is None


def test_signing_is_refused_while_a_gate_is_open(team, closing):
    with pytest.raises(ValidationError, match="Business procedures"):
        services.closure_sign(closure=closing, by=team.user(Role.SPONSOR))


def test_closure_cannot_be_started_twice(team, closing):
    with pytest.raises(ValidationError):
        services.closure_start(project=team.project, by=team.user(Role.PM))


# --- End-project report -----------------------------------------------------------------------------------


def _report_data(team):
    issue(team, "导出失败")
    milestone(team.project, "上线")
    services.lesson_add(
        project=team.project,
        logged_by=team.user(Role.PM),
        event="需求评审缺席",
        effect="延期9天",
        cause="流程未书面确认",
        early_warning="连续两次缺席",
        recommendation="各部门签字确认",
    )


def test_the_report_shows_schedule_cost_figures_lessons_and_follow_on_actions(team, closing):
    _report_data(team)
    services.outstanding_compile(project=team.project, by=team.user(Role.PM))
    response = login(team, Role.STEERING).get(url("report"))
    page = response.content.decode()
    assert response.status_code == 200
    sections = dict(response.context["sections"])
    assert dict(sections["Issues"])["Issues reported"] == 1
    assert dict(sections["Change requests"])["Change requests raised"] == 0
    for text in ("上线", "需求评审缺席", "各部门签字确认", "导出失败"):
        assert text in page


def test_a_lesson_needs_its_cause_and_keeps_what_was_typed(team):
    response = login(team, Role.KEY_USER).post(url("lesson_create"), {"event": "培训被取消", "effect": "上手慢"})
    assert response.status_code == 400 and "培训被取消" in response.content.decode()
    assert not Lesson.objects.exists()


def test_the_report_pdf_carries_its_chinese_text(team, closing):
    from pypdf import PdfReader

    _report_data(team)
    client = login(team, Role.SPONSOR)
    with translation.override("zh-hans"):
        response = client.get(url("report_pdf"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in ("华南区销售CRM上线", "需求评审缺席", "各部门签字确认"):
        assert expected in text


# --- Query counts -----------------------------------------------------------------------------------------


def test_closure_pages_query_counts_do_not_grow_with_rows(team, closing, fetch_raise):
    client = login(team, Role.PM)
    client.post(url("successor_set"), {"successor": team.user(Role.KEY_USER).pk, "readiness_threshold": 4})
    pages = [url(name) for name in ("overview", "sops", "items", "assessment", "improvement", "report")]

    def counts():
        result = []
        for path in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200, path
            result.append(len(queries))
        return result

    def add_rows(n):
        procedure = sop(team, process=f"流程{n}")
        services.sop_confirm(sop=procedure, department="客服部", by=team.user(Role.PM))
        issue(team, f"问题{n}")
        services.outstanding_compile(project=team.project, by=team.user(Role.PM))
        services.closure_item_save(
            project=team.project,
            by=team.user(Role.PM),
            title=f"特殊{n}",
            interim_handling="线下",
            owner=team.user(Role.KEY_USER),
            company_knows=False,
        )
        services.improvement_save(
            project=team.project, year=1 + n % 3, objective=f"改进{n}", area=Area.SALES, owner=team.user(Role.PM)
        )
        services.lesson_add(
            project=team.project,
            logged_by=team.user(Role.PM),
            event=f"事件{n}",
            effect="e",
            cause="c",
            recommendation="r",
        )
        milestone(team.project, f"里程碑{n}")

    add_rows(0)
    few = counts()
    for n in range(1, 8):
        add_rows(n)
    assert counts() == few


# --- The demo ------------------------------------------------------------------------------------------------


def test_the_demo_has_a_second_project_in_closure_with_gates_in_every_state(db):
    call_command("seed_demo")
    project = Project.objects.get(code="GZSVC")
    assert project.status == Project.Status.CLOSING
    state = closure_state(project)
    summary = {g.gate: ("passed" if g.passed else "waived" if g.waiver else "open") for g in state.gates}
    assert summary == {
        Gate.SOPS: "open",
        Gate.OUTSTANDING: "open",
        Gate.SUCCESSOR: "waived",
        Gate.IMPROVEMENT: "passed",
        Gate.ESCALATIONS: "passed",
    }
    assert project.memberships.get(user__email="liu.yang@example.com").role == Role.PM
    client = Client()
    client.force_login(project.memberships.get(role=Role.SPONSOR).user)
    assert client.get(reverse("closure:overview", kwargs={"code": "GZSVC"})).status_code == 200
