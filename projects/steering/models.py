"""The steering committee: members, meetings, agendas, decisions and action items (D-SC-1…4)."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CommitteeMember(models.Model):
    class CommitteeRole(models.TextChoices):
        CHAIR = "chair", _("Chair")
        SPONSOR = "sponsor", _("Sponsor")
        MEMBER = "member", _("Member")
        SECRETARY = "secretary", _("Secretary")

    project = models.ForeignKey(
        "projects.Project", models.CASCADE, related_name="committee_members", verbose_name=_("project")
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("person"))
    committee_role = models.CharField(
        _("committee role"), max_length=10, choices=CommitteeRole.choices, default=CommitteeRole.MEMBER
    )
    department = models.CharField(_("department"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="committee_member_once")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_committee_role_display()}"


class Meeting(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Agenda in draft")
        PUBLISHED = "published", _("Agenda published")
        CLOSED = "closed", _("Closed, minutes locked")

    project = models.ForeignKey("projects.Project", models.CASCADE, related_name="meetings", verbose_name=_("project"))
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("time"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=90, validators=[MinValueValidator(15)]
    )
    location = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("attendance")
    )
    published_at = models.DateTimeField(_("agenda published"), null=True, blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("time", "closed"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("by"))

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["project", "-starts_at"], name="meeting_project_start")]

    def __str__(self) -> str:
        return self.title

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.CLOSED

    def publish_deadline(self, notice_days: int):
        """The last moment the agenda may be published: `notice_days` before the meeting."""
        return self.starts_at - timedelta(days=notice_days)


class AgendaItem(models.Model):
    class Outcome(models.TextChoices):
        APPROVED = "approved", pgettext_lazy("state", "Approved")
        REJECTED = "rejected", _("Rejected")
        DEFERRED = "deferred", _("Deferred")

    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="items", verbose_name=_("meeting"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=200)
    presenter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("presenter"),
    )
    minutes_allotted = models.PositiveSmallIntegerField(_("minutes allotted"), default=10)
    decision_required = models.BooleanField(_("decision required"), default=False)
    # The object the item is about, through the decision registry (projects.registry.decision_providers).
    linked_kind = models.CharField(_("linked object type"), max_length=40, blank=True)
    linked_id = models.PositiveIntegerField(_("linked object"), null=True, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    outcome = models.CharField(_("decision"), max_length=10, choices=Outcome.choices, blank=True)
    rationale = models.TextField(_("rationale"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["order", "id"]
        indexes = [models.Index(fields=["linked_kind", "linked_id"], name="agenda_item_linked")]

    def __str__(self) -> str:
        return self.title


class ActionItemQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=ActionItem.Status.OPEN)


class ActionItem(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("state", "Open")
        DONE = "done", pgettext_lazy("state", "Done")
        DROPPED = "dropped", _("Dropped")

    project = models.ForeignKey(
        "projects.Project", models.CASCADE, related_name="action_items", verbose_name=_("project")
    )
    meeting = models.ForeignKey(Meeting, models.CASCADE, related_name="action_items", verbose_name=_("meeting"))
    title = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("owner"))
    due_date = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    completed_at = models.DateTimeField(pgettext_lazy("time", "completed"), null=True, blank=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"], name="action_item_status_due")]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today) -> bool:
        return self.status == self.Status.OPEN and self.due_date < today
