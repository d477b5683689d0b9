"""Authentication events and refused authorizations, on the `crmgov.security` logger.

Logging only (receivers of Django's and allauth's own signals), no domain behaviour.
Never a password, token or code: only who, what and where.
"""

import logging

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals

log = logging.getLogger("crmgov.security")


def _where(request) -> str:
    if request is None:
        return "-"
    address = request.META.get("REMOTE_ADDR", "-")
    return f"path={request.path} ip={address}"


def authorization_refused(request, *, status: int, capability: str) -> None:
    """A 403 (member without the capability) or a 404 (outsider) from a permission helper."""
    log.warning(
        "authorization refused: status=%s user=%s capability=%s %s",
        status,
        getattr(request.user, "pk", None),
        capability,
        _where(request),
    )


def _logged_in(sender, request, user, **kwargs):
    log.info("login: user=%s %s", user.pk, _where(request))


def _logged_out(sender, request, user, **kwargs):
    log.info("logout: user=%s %s", getattr(user, "pk", None), _where(request))


def _login_failed(sender, credentials, request=None, **kwargs):
    # Only the address typed; Django already masks the password in `credentials`, and we skip it.
    login = credentials.get("email") or credentials.get("username") or credentials.get("login") or ""
    log.warning("login failed: login=%r %s", str(login)[:254], _where(request))


def _user_event(message: str, level: int = logging.INFO):
    def receiver(sender, request=None, user=None, **kwargs):
        authenticator = kwargs.get("authenticator")
        kind = f" type={authenticator.type}" if authenticator is not None else ""
        log.log(level, "%s: user=%s%s %s", message, getattr(user, "pk", None), kind, _where(request))

    return receiver


RECEIVERS = [
    (auth_signals.user_logged_in, _logged_in),
    (auth_signals.user_logged_out, _logged_out),
    (auth_signals.user_login_failed, _login_failed),
    (account_signals.password_changed, _user_event("password changed")),
    (account_signals.password_set, _user_event("password set")),
    (account_signals.password_reset, _user_event("password reset")),
    (mfa_signals.authenticator_added, _user_event("mfa activated")),
    (mfa_signals.authenticator_removed, _user_event("mfa deactivated")),
    (mfa_signals.authenticator_reset, _user_event("mfa recovery codes regenerated")),
    (mfa_signals.authenticator_used, _user_event("mfa used")),
    (mfa_signals.authentication_failed, _user_event("mfa failed", logging.WARNING)),
]


def connect() -> None:
    for signal, receiver in RECEIVERS:
        signal.connect(receiver, dispatch_uid=f"crmgov.security:{id(receiver)}")
