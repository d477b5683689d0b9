"""Writes of personal API tokens."""

import secrets

from django.db import transaction
from django.utils import timezone

from projects.api.models import ApiToken, token_hash
from projects.core.models import User

SECRET_PREFIX = "crm_"  # noqa: S105 (a marker, not a secret)


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token and its secret; the secret is returned once and never stored."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name.strip(), prefix=secret[:12], key_hash=token_hash(secret))
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token
