from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from projects.core.models import Project


class ChangeSettings(models.Model):
    """Per project: how big a change the PM may approve alone (D-CR-4)."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="change_settings")
    pm_cost_limit = models.DecimalField(
        _("PM approves up to (cost)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("20000"),
        validators=[MinValueValidator(0)],
        help_text=_("Changes costing more go to the steering committee."),
    )
    pm_days_limit = models.PositiveIntegerField(
        _("PM approves up to (days of delay)"),
        default=5,
        help_text=_("Changes delaying the plan by more days go to the steering committee."),
    )
    last_number = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("change settings")
        verbose_name_plural = _("change settings")

    def __str__(self) -> str:
        return str(self.project)


STATUS_BADGES = {
    "awaiting_decision": "text-bg-warning",
    "in_development": "text-bg-info",
    "delivered": "text-bg-info",
    "in_pilot": "text-bg-info",
    "closed": "text-bg-success",
    "rejected": "text-bg-light border",
    "withdrawn": "text-bg-light border",
}


class ChangeRequest(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        OPTIONS_PROPOSED = "options_proposed", _("Options proposed")
        REVISION_REQUESTED = "revision_requested", _("Revision requested")
        AWAITING_DECISION = "awaiting_decision", _("Awaiting decision")
        APPROVED = "approved", pgettext_lazy("state", "Approved")
        IN_DEVELOPMENT = "in_development", _("In development")
        DELIVERED = "delivered", _("Delivered")
        IN_PILOT = "in_pilot", _("In pilot")
        READY_FOR_ROLLOUT = "ready_for_rollout", _("Ready for rollout")
        CLOSED = "closed", _("Rolled out and closed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Route(models.TextChoices):
        PM = "pm", _("Project manager")
        COMMITTEE = "committee", _("Steering committee")

    FINAL = (Status.CLOSED, Status.REJECTED, Status.WITHDRAWN)
    # The order of the pipeline page.
    PIPELINE = (
        Status.REQUESTED,
        Status.OPTIONS_PROPOSED,
        Status.REVISION_REQUESTED,
        Status.AWAITING_DECISION,
        Status.APPROVED,
        Status.IN_DEVELOPMENT,
        Status.DELIVERED,
        Status.IN_PILOT,
        Status.READY_FOR_ROLLOUT,
        Status.CLOSED,
        Status.REJECTED,
        Status.WITHDRAWN,
    )

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="change_requests")
    number = models.PositiveIntegerField(_("number"))
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="change_requests", verbose_name=_("requester")
    )
    title = models.CharField(_("title"), max_length=200)
    reason = models.TextField(_("reason"), help_text=_("Why the change is needed."))
    goal = models.TextField(_("goal"), help_text=_("What the requester wants to be able to do once it is done."))
    source_issue = models.ForeignKey(
        "issues.Issue",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="change_requests",
        verbose_name=_("raised from issue"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED)
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consultant"),
    )
    selected_option = models.ForeignKey(
        "SolutionOption", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    route = models.CharField(_("decided by"), max_length=10, choices=Route.choices, blank=True)
    decision_note = models.TextField(_("decision rationale"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    impact_applied_at = models.DateTimeField(_("impact applied to the plan"), null=True, blank=True)
    vendor_quote = models.DecimalField(_("vendor's quote"), max_digits=12, decimal_places=2, null=True, blank=True)
    agreed_cost = models.DecimalField(_("agreed cost"), max_digits=12, decimal_places=2, null=True, blank=True)
    expected_delivery = models.DateField(_("expected delivery"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    pilot_group = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="pilots", verbose_name=_("pilot group")
    )
    pilot_start = models.DateField(_("pilot start"), null=True, blank=True)
    pilot_end = models.DateField(_("pilot end"), null=True, blank=True)
    success_criteria = models.TextField(_("success criteria"), blank=True)
    pilot_findings = models.TextField(_("pilot findings"), blank=True)
    rollout_date = models.DateField(_("rollout date"), null=True, blank=True)
    rollout_note = models.TextField(_("rollout announcement"), blank=True)
    rollout_training = models.ForeignKey(
        "projects.TrainingSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("training session"),
    )
    status_reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="change_number_unique_per_project")]
        indexes = [
            models.Index(fields=["project", "-created_at", "-id"], name="change_project_created"),
            models.Index(fields=["project", "status", "-created_at"], name="change_project_status"),
            models.Index(fields=["project", "requester", "-created_at"], name="change_project_requester"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("changes:detail", kwargs={"code": self.project.code, "number": self.number})

    @property
    def reference(self) -> str:
        return f"{self.project.code}-CR{self.number:03d}"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL

    @property
    def status_badge(self) -> str:
        """The badge colour of the status (lists render it per row: no template logic there)."""
        return STATUS_BADGES.get(self.status, "text-bg-primary")


class SolutionOption(models.Model):
    """One way of meeting the requester's goal, proposed by the consultant (D-CR-2).

    A revision is a new row with the same label and the next version; old versions stay.
    """

    change_request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("option"), max_length=10)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    is_current = models.BooleanField(default=True)
    description = models.TextField(_("description"))
    needs_custom_development = models.BooleanField(_("needs custom development"), default=False)
    cost_estimate = models.DecimalField(
        _("cost estimate"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    schedule_impact_days = models.PositiveIntegerField(
        _("schedule impact (days)"), validators=[MaxValueValidator(3650)]
    )
    affected_milestones = models.ManyToManyField(
        "projects.Milestone", blank=True, related_name="change_options", verbose_name=_("affected milestones")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("solution option")
        verbose_name_plural = _("solution options")
        ordering = ["label", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["change_request", "label", "version"], name="option_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.label} v{self.version}"


class OptionFeedback(models.Model):
    change_request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="feedback")
    option = models.ForeignKey(SolutionOption, on_delete=models.CASCADE, related_name="feedback", null=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(_("feedback"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]


class DevelopmentUpdate(models.Model):
    change_request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="progress")
    date = models.DateField(_("date"))
    percent = models.PositiveSmallIntegerField(_("percent done"), validators=[MaxValueValidator(100)])
    note = models.TextField(_("note"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.date} {self.percent}%"


class ChangeEvent(models.Model):
    """The request's history: every transition, with who and when."""

    change_request = models.ForeignKey(ChangeRequest, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    from_status = models.CharField(max_length=20, choices=ChangeRequest.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=ChangeRequest.Status.choices, blank=True)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.change_request_id} {self.to_status}"
