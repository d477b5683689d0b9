import time
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from projects.core import security_log
from projects.core.accounts import has_totp
from projects.core.work import forget_count
from projects.permissions import two_factor_required


class UserPreferencesMiddleware:
    """A signed-in person reads the site in their own language and time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
            timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


# How often a signed-in request may write to its session (last seen, two-factor check):
# at most once per this many seconds, so ordinary requests add no query.
SESSION_REFRESH_SECONDS = 300


LAST_SEEN = "crmgov.last_seen"


TWO_FACTOR_CHECKED = "crmgov.two_factor_checked"


class IdleTimeoutMiddleware:
    """A session unused for SESSION_IDLE_TIMEOUT seconds is signed out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timeout = settings.SESSION_IDLE_TIMEOUT
        if timeout and request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN)
            if last_seen is not None and now - last_seen > timeout:
                security_log.log.info("idle timeout: user=%s path=%s", request.user.pk, request.path)
                logout(request)
                messages.info(request, _("You were signed out after a period of inactivity."))
            elif last_seen is None or now - last_seen >= SESSION_REFRESH_SECONDS:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


# What a person who must set up two-factor authentication may still open.
TWO_FACTOR_SETUP_VIEWS = frozenset(
    {
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_reauthenticate",
        "account_reauthenticate",
        "account_logout",
        "projects:set_language",
    }
)


class TwoFactorRequiredMiddleware:
    """With MFA_REQUIRED_FOR_LEADERSHIP on, a person whose role needs two-factor
    authentication (permissions.two_factor_required) sets up TOTP before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.MFA_REQUIRED_FOR_LEADERSHIP or not request.user.is_authenticated:
            return None
        if request.resolver_match.view_name in TWO_FACTOR_SETUP_VIEWS:
            return None
        now = int(time.time())
        if now - request.session.get(TWO_FACTOR_CHECKED, -SESSION_REFRESH_SECONDS) < SESSION_REFRESH_SECONDS:
            return None
        if not two_factor_required(request.user) or has_totp(request.user):
            request.session[TWO_FACTOR_CHECKED] = now
            return None
        messages.warning(request, _("Your role requires two-factor authentication: set it up to continue."))
        return redirect("mfa_activate_totp")


class WorkCountMiddleware:
    """A signed-in person's successful POST (answered by a redirect) forgets their cached count of
    what waits for them (projects.core.work), so the top bar follows what they just did."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "POST" and response.status_code in (301, 302, 303) and request.user.is_authenticated:
            forget_count(request.user.pk)
        return response
