import pytest
from django.core import mail
from django.urls import reverse

from projects.notifications.models import OutboundEmail
from projects.permissions import Role

LOGIN = "/accounts/login/"


def log_in(client, email, password):
    return client.post(LOGIN, {"login": email, "password": password})


def test_login_with_email_and_password_opens_my_work(client, team):
    response = log_in(client, "pm@example.com", "password-123")
    assert response.status_code == 302
    assert response.url == reverse("projects:my_work")
    assert b"SCRM" in client.get(response.url).content


def test_wrong_password_is_refused_with_a_message(client, team):
    response = log_in(client, "pm@example.com", "wrong")
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_there_is_no_public_sign_up(client, db):
    response = client.post("/accounts/signup/", {"email": "x@example.com", "password1": "a-long-secret-1"})
    assert b"Sign Up Closed" in response.content or response.status_code in {403, 404}
    from projects.core.models import User

    assert not User.objects.filter(email="x@example.com").exists()


def test_password_reset_email_goes_through_the_outbox(client, team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": "pm@example.com"})
    assert OutboundEmail.objects.filter(to_email="pm@example.com", template="account-password-reset-key").count() == 1
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_password_reset_for_an_unknown_address_sends_nothing(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302, "the page must not reveal whether the address exists"
    assert mail.outbox == []


def test_failed_logins_lock_the_account_but_not_colleagues_behind_the_same_address(client, team):
    for _ in range(5):
        log_in(client, "pm@example.com", "wrong")
    locked = log_in(client, "pm@example.com", "password-123")
    assert locked.status_code in {200, 429}
    assert "_auth_user_id" not in client.session, "the account is throttled after five failures"

    colleague = log_in(client, "sponsor@example.com", "password-123")
    assert colleague.status_code == 302, "another account from the same IP still logs in"


def test_preferences_change_language_and_time_zone(client, team):
    user = team.user(Role.KEY_USER)
    client.force_login(user)
    response = client.post(
        reverse("projects:preferences"), {"full_name": "张伟", "language": "zh-hans", "time_zone": "Asia/Urumqi"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.language, user.time_zone) == ("张伟", "zh-hans", "Asia/Urumqi")
    assert "我的项目" in client.get(reverse("projects:my_projects")).content.decode()


def test_unknown_time_zone_is_refused(client, team):
    client.force_login(team.user(Role.KEY_USER))
    response = client.post(
        reverse("projects:preferences"), {"full_name": "张伟", "language": "en", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("language, expected", [("en", "My projects"), ("zh-hans", "我的项目")])
def test_language_switch_is_remembered_on_the_account(client, team, language, expected):
    user = team.user(Role.KEY_USER)
    client.force_login(user)
    client.post(reverse("projects:set_language"), {"language": language, "next": "/"})
    user.refresh_from_db()
    assert user.language == language
    assert expected in client.get(reverse("projects:my_projects")).content.decode()


def test_the_signed_in_message_is_in_the_persons_language_not_the_login_pages(client, team):
    """Wang Fang reads crmgov in Chinese; she signs in on a browser that shows the login page in
    English. The page she lands on is Chinese, and so is its "signed in" message."""
    pm = team.user(Role.PM)
    pm.language = "zh-hans"
    pm.save(update_fields=["language"])
    response = client.post(LOGIN, {"login": pm.email, "password": "password-123"}, HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(response.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"以 {pm.full_name} 成功登录。" in page
    assert "Successfully signed in" not in page
