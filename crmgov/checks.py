"""System checks of the site's own settings (registered by crmgov.apps)."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs):
    """With DEBUG off, SECRET_KEY must come from the environment, not the default published in settings.py."""
    if settings.DEBUG or settings.SECRET_KEY != settings.DEVELOPMENT_SECRET_KEY:
        return []
    return [
        Error(
            "SECRET_KEY is not set: the site would sign sessions, password-reset links and CSRF tokens "
            "with the development key that is public in crmgov/settings.py.",
            hint="Set the SECRET_KEY environment variable to a long random value "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))').",
            id="crmgov.E001",
        )
    ]
