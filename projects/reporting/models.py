"""Weekly status reports to leadership (D-RPT-1, D-RPT-2)."""

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class StatusReport(models.Model):
    """One report per project and week. Once sent it is an immutable snapshot."""

    class State(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("state", "Draft")
        SENT = "sent", pgettext_lazy("state", "Sent")

    project = models.ForeignKey("projects.Project", models.CASCADE, related_name="status_reports")
    period_start = models.DateField(_("week of"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    narrative = models.TextField(
        _("narrative"), blank=True, help_text=_("Where we are, what is done, what comes next — in your words.")
    )
    overall = models.CharField(_("overall status"), max_length=10, blank=True)
    figures = models.JSONField(_("figures"), default=dict)
    created_at = models.DateTimeField(_("drafted"), default=timezone.now)
    sent_at = models.DateTimeField(pgettext_lazy("time", "sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")
        ordering = ["-period_start"]
        constraints = [models.UniqueConstraint(fields=["project", "period_start"], name="one_status_report_per_week")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.period_start}"

    def get_absolute_url(self) -> str:
        return reverse("projects:status_report", kwargs={"code": self.project.code, "pk": self.pk})


class StatusSnapshot(models.Model):
    """Rollup (issue 7): this week's live status of a project in one language, as the status report
    computes it, refreshed by a task (and on first view), so the portfolio reads one row per project
    instead of recomputing every dimension."""

    project = models.ForeignKey("projects.Project", models.CASCADE, related_name="+")
    language = models.CharField(max_length=10)
    period_start = models.DateField()
    overall = models.CharField(max_length=10)
    figures = models.JSONField(default=dict)
    built_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "language"], name="status_snapshot_unique")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.language} {self.period_start}"
