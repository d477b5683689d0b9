"""The REST API of change requests."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changes import services
from changes.models import ChangeRequest
from projects.permissions import Role


def _raise(team, title, requester=None):
    return services.change_request_create(
        project=team.project, requester=requester or team.user(Role.KEY_USER), title=title, reason="r", goal="g"
    )


def test_a_key_user_raises_a_change_request(api_client, team):
    response = api_client(team.user(Role.KEY_USER)).post(
        reverse("api:change-request-list", args=["SCRM"]),
        {"title": "客户查重", "reason": "重复客户太多", "goal": "新建时提示重复"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["reference"] == "SCRM-CR001" and response.json()["status"] == "requested"
    assert ChangeRequest.objects.get().requester == team.user(Role.KEY_USER)


def test_the_goal_is_required_as_on_the_page(api_client, team):
    response = api_client(team.user(Role.KEY_USER)).post(
        reverse("api:change-request-list", args=["SCRM"]),
        {"title": "t", "reason": "r", "goal": "   "},
        content_type="application/json",
    )
    assert response.status_code == 400 and not ChangeRequest.objects.exists()


def test_a_source_issue_must_be_one_the_requester_can_see(api_client, team):
    response = api_client(team.user(Role.KEY_USER)).post(
        reverse("api:change-request-list", args=["SCRM"]),
        {"title": "t", "reason": "r", "goal": "g", "source_issue": 99},
        content_type="application/json",
    )
    assert response.status_code == 400 and "source_issue" in response.json()


def test_change_requests_filter_by_status_and_requester(api_client, team):
    first = _raise(team, "一")
    _raise(team, "二", requester=team.user(Role.PM))
    services.change_request_withdraw(change=first, by=team.user(Role.KEY_USER), reason="不需要了")
    client = api_client(team.user(Role.SPONSOR))
    url = reverse("api:change-request-list", args=["SCRM"])
    assert [c["title"] for c in client.get(url, {"status": "withdrawn"}).json()["results"]] == ["一"]
    assert [c["title"] for c in client.get(url, {"requester": team.user(Role.PM).pk}).json()["results"]] == ["二"]
    assert client.get(url, {"status": "nonsense"}).status_code == 400


def test_change_request_list_queries_do_not_grow_with_rows(api_client, team, no_lazy_loads):
    client = api_client(team.user(Role.PM))
    url = reverse("api:change-request-list", args=["SCRM"])
    _raise(team, "0")

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as queries, no_lazy_loads():
            assert client.get(url).status_code == 200
        return len(queries)

    one = count()
    for n in range(5):
        _raise(team, str(n + 1))
    assert count() == one
    assert len(client.get(url).json()["results"]) == 6
