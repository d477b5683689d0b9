"""Escalations: exception reports to leadership, sent before the slip (D-ESC-1…4)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from projects.registry import Wording, escalation_conditions


class Escalation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("state", "Open")
        RESOLVED = "resolved", pgettext_lazy("state", "Resolved")

    class Kind(models.TextChoices):
        SCOPE_CHANGE = "scope_change", _("Scope or requirement change")
        KEY_PERSON = "key_person", _("Key person leaving")
        BUDGET_SHORTFALL = "budget_shortfall", _("Budget shortfall")
        OTHER = "other", _("Other")

    project = models.ForeignKey("projects.Project", models.CASCADE, related_name="escalations")
    # A detected condition's kind (e.g. "milestone_beyond_tolerance") or one of Kind for a manual one.
    kind = models.CharField(_("kind"), max_length=40)
    # Which instance of the condition (e.g. "milestone:12"); one open escalation per instance.
    instance = models.CharField(max_length=100, blank=True)
    automatic = models.BooleanField(_("detected by the system"), default=False)
    # A detected escalation is stored as facts (names, numbers, ISO dates) and worded when read or
    # sent, in the reader's language (its condition's `word`); see `wording()`.
    params = models.JSONField(pgettext_lazy("escalation", "facts"), default=dict, blank=True)
    # What the PM typed for one raised by hand (kept as typed), or an old text no facts were found in.
    typed_title = models.CharField(_("title"), max_length=200, blank=True)
    typed_what_happened = models.TextField(_("what happened and why"), blank=True)
    typed_consequences = models.TextField(_("consequences"), blank=True, help_text=_("Days, cost and goals affected."))
    delay_days = models.PositiveIntegerField(_("days of delay"), default=0)
    extra_cost = models.DecimalField(_("extra cost"), max_digits=14, decimal_places=2, default=Decimal(0))
    cost_of_delay_per_day = models.DecimalField(
        _("cost of delay per day"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    options = models.TextField(_("options"), blank=True)
    typed_recommendation = models.TextField(_("recommended response"), blank=True)
    # How bad the condition was when leadership was last told (days late, money over); a material
    # growth beyond it tells them again (D-ESC-1, docs/status-rules.md).
    notified_magnitude = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("responsible"),
        help_text=_("The project manager takes responsibility, not the team."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    level = models.PositiveSmallIntegerField(_("notice"), default=1)
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    second_notice_at = models.DateTimeField(_("second notice"), null=True, blank=True)
    resolved_at = models.DateTimeField(pgettext_lazy("time", "resolved"), null=True, blank=True)
    # When a detected condition was last seen to hold no more; until then it is not escalated again.
    cleared_at = models.DateTimeField(_("condition cleared"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "instance"],
                condition=Q(automatic=True, cleared_at__isnull=True),
                name="one_open_escalation_per_condition",
            )
        ]
        indexes = [models.Index(fields=["project", "status", "-opened_at"], name="escalation_project_status")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:escalation", kwargs={"code": self.project.code, "pk": self.pk})

    def wording(self) -> Wording:
        """The texts in the active language: a detected escalation's facts worded by its condition,
        or what the PM typed."""
        condition = escalation_conditions.get(self.kind)
        if self.automatic and self.params and condition is not None and condition.word is not None:
            try:
                return condition.word(self.params)
            except (KeyError, ValueError, TypeError, ArithmeticError):
                pass  # facts of an older shape: fall back to the stored text
        return Wording(
            title=self.typed_title,
            what_happened=self.typed_what_happened,
            consequences=self.typed_consequences,
            recommendation=self.typed_recommendation,
        )

    @property
    def title(self) -> str:
        return self.wording().title

    @property
    def what_happened(self) -> str:
        return self.wording().what_happened

    @property
    def consequences(self) -> str:
        return self.wording().consequences

    @property
    def recommendation(self) -> str:
        return self.wording().recommendation

    @property
    def loss(self) -> Decimal:
        """Days of delay × cost of delay per day + extra cost (D-PLAN-6)."""
        return self.delay_days * self.cost_of_delay_per_day + self.extra_cost


class EscalationRecipient(models.Model):
    """Who was told, and whether they acknowledged."""

    escalation = models.ForeignKey(Escalation, models.CASCADE, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="escalation_receipts")
    notified_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["escalation", "user"], name="escalation_recipient_unique")]
        indexes = [models.Index(fields=["user", "acknowledged_at"], name="escalation_awaiting_user")]

    def __str__(self) -> str:
        return f"{self.escalation_id} → {self.user_id}"
