import datetime
import re
import unicodedata
import uuid

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from projects.core.models import Project
from projects.permissions import Capability
from projects.search.fields import SearchTextField
from projects.search.text import document

from .periods import Cadence, period_end

# An issue's reference as people quote it: the project's code, a dash and the number (SCRM-0147),
# or "#147", or the bare number; any case, with or without the leading zeros.
REFERENCE = re.compile(r"^(?:(?P<code>[A-Za-z][A-Za-z0-9]*)\s*-\s*|#\s*)?(?P<number>\d{1,10})$")
MAX_NUMBER = 2_147_483_647  # the largest number the column holds


class IssueSettings(models.Model):
    """How a project runs its daily reporting and issue tracking."""

    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="issue_settings", verbose_name=_("project")
    )
    report_cadence = models.CharField(
        _("report cadence"),
        max_length=10,
        choices=Cadence.choices,
        default=Cadence.DAILY,
        help_text=_("Relax it as the project stabilises: daily, then weekly, then monthly."),
    )
    reminder_time = models.TimeField(
        _("reminder time"),
        default=datetime.time(17, 0),
        help_text=_("Local time at which those who have not filed yet are reminded."),
    )
    digest_time = models.TimeField(
        _("digest time"),
        default=datetime.time(19, 0),
        help_text=_("Local time after which the project manager receives the daily digest."),
    )
    points_critical = models.PositiveSmallIntegerField(_("points for a critical issue"), default=8)
    points_high = models.PositiveSmallIntegerField(_("points for a high issue"), default=5)
    points_medium = models.PositiveSmallIntegerField(_("points for a medium issue"), default=3)
    points_low = models.PositiveSmallIntegerField(_("points for a low issue"), default=1)
    last_issue_number = models.PositiveIntegerField(_("last issue number"), default=0, editable=False)

    class Meta:
        verbose_name = _("issue settings")
        verbose_name_plural = _("issue settings")

    def __str__(self) -> str:
        return str(self.project)

    def points_for(self, severity: str) -> int:
        return getattr(self, f"points_{severity}", 0)


class Module(models.Model):
    """A part of the CRM (customers, opportunities, quotes …) where an issue happened."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="crm_modules")
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("CRM module")
        verbose_name_plural = _("CRM modules")
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="module_unique_name_per_project")]

    def __str__(self) -> str:
        return self.name


class CalendarDay(models.Model):
    """An exception to the project's usual week: a public holiday, or a make-up working day (调休)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="calendar_days")
    date = models.DateField(_("date"))
    is_working = models.BooleanField(
        _("working day"), help_text=_("Off for a public holiday; on for a make-up working day (调休).")
    )
    name = models.CharField(pgettext_lazy("thing", "name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["project", "date"], name="calendar_day_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class CalendarYear(models.Model):
    """A year whose official schedule was filled into the project's calendar. Filling happens once a year:
    a day the PM removed afterwards stays removed, and a day the PM had entered is never overwritten."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="calendar_years")
    year = models.PositiveSmallIntegerField(pgettext_lazy("calendar", "year"))
    filled_at = models.DateTimeField(pgettext_lazy("calendar year", "filled"), default=timezone.now)

    class Meta:
        verbose_name = _("filled calendar year")
        verbose_name_plural = _("filled calendar years")
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="calendar_year_unique")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.year}"


class DailyReport(models.Model):
    """One reporter's report for one period (a day, a week or a month, as the project's cadence says)."""

    # No single-column indexes: `report_project_period` and `report_reporter_period` begin with these
    # columns. (On a table laid out project by project, PostgreSQL preferred the bare project index
    # and filtered a project's every report to find a month of them.)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="daily_reports", db_index=False)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="daily_reports",
        verbose_name=_("reporter"),
        db_index=False,
    )
    cadence = models.CharField(_("cadence"), max_length=10, choices=Cadence.choices)
    period_start = models.DateField(_("period"))
    no_problems = models.BooleanField(_("no problems"), default=False)
    filed_at = models.DateTimeField(_("filed"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    is_late = models.BooleanField(_("late"), default=False)

    class Meta:
        verbose_name = _("daily report")
        verbose_name_plural = _("daily reports")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "reporter", "period_start"], name="one_report_per_reporter_and_period"
            )
        ]
        indexes = [
            models.Index(fields=["project", "-period_start", "-id"], name="report_project_period"),
            models.Index(fields=["reporter", "-period_start"], name="report_reporter_period"),
        ]

    def __str__(self) -> str:
        return f"{self.reporter} · {self.period_start}"

    @property
    def period_end(self) -> datetime.date:
        return period_end(self.cadence, self.period_start)

    def is_open(self, today: datetime.date) -> bool:
        """The reporter may still add to or edit the report."""
        return today <= self.period_end


class ReportLink(models.Model):
    """The use of a reminder's one-tap link (issue 19): the link is signed, carries the person, the
    project and the period, and files "no problems" for them once; this row is that once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField(_("period"))
    used_at = models.DateTimeField(pgettext_lazy("report link", "used"), default=timezone.now)

    class Meta:
        verbose_name = _("used report link")
        verbose_name_plural = _("used report links")
        constraints = [
            models.UniqueConstraint(fields=["user", "project", "period_start"], name="report_link_used_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.project_id} · {self.period_start}"


class IssueQuerySet(models.QuerySet):
    def open(self) -> "IssueQuerySet":
        return self.filter(status__in=Issue.OPEN_STATUSES)

    def visible_to(self, membership) -> "IssueQuerySet":
        """A consultant sees only the issues forwarded to them; other roles with access see all."""
        issues = self.filter(project=membership.project_id)
        if membership.can(Capability.ISSUES_VIEW_ALL):
            return issues
        if membership.can(Capability.ISSUES_RESPOND):
            return issues.filter(consultant=membership.user_id)
        return issues.filter(reporter=membership.user_id)


STATUS_BADGES = {
    "new": "text-bg-primary",
    "analysing": "text-bg-warning",
    "with_consultant": "text-bg-info",
    "solution_proposed": "text-bg-info",
    "resolved": "text-bg-success",
    "closed": "text-bg-secondary",
}


def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "text-bg-light border")


class Issue(models.Model):
    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("state", "New")
        ANALYSING = "analysing", _("Analysing")
        WITH_CONSULTANT = "with_consultant", _("With consultant")
        SOLUTION_PROPOSED = "solution_proposed", _("Solution proposed")
        RESOLVED = "resolved", pgettext_lazy("state", "Resolved")
        CLOSED = "closed", pgettext_lazy("state", "Closed")
        DEFERRED = "deferred", _("Deferred")
        DUPLICATE = "duplicate", _("Duplicate")
        REJECTED = "rejected", _("Rejected")

    class Severity(models.TextChoices):
        CRITICAL = "critical", _("Critical")
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    class Category(models.TextChoices):
        DEFECT = "defect", _("Software defect")
        PROCESS = "process", _("Process problem")
        USER_ERROR = "user_error", _("Operation (user) error")
        REQUIREMENT_CHANGE = "requirement_change", _("Requirement change")
        QUESTION = "question", _("Question")

    OPEN_STATUSES = (Status.NEW, Status.ANALYSING, Status.WITH_CONSULTANT, Status.SOLUTION_PROPOSED, Status.RESOLVED)
    SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}
    # Days until an open issue of each severity counts as overdue.
    TARGET_DAYS = {Severity.CRITICAL: 2, Severity.HIGH: 5, Severity.MEDIUM: 10, Severity.LOW: 20}

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="issues", verbose_name=_("project"))
    number = models.PositiveIntegerField(_("number"))
    report = models.ForeignKey(
        DailyReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="issues", verbose_name=_("report")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reported_issues", verbose_name=_("reporter")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what happened"))
    module = models.ForeignKey(
        Module, on_delete=models.SET_NULL, null=True, blank=True, related_name="issues", verbose_name=_("module")
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    severity_rank = models.PositiveSmallIntegerField(editable=False, default=2)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)
    steps = models.TextField(_("steps to reproduce"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)

    analysis_context = models.TextField(_("context from the reporter"), blank=True)
    likely_cause = models.TextField(_("likely cause"), blank=True)
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consulted_issues",
        verbose_name=_("consultant"),
    )
    forward_summary = models.TextField(_("summary for the consultant"), blank=True)
    forwarded_at = models.DateTimeField(_("forwarded"), null=True, blank=True)
    solution = models.TextField(_("proposed solution"), blank=True)
    cause = models.TextField(_("cause"), blank=True)
    fix = models.TextField(_("fix"), blank=True)
    resolved_at = models.DateTimeField(pgettext_lazy("time", "resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(pgettext_lazy("time", "closed"), null=True, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )
    status_reason = models.TextField(_("reason"), blank=True, help_text=_("Why it was rejected or deferred."))

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # What the search finds it by (issue 19): its title and what happened as indexed terms
    # (projects.search.text), kept by save() and by every service that writes the texts otherwise.
    search_text = SearchTextField(editable=False, blank=True, default="")

    SEARCHED = ("title", "description")

    objects = IssueQuerySet.as_manager()

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="issue_number_unique_per_project")]
        indexes = [
            models.Index(fields=["project", "-created_at", "-id"], name="issue_project_created"),
            models.Index(fields=["project", "status", "-created_at", "-id"], name="issue_project_status_created"),
            models.Index(fields=["project", "severity_rank", "-created_at"], name="issue_project_severity"),
            models.Index(fields=["project", "-updated_at"], name="issue_project_updated"),
            models.Index(fields=["project", "reporter", "-created_at"], name="issue_project_reporter"),
            models.Index(fields=["project", "consultant", "status"], name="issue_project_consultant"),
            models.Index(fields=["project", "category", "-created_at"], name="issue_project_category"),
            models.Index(fields=["project", "module", "-created_at"], name="issue_project_module"),
            models.Index(fields=["project", "resolved_at"], name="issue_project_resolved"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def save(self, *args, **kwargs):
        self.severity_rank = self.SEVERITY_RANK.get(self.severity, 2)
        self.search_text = document(self.project_id, *(getattr(self, name) for name in self.SEARCHED))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(self.SEARCHED) & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("issues:detail", kwargs={"code": self.project.code, "number": self.number})

    @property
    def status_badge(self) -> str:
        """The badge colour of the status (lists render it per row: no template logic there)."""
        return status_badge(self.status)

    @property
    def reference(self) -> str:
        """The number people quote, e.g. SCRM-0042 (needs the project loaded)."""
        return f"{self.project.code}-{self.number:04d}"

    @staticmethod
    def number_in_reference(text: str, project_code: str) -> int | None:
        """The issue number a reference as people type it names: "SCRM-0147", "scrm-147", "#147",
        "147" (full-width forms too) — or None when the text is no reference to this project's issue."""
        match = REFERENCE.match(unicodedata.normalize("NFKC", text or "").strip())
        if not match or (match["code"] and match["code"].upper() != project_code.upper()):
            return None
        number = int(match["number"])
        return number if 0 < number <= MAX_NUMBER else None

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def age_days(self, now: datetime.datetime | None = None) -> int:
        return ((now or timezone.now()) - self.created_at).days

    def is_overdue(self, now: datetime.datetime | None = None) -> bool:
        unresolved = self.status in (
            self.Status.NEW,
            self.Status.ANALYSING,
            self.Status.WITH_CONSULTANT,
            self.Status.SOLUTION_PROPOSED,
        )
        return unresolved and self.age_days(now) > self.TARGET_DAYS.get(self.severity, 10)


def screenshot_path(instance, filename: str) -> str:
    # Generated names only: nothing the uploader chose reaches the file system.
    return f"screenshots/{instance.issue.project_id}/{uuid.uuid4().hex}{filename[filename.rfind('.') :]}"


class Screenshot(models.Model):
    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="screenshots")
    image = models.FileField(_("image"), upload_to=screenshot_path)
    thumbnail = models.FileField(_("thumbnail"), upload_to=screenshot_path)
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField(_("size in bytes"))
    original_name = models.CharField(_("original name"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("screenshot")
        verbose_name_plural = _("screenshots")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name or self.image.name


class IssueEvent(models.Model):
    """One line of an issue's history: a comment, a status change, an edit, a support session."""

    class Kind(models.TextChoices):
        CREATED = "created", pgettext_lazy("event", "Reported")
        COMMENT = "comment", _("Comment")
        STATUS = "status", _("Status change")
        EDIT = "edit", _("Edit")
        SESSION = "session", _("Support session")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    from_status = models.CharField(max_length=20, choices=Issue.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Issue.Status.choices, blank=True)
    text = models.TextField(blank=True)
    # For edits: {"field label": [old, new]}.
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["issue", "created_at", "id"], name="issue_event_timeline")]

    def __str__(self) -> str:
        return f"{self.issue_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    # What an edit may name besides the issue's own fields.
    EDIT_LABELS = {"screenshots": _("Screenshots")}

    def changed_fields(self) -> list[tuple]:
        """An edit's changes worded in the reader's language: [(label, old, new)]. They are kept as
        facts ({field: [old, new]}, a choice by its value); lines written before that kept labels."""
        lines = []
        for name, (old, new) in self.changes.items():
            if name in self.EDIT_LABELS:
                lines.append((self.EDIT_LABELS[name], old, new))
                continue
            try:
                field = Issue._meta.get_field(name)
            except FieldDoesNotExist:
                lines.append((name, old, new))  # an older line: worded when written
                continue
            choices = dict(field.flatchoices) if field.choices else {}
            lines.append(
                (
                    field.verbose_name,
                    *(choices.get(value, value) if value not in (None, "") else "—" for value in (old, new)),
                )
            )
        return lines


class SupportSession(models.Model):
    """A remote or on-site session the consultant held on an issue (D-ISS-3)."""

    class Kind(models.TextChoices):
        REMOTE = "remote", _("Remote session")
        ONSITE = "onsite", _("On-site visit")

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="sessions")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    held_at = models.DateTimeField(_("held at"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    notes = models.TextField(_("notes"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("support session")
        verbose_name_plural = _("support sessions")
        ordering = ["held_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_at:%Y-%m-%d}"


class Article(models.Model):
    """A knowledge-base article, usually published from a resolved issue (D-ISS-4)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="articles")
    issue = models.OneToOneField(
        Issue, on_delete=models.SET_NULL, null=True, blank=True, related_name="article", verbose_name=_("issue")
    )
    title = models.CharField(_("title"), max_length=200)
    symptom = models.TextField(_("symptom"))
    cause = models.TextField(_("cause"))
    solution = models.TextField(_("solution"))
    module = models.ForeignKey(
        Module, on_delete=models.SET_NULL, null=True, blank=True, related_name="articles", verbose_name=_("module")
    )
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    # What the search finds it by (issue 19), kept by save(), as the issue's.
    search_text = SearchTextField(editable=False, blank=True, default="")

    SEARCHED = ("title", "symptom", "cause", "solution")

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("knowledge base")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["project", "-published_at"], name="article_project_published")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.search_text = document(self.project_id, *(getattr(self, name) for name in self.SEARCHED))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(self.SEARCHED) & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("issues:article", kwargs={"code": self.project.code, "pk": self.pk})


class PointAward(models.Model):
    """Points a reporter earned for an issue confirmed as genuine (D-LOG-5). One award per issue."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="point_awards")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="point_awards")
    issue = models.OneToOneField(Issue, on_delete=models.CASCADE, related_name="award")
    points = models.PositiveSmallIntegerField()
    awarded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["project", "-awarded_at"], name="award_project_recent")]

    def __str__(self) -> str:
        return f"{self.user} +{self.points}"


class IssueDay(models.Model):
    """Rollup (issue 7): issues opened and resolved on one local day of one project. The dashboards
    read these rows instead of the issues; `issues.rollups` keeps them exact on every write."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    opened = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "day"], name="issue_day_unique")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.day} +{self.opened} -{self.resolved}"
