"""Writes of personal API tokens."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from projects.api.models import ApiToken, password_fingerprint, token_hash
from projects.core.models import Membership, User

SECRET_PREFIX = "crm_"  # noqa: S105 (a marker, not a secret)


def held_roles(user: User) -> set[tuple[int, str]]:
    return set(Membership.objects.active().filter(user=user).values_list("project_id", "role"))


@transaction.atomic
def api_token_create(*, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token and its secret; the secret is returned once and never stored. It lives `days`
    (at most, and by default, settings.API_TOKEN_MAX_DAYS)."""
    days = settings.API_TOKEN_MAX_DAYS if days is None else days
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValueError(f"a token lives 1 to {settings.API_TOKEN_MAX_DAYS} days")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=secret[:12],
        key_hash=token_hash(secret),
        expires_at=timezone.now() + timedelta(days=days),
        password_fingerprint=password_fingerprint(user),
        roles=sorted([project, role] for project, role in held_roles(user)),
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token
