"""Personal API tokens: only a hash of the secret is stored; the secret is shown once.

A token follows its person: it expires, it stops working when the password changes (it keeps a
fingerprint of the password hash, as a session does) and when the person loses a role they held when
it was made.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def password_fingerprint(user) -> str:
    """Changes whenever the password does (Django's session hash, which sign-outs on a password change use)."""
    return user.get_session_auth_hash()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True, user__is_active=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens", verbose_name=_("person")
    )
    name = models.CharField(
        pgettext_lazy("thing", "name"), max_length=100, help_text=_("What the token is for, e.g. “nightly export”.")
    )
    # The first characters of the secret, to recognise a token in the list; not enough to use it.
    prefix = models.CharField(_("starts with"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    password_fingerprint = models.CharField(max_length=64, default="", editable=False)
    # [[project id, role], …] the person held when the token was made; losing one ends the token.
    roles = models.JSONField(default=list, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="api_token_user_recent")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def is_expired(self) -> bool:
        return self.revoked_at is None and self.expires_at <= timezone.now()

    def follows(self, user, held_roles: set[tuple[int, str]]) -> bool:
        """Whether the password is unchanged and every role held at creation is still held."""
        return self.password_fingerprint == password_fingerprint(user) and all(
            (project, role) in held_roles for project, role in self.roles
        )
