import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from projects.permissions import Role


@deconstructible
class PrivateFileStorage(FileSystemStorage):
    """Files only a permission-checked view hands out: outside MEDIA_ROOT, no URL."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL; serve them through a view.")


private_storage = PrivateFileStorage()


def private_files() -> PrivateFileStorage:
    return private_storage


class Risk(models.Model):
    class Response(models.TextChoices):
        AVOID = "avoid", _("Avoid")
        REDUCE = "reduce", _("Reduce")
        TRANSFER = "transfer", _("Transfer")
        ACCEPT = "accept", _("Accept")

    class Proximity(models.TextChoices):
        IMMINENT = "imminent", _("Imminent")
        MONTH = "month", _("Within a month")
        QUARTER = "quarter", _("Within a quarter")
        LATER = "later", _("Later")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("state", "Open")
        OCCURRED = "occurred", _("Occurred")
        CLOSED = "closed", pgettext_lazy("state", "Closed")

    project = models.ForeignKey("projects.Project", models.CASCADE, related_name="risks", verbose_name=_("project"))
    title = models.CharField(_("risk"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    probability = models.PositiveSmallIntegerField(
        _("probability (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    impact = models.PositiveSmallIntegerField(
        _("impact (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    score = models.GeneratedField(
        expression=models.F("probability") * models.F("impact"),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
        verbose_name=_("score"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("owner")
    )
    response = models.CharField(_("response"), max_length=10, choices=Response.choices, default=Response.REDUCE)
    mitigation = models.TextField(_("mitigation"), blank=True)
    trigger = models.CharField(_("trigger"), max_length=300, blank=True)
    proximity = models.CharField(_("proximity"), max_length=10, choices=Proximity.choices, default=Proximity.QUARTER)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # Who changed what, when (shown on the risk's page); the score follows from the scales.
    history = HistoricalRecords(excluded_fields=["score", "updated_at"])

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["-score", "id"]
        indexes = [models.Index(fields=["project", "status"], name="risk_project_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(probability__range=(1, 5), impact__range=(1, 5)), name="risk_scales_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def level(self) -> str:
        """high / medium / low, for the colour of the score."""
        score = self.probability * self.impact
        return "high" if score >= 15 else "medium" if score >= 6 else "low"


class RequirementDocument(models.Model):
    class Kind(models.TextChoices):
        REQUIREMENTS = "requirements", _("Requirement document")
        PROTOTYPE = "prototype", _("UI prototype")

    project = models.ForeignKey(
        "projects.Project", models.CASCADE, related_name="requirement_documents", verbose_name=_("project")
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.REQUIREMENTS)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("requirement document")
        verbose_name_plural = _("requirement documents")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


def requirement_upload_to(instance, filename: str) -> str:
    document = instance.document
    return f"requirements/{document.project_id}/{document.pk}/v{instance.number}/{os.path.basename(filename)}"


class RequirementVersion(models.Model):
    """One uploaded version; signing it records who and when and freezes it (D-PLAN-7)."""

    document = models.ForeignKey(
        RequirementDocument, models.CASCADE, related_name="versions", verbose_name=_("document")
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=requirement_upload_to, storage=private_files, max_length=300)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("signed by")
    )
    signed_at = models.DateTimeField(pgettext_lazy("time", "signed"), null=True, blank=True)

    class Meta:
        verbose_name = _("requirement version")
        verbose_name_plural = _("requirement versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="requirement_one_per_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.signed_at is not None

    @property
    def filename(self) -> str:
        return os.path.basename(self.file.name)


class TrainingSession(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        POSTPONED = "postponed", _("Postponed")
        CANCELLED = "cancelled", _("Cancelled")

    project = models.ForeignKey(
        "projects.Project", models.CASCADE, related_name="training_sessions", verbose_name=_("project")
    )
    topic = models.CharField(_("topic"), max_length=200)
    audience_roles = models.JSONField(
        _("audience by role"), default=list, blank=True, help_text=_("Every member in these roles must attend.")
    )
    audience_people = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("audience by person"),
        help_text=_("Also those who will enter or read data without being system users today."),
    )
    trainer = models.CharField(_("trainer"), max_length=150)
    starts_at = models.DateTimeField(_("time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), validators=[MinValueValidator(1)])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    status_reason = models.CharField(
        _("reason"), max_length=300, blank=True, help_text=_("Required when a session is postponed or cancelled.")
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="TrainingAttendance",
        blank=True,
        related_name="+",
        verbose_name=_("attended"),
    )

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["project", "starts_at"], name="training_project_start")]

    def __str__(self) -> str:
        return self.topic

    @property
    def is_flagged(self) -> bool:
        """Training dropped for short-term business needs is made visible (D-PLAN-9)."""
        return self.status in {self.Status.POSTPONED, self.Status.CANCELLED}

    def audience_role_labels(self) -> list[str]:
        return [str(Role(role).label) for role in self.audience_roles if role in Role.values]


class TrainingAttendance(models.Model):
    session = models.ForeignKey(TrainingSession, models.CASCADE, related_name="attendance", verbose_name=_("session"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name=_("person"))

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="training_attended_once")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.session_id}"


class SetbackReview(models.Model):
    """After a missed milestone or an approved rebaseline: what happened and what changes (D-ESC-5)."""

    project = models.ForeignKey(
        "projects.Project", models.CASCADE, related_name="setback_reviews", verbose_name=_("project")
    )
    title = models.CharField(_("setback"), max_length=200)
    milestone = models.ForeignKey(
        "projects.Milestone",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("missed milestone"),
    )
    rebaseline = models.ForeignKey(
        "projects.RebaselineRequest",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved rebaseline"),
    )
    cause = models.TextField(_("cause"))
    responsibility = models.TextField(
        _("responsibility taken"), help_text=_("Who takes responsibility: the project manager, not the team.")
    )
    revised_plan = models.TextField(_("revised plan"))
    affected_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("affected users"),
        help_text=_("People outside the team who are affected; they receive the review too."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(pgettext_lazy("time", "sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("setback review")
        verbose_name_plural = _("setback reviews")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class SetbackAction(models.Model):
    class Kind(models.TextChoices):
        CORRECTIVE = "corrective", _("Corrective")
        PREVENTIVE = "preventive", _("Preventive")

    review = models.ForeignKey(SetbackReview, models.CASCADE, related_name="actions", verbose_name=_("review"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    description = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("owner"))
    due_date = models.DateField(_("due"))

    class Meta:
        verbose_name = _("setback action")
        verbose_name_plural = _("setback actions")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.description
