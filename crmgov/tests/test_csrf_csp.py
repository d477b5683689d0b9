"""CSRF on every POST URL, and the Content-Security-Policy of every page (issue 9, security)."""

import re

import pytest
from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crmgov.tests.test_authorization import AREAS, PROJECT_CASES, AreaTestData, Case, _case_id
from projects.permissions import Role

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def _allowed_role(case: Case) -> Role:
    return Role.PM if Role.PM in case.allowed else sorted(case.allowed)[0]


def _writes(queries) -> list[str]:
    # The session row is the framework's, not the user's data.
    return [q["sql"] for q in queries if WRITE.match(q["sql"]) and "django_session" not in q["sql"]]


ACCOUNT_POSTS = [
    "account_login",
    "account_logout",
    "account_change_password",
    "account_reset_password",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_generate_recovery_codes",
    "mfa_authenticate",
    "projects:set_language",
    "projects:preferences",
    "projects:create",
]


@pytest.mark.parametrize("name", ACCOUNT_POSTS)
def test_account_posts_without_a_csrf_token_are_refused(team, name):
    client = Client(enforce_csrf_checks=True)
    if name != "account_login":
        client.force_login(team.user(Role.PM))
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse(name), {"login": "pm@example.com", "password": "password-123"})
    assert response.status_code == 403
    assert _writes(queries) == []


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


def assert_strict_csp(response):
    assert "text/html" in response["Content-Type"]
    directives = _directives(response["Content-Security-Policy"])
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    html = response.content.decode()
    if "script-src" not in directives:
        # A page that renders no nonce (an HTMX fragment) may run no script at all.
        assert directives["default-src"] == ["'none'"]
        assert all('type="application/json"' in tag for tag in SCRIPT_TAG.findall(html))
    else:
        scripts = directives["script-src"]
        nonces = [source for source in scripts if source.startswith("'nonce-")]
        assert len(nonces) == 1, scripts
        assert not {"'unsafe-inline'", "'unsafe-eval'", "'self'", "*", "data:"} & set(scripts), scripts
        nonce = nonces[0][len("'nonce-") : -1]
        for tag in SCRIPT_TAG.findall(html):
            # json_script data is never run; everything else carries the nonce.
            assert f'nonce="{nonce}"' in tag or 'type="application/json"' in tag, tag
    assert not EVENT_HANDLER.search(html), EVENT_HANDLER.search(html).group(0)


class CsrfAndCspChecks(AreaTestData):
    """Each of an area's URLs, as a role that may use it, on the area's team built once."""

    def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing(self):
        for case, kwargs in zip(self.cases, self.kwargs, strict=True):
            if case.method != "POST":
                continue
            role = _allowed_role(case)
            client = Client(enforce_csrf_checks=True)
            client.force_login(self.team.user(role))
            url = reverse(case.url_name, kwargs=kwargs)
            with self.subTest(url=case.url_name, method=case.method, role=role.value), self.rolled_back():
                with CaptureQueriesContext(connection) as queries:
                    response = client.post(url, {"title": "x", "text": "x"})
                self.assertEqual(response.status_code, 403, f"POST {case.url_name} without a CSRF token")
                self.assertEqual(_writes(queries), [], f"POST {case.url_name} without a CSRF token wrote")

    def test_every_page_has_a_strict_content_security_policy(self):
        for case, kwargs in zip(self.cases, self.kwargs, strict=True):
            if case.method != "GET":
                continue
            role = _allowed_role(case)
            client = self.client_for(self.team.user(role))
            with self.subTest(url=case.url_name, method=case.method, role=role.value):
                response = self.request(client, case, kwargs)
                self.assertEqual(response.status_code, 200, f"GET {case.url_name} as {role.value}")
                if "text/html" in response["Content-Type"]:  # not files, PDFs, exports: no scripts run in them
                    assert_strict_csp(response)


# One class per area of the authorization matrix (its team and objects built once).
@pytest.mark.xdist_group("csrf-csp-issues")
class TestProjectAndIssueCsrfAndCsp(CsrfAndCspChecks, TestCase):
    cases = AREAS["ProjectAndIssue"]


@pytest.mark.xdist_group("csrf-csp-changes")
class TestChangeEscalationAndReportCsrfAndCsp(CsrfAndCspChecks, TestCase):
    cases = AREAS["ChangeEscalationAndReport"]


@pytest.mark.xdist_group("csrf-csp-plan")
class TestPlanAndSteeringCsrfAndCsp(CsrfAndCspChecks, TestCase):
    cases = AREAS["PlanAndRegisters"] + AREAS["Steering"]


@pytest.mark.xdist_group("csrf-csp-closure")
class TestClosureNotStartedCsrfAndCsp(CsrfAndCspChecks, TestCase):
    cases = AREAS["ClosureNotStarted"]


@pytest.mark.xdist_group("csrf-csp-closure")
class TestClosureCsrfAndCsp(CsrfAndCspChecks, TestCase):
    cases = AREAS["Closure"]


def test_every_case_is_checked_for_csrf_and_csp():
    classes = [TestProjectAndIssueCsrfAndCsp, TestChangeEscalationAndReportCsrfAndCsp, TestPlanAndSteeringCsrfAndCsp]
    classes += [TestClosureNotStartedCsrfAndCsp, TestClosureCsrfAndCsp]
    assert sorted(map(_case_id, (case for test in classes for case in test.cases))) == sorted(
        map(_case_id, PROJECT_CASES)
    )


SITE_PAGES = [
    "projects:my_work",
    "projects:my_projects",
    "projects:preferences",
    "projects:escalations_mine",
    "projects:portfolio",
    "account_change_password",
    "mfa_index",
]


@pytest.mark.parametrize("name", SITE_PAGES)
def test_site_pages_have_a_strict_content_security_policy(client, team, name):
    client.force_login(team.user(Role.SPONSOR))
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert_strict_csp(response)


@pytest.mark.parametrize("name", ["account_login", "account_reset_password"])
def test_anonymous_pages_have_a_strict_content_security_policy(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert_strict_csp(response)


def test_the_check_catches_a_script_without_the_nonce(client, team):
    """The assertion above is not vacuous: a page with an inline script fails it."""
    client.force_login(team.user(Role.PM))
    response = client.get(reverse("projects:my_projects"))
    response.content = response.content.replace(b"</body>", b"<script>alert(1)</script></body>")
    with pytest.raises(AssertionError):
        assert_strict_csp(response)
