"""The authorization matrix of the REST API: the same capabilities as the pages.

A member without the capability → 403, anyone outside the project (including a member of another
project guessing ids) → 404, no, an invalid or a revoked token → 401 (the API never redirects to
the login page). test_authorization.test_every_url_is_in_the_matrix also reads API_CASES.
"""

import pytest
from django.urls import reverse

from crmgov.tests.test_authorization import (
    COMPLIANCE_READERS,
    CONSULTANT,
    EVERYONE,
    FILERS,
    LEADERSHIP,
    READ_ESCALATIONS,
    Case,
    _change_kwargs,
    _escalation_kwargs,
    _foreign_escalation_kwargs,
    _foreign_report_kwargs,
    _foreign_screenshot_kwargs,
    _issue_kwargs,
    _report_kwargs,
    _screenshot_kwargs,
)
from projects.permissions import Role

READ_DAILY_REPORTS = COMPLIANCE_READERS | {Role.KEY_USER}

API_CASES = [
    Case("api:project-detail", "GET", EVERYONE),
    Case("api:membership-list", "GET", EVERYONE),
    Case("api:daily-report-list", "GET", READ_DAILY_REPORTS),
    Case("api:daily-report-list", "POST", FILERS),
    Case("api:issue-list", "GET", EVERYONE),
    Case("api:issue-list", "POST", FILERS),
    # The consultant sees only issues forwarded to them: for this one, 404.
    Case("api:issue-detail", "GET", EVERYONE, _issue_kwargs, hidden_from=CONSULTANT),
    Case(
        "api:issue-screenshot", "GET", EVERYONE, _screenshot_kwargs, _foreign_screenshot_kwargs, hidden_from=CONSULTANT
    ),
    Case(
        "api:issue-thumbnail", "GET", EVERYONE, _screenshot_kwargs, _foreign_screenshot_kwargs, hidden_from=CONSULTANT
    ),
    Case("api:change-request-list", "GET", EVERYONE),
    Case("api:change-request-list", "POST", FILERS),
    Case("api:change-request-detail", "GET", EVERYONE, _change_kwargs),
    Case("api:escalation-list", "GET", READ_ESCALATIONS),
    Case("api:escalation-detail", "GET", READ_ESCALATIONS, _escalation_kwargs, _foreign_escalation_kwargs),
    # Only those it was sent to (leadership) acknowledge; the PM reads it but did not receive it.
    Case("api:escalation-acknowledge", "POST", LEADERSHIP, _escalation_kwargs, _foreign_escalation_kwargs),
    Case("api:status-report-list", "GET", READ_ESCALATIONS),
    Case("api:status-report-detail", "GET", READ_ESCALATIONS, _report_kwargs, _foreign_report_kwargs),
]

# API URLs outside any project; checked by their own tests.
API_SITE_URLS = {
    "api:project-list": "signed in or a token (lists only the user's projects)",
    "api:schema": "signed in or a token",
    "api:docs": "signed in (the login page otherwise)",
    "api:token-list": "signed in or a token (only the user's own tokens)",
    "api:token-revoke": "signed in or a token (only the user's own tokens; another's → 404)",
}


def _request(client, case, kwargs):
    url = reverse(case.url_name, kwargs=kwargs)
    return client.get(url) if case.method == "GET" else client.post(url, {})


def _case_id(case):
    return f"{case.method} {case.url_name}"


@pytest.mark.parametrize("case", API_CASES, ids=_case_id)
@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_member_gets_the_resource_or_403_by_role(api_client, team, case, role):
    response = _request(api_client(team.user(role)), case, case.kwargs(team))
    if role in case.hidden_from:
        assert response.status_code == 404
    elif role in case.allowed and case.method == "GET":
        assert response.status_code == 200
    elif role in case.allowed:  # an empty POST: refused as invalid, or done
        assert response.status_code in {200, 201, 400}, response.content
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("case", API_CASES, ids=_case_id)
def test_outsider_gets_404(api_client, team, case):
    assert _request(api_client(team.outsider), case, case.kwargs(team)).status_code == 404


@pytest.mark.parametrize("case", API_CASES, ids=_case_id)
def test_member_of_another_project_gets_404(api_client, team, case):
    assert _request(api_client(team.other_membership.user), case, case.kwargs(team)).status_code == 404


@pytest.mark.parametrize("case", [c for c in API_CASES if c.foreign_kwargs], ids=_case_id)
def test_another_projects_object_id_gets_404_even_for_the_pm(api_client, team, case):
    allowed = Role.PM if Role.PM in case.allowed else sorted(case.allowed)[0]
    assert _request(api_client(team.user(allowed)), case, case.foreign_kwargs(team)).status_code == 404


@pytest.mark.parametrize("case", API_CASES, ids=_case_id)
def test_anonymous_gets_401(client, team, case):
    response = _request(client, case, case.kwargs(team))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("case", API_CASES, ids=_case_id)
def test_revoked_token_gets_401(client, team, case):
    from projects.api.services import api_token_create, api_token_revoke

    token, secret = api_token_create(user=team.user(Role.PM), name="old")
    api_token_revoke(token=token)
    url = reverse(case.url_name, kwargs=case.kwargs(team))
    response = client.get(url, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 401


def test_site_api_urls_need_authentication(client, db):
    for name in ("api:project-list", "api:schema", "api:token-list"):
        assert client.get(reverse(name)).status_code == 401, name
    response = client.get(reverse("api:docs"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
