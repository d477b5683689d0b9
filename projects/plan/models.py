"""The plan: phases, milestones, budget, baselines and rebaselining, and the registers around it.

D-PLAN-1…9 and D-ESC-5 of DOMAIN.md. Writes go through `projects.plan.services`.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

ZERO = Decimal("0.00")


class Phase(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", pgettext_lazy("state", "Done")

    project = models.ForeignKey("projects.Project", models.CASCADE, related_name="phases", verbose_name=_("project"))
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=200)
    goals = models.TextField(_("goals"), help_text=_("What the business can do at the end of this phase."))
    scope = models.TextField(_("scope statement"), blank=True)
    quick_win = models.BooleanField(
        _("quick win"), default=False, help_text=_("A visible result early on, to win the users' confidence.")
    )
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="phase_end_not_before_start",
                violation_error_message=_("A phase cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    project = models.ForeignKey(
        "projects.Project", models.CASCADE, related_name="milestones", verbose_name=_("project")
    )
    phase = models.ForeignKey(
        Phase, models.SET_NULL, null=True, blank=True, related_name="milestones", verbose_name=_("phase")
    )
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("owner")
    )
    baseline_date = models.DateField(
        _("baseline date"), help_text=_("Fixed by the current baseline; changed only by an approved rebaseline.")
    )
    forecast_date = models.DateField(_("forecast date"))
    actual_date = models.DateField(_("actual date"), null=True, blank=True)

    history = HistoricalRecords()  # who moved a forecast, when, from what to what

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["baseline_date", "id"]
        indexes = [models.Index(fields=["project", "baseline_date"], name="milestone_project_baseline")]

    def __str__(self) -> str:
        return self.name

    @property
    def slip_days(self) -> int:
        """Schedule variance: forecast − baseline, in days (positive is late)."""
        return (self.forecast_date - self.baseline_date).days

    def beyond_tolerance(self, tolerance_days: int) -> bool:
        return self.actual_date is None and self.slip_days > tolerance_days

    def is_missed(self, today) -> bool:
        return self.actual_date is None and self.baseline_date < today


class BudgetLine(models.Model):
    class Category(models.TextChoices):
        LICENCES = "licences", _("Licences")
        SERVICES = "services", _("Implementation services")
        CUSTOM = "custom", _("Custom development")
        TRAINING = "training", _("Training")
        STAFF = "staff", _("Internal staff")
        OTHER = "other", _("Other")

    class Funding(models.TextChoices):
        APPROVED = "approved", pgettext_lazy("state", "Approved")
        PENDING = "pending", pgettext_lazy("state", "Pending")
        SHORT = "short", _("Short")

    project = models.ForeignKey(
        "projects.Project", models.CASCADE, related_name="budget_lines", verbose_name=_("project")
    )
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    baseline = models.DecimalField(
        _("baseline"), max_digits=14, decimal_places=2, default=ZERO, validators=[MinValueValidator(0)]
    )
    committed = models.DecimalField(
        _("committed"), max_digits=14, decimal_places=2, default=ZERO, validators=[MinValueValidator(0)]
    )
    actual = models.DecimalField(
        _("actual"), max_digits=14, decimal_places=2, default=ZERO, validators=[MinValueValidator(0)]
    )
    forecast = models.DecimalField(
        _("forecast"), max_digits=14, decimal_places=2, default=ZERO, validators=[MinValueValidator(0)]
    )
    funding = models.CharField(_("funding"), max_length=10, choices=Funding.choices, default=Funding.PENDING)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [models.UniqueConstraint(fields=["project", "category"], name="budget_one_line_per_category")]

    def __str__(self) -> str:
        return self.get_category_display()

    @property
    def variance(self) -> Decimal:
        """Cost variance: forecast − baseline (positive is over budget)."""
        return self.forecast - self.baseline

    @property
    def variance_percent(self) -> Decimal | None:
        if not self.baseline:
            return None
        return (self.variance * 100 / self.baseline).quantize(Decimal("0.1"))

    def beyond_tolerance(self, tolerance_percent: Decimal) -> bool:
        if not self.baseline:
            return self.forecast > 0
        return self.variance * 100 > self.baseline * tolerance_percent


class PlanBaseline(models.Model):
    """One version of the baseline; versions are never changed, only added (D-PLAN-5)."""

    project = models.ForeignKey("projects.Project", models.CASCADE, related_name="baselines", verbose_name=_("project"))
    version = models.PositiveIntegerField(_("version"))
    reason = models.TextField(_("reason"))
    # [{"id": milestone id, "name": …, "date": "YYYY-MM-DD"}]
    milestones = models.JSONField(_("milestone dates"), default=list)
    # [{"category": …, "amount": "123.00"}]
    budget = models.JSONField(_("budget"), default=list)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("approved by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("baseline version")
        verbose_name_plural = _("baseline versions")
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["project", "version"], name="baseline_one_per_version")]

    def __str__(self) -> str:
        return f"{self.project.code} v{self.version}"

    def milestone_dates(self) -> dict[int, str]:
        return {row["id"]: row["date"] for row in self.milestones}

    def budget_amounts(self) -> dict[str, Decimal]:
        return {row["category"]: Decimal(row["amount"]) for row in self.budget}


class RebaselineRequest(models.Model):
    """A proposal to replace the baseline with new dates and amounts, with its loss statement (D-PLAN-6)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", pgettext_lazy("state", "Approved")
        REJECTED = "rejected", _("Rejected")

    project = models.ForeignKey(
        "projects.Project", models.CASCADE, related_name="rebaseline_requests", verbose_name=_("project")
    )
    reason = models.TextField(_("reason"), help_text=_("Why the plan must change, and why it could not be held."))
    extra_cost = models.DecimalField(
        _("extra cost"),
        max_digits=14,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(0)],
        help_text=_("Cost beyond the delay itself: extra consultant days, licences, overtime."),
    )
    delay_days = models.PositiveIntegerField(_("days of delay"))
    cost_of_delay_per_day = models.DecimalField(_("cost of delay per day"), max_digits=12, decimal_places=2)
    # {"milestones": [{"id", "name", "current", "proposed"}], "budget": [{"category", "current", "proposed"}]}
    proposal = models.JSONField(_("proposed baseline"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("rationale"), blank=True)
    baseline = models.OneToOneField(
        PlanBaseline,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="request",
        verbose_name=_("resulting baseline"),
    )

    class Meta:
        verbose_name = _("rebaseline request")
        verbose_name_plural = _("rebaseline requests")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["project", "status"], name="rebaseline_project_status")]

    def __str__(self) -> str:
        return str(_("Rebaseline request #%(id)s") % {"id": self.pk})

    @property
    def delay_cost(self) -> Decimal:
        return self.delay_days * self.cost_of_delay_per_day

    @property
    def loss(self) -> Decimal:
        """The loss statement: days of delay × cost of delay per day + extra cost."""
        return self.delay_cost + self.extra_cost
