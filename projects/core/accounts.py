"""Accounts: allauth wired to our outbox, and the set-password link of invitations."""

import hashlib
import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.account.utils import user_pk_to_url_str
from allauth.core.internal.ratelimit import get_ip
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from projects.core.models import User
from projects.core.work import work_memberships
from projects.notifications.outbox import email_queue
from projects.permissions import Capability, roles_with


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def recently_reauthenticated(request) -> bool:
    """Signed in through the website (not by a token) and the password confirmed on allauth's
    re-authentication page within ACCOUNT_REAUTHENTICATION_TIMEOUT (as allauth's own check counts it)."""
    if getattr(request, "auth", None) is not None:  # the REST API's token
        return False
    records = get_authentication_records(request, request.user) if request.user.is_authenticated else []
    latest = max((record.get("at", 0) for record in records if record.get("reauthenticated")), default=0)
    return time.time() - latest < account_settings.REAUTHENTICATION_TIMEOUT


def two_factor_missing(user, roles: set[str]) -> bool:
    """With MFA_REQUIRED_FOR_LEADERSHIP on: one of `roles` (the person's active roles) needs
    two-factor authentication and the person has not set it up."""
    if not settings.MFA_REQUIRED_FOR_LEADERSHIP or not roles & set(roles_with(Capability.TWO_FACTOR_REQUIRED)):
        return False
    return not has_totp(user)


def set_password_url(user: User) -> str:
    """A link to allauth's set-password page, valid for PASSWORD_RESET_TIMEOUT (3 days)."""
    token = account_settings.PASSWORD_RESET_TOKEN_GENERATOR().make_token(user)
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": token})
    return settings.SITE_URL + path


# The allauth e-mails crmgov sends, each with its three templates in templates/emails/account-<name>-*.
ACCOUNT_EMAILS = {"password-reset-key", "email-confirmation"}


class AccountAdapter(DefaultAccountAdapter):
    """No public sign-up (people join by invitation); allauth's e-mails go through the outbox; failed
    logins throttled per account *and* address together."""

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """allauth keys its per-account failed-login limit ("5/5m/key") by the e-mail alone, so a
        stranger anywhere could lock a person out with five wrong passwords. Adding the client's address
        limits guessing per (address, account); the person's own address is unaffected.
        ACCOUNT_RATE_LIMITS keeps a looser per-address limit on top. (A private allauth method: the
        tests in crmgov/tests/test_login_throttling.py catch an upgrade that renames it.)"""
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}@{get_ip(request)}"

    def get_login_redirect_url(self, request) -> str:
        """A key user of one project lands on today's report, where "no problems today" is one tap;
        everyone else on what waits for them (issue 19). A `next` address still wins (allauth)."""
        memberships = work_memberships(request.user)
        if len(memberships) == 1 and memberships[0].can(Capability.REPORTS_EXPECTED):
            return reverse("issues:report", kwargs={"code": memberships[0].project.code})
        return super().get_login_redirect_url(request)

    def is_open_for_signup(self, request) -> bool:
        return False

    def add_message(self, request, *args, **kwargs) -> None:
        """allauth words its messages when it adds them, in the language of the page that made them:
        the login page's, for "Successfully signed in". Worded in the signed-in person's own language
        instead, the language of the page that shows it."""
        language = getattr(request.user, "language", "") if request.user.is_authenticated else ""
        with translation.override(language or translation.get_language()):
            super().add_message(request, *args, **kwargs)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        name = template_prefix.rsplit("/", 1)[-1].replace("_", "-")
        if name not in ACCOUNT_EMAILS:
            # e.g. "account_already_exists" when someone adds another account's address: nothing is
            # sent, and the page answers as for any address, so it tells nobody which addresses exist.
            return
        user = context.get("user") if name == "email-confirmation" else None
        user = user or User.objects.filter(email__iexact=email).first()
        if user is None:
            return
        link = context.get("password_reset_url") or context.get("activate_url", "")
        # One e-mail per distinct link: a double submit of the reset form sends one.
        digest = hashlib.sha256(f"{name}:{link}".encode()).hexdigest()[:32]
        email_queue(to=user, template=f"account-{name}", context=context, key=f"account:{name}:{digest}", address=email)
