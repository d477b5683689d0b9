"""Sessions: a new id at login, an idle timeout, and sessions ended when the password changes,
the account is deactivated or the person is left with no project (issue 9, security)."""

import datetime

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.core.services import membership_end, user_deactivate
from projects.permissions import Role

MY_PROJECTS = reverse("projects:my_projects")
LOGIN = reverse("account_login")
START = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)


def log_in(client, email):
    response = client.post(LOGIN, {"login": email, "password": "password-123"})
    assert response.status_code == 302, response.content
    return response


def signed_out(response) -> bool:
    return response.status_code == 302 and response.url.startswith(LOGIN)


def test_login_gives_a_new_session_id(client, team):
    session = client.session
    session["before-login"] = True
    session.save()
    before = client.cookies["sessionid"].value
    log_in(client, "pm@example.com")
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


@pytest.fixture
def idle_timeout(settings):
    settings.SESSION_IDLE_TIMEOUT = 2 * 60 * 60


def test_a_session_unused_for_two_hours_is_signed_out(client, team, idle_timeout):
    with time_machine.travel(START, tick=False) as clock:
        log_in(client, "pm@example.com")
        assert client.get(MY_PROJECTS).status_code == 200
        clock.shift(datetime.timedelta(hours=1, minutes=59))
        assert client.get(MY_PROJECTS).status_code == 200, "still within the idle timeout"
        clock.shift(datetime.timedelta(hours=1, minutes=59))
        assert client.get(MY_PROJECTS).status_code == 200, "each use starts the idle time again"
        clock.shift(datetime.timedelta(hours=2, minutes=1))
        response = client.get(MY_PROJECTS)
    assert signed_out(response)
    response = client.get(response.url)
    assert "signed out after a period of inactivity" in response.content.decode()


def test_the_idle_check_adds_no_query_to_an_ordinary_request(client, team, settings, django_assert_num_queries):
    """The last-seen time is written at most every five minutes, so a normal request costs nothing extra."""
    client.force_login(team.user(Role.PM))
    client.get(MY_PROJECTS)
    settings.SESSION_IDLE_TIMEOUT = 0
    with CaptureQueriesContext(connection) as without:
        client.get(MY_PROJECTS)
    baseline = len(without)  # read now: the next request resets the connection's query log
    assert baseline > 0
    settings.SESSION_IDLE_TIMEOUT = 7200
    settings.MFA_REQUIRED_FOR_LEADERSHIP = True
    client.get(MY_PROJECTS)  # the first request of the session writes last-seen and the 2FA check
    with django_assert_num_queries(baseline):
        client.get(MY_PROJECTS)


def test_changing_the_password_signs_out_the_other_sessions(team):
    here, elsewhere = Client(), Client()
    log_in(here, "pm@example.com")
    log_in(elsewhere, "pm@example.com")
    response = here.post(
        reverse("account_change_password"),
        {"oldpassword": "password-123", "password1": "a-new-long-secret-7", "password2": "a-new-long-secret-7"},
    )
    assert response.status_code == 302
    assert here.get(MY_PROJECTS).status_code == 200, "the session that changed it stays signed in"
    assert signed_out(elsewhere.get(MY_PROJECTS))


def test_deactivating_an_account_ends_its_sessions_for_good(team):
    user = team.user(Role.KEY_USER)
    client = Client()
    log_in(client, user.email)
    colleague = Client()
    log_in(colleague, "pm@example.com")
    user_deactivate(user=user)
    assert signed_out(client.get(MY_PROJECTS))
    user.is_active = True
    user.save()
    assert signed_out(client.get(MY_PROJECTS)), "reactivating the account does not revive old sessions"
    assert colleague.get(MY_PROJECTS).status_code == 200


def test_the_admins_deactivate_action_signs_the_account_out(client, team, make_user):
    user = team.user(Role.KEY_USER)
    theirs = Client()
    log_in(theirs, user.email)
    admin = make_user("admin@example.com", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:projects_user_changelist"), {"action": "deactivate", "_selected_action": [user.pk]}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert signed_out(theirs.get(MY_PROJECTS))


def test_a_person_whose_last_membership_ends_is_signed_out(client, team):
    key_user = team.members[Role.KEY_USER]
    log_in(client, key_user.user.email)
    membership_end(membership=key_user)
    assert signed_out(client.get(MY_PROJECTS))


def test_a_person_with_another_project_stays_signed_in_when_one_membership_ends(client, team):
    from projects.core.models import Membership

    key_user = team.members[Role.KEY_USER]
    Membership.objects.create(project=team.other_project, user=key_user.user, role=Role.KEY_USER)
    log_in(client, key_user.user.email)
    membership_end(membership=key_user)
    assert client.get(MY_PROJECTS).status_code == 200
    detail = reverse("projects:detail", kwargs={"code": team.project.code})
    assert client.get(detail).status_code == 404, "but the ended project is gone at once"
