"""The authorization matrix of the REST API: the same capabilities as the pages.

A member without the capability → 403, anyone outside the project (including a member of another
project guessing ids) → 404, no, an invalid or a revoked token → 401 (the API never redirects to
the login page). test_authorization.test_every_url_is_in_the_matrix also reads API_CASES.
"""

import pytest
from django.test import Client, TestCase
from django.urls import reverse

from crmgov.tests.test_authorization import (
    COMPLIANCE_READERS,
    CONSULTANT,
    EVERYONE,
    FILERS,
    LEADERSHIP,
    READ_ESCALATIONS,
    Case,
    MatrixChecks,
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


@pytest.mark.xdist_group("authz-api")
class TestApiMatrix(MatrixChecks, TestCase):
    """Every API case with every role, an outsider, a member of another project, no token and a
    revoked token; the team, its objects and one token per person built once (MatrixChecks)."""

    cases = API_CASES
    ALLOWED_POST = frozenset({200, 201, 400})

    @classmethod
    def setUpTestData(cls):
        from projects.api.services import api_token_create, api_token_revoke

        super().setUpTestData()
        people = [cls.team.user(role) for role in Role] + [cls.team.outsider, cls.team.other_membership.user]
        cls.secrets = {user.pk: api_token_create(user=user, name="test")[1] for user in people}
        token, cls.revoked_secret = api_token_create(user=cls.team.user(Role.PM), name="old")
        api_token_revoke(token=token)

    def client_for(self, user):
        return Client(HTTP_AUTHORIZATION=f"Bearer {self.secrets[user.pk]}")

    def test_anonymous_gets_401(self):
        client = Client()
        for case, kwargs in zip(self.cases, self.kwargs, strict=True):
            with self.subTest(url=case.url_name, method=case.method, role="anonymous"):
                response = self.request(client, case, kwargs)
                self.check(response, {401}, case, "anonymous")
                self.assertTrue(response["WWW-Authenticate"].startswith("Bearer"), case.url_name)

    def test_revoked_token_gets_401(self):
        client = Client(HTTP_AUTHORIZATION=f"Bearer {self.revoked_secret}")
        for case, kwargs in zip(self.cases, self.kwargs, strict=True):
            with self.subTest(url=case.url_name, method="GET", role="revoked token"):
                self.check(self.request(client, case, kwargs, method="GET"), {401}, case, "a revoked token")


def test_site_api_urls_need_authentication(client, db):
    for name in ("api:project-list", "api:schema", "api:token-list"):
        assert client.get(reverse(name)).status_code == 401, name
    response = client.get(reverse("api:docs"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
