"""The authorization matrix: every URL of ours × method × role → expected outcome.

Rules (ARCHITECTURE.md): anonymous → 302 to the login page; a member whose role
lacks the capability → 403; anyone outside the project, including a member of
another project guessing ids → 404. A URL missing from the matrix fails
`test_every_url_is_in_the_matrix`, so no view ships unchecked.

The matrix runs as a few Django test classes (one per area, see the end of the file), each building
its team and objects once (setUpTestData) and checking its URLs with every role, an outsider, a
member of another project and an anonymous user, one subTest each. Every request runs in a
savepoint rolled back afterwards, so a POST that succeeds changes nothing for the next check.
The Case lists and their kwargs functions (which take a conftest.Team) are also read by
test_api_authorization, test_csrf_csp, test_forms_fuzz and closure's test_read_only.
"""

import contextlib
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import Team, create_user
from projects.permissions import Role
from projects.tests.factories import plan_objects

OUR_APPS = {"crmgov", "projects", "issues", "changes", "closure"}
EVERYONE = frozenset(Role)
PM_ONLY = frozenset({Role.PM})


@dataclass(frozen=True)
class Case:
    url_name: str
    method: str
    allowed: frozenset  # roles that may; every other role gets 403
    kwargs: Callable = field(default=lambda team: {"code": team.project.code})
    # kwargs naming another project's object inside this project's URL (→ 404 for everyone)
    foreign_kwargs: Callable | None = None
    # roles for whom the object does not exist (e.g. a consultant and an issue not forwarded to them)
    hidden_from: frozenset = frozenset()


def _member_kwargs(team):
    return {"code": team.project.code, "pk": team.members[Role.KEY_USER].pk}


def _foreign_member_kwargs(team):
    return {"code": team.project.code, "pk": team.other_membership.pk}


CORE_CASES = [
    Case("projects:detail", "GET", EVERYONE),
    Case("projects:edit", "GET", PM_ONLY),
    Case("projects:edit", "POST", PM_ONLY),
    Case("projects:members", "GET", EVERYONE),
    Case("projects:member_invite", "GET", PM_ONLY),
    Case("projects:member_invite", "POST", PM_ONLY),
    Case("projects:member_edit", "GET", PM_ONLY, _member_kwargs, _foreign_member_kwargs),
    Case("projects:member_edit", "POST", PM_ONLY, _member_kwargs, _foreign_member_kwargs),
    Case("projects:member_end", "POST", PM_ONLY, _member_kwargs, _foreign_member_kwargs),
    Case("projects:search", "GET", EVERYONE),
]

# --- issues -----------------------------------------------------------------
FILERS = frozenset({Role.PM, Role.KEY_USER})
NOT_CONSULTANT = EVERYONE - {Role.CONSULTANT}
CONSULTANT = frozenset({Role.CONSULTANT})


def _issue(team):
    """An issue the key user filed, with a screenshot, not forwarded to the consultant."""
    if not hasattr(team, "issue"):
        from issues import services
        from issues.tests.conftest import image_file

        team.issue = services.report_add_issue(
            project=team.project,
            reporter=team.user(Role.KEY_USER),
            day=team.project.local_today(),
            draft=services.IssueDraft(
                title="导出失败", description="报错", severity="high", screenshots=[image_file()]
            ),
        )
        foreign = services.issue_create(
            project=team.other_project,
            reporter=team.other_membership.user,
            report=None,
            draft=services.IssueDraft(title="别的项目", description="x", severity="low", screenshots=[image_file()]),
        )
        team.foreign_screenshot = foreign.screenshots.get()
    return team.issue


def _issue_kwargs(team):
    return {"code": team.project.code, "number": _issue(team).number}


def _action_kwargs(team):
    return {**_issue_kwargs(team), "action": "analyse"}


def _screenshot_kwargs(team):
    return {**_issue_kwargs(team), "pk": team.issue.screenshots.get().pk}


def _foreign_screenshot_kwargs(team):
    return {**_issue_kwargs(team), "pk": team.foreign_screenshot.pk}


def _once(team, name, make):
    """`make()` the first time, then the same object: the matrix builds each object once per team."""
    if not hasattr(team, name):
        setattr(team, name, make())
    return getattr(team, name)


def _article(project):
    from issues.models import Article

    return Article.objects.create(project=project, title="t", symptom="s", cause="c", solution="s")


def _article_kwargs(team):
    return {"code": team.project.code, "pk": _once(team, "article", lambda: _article(team.project)).pk}


def _foreign_article_kwargs(team):
    return {"code": team.project.code, "pk": _once(team, "foreign_article", lambda: _article(team.other_project)).pk}


def _module(project):
    from issues.models import Module

    return Module.objects.create(project=project, name="客户")


def _module_kwargs(team):
    return {"code": team.project.code, "pk": _once(team, "module", lambda: _module(team.project)).pk}


def _foreign_module_kwargs(team):
    return {"code": team.project.code, "pk": _once(team, "foreign_module", lambda: _module(team.other_project)).pk}


def _resolved_issue(team):
    """A second issue, resolved (the first stays new for the other cases)."""
    from issues import services

    pm = team.user(Role.PM)
    issue = services.issue_create(
        project=team.project,
        reporter=team.user(Role.KEY_USER),
        report=None,
        draft=services.IssueDraft(title="已解决", description="x", severity="low"),
    )
    services.issue_analyse(issue=issue, by=pm, context="c", likely_cause="l", category="user_error")
    services.issue_resolve(issue=issue, by=pm, cause="c", fix="f")
    return issue


def _resolved_issue_kwargs(team):
    _issue(team)
    return {"code": team.project.code, "number": _once(team, "resolved_issue", lambda: _resolved_issue(team)).number}


# A role without the capability gets 403 before any object is looked up; a role with it
# that cannot see this object (the consultant, before the issue is forwarded) gets 404.
ISSUE_CASES = [
    Case("issues:report", "GET", FILERS),
    Case("issues:report", "POST", FILERS),
    Case("issues:report_no_problems", "POST", FILERS),
    Case("issues:suggest", "GET", EVERYONE),
    Case("issues:list", "GET", EVERYONE),
    Case("issues:list_more_filters", "GET", EVERYONE),
    Case("issues:export_csv", "GET", EVERYONE),
    Case("issues:export_xlsx", "GET", EVERYONE),
    Case("issues:detail", "GET", NOT_CONSULTANT, _issue_kwargs, hidden_from=CONSULTANT),
    Case("issues:edit", "GET", PM_ONLY, _issue_kwargs),
    Case("issues:edit", "POST", PM_ONLY, _issue_kwargs),
    Case("issues:comment", "POST", FILERS, _issue_kwargs, hidden_from=CONSULTANT),
    Case("issues:screenshots_add", "POST", FILERS, _issue_kwargs, hidden_from=CONSULTANT),
    Case(
        "issues:screenshot",
        "GET",
        NOT_CONSULTANT,
        _screenshot_kwargs,
        _foreign_screenshot_kwargs,
        hidden_from=CONSULTANT,
    ),
    Case(
        "issues:thumbnail",
        "GET",
        NOT_CONSULTANT,
        _screenshot_kwargs,
        _foreign_screenshot_kwargs,
        hidden_from=CONSULTANT,
    ),
    Case("issues:publish", "GET", PM_ONLY, _resolved_issue_kwargs),
    Case("issues:publish", "POST", PM_ONLY, _resolved_issue_kwargs),
    Case("issues:action", "POST", PM_ONLY, _action_kwargs, hidden_from=CONSULTANT),
    Case("issues:articles", "GET", EVERYONE),
    Case("issues:article", "GET", EVERYONE, _article_kwargs, _foreign_article_kwargs),
    Case("issues:leaderboard", "GET", EVERYONE),
    Case("issues:settings", "GET", PM_ONLY),
    Case("issues:settings", "POST", PM_ONLY),
    Case("issues:module_add", "POST", PM_ONLY),
    Case("issues:module_edit", "POST", PM_ONLY, _module_kwargs, _foreign_module_kwargs),
]


# --- changes ----------------------------------------------------------------
def _change_kwargs(team):
    from changes import services

    if not hasattr(team, "change"):
        team.change = services.change_request_create(
            project=team.project, requester=team.user(Role.KEY_USER), title="查重", reason="重复", goal="唯一"
        )
    return {"code": team.project.code, "number": team.change.number}


def _change_action_kwargs(team):
    return {**_change_kwargs(team), "action": "propose"}


CHANGE_CASES = [
    Case("changes:list", "GET", EVERYONE),
    Case("changes:create", "GET", FILERS),
    Case("changes:create", "POST", FILERS),
    Case("changes:export_csv", "GET", EVERYONE),
    Case("changes:export_xlsx", "GET", EVERYONE),
    Case("changes:settings", "GET", PM_ONLY),
    Case("changes:settings", "POST", PM_ONLY),
    Case("changes:detail", "GET", EVERYONE, _change_kwargs),
    Case("changes:action", "POST", CONSULTANT, _change_action_kwargs),
]


# Daily-report compliance and the working-day calendar.
COMPLIANCE_READERS = frozenset({Role.SPONSOR, Role.EXECUTIVE, Role.STEERING, Role.PM})


def _calendar_day_kwargs(team):
    import datetime

    from issues.models import CalendarDay

    CalendarDay.objects.get_or_create(
        project=team.project, date=datetime.date(2026, 10, 1), defaults={"is_working": False}
    )
    return {"code": team.project.code, "day": "2026-10-01"}


def _foreign_calendar_day_kwargs(team):
    import datetime

    from issues.models import CalendarDay

    CalendarDay.objects.get_or_create(
        project=team.other_project, date=datetime.date(2026, 10, 2), defaults={"is_working": False}
    )
    return {"code": team.project.code, "day": "2026-10-02"}


CALENDAR_CASES = [
    Case("issues:compliance", "GET", COMPLIANCE_READERS),
    Case("issues:compliance_remind", "POST", PM_ONLY),
    Case("issues:calendar", "GET", PM_ONLY),
    Case("issues:calendar_day", "POST", PM_ONLY),
    Case("issues:calendar_import", "POST", PM_ONLY),
    Case("issues:calendar_day_remove", "POST", PM_ONLY, _calendar_day_kwargs, _foreign_calendar_day_kwargs),
]

# --- escalations ------------------------------------------------------------
LEADERSHIP = frozenset({Role.SPONSOR, Role.EXECUTIVE, Role.STEERING})
READ_ESCALATIONS = LEADERSHIP | PM_ONLY


def _escalation(team, project):
    from projects.escalations.services import escalation_open
    from projects.registry import Detected

    facts = Detected(instance="", title="上线延期", what_happened="延期", consequences="10 天")
    return escalation_open(project=project, kind="other", detected=facts, automatic=False)


def _escalation_kwargs(team):
    escalation = _once(team, "escalation", lambda: _escalation(team, team.project))
    return {"code": team.project.code, "pk": escalation.pk}


def _foreign_escalation_kwargs(team):
    escalation = _once(team, "foreign_escalation", lambda: _escalation(team, team.other_project))
    return {"code": team.project.code, "pk": escalation.pk}


ESCALATION_CASES = [
    Case("projects:escalations", "GET", READ_ESCALATIONS),
    Case("projects:escalation_raise", "GET", PM_ONLY),
    Case("projects:escalation_raise", "POST", PM_ONLY),
    Case("projects:escalation", "GET", READ_ESCALATIONS, _escalation_kwargs, _foreign_escalation_kwargs),
    Case("projects:escalation_acknowledge", "GET", READ_ESCALATIONS, _escalation_kwargs, _foreign_escalation_kwargs),
    # Only those it was sent to (leadership) acknowledge; the PM reads it but did not receive it.
    Case("projects:escalation_acknowledge", "POST", LEADERSHIP, _escalation_kwargs, _foreign_escalation_kwargs),
    # The PM resolves; the sponsor closes with a note (issue 16).
    Case(
        "projects:escalation_resolve",
        "POST",
        PM_ONLY | {Role.SPONSOR},
        _escalation_kwargs,
        _foreign_escalation_kwargs,
    ),
]


# --- status reports ---------------------------------------------------------
def _report_kwargs(team):
    import datetime

    from projects.reporting.services import status_report_draft

    return {
        "code": team.project.code,
        "pk": status_report_draft(project=team.project, period_start=datetime.date(2026, 11, 16)).pk,
    }


def _foreign_report_kwargs(team):
    import datetime

    from projects.reporting.services import status_report_draft

    report = status_report_draft(project=team.other_project, period_start=datetime.date(2026, 11, 16))
    return {"code": team.project.code, "pk": report.pk}


STATUS_REPORT_CASES = [
    Case("projects:status_reports", "GET", READ_ESCALATIONS),
    Case("projects:status_report", "GET", READ_ESCALATIONS, _report_kwargs, _foreign_report_kwargs),
    Case("projects:status_report", "POST", PM_ONLY, _report_kwargs, _foreign_report_kwargs),
    Case("projects:status_report_send", "POST", PM_ONLY),
]

# URLs outside any project: who may use them is checked by their own tests below.
SITE_URLS = {
    "projects:my_work": "signed in (only what waits for the user, in their own projects)",
    "projects:my_work_badge": "signed in (only the user's own count)",
    "projects:my_projects": "signed in",
    "projects:preferences": "signed in",
    "projects:create": "site administrators",
    "projects:set_language": "anyone",
    "projects:escalations_mine": "signed in",
    "projects:portfolio": "signed in (lists only projects whose dashboard the user may see)",
    "projects:api_tokens": "signed in (only the user's own tokens)",
    "projects:api_token_revoke": "signed in (only the user's own tokens)",
    "projects:ping": "signed in (shows nothing of any project; the benchmark's baseline)",
    # Not signed in: the signed link alone, for one person's report of one period, once
    # (issues/tests/test_report_link.py).
    "issues:report_link": "anyone holding the reminder's signed link (files only that report)",
}

# The plan, its registers and the steering committee.
LEADERSHIP_AND_PM = frozenset({Role.SPONSOR, Role.EXECUTIVE, Role.STEERING, Role.PM})
PM_AND_CONSULTANT = frozenset({Role.PM, Role.CONSULTANT})
DECIDERS = frozenset({Role.SPONSOR, Role.STEERING})
SIGNERS = frozenset({Role.SPONSOR, Role.STEERING, Role.KEY_USER})
SPONSOR_ONLY = frozenset({Role.SPONSOR})


def _objects(team):
    if not hasattr(team, "plan_objects"):
        team.plan_objects = plan_objects(team.project, team.user(Role.PM), team.user(Role.STEERING))
    return team.plan_objects


def _foreign_objects(team):
    if not hasattr(team, "foreign_plan_objects"):
        other_pm = team.other_membership.user
        team.foreign_plan_objects = plan_objects(team.other_project, other_pm, other_pm)
    return team.foreign_plan_objects


def _pk(name):
    """kwargs for this project's object `name`, and for the other project's one (→ 404)."""
    return (
        lambda team: {"code": team.project.code, "pk": getattr(_objects(team), name).pk},
        lambda team: {"code": team.project.code, "pk": getattr(_foreign_objects(team), name).pk},
    )


def _item(objects):
    return lambda team: {"code": team.project.code, "pk": objects(team).meeting.pk, "item": objects(team).item.pk}


ITEM = (_item(_objects), _item(_foreign_objects))

PLAN_CASES = [
    Case("projects:plan", "GET", EVERYONE),
    Case("projects:dashboard", "GET", LEADERSHIP_AND_PM),
    Case("projects:phase_create", "GET", PM_ONLY),
    Case("projects:phase_create", "POST", PM_ONLY),
    Case("projects:phase_edit", "GET", PM_ONLY, *_pk("phase")),
    Case("projects:phase_edit", "POST", PM_ONLY, *_pk("phase")),
    Case("projects:milestone_create", "GET", PM_ONLY),
    Case("projects:milestone_create", "POST", PM_ONLY),
    Case("projects:milestone_edit", "GET", PM_ONLY, *_pk("milestone")),
    Case("projects:milestone_edit", "POST", PM_ONLY, *_pk("milestone")),
    Case("projects:baseline_set", "POST", PM_ONLY),
    Case("projects:baseline_compare", "GET", EVERYONE),
    Case("projects:rebaseline_create", "GET", PM_ONLY),
    Case("projects:rebaseline_create", "POST", PM_ONLY),
    Case("projects:rebaseline_detail", "GET", EVERYONE, *_pk("rebaseline")),
    Case("projects:rebaseline_decide", "POST", SPONSOR_ONLY, *_pk("rebaseline")),
    Case("projects:budget", "GET", LEADERSHIP_AND_PM),
    Case("projects:budget_edit", "GET", PM_ONLY),
    Case("projects:budget_edit", "POST", PM_ONLY),
    Case("projects:risks", "GET", EVERYONE),
    Case("projects:risk_create", "GET", PM_AND_CONSULTANT),
    Case("projects:risk_create", "POST", PM_AND_CONSULTANT),
    Case("projects:risk_edit", "GET", PM_AND_CONSULTANT, *_pk("risk")),
    Case("projects:risk_edit", "POST", PM_AND_CONSULTANT, *_pk("risk")),
    Case("projects:requirements", "GET", EVERYONE),
    Case("projects:requirement_create", "GET", PM_AND_CONSULTANT),
    Case("projects:requirement_create", "POST", PM_AND_CONSULTANT),
    Case("projects:requirement_version_upload", "GET", PM_AND_CONSULTANT, *_pk("document")),
    Case("projects:requirement_version_upload", "POST", PM_AND_CONSULTANT, *_pk("document")),
    Case("projects:requirement_version_sign", "POST", SIGNERS, *_pk("version")),
    Case("projects:requirement_version_file", "GET", EVERYONE, *_pk("version")),
    Case("projects:training", "GET", EVERYONE),
    Case("projects:training_create", "GET", PM_AND_CONSULTANT),
    Case("projects:training_create", "POST", PM_AND_CONSULTANT),
    Case("projects:training_edit", "GET", PM_AND_CONSULTANT, *_pk("session")),
    Case("projects:training_edit", "POST", PM_AND_CONSULTANT, *_pk("session")),
    Case("projects:training_attendance", "GET", PM_AND_CONSULTANT, *_pk("session")),
    Case("projects:training_attendance", "POST", PM_AND_CONSULTANT, *_pk("session")),
    Case("projects:setbacks", "GET", EVERYONE),
    Case("projects:setback_create", "GET", PM_ONLY),
    Case("projects:setback_create", "POST", PM_ONLY),
    Case("projects:setback_detail", "GET", EVERYONE, *_pk("review")),
    Case("projects:setback_action_add", "POST", PM_ONLY, *_pk("review")),
    Case("projects:setback_send", "POST", PM_ONLY, *_pk("review")),
]
STEERING_CASES = [
    Case("projects:committee", "GET", LEADERSHIP_AND_PM),
    Case("projects:committee_member_add", "POST", PM_ONLY),
    Case("projects:committee_member_remove", "POST", PM_ONLY, *_pk("committee_member")),
    Case("projects:meeting_create", "GET", PM_ONLY),
    Case("projects:meeting_create", "POST", PM_ONLY),
    Case("projects:meeting_detail", "GET", LEADERSHIP_AND_PM, *_pk("meeting")),
    Case("projects:meeting_edit", "GET", PM_ONLY, *_pk("meeting")),
    Case("projects:meeting_edit", "POST", PM_ONLY, *_pk("meeting")),
    Case("projects:agenda_item_add", "POST", PM_ONLY, *_pk("meeting")),
    Case("projects:agenda_add_proposed", "POST", PM_ONLY, *_pk("meeting")),
    Case("projects:agenda_item_remove", "POST", PM_ONLY, *ITEM),
    Case("projects:agenda_item_decide", "POST", DECIDERS, *ITEM),
    Case("projects:meeting_publish", "POST", PM_ONLY, *_pk("meeting")),
    Case("projects:meeting_minutes", "GET", PM_ONLY, *_pk("meeting")),
    Case("projects:meeting_minutes", "POST", PM_ONLY, *_pk("meeting")),
    Case("projects:meeting_minutes_pdf", "GET", LEADERSHIP_AND_PM, *_pk("meeting")),
    Case("projects:action_item_add", "POST", PM_ONLY, *_pk("meeting")),
    Case("projects:meeting_close", "POST", PM_ONLY, *_pk("meeting")),
    Case("projects:action_item_status", "POST", PM_ONLY, *_pk("action")),
]


# --- chat notifications, member import, register exports ---------------------------------------
def _chat_webhook(project):
    from projects.notifications.models import ChatWebhook

    return ChatWebhook.objects.create(
        project=project,
        name="项目群",
        platform="wecom",
        url="https://qyapi.weixin.qq.com/x?key=k",
        events=["escalation"],
    )


WEBHOOK = (
    lambda team: {"code": team.project.code, "pk": _once(team, "webhook", lambda: _chat_webhook(team.project)).pk},
    lambda team: {
        "code": team.project.code,
        "pk": _once(team, "foreign_webhook", lambda: _chat_webhook(team.other_project)).pk,
    },
)

CHAT_IMPORT_EXPORT_CASES = [
    Case("projects:chat_webhooks", "GET", PM_ONLY),
    Case("projects:chat_webhooks", "POST", PM_ONLY),
    Case("projects:chat_webhook_edit", "GET", PM_ONLY, *WEBHOOK),
    Case("projects:chat_webhook_edit", "POST", PM_ONLY, *WEBHOOK),
    Case("projects:chat_webhook_delete", "POST", PM_ONLY, *WEBHOOK),
    Case("projects:chat_webhook_test", "POST", PM_ONLY, *WEBHOOK),
    Case("projects:member_import", "GET", PM_ONLY),
    Case("projects:member_import", "POST", PM_ONLY),
    Case("projects:member_import_confirm", "POST", PM_ONLY),
    Case("projects:risks_export_csv", "GET", EVERYONE),
    Case("projects:risks_export_xlsx", "GET", EVERYONE),
    Case("projects:action_items_export_csv", "GET", LEADERSHIP_AND_PM),
    Case("projects:action_items_export_xlsx", "GET", LEADERSHIP_AND_PM),
]


def _our_url_names(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _our_url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name and pattern.callback.__module__.split(".")[0] in OUR_APPS:
            yield f"{namespace}{pattern.name}"


def test_every_url_is_in_the_matrix():
    from crmgov.tests.test_api_authorization import API_CASES, API_SITE_URLS

    covered = {case.url_name for case in PROJECT_CASES} | set(SITE_URLS)
    covered |= {case.url_name for case in API_CASES} | set(API_SITE_URLS)
    missing = set(_our_url_names()) - covered
    assert not missing, f"URLs without an authorization rule: {sorted(missing)}"


def _case_id(case):
    return f"{case.method} {case.url_name}"


def test_ended_member_gets_404(client, team):
    from projects.core.services import membership_end

    key_user = team.members[Role.KEY_USER]
    # Still a member elsewhere: someone left with no project at all is signed out (test_sessions).
    key_user.user.memberships.create(project=team.other_project, role=Role.KEY_USER)
    client.force_login(key_user.user)
    assert client.get(reverse("projects:detail", kwargs={"code": "SCRM"})).status_code == 200
    membership_end(membership=key_user)
    assert client.get(reverse("projects:detail", kwargs={"code": "SCRM"})).status_code == 404


def test_signed_in_pages_send_anonymous_to_login(client, db):
    for name in (
        "projects:my_work",
        "projects:my_projects",
        "projects:preferences",
        "projects:create",
        "projects:ping",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("account_login")), name


def test_only_site_administrators_create_projects(client, team):
    client.force_login(team.user(Role.PM))
    assert client.get(reverse("projects:create")).status_code == 403
    team.outsider.is_staff = True
    team.outsider.save()
    client.force_login(team.outsider)
    assert client.get(reverse("projects:create")).status_code == 200


def test_language_switch_needs_no_login(client, db):
    response = client.post(reverse("projects:set_language"), {"language": "zh-hans", "next": "/accounts/login/"})
    assert response.status_code == 302


# --- closure ------------------------------------------------------------------------------------------
BUSINESS = EVERYONE - {Role.CONSULTANT}


def _closure_objects(project, pm, successor, consultant):
    """Closure started on `project`, with a SOP, an item the company cannot handle yet (answered
    by the consultant), an improvement and `successor` named."""
    from types import SimpleNamespace

    from closure import services as closure_services

    closure = closure_services.closure_start(project=project, by=pm)
    closure_services.closure_set_successor(closure=closure, successor=successor, readiness_threshold=3)
    sop = closure_services.sop_save(
        project=project,
        process="投诉处理",
        procedure="登记、分派、回访",
        document="",
        owner_department="客服部",
        version="1.0",
        departments=["客服部"],
        users_trained=True,
        improver=pm,
    )
    item = closure_services.closure_item_save(
        project=project, by=pm, title="集体投诉", interim_handling="线下处理", owner=pm, company_knows=False
    )
    closure_services.item_message_add(item=item, author=consultant, text="用关联工单", from_consultant=True)
    improvement = closure_services.improvement_save(
        project=project, year=1, objective="报表", area="analytics", scope_extension="", owner=pm
    )
    return SimpleNamespace(closure=closure, sop=sop, item=item, improvement=improvement)


def _closure_of(team):
    if not hasattr(team, "closure_objects"):
        team.closure_objects = _closure_objects(
            team.project, team.user(Role.PM), team.user(Role.KEY_USER), team.user(Role.CONSULTANT)
        )
    return team.closure_objects


def _foreign_closure_of(team):
    if not hasattr(team, "foreign_closure_objects"):
        other_pm = team.other_membership.user
        team.foreign_closure_objects = _closure_objects(team.other_project, other_pm, other_pm, other_pm)
    return team.foreign_closure_objects


def _closure_kwargs(team):
    _closure_of(team)
    return {"code": team.project.code}


def _closure_pk(name):
    return (
        lambda team: {"code": team.project.code, "pk": getattr(_closure_of(team), name).pk},
        lambda team: {"code": team.project.code, "pk": getattr(_foreign_closure_of(team), name).pk},
    )


# On a project whose closure has not started (its own test class: starting closure changes the project).
CLOSURE_START_CASES = [
    Case("closure:overview", "GET", EVERYONE),
    Case("closure:start", "POST", PM_ONLY),
    Case("closure:report_pdf", "GET", EVERYONE),
    Case("closure:lesson_create", "GET", EVERYONE),
    Case("closure:lesson_create", "POST", EVERYONE),
]

CLOSURE_CASES = [
    Case("closure:successor_set", "POST", PM_ONLY, _closure_kwargs),
    Case("closure:waive", "POST", SPONSOR_ONLY, _closure_kwargs),
    Case("closure:waiver_request", "POST", PM_ONLY, _closure_kwargs),
    Case("closure:waiver_refuse", "POST", SPONSOR_ONLY, _closure_kwargs),
    # Also site administrators who are not members (closure/tests/test_governance.py).
    Case("closure:reopen", "GET", SPONSOR_ONLY),
    Case("closure:reopen", "POST", SPONSOR_ONLY),
    Case("closure:sign", "POST", SPONSOR_ONLY, _closure_kwargs),
    Case("closure:sops", "GET", EVERYONE, _closure_kwargs),
    Case("closure:sop_create", "GET", PM_ONLY, _closure_kwargs),
    Case("closure:sop_create", "POST", PM_ONLY, _closure_kwargs),
    Case("closure:sop_edit", "GET", PM_ONLY, *_closure_pk("sop")),
    Case("closure:sop_edit", "POST", PM_ONLY, *_closure_pk("sop")),
    Case("closure:sop_confirm", "POST", BUSINESS, *_closure_pk("sop")),
    Case("closure:items", "GET", EVERYONE, _closure_kwargs),
    Case("closure:items_compile", "POST", PM_ONLY, _closure_kwargs),
    Case("closure:item_create", "GET", PM_ONLY, _closure_kwargs),
    Case("closure:item_create", "POST", PM_ONLY, _closure_kwargs),
    Case("closure:item_detail", "GET", EVERYONE, *_closure_pk("item")),
    Case("closure:item_edit", "GET", PM_ONLY, *_closure_pk("item")),
    Case("closure:item_edit", "POST", PM_ONLY, *_closure_pk("item")),
    Case("closure:item_message", "POST", PM_AND_CONSULTANT, *_closure_pk("item")),
    Case("closure:item_resolve", "POST", PM_ONLY, *_closure_pk("item")),
    Case("closure:assessment", "GET", EVERYONE, _closure_kwargs),
    Case("closure:assessment", "POST", frozenset({Role.KEY_USER}), _closure_kwargs),  # the named successor
    Case("closure:improvement", "GET", EVERYONE, _closure_kwargs),
    Case("closure:improvement_create", "GET", PM_ONLY, _closure_kwargs),
    Case("closure:improvement_create", "POST", PM_ONLY, _closure_kwargs),
    Case("closure:improvement_edit", "GET", PM_ONLY, *_closure_pk("improvement")),
    Case("closure:improvement_edit", "POST", PM_ONLY, *_closure_pk("improvement")),
    Case("closure:improvement_review", "POST", CONSULTANT, _closure_kwargs),
    Case("closure:report", "GET", EVERYONE, _closure_kwargs),
]


PROJECT_CASES = [
    *CORE_CASES,
    *ISSUE_CASES,
    *CHANGE_CASES,
    *CALENDAR_CASES,
    *ESCALATION_CASES,
    *STATUS_REPORT_CASES,
    *PLAN_CASES,
    *STEERING_CASES,
    *CHAT_IMPORT_EXPORT_CASES,
    *CLOSURE_START_CASES,
    *CLOSURE_CASES,
]


# --- the matrix: a few test classes, each building its team and objects once -------------------
def expected_statuses(case, role, allowed_post=frozenset({200, 302, 400})):
    """What `role` must get from `case`: a role with the capability that cannot see the object
    (the consultant and an issue not forwarded to them) 404; with it, the page (an empty POST is
    refused as invalid, or done); without it, 403 before any object is looked up."""
    if role in case.hidden_from:
        return {404}
    if role in case.allowed:
        return {200} if case.method == "GET" else set(allowed_post)
    return {403}


def foreign_id_role(case):
    """The PM, or for what the PM may not do (deciding, signing), a role that may."""
    return Role.PM if Role.PM in case.allowed else sorted(case.allowed)[0]


class _PdfOncePerDocument:
    """weasyprint.HTML for the matrix: each distinct document is converted once. Every allowed role
    gets the same minutes or end-project report, so the matrix still runs each view and renders each
    page, but pays for one conversion per document instead of one per role (the PDFs themselves are
    tested in closure's and steering's tests)."""

    real = None
    converted: dict[str, bytes] = {}

    def __init__(self, string):
        self.string = string

    def write_pdf(self):
        if self.string not in self.converted:
            self.converted[self.string] = self.real(string=self.string).write_pdf()
        return self.converted[self.string]


class AreaTestData:
    """For a TestCase over one area's `cases`: a conftest.Team and every case's objects, built once
    for the class (setUpTestData); `kwargs[i]` and `foreign_kwargs[i]` go with `cases[i]`. Check
    each case in a subTest and inside `rolled_back()`, so what one request changes the next does
    not see. Also used by test_csrf_csp, test_forms_fuzz and closure's test_read_only."""

    cases: list[Case] = []

    @classmethod
    def setUpClass(cls):
        # Files written while the class's objects are built (screenshots' documents, requirement
        # versions) must outlive one test: a directory for the class, not conftest's per-test one.
        cls.private_media = Path(tempfile.mkdtemp(prefix="crmgov-matrix-"))
        cls.addClassCleanup(shutil.rmtree, cls.private_media, ignore_errors=True)
        cls.enterClassContext(override_settings(PRIVATE_MEDIA_ROOT=cls.private_media))
        # Like conftest's _own_cache for each test: the class's own key space on a shared Redis.
        caches = {"default": {**settings.CACHES["default"], "KEY_PREFIX": uuid.uuid4().hex}}
        cls.enterClassContext(override_settings(CACHES=caches))
        import weasyprint

        _PdfOncePerDocument.real = _PdfOncePerDocument.real or weasyprint.HTML
        cls.enterClassContext(mock.patch("weasyprint.HTML", _PdfOncePerDocument))
        cls.addClassCleanup(_PdfOncePerDocument.converted.clear)
        super().setUpClass()

    @classmethod
    def setUpTestData(cls):
        cls.team = Team(create_user)
        cls.kwargs = [case.kwargs(cls.team) for case in cls.cases]
        cls.foreign_kwargs = [case.foreign_kwargs(cls.team) if case.foreign_kwargs else None for case in cls.cases]

    def setUp(self):
        super().setUp()
        self.enterContext(override_settings(PRIVATE_MEDIA_ROOT=self.private_media))

    def client_for(self, user):
        client = Client()
        client.force_login(user)
        return client

    @contextlib.contextmanager
    def rolled_back(self):
        with transaction.atomic():
            yield
            transaction.set_rollback(True)

    def request(self, client, case, kwargs, method=None):
        url = reverse(case.url_name, kwargs=kwargs)
        with self.rolled_back():
            return client.get(url) if (method or case.method) == "GET" else client.post(url, {})

    def check(self, response, expected, case, who):
        self.assertIn(
            response.status_code,
            expected,
            f"{case.method} {case.url_name} as {who}: {response.status_code}, expected {sorted(expected)}",
        )


class MatrixChecks(AreaTestData):
    """The authorization checks of one area's cases: each a subTest naming the URL, the method and
    who asked."""

    ALLOWED_POST = frozenset({200, 302, 400})

    def test_each_role_gets_the_page_or_403(self):
        for role in Role:
            client = self.client_for(self.team.user(role))
            for case, kwargs in zip(self.cases, self.kwargs, strict=True):
                with self.subTest(url=case.url_name, method=case.method, role=role.value):
                    expected = expected_statuses(case, role, self.ALLOWED_POST)
                    self.check(self.request(client, case, kwargs), expected, case, role.value)

    def test_outsider_gets_404(self):
        client = self.client_for(self.team.outsider)
        for case, kwargs in zip(self.cases, self.kwargs, strict=True):
            with self.subTest(url=case.url_name, method=case.method, role="outsider"):
                self.check(self.request(client, case, kwargs), {404}, case, "outsider")

    def test_member_of_another_project_gets_404(self):
        client = self.client_for(self.team.other_membership.user)
        for case, kwargs in zip(self.cases, self.kwargs, strict=True):
            with self.subTest(url=case.url_name, method=case.method, role="another project's PM"):
                self.check(self.request(client, case, kwargs), {404}, case, "another project's PM")

    def test_another_projects_object_id_gets_404_even_for_the_pm(self):
        for case, foreign_kwargs in zip(self.cases, self.foreign_kwargs, strict=True):
            if foreign_kwargs is None:
                continue
            role = foreign_id_role(case)
            with self.subTest(url=case.url_name, method=case.method, role=role.value, object="another project's"):
                response = self.request(self.client_for(self.team.user(role)), case, foreign_kwargs)
                self.check(response, {404}, case, f"{role.value} with another project's id")


class PageMatrixChecks(MatrixChecks):
    def test_anonymous_is_sent_to_login(self):
        client = Client()
        login = reverse("account_login")
        for case, kwargs in zip(self.cases, self.kwargs, strict=True):
            with self.subTest(url=case.url_name, method=case.method, role="anonymous"):
                response = self.request(client, case, kwargs)
                self.check(response, {302}, case, "anonymous")
                self.assertTrue(response.url.startswith(login), f"{case.method} {case.url_name}: {response.url}")


# The areas the matrix and the other per-URL tests split the cases into: each has its own team
# and objects (starting closure changes the project, so closure has two).
AREAS = {
    "ProjectAndIssue": CORE_CASES + ISSUE_CASES + CALENDAR_CASES,
    "ChangeEscalationAndReport": CHANGE_CASES + ESCALATION_CASES + STATUS_REPORT_CASES + CHAT_IMPORT_EXPORT_CASES,
    "PlanAndRegisters": PLAN_CASES,
    "Steering": STEERING_CASES,
    "ClosureNotStarted": CLOSURE_START_CASES,
    "Closure": CLOSURE_CASES,
}


# One xdist group per class: `make test` (--dist loadgroup) sends each class whole to one worker, so
# its team is built once, and the classes (each a few seconds to a few tens) share out over workers.
@pytest.mark.xdist_group("authz-issues")
class TestProjectAndIssueMatrix(PageMatrixChecks, TestCase):
    cases = AREAS["ProjectAndIssue"]


@pytest.mark.xdist_group("authz-changes")
class TestChangeEscalationAndReportMatrix(PageMatrixChecks, TestCase):
    cases = AREAS["ChangeEscalationAndReport"]


@pytest.mark.xdist_group("authz-plan")
class TestPlanAndRegistersMatrix(PageMatrixChecks, TestCase):
    cases = AREAS["PlanAndRegisters"]


@pytest.mark.xdist_group("authz-steering")
class TestSteeringMatrix(PageMatrixChecks, TestCase):
    cases = AREAS["Steering"]


@pytest.mark.xdist_group("authz-closure-start")
class TestClosureNotStartedMatrix(PageMatrixChecks, TestCase):
    cases = AREAS["ClosureNotStarted"]


@pytest.mark.xdist_group("authz-closure")
class TestClosureMatrix(PageMatrixChecks, TestCase):
    cases = AREAS["Closure"]


def test_the_areas_cover_every_case_once():
    in_areas = [case for cases in AREAS.values() for case in cases]
    assert sorted(map(_case_id, in_areas)) == sorted(map(_case_id, PROJECT_CASES))
    assert len(set(map(_case_id, PROJECT_CASES))) == len(PROJECT_CASES)
    matrix = [TestProjectAndIssueMatrix, TestChangeEscalationAndReportMatrix, TestPlanAndRegistersMatrix]
    matrix += [TestSteeringMatrix, TestClosureNotStartedMatrix, TestClosureMatrix]
    assert [test.cases for test in matrix] == list(AREAS.values())
