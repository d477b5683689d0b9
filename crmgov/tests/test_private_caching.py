"""Private responses are never stored by a browser or a shared cache (issue 17): a signed-in person's
pages, JSON, CSV and PDF downloads carry Cache-Control: private, no-store; static files do not."""

import pytest
from django.test import Client
from django.urls import reverse

from closure import services as closure_services
from projects.permissions import Role


@pytest.fixture
def pm(team) -> Client:
    client = Client()
    client.force_login(team.user(Role.PM))
    return client


def private(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    vary = {part.strip().lower() for part in response.get("Vary", "").split(",")}
    return {"private", "no-store"} <= directives and "cookie" in vary


def test_a_signed_in_page_is_private(pm):
    response = pm.get(reverse("projects:my_projects"))
    assert response.status_code == 200 and private(response)


def test_a_json_api_response_is_private(pm):
    response = pm.get(reverse("api:project-list"))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert private(response)


def test_a_csv_export_is_private(pm):
    response = pm.get(reverse("issues:export_csv", kwargs={"code": "SCRM"}))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert private(response)


def test_a_pdf_download_is_private(team):
    closure_services.closure_start(project=team.project, by=team.user(Role.PM))
    sponsor = Client()
    sponsor.force_login(team.user(Role.SPONSOR))
    response = sponsor.get(reverse("closure:report_pdf", kwargs={"code": "SCRM"}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert private(response)


def respond(request, **headers):
    from django.http import HttpResponse

    from crmgov.middleware import PrivateCacheMiddleware

    def view(request):
        response = HttpResponse("ok")
        for name, value in headers.items():
            response[name.replace("_", "-")] = value
        return response

    return PrivateCacheMiddleware(view)(request)


def test_an_explicit_cache_policy_is_kept(rf, team):
    request = rf.get("/p/SCRM/issues/1/screenshots/1/thumb/")
    request.user = team.user(Role.PM)
    assert respond(request, Cache_Control="private, max-age=86400")["Cache-Control"] == "private, max-age=86400"


def test_an_anonymous_response_is_left_alone(rf, db):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/accounts/login/")
    request.user = AnonymousUser()
    assert not respond(request).has_header("Cache-Control")


def test_static_files_are_left_cacheable(pm):
    response = pm.get("/static/js/crmgov.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
