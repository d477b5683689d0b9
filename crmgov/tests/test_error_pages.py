"""What a person sees when the server fails: a database outage is a clear 503, not a hang."""

from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError
from django.test import Client

from projects.permissions import Role


@pytest.fixture
def browser(team):
    client = Client(raise_request_exception=False)
    client.force_login(team.user(Role.KEY_USER))
    return client


def test_a_database_outage_answers_503_saying_nothing_was_saved(browser, team):
    with mock.patch.object(SessionStore, "load", side_effect=OperationalError("connection refused")):
        answer = browser.post(f"/p/{team.project.code}/report/", {"title": "导出失败"}, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 503
    assert answer["Retry-After"] == "30"
    assert "was not saved" in answer.content.decode()


def test_the_outage_page_is_in_chinese_for_a_chinese_browser(browser, team):
    with mock.patch.object(SessionStore, "load", side_effect=OperationalError("connection refused")):
        answer = browser.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 503
    assert "暂时无法使用" in answer.content.decode()


def test_any_other_failure_is_still_a_500(browser, team):
    with mock.patch.object(SessionStore, "load", side_effect=RuntimeError("a bug")):
        answer = browser.get("/")
    assert answer.status_code == 500
