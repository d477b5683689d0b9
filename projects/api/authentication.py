"""API authentication by personal token (kept apart from rest.py: DRF imports it while starting up)."""

import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from projects.api.models import ApiToken, token_hash
from projects.api.services import held_roles
from projects.core.accounts import two_factor_missing

# Writing last_used_at on every request would turn every read into a write.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


class TokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>` (or `Token <token>`) with a personal token from the account page."""

    keywords = ("bearer", "token")

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode("latin-1").lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header: give the token after “Bearer ”."))
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = ApiToken.objects.usable().select_related("user").filter(key_hash=token_hash(secret)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        roles = held_roles(token.user)
        if not token.follows(token.user, roles):
            raise exceptions.AuthenticationFailed(
                _("This token ended with a change of your password or of your roles: create a new one.")
            )
        if two_factor_missing(token.user, {role for _project, role in roles}):
            raise exceptions.AuthenticationFailed(
                _("Your role requires two-factor authentication: set it up on the website before using a token.")
            )
        now = timezone.now()
        if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        # The answer is worded in the token owner's language, as the site is for them.
        translation.activate(token.user.language)
        request._request.LANGUAGE_CODE = translation.get_language()
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
