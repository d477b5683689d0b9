"""Every existing account's address counts as verified (each was reached by an invitation or set by an
administrator), so a later address change goes through allauth's verification (issue 17)."""

from django.db import migrations


def verify(apps, schema_editor):
    User = apps.get_model("projects", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    known = set(EmailAddress.objects.values_list("user_id", flat=True))
    EmailAddress.objects.filter(primary=True).update(verified=True)
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user_id=user_id, email=email, primary=True, verified=True)
            for user_id, email in User.objects.exclude(pk__in=known).values_list("pk", "email")
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0010_escalation_facts_and_plan_history"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(verify, migrations.RunPython.noop)]
