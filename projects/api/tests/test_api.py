"""The REST API of the core: tokens, projects, memberships, escalations, status reports."""

import datetime

import time_machine
from django.test import Client
from django.urls import reverse

from projects.api.models import ApiToken, token_hash
from projects.api.services import api_token_create, api_token_revoke
from projects.escalations.services import escalation_open
from projects.permissions import Role
from projects.registry import Detected


def _escalate(project, title="上线延期"):
    facts = Detected(instance="", title=title, what_happened="延期", consequences="10 天")
    return escalation_open(project=project, kind="other", detected=facts, automatic=False)


# --- Tokens -------------------------------------------------------------------------------------


def reauthenticate(client, user):
    client.force_login(user)
    assert client.post(reverse("account_reauthenticate"), {"password": "password-123"}).status_code == 302


def test_token_page_shows_the_secret_once_and_stores_only_its_hash(client, team):
    pm = team.user(Role.PM)
    reauthenticate(client, pm)
    response = client.post(reverse("projects:api_tokens"), {"name": "夜间导出", "days": 90})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("crm_") and secret in response.content.decode()
    token = ApiToken.objects.get(user=pm)
    assert token.key_hash == token_hash(secret) and secret not in (token.prefix, token.key_hash)
    listing = client.get(reverse("projects:api_tokens")).content.decode()
    assert "夜间导出" in listing and secret not in listing


def test_a_token_authenticates_as_its_owner_with_bearer_or_token(client, team):
    _token, secret = api_token_create(user=team.user(Role.KEY_USER), name="脚本")
    for keyword in ("Bearer", "Token"):
        response = client.get(reverse("api:project-list"), HTTP_AUTHORIZATION=f"{keyword} {secret}")
        assert response.status_code == 200
        assert [p["role"] for p in response.json()["results"]] == [Role.KEY_USER]
    assert ApiToken.objects.get().last_used_at is not None


def test_revoked_token_no_longer_works(client, team):
    token, secret = api_token_create(user=team.user(Role.PM), name="旧的")
    api_token_revoke(token=token)
    response = client.get(reverse("api:project-list"), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 401


def test_token_of_a_deactivated_account_no_longer_works(client, team):
    user = team.user(Role.PM)
    _token, secret = api_token_create(user=user, name="x")
    user.is_active = False
    user.save()
    assert client.get(reverse("api:project-list"), HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_people_revoke_only_their_own_tokens(client, team):
    token, _secret = api_token_create(user=team.user(Role.PM), name="PM 的")
    client.force_login(team.user(Role.KEY_USER))
    assert client.post(reverse("projects:api_token_revoke", args=[token.pk])).status_code == 404
    client.force_login(team.user(Role.PM))
    assert client.post(reverse("projects:api_token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_script_rotates_its_token_through_the_api(api_client, client, team):
    """A token cannot make another (issue 17): the new one comes from a freshly re-authenticated session."""
    pm = team.user(Role.PM)
    old = api_client(pm)
    reauthenticate(client, pm)
    response = client.post(reverse("api:token-list"), {"name": "新令牌"}, content_type="application/json")
    assert response.status_code == 201
    secret = response.json()["secret"]
    new = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert "secret" not in new.get(reverse("api:token-list")).json()["results"][0]
    old_id = ApiToken.objects.get(user=pm, name="test").pk
    assert new.post(reverse("api:token-revoke", args=[old_id])).json()["revoked_at"]
    assert old.get(reverse("api:project-list")).status_code == 401
    assert new.get(reverse("api:project-list")).status_code == 200


def test_nobody_revokes_another_persons_token_through_the_api(api_client, team):
    token, _secret = api_token_create(user=team.user(Role.PM), name="PM 的")
    response = api_client(team.user(Role.SPONSOR)).post(reverse("api:token-revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_page_needs_a_name(client, team):
    reauthenticate(client, team.user(Role.PM))
    response = client.post(reverse("projects:api_tokens"), {"name": ""})
    assert response.status_code == 400 and not ApiToken.objects.exists()


def test_token_page_in_chinese(client, team):
    user = team.user(Role.PM)
    user.language = "zh-hans"
    user.save()
    client.force_login(user)
    html = client.get(reverse("projects:api_tokens")).content.decode()
    assert "API 令牌" in html and "创建令牌" in html


# --- Projects and members -----------------------------------------------------------------------


def test_projects_lists_only_active_memberships(api_client, team):
    response = api_client(team.other_membership.user).get(reverse("api:project-list"))
    assert [p["code"] for p in response.json()["results"]] == ["OTHER"]
    detail = api_client(team.user(Role.PM)).get(reverse("api:project-detail", args=["SCRM"])).json()
    assert detail["role"] == Role.PM and detail["name"] == team.project.name


def test_members_lists_the_active_members(api_client, team):
    from projects.core.services import membership_end

    membership_end(membership=team.members[Role.CONSULTANT])
    rows = api_client(team.user(Role.KEY_USER)).get(reverse("api:membership-list", args=["SCRM"])).json()["results"]
    assert {row["role"] for row in rows} == set(Role) - {Role.CONSULTANT}


# --- Escalations --------------------------------------------------------------------------------


def test_leadership_acknowledges_an_escalation(api_client, team):
    escalation = _escalate(team.project)
    client = api_client(team.user(Role.SPONSOR))
    url = reverse("api:escalation-acknowledge", kwargs={"code": "SCRM", "pk": escalation.pk})
    response = client.post(url)
    assert response.status_code == 200 and response.json()["acknowledged_at"]
    detail = client.get(reverse("api:escalation-detail", kwargs={"code": "SCRM", "pk": escalation.pk})).json()
    assert detail["acknowledged_by_me"] == response.json()["acknowledged_at"]
    sponsor = next(r for r in detail["recipients"] if r["person"]["id"] == team.user(Role.SPONSOR).pk)
    assert sponsor["acknowledged_at"]


def test_the_pm_who_did_not_receive_it_cannot_acknowledge(api_client, team):
    escalation = _escalate(team.project)
    url = reverse("api:escalation-acknowledge", kwargs={"code": "SCRM", "pk": escalation.pk})
    assert api_client(team.user(Role.PM)).post(url).status_code == 403


def test_escalations_filter_by_status(api_client, team):
    from projects.escalations.services import escalation_resolve

    _escalate(team.project, "开着的")
    escalation_resolve(escalation=_escalate(team.project, "已解决"), by=team.user(Role.PM), outcome="已处理")
    client = api_client(team.user(Role.SPONSOR))
    url = reverse("api:escalation-list", args=["SCRM"])
    assert [e["title"] for e in client.get(url, {"status": "open"}).json()["results"]] == ["开着的"]
    assert client.get(url, {"status": "nonsense"}).status_code == 400


def test_closed_project_is_read_only_through_the_api(api_client, team):
    escalation = _escalate(team.project)
    team.project.status = team.project.Status.CLOSED
    team.project.save()
    client = api_client(team.user(Role.SPONSOR))
    assert client.get(reverse("api:escalation-list", args=["SCRM"])).status_code == 200
    response = client.post(reverse("api:escalation-acknowledge", kwargs={"code": "SCRM", "pk": escalation.pk}))
    assert response.status_code == 403
    assert "closed" in response.json()["detail"]


# --- Status reports -----------------------------------------------------------------------------


def test_status_reports_are_read_only(api_client, team):
    from projects.reporting.services import status_report_draft

    report = status_report_draft(project=team.project, period_start=datetime.date(2026, 11, 16))
    client = api_client(team.user(Role.PM))
    url = reverse("api:status-report-detail", kwargs={"code": "SCRM", "pk": report.pk})
    body = client.get(url).json()
    assert body["period_start"] == "2026-11-16" and body["state"] == "draft" and "sections" in body["figures"]
    assert client.post(url, {"narrative": "x"}).status_code == 405
    assert client.post(reverse("api:status-report-list", args=["SCRM"]), {}).status_code == 405


# --- Paging and query counts --------------------------------------------------------------------


def test_cursor_paging_walks_every_escalation_once(api_client, team):
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, tzinfo=datetime.UTC)) as clock:
        for n in range(5):
            clock.shift(datetime.timedelta(hours=1))
            _escalate(team.project, f"第 {n} 个")
    client = api_client(team.user(Role.SPONSOR))
    url, seen = reverse("api:escalation-list", args=["SCRM"]) + "?page_size=2", []
    while url:
        page = client.get(url).json()
        seen += [e["title"] for e in page["results"]]
        url = page["next"]
    assert seen == [f"第 {n} 个" for n in reversed(range(5))]


def count_queries(client, url, no_lazy_loads) -> int:
    """Queries of one API request (lazy loading raises), the token's last use already recorded."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as queries, no_lazy_loads():
        assert client.get(url).status_code == 200
    return len(queries)


def test_escalation_list_queries_do_not_grow_with_rows(api_client, team, no_lazy_loads):
    client = api_client(team.user(Role.SPONSOR))
    url = reverse("api:escalation-list", args=["SCRM"])
    _escalate(team.project, "一")
    one = count_queries(client, url, no_lazy_loads)
    for n in range(6):
        _escalate(team.project, f"更多 {n}")
    assert count_queries(client, url, no_lazy_loads) == one <= 4


def test_project_and_member_lists_queries_do_not_grow_with_rows(api_client, team, make_user, no_lazy_loads):
    from projects.core.models import Membership, Project

    client = api_client(team.user(Role.PM))
    members, projects = reverse("api:membership-list", args=["SCRM"]), reverse("api:project-list")
    before = count_queries(client, members, no_lazy_loads), count_queries(client, projects, no_lazy_loads)
    for n in range(5):
        Membership.objects.create(project=team.project, user=make_user(), role=Role.KEY_USER)
        extra = Project.objects.create(code=f"P{n}X", name=f"项目 {n}")
        Membership.objects.create(project=extra, user=team.user(Role.PM), role=Role.PM)
    after = count_queries(client, members, no_lazy_loads), count_queries(client, projects, no_lazy_loads)
    assert before == after
    assert len(client.get(projects).json()["results"]) == 6
