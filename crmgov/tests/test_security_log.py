"""Authentication events and refused authorizations go to the `crmgov.security` log (issue 9)."""

import logging

import pytest
from django.urls import reverse

from projects.permissions import Role

LOGIN = reverse("account_login")


@pytest.fixture
def security_log(caplog):
    caplog.set_level(logging.INFO, logger="crmgov.security")
    return lambda: [r.getMessage() for r in caplog.records if r.name == "crmgov.security"]


def test_login_logout_and_a_failed_login_are_logged_without_the_password(client, team, security_log):
    pm = team.user(Role.PM)
    client.post(LOGIN, {"login": "pm@example.com", "password": "wrong-secret-991"})
    client.post(LOGIN, {"login": "pm@example.com", "password": "password-123"})
    client.post(reverse("account_logout"))
    lines = security_log()
    assert any(line.startswith("login failed") and "pm@example.com" in line for line in lines), lines
    assert any(line.startswith(f"login: user={pm.pk}") for line in lines), lines
    assert any(line.startswith(f"logout: user={pm.pk}") for line in lines), lines
    assert not any("wrong-secret-991" in line or "password-123" in line for line in lines)


def test_a_password_change_is_logged(client, team, security_log):
    client.force_login(team.user(Role.PM))
    client.post(
        reverse("account_change_password"),
        {"oldpassword": "password-123", "password1": "a-new-long-secret-7", "password2": "a-new-long-secret-7"},
    )
    lines = security_log()
    assert any(line.startswith(f"password changed: user={team.user(Role.PM).pk}") for line in lines), lines
    assert not any("a-new-long-secret-7" in line for line in lines)


def test_a_refused_capability_is_logged_with_user_path_and_capability(client, team, security_log):
    key_user = team.user(Role.KEY_USER)
    client.force_login(key_user)
    url = reverse("projects:edit", kwargs={"code": team.project.code})
    assert client.get(url).status_code == 403
    assert f"authorization refused: status=403 user={key_user.pk} capability=project.edit path={url}" in "\n".join(
        security_log()
    )


def test_an_outsider_is_logged_when_refused(client, team, security_log):
    client.force_login(team.outsider)
    url = reverse("projects:detail", kwargs={"code": team.project.code})
    assert client.get(url).status_code == 404
    assert f"authorization refused: status=404 user={team.outsider.pk} capability=project.view path={url}" in (
        "\n".join(security_log())
    )


def test_two_factor_activation_and_a_wrong_code_are_logged(
    client, team, security_log, django_capture_on_commit_callbacks
):
    from crmgov.tests.test_two_factor import activate_totp

    client.post(LOGIN, {"login": "sponsor@example.com", "password": "password-123"})
    with django_capture_on_commit_callbacks(execute=True):  # allauth signals the activation after commit
        activate_totp(client)
    client.post(reverse("account_logout"))
    client.post(LOGIN, {"login": "sponsor@example.com", "password": "password-123"})
    client.post(reverse("mfa_authenticate"), {"code": "123456"})
    lines = security_log()
    sponsor = team.user(Role.SPONSOR).pk
    assert any(line.startswith(f"mfa activated: user={sponsor} type=totp") for line in lines), lines
    assert any(line.startswith(f"mfa failed: user={sponsor}") for line in lines), lines
    assert not any("123456" in line for line in lines)
