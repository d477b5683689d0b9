"""Tokens follow their person: an expiry (existing tokens: 90 days after they were made), a fingerprint
of the password they were made under and the roles held then."""

import datetime

from django.db import migrations, models
from django.utils.crypto import salted_hmac


def fill(apps, schema_editor):
    ApiToken = apps.get_model("projects", "ApiToken")
    Membership = apps.get_model("projects", "Membership")
    for token in ApiToken.objects.select_related("user"):
        token.expires_at = token.created_at + datetime.timedelta(days=90)
        # What User.get_session_auth_hash() gives (historical models have no methods).
        token.password_fingerprint = salted_hmac(
            "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
            token.user.password,
            algorithm="sha256",
        ).hexdigest()
        token.roles = sorted(
            [project, role]
            for project, role in Membership.objects.filter(user_id=token.user_id, ended_at__isnull=True).values_list(
                "project_id", "role"
            )
        )
        token.save(update_fields=["expires_at", "password_fingerprint", "roles"])


class Migration(migrations.Migration):
    dependencies = [("projects", "0008_status_snapshots")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="password_fingerprint",
            field=models.CharField(default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="roles",
            field=models.JSONField(default=list, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires"),
        ),
    ]
