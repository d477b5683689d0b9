"""Two-factor login (TOTP with recovery codes): for everyone, required of sponsors and executives
when MFA_REQUIRED_FOR_LEADERSHIP is on (issue 9, security)."""

import datetime
import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client
from django.urls import reverse

from projects.permissions import Capability, Role, roles_with

MY_PROJECTS = reverse("projects:my_projects")
LOGIN = reverse("account_login")
ACTIVATE = reverse("mfa_activate_totp")
START = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def required(settings):
    settings.MFA_REQUIRED_FOR_LEADERSHIP = True


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def log_in(client, email):
    return client.post(LOGIN, {"login": email, "password": "password-123"})


def open_setup(client):
    """The setup page, after confirming the password as allauth asks before any 2FA change."""
    response = client.get(ACTIVATE)
    if response.status_code == 302 and response.url.startswith(reverse("account_reauthenticate")):
        assert client.post(response.url, {"password": "password-123"}).status_code == 302
        response = client.get(ACTIVATE)
    assert response.status_code == 200
    return response


def activate_totp(client) -> str:
    open_setup(client)
    secret = client.session["mfa.totp.secret"]
    response = client.post(ACTIVATE, {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()
    return secret


def test_sponsors_and_executives_are_the_roles_that_need_two_factor():
    assert set(roles_with(Capability.TWO_FACTOR_REQUIRED)) == {Role.SPONSOR, Role.EXECUTIVE}


@pytest.mark.parametrize("role", [Role.SPONSOR, Role.EXECUTIVE])
def test_a_leader_without_totp_must_set_it_up_before_anything_else(client, team, required, role):
    log_in(client, f"{role.value}@example.com")
    response = client.get(MY_PROJECTS)
    assert response.status_code == 302 and response.url == ACTIVATE
    project = reverse("projects:detail", kwargs={"code": team.project.code})
    assert client.get(project).url == ACTIVATE
    page = open_setup(client)
    assert "requires two-factor authentication" in page.content.decode()
    activate_totp(client)
    assert client.get(MY_PROJECTS).status_code == 200


def test_other_roles_are_not_forced(client, team, required):
    log_in(client, "key_user@example.com")
    assert client.get(MY_PROJECTS).status_code == 200


def test_with_the_setting_off_nobody_is_forced(client, team):
    log_in(client, "sponsor@example.com")
    assert client.get(MY_PROJECTS).status_code == 200


def test_a_forced_person_can_still_log_out_and_switch_language(client, team, required):
    log_in(client, "sponsor@example.com")
    response = client.post(reverse("projects:set_language"), {"language": "zh-hans", "next": ACTIVATE})
    assert response.status_code == 302 and response.url == ACTIVATE
    page = open_setup(client).content.decode()
    assert "身份验证器" in page or "双因素" in page, "the setup page in Chinese"
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get(MY_PROJECTS).url.startswith(LOGIN)


def test_everyone_reaches_two_factor_from_the_account_menu(client, team):
    client.force_login(team.user(Role.KEY_USER))
    page = client.get(MY_PROJECTS).content.decode()
    assert f'href="{reverse("mfa_index")}"' in page
    assert client.get(reverse("mfa_index")).status_code == 200


def test_with_totp_login_asks_for_the_code_and_a_recovery_code_works_once(team, required):
    client = Client()
    with time_machine.travel(START, tick=False) as clock:
        log_in(client, "sponsor@example.com")
        secret = activate_totp(client)
        user = team.user(Role.SPONSOR)
        codes = RecoveryCodes(Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES))
        recovery = codes.get_unused_codes()[0]
        client.post(reverse("account_logout"))

        clock.shift(datetime.timedelta(minutes=1))
        response = log_in(client, "sponsor@example.com")
        assert response.url == reverse("mfa_authenticate"), "the password alone does not sign in"
        assert client.get(MY_PROJECTS).url.startswith(LOGIN)
        wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
        assert wrong.status_code == 200 and "code" in wrong.content.decode().lower()
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
        assert response.status_code == 302
        assert client.get(MY_PROJECTS).status_code == 200
        client.post(reverse("account_logout"))

        for attempt in ("first", "second"):
            clock.shift(datetime.timedelta(minutes=1))
            log_in(client, "sponsor@example.com")
            response = client.post(reverse("mfa_authenticate"), {"code": recovery})
            if attempt == "first":
                assert response.status_code == 302
                assert client.get(MY_PROJECTS).status_code == 200
                client.post(reverse("account_logout"))
            else:
                assert response.status_code == 200, "a recovery code works once"
                assert client.get(MY_PROJECTS).url.startswith(LOGIN)


def test_the_admin_login_form_cannot_skip_the_second_factor(client, team):
    sponsor = team.user(Role.SPONSOR)
    sponsor.is_staff = True
    sponsor.save()
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response.url == f"{LOGIN}?next=/admin/"
    client.post("/admin/login/?next=/admin/", {"username": sponsor.email, "password": "password-123"})
    assert "_auth_user_id" not in client.session, "the admin's form opened no session"
    assert client.get("/admin/").status_code == 302
