"""Escalations stored as facts, worded when read (issue 18), following their condition (issue 16);
history of milestones, budget lines and risks (issue 16 point 11)."""

import re
from decimal import Decimal

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

# The texts conditions wrote before escalations were stored as facts, in both languages (frozen
# copies). A stored text that matches gives back its facts; one that does not stays as it is.
DATE = r"\d{4}-\d{2}-\d{2}"
FORMATS = {
    "milestone_beyond_tolerance": [
        (
            "what",
            "The forecast of “%(name)s” is %(forecast)s, %(days)s days after its baseline %(baseline)s; "
            "the tolerance is %(tolerance)s days.",
        ),
        ("what", "“%(name)s”的预测日期为 %(forecast)s，比基线 %(baseline)s 晚 %(days)s 天；容差为 %(tolerance)s 天。"),
    ],
    "budget_beyond_tolerance": [
        ("what", "The forecast of %(category)s is %(forecast)s against a baseline of %(baseline)s."),
        ("what", "%(category)s 的预测为 %(forecast)s，基线为 %(baseline)s。"),
    ],
    "funding_short": [
        ("title", "Funding short: %(category)s"),
        ("title", "资金不足：%(category)s"),
    ],
    "key_person_leaving": [
        ("what", "%(name)s (%(role)s) leaves the project on %(date)s."),
        ("what", "%(name)s（%(role)s）将于 %(date)s 离开项目。"),
    ],
    "no_meeting_in_cadence": [
        ("title", "No steering committee meeting in the next %(days)s days"),
        ("title", "未来 %(days)s 天内没有指导委员会会议"),
    ],
    "training_cancelled": [
        ("what", "The session “%(topic)s” was cancelled: %(reason)s"),
        ("what", "培训“%(topic)s”已取消：%(reason)s"),
    ],
}


def _pattern(text: str) -> re.Pattern:
    parts = re.split(r"%\((\w+)\)s", text.replace("%%", "%"))
    regex = ""
    for index, part in enumerate(parts):
        regex += re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)"
    return re.compile(f"^{regex}$", re.DOTALL)


def _choice_key(choices, label: str) -> str | None:
    from django.utils import translation

    for language in ("en", "zh-hans"):
        with translation.override(language):
            for value, text in choices:
                if str(text) == label:
                    return value
    return None


def _facts(kind: str, title: str, what: str, consequences: str) -> dict | None:
    from projects.permissions import Role
    from projects.plan.models import BudgetLine

    for field, text in FORMATS.get(kind, []):
        match = _pattern(text).match(title if field == "title" else what)
        if not match:
            continue
        facts = match.groupdict()
        if "category" in facts:
            facts["category"] = _choice_key(BudgetLine.Category.choices, facts["category"])
            if facts["category"] is None:
                return None
        if kind == "milestone_beyond_tolerance":
            if not re.fullmatch(DATE, facts["forecast"]) or not re.fullmatch(DATE, facts["baseline"]):
                return None
            facts["days"], facts["tolerance"] = int(facts["days"]), int(facts["tolerance"])
        if kind == "budget_beyond_tolerance":
            forecast = facts["forecast"].replace(",", "")
            baseline = facts["baseline"].replace(",", "")
            facts |= {"forecast": forecast, "baseline": baseline, "over": str(int(forecast) - int(baseline))}
            tolerance = re.search(r"(\d+(?:\.\d+)?) ?%", consequences)
            facts["tolerance"] = tolerance.group(1) if tolerance else "0"
        if kind == "funding_short":
            facts["shortfall"] = "0"
        if kind == "key_person_leaving":
            facts["role"] = _choice_key(Role.choices, facts["role"])
            if facts["role"] is None:
                return None
            facts["left"] = False
        if kind == "no_meeting_in_cadence":
            facts["days"] = int(facts["days"])
        return facts
    return None


def facts_from_texts(apps, schema_editor):
    Escalation = apps.get_model("projects", "Escalation")
    for escalation in Escalation.objects.filter(automatic=True, params={}).iterator():
        try:
            facts = _facts(
                escalation.kind,
                escalation.typed_title,
                escalation.typed_what_happened,
                escalation.typed_consequences,
            )
        except (ValueError, KeyError):
            facts = None
        if facts:
            Escalation.objects.filter(pk=escalation.pk).update(params=facts)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0009_api_token_expiry"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RenameField("escalation", "title", "typed_title"),
        migrations.RenameField("escalation", "what_happened", "typed_what_happened"),
        migrations.RenameField("escalation", "consequences", "typed_consequences"),
        migrations.RenameField("escalation", "recommendation", "typed_recommendation"),
        migrations.AddField(
            model_name="escalation",
            name="notified_magnitude",
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=16, null=True),
        ),
        migrations.AddField(
            model_name="escalation",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="facts"),
        ),
        migrations.AlterField(
            model_name="escalation",
            name="typed_consequences",
            field=models.TextField(blank=True, help_text="Days, cost and goals affected.", verbose_name="consequences"),
        ),
        migrations.AlterField(
            model_name="escalation",
            name="typed_title",
            field=models.CharField(blank=True, max_length=200, verbose_name="title"),
        ),
        migrations.AlterField(
            model_name="escalation",
            name="typed_what_happened",
            field=models.TextField(blank=True, verbose_name="what happened and why"),
        ),
        migrations.CreateModel(
            name="HistoricalBudgetLine",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "category",
                    models.CharField(
                        choices=[
                            ("licences", "Licences"),
                            ("services", "Implementation services"),
                            ("custom", "Custom development"),
                            ("training", "Training"),
                            ("staff", "Internal staff"),
                            ("other", "Other"),
                        ],
                        max_length=12,
                        verbose_name="category",
                    ),
                ),
                (
                    "baseline",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("0.00"),
                        max_digits=14,
                        validators=[django.core.validators.MinValueValidator(0)],
                        verbose_name="baseline",
                    ),
                ),
                (
                    "committed",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("0.00"),
                        max_digits=14,
                        validators=[django.core.validators.MinValueValidator(0)],
                        verbose_name="committed",
                    ),
                ),
                (
                    "actual",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("0.00"),
                        max_digits=14,
                        validators=[django.core.validators.MinValueValidator(0)],
                        verbose_name="actual",
                    ),
                ),
                (
                    "forecast",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("0.00"),
                        max_digits=14,
                        validators=[django.core.validators.MinValueValidator(0)],
                        verbose_name="forecast",
                    ),
                ),
                (
                    "funding",
                    models.CharField(
                        choices=[("approved", "Approved"), ("pending", "Pending"), ("short", "Short")],
                        default="pending",
                        max_length=10,
                        verbose_name="funding",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="projects.project",
                        verbose_name="project",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical budget line",
                "verbose_name_plural": "historical budget lines",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalMilestone",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "baseline_date",
                    models.DateField(
                        help_text="Fixed by the current baseline; changed only by an approved rebaseline.",
                        verbose_name="baseline date",
                    ),
                ),
                ("forecast_date", models.DateField(verbose_name="forecast date")),
                ("actual_date", models.DateField(blank=True, null=True, verbose_name="actual date")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
                (
                    "phase",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="projects.phase",
                        verbose_name="phase",
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="projects.project",
                        verbose_name="project",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical milestone",
                "verbose_name_plural": "historical milestones",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalRisk",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("title", models.CharField(max_length=200, verbose_name="risk")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "probability",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(5),
                        ],
                        verbose_name="probability (1–5)",
                    ),
                ),
                (
                    "impact",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(5),
                        ],
                        verbose_name="impact (1–5)",
                    ),
                ),
                (
                    "response",
                    models.CharField(
                        choices=[
                            ("avoid", "Avoid"),
                            ("reduce", "Reduce"),
                            ("transfer", "Transfer"),
                            ("accept", "Accept"),
                        ],
                        default="reduce",
                        max_length=10,
                        verbose_name="response",
                    ),
                ),
                ("mitigation", models.TextField(blank=True, verbose_name="mitigation")),
                ("trigger", models.CharField(blank=True, max_length=300, verbose_name="trigger")),
                (
                    "proximity",
                    models.CharField(
                        choices=[
                            ("imminent", "Imminent"),
                            ("month", "Within a month"),
                            ("quarter", "Within a quarter"),
                            ("later", "Later"),
                        ],
                        default="quarter",
                        max_length=10,
                        verbose_name="proximity",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("occurred", "Occurred"), ("closed", "Closed")],
                        default="open",
                        max_length=10,
                        verbose_name="status",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "owner",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="owner",
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="projects.project",
                        verbose_name="project",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical risk",
                "verbose_name_plural": "historical risks",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.RunPython(facts_from_texts, migrations.RunPython.noop),
    ]
