"""The account pages (allauth) are part of the authorization matrix too: each is classified, the
signed-in ones send anonymous visitors to login, and a new one fails the completeness test."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ANYONE = "anyone"
SIGNED_IN = "signed in"
LOGIN_IN_PROGRESS = "during a login only"

ACCOUNT_URLS = {
    "account_login": ANYONE,
    "account_logout": ANYONE,
    "account_inactive": ANYONE,
    "account_signup": ANYONE,  # closed: AccountAdapter.is_open_for_signup
    "account_email_verification_sent": ANYONE,
    "account_confirm_email": ANYONE,
    "account_reset_password": ANYONE,
    "account_reset_password_done": ANYONE,
    "account_reset_password_from_key": ANYONE,  # the key in the link is the credential
    "account_reset_password_from_key_done": ANYONE,
    "account_confirm_login_code": LOGIN_IN_PROGRESS,
    "mfa_authenticate": LOGIN_IN_PROGRESS,
    "account_reauthenticate": SIGNED_IN,
    "account_email": SIGNED_IN,
    "account_change_password": SIGNED_IN,
    "account_set_password": SIGNED_IN,
    "mfa_index": SIGNED_IN,
    "mfa_reauthenticate": SIGNED_IN,
    "mfa_activate_totp": SIGNED_IN,
    "mfa_deactivate_totp": SIGNED_IN,
    "mfa_view_recovery_codes": SIGNED_IN,
    "mfa_generate_recovery_codes": SIGNED_IN,
    "mfa_download_recovery_codes": SIGNED_IN,
}
KWARGS = {
    "account_confirm_email": {"key": "x"},
    "account_reset_password_from_key": {"uidb36": "1", "key": "x"},
}


def _account_url_names(patterns=None):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _account_url_names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name and pattern.callback.__module__.startswith("allauth"):
            yield pattern.name


def test_every_account_url_is_classified():
    missing = set(_account_url_names()) - set(ACCOUNT_URLS)
    assert not missing, f"account URLs without a rule: {sorted(missing)}"


@pytest.mark.parametrize("name", [n for n, rule in ACCOUNT_URLS.items() if rule == SIGNED_IN])
def test_signed_in_account_pages_send_anonymous_to_login(client, db, name):
    for method in (client.get, client.post):
        response = method(reverse(name, kwargs=KWARGS.get(name)))
        assert response.status_code == 302, (name, method)
        assert response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("name", [n for n, rule in ACCOUNT_URLS.items() if rule == LOGIN_IN_PROGRESS])
def test_second_step_pages_need_a_login_in_progress(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_forged_password_reset_key_sets_nothing(client, team):
    from allauth.account.utils import user_pk_to_url_str

    from projects.permissions import Role

    user = team.user(Role.PM)
    kwargs = {"uidb36": user_pk_to_url_str(user), "key": "forged-key"}
    url = reverse("account_reset_password_from_key", kwargs=kwargs)
    response = client.post(url, {"password1": "a-new-long-secret-7", "password2": "a-new-long-secret-7"})
    assert response.status_code in {200, 302}
    user.refresh_from_db()
    assert user.check_password("password-123")
