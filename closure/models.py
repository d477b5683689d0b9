"""Closure: the project ends only when the company can carry it on (D-CL-1…5).

One `Closure` per project, created when the PM starts closure. Its gates are computed from
the rows below (closure.gates); writes go through closure.services.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from changes.models import ChangeRequest
from issues.models import Issue
from projects.core.models import Project


class Gate(models.TextChoices):
    SOPS = "sops", _("Business procedures (SOPs)")
    OUTSTANDING = "outstanding", _("Outstanding items")
    SUCCESSOR = "successor", _("Successor")
    IMPROVEMENT = "improvement", _("Improvement plan")
    # Not waivable: each escalation is resolved, or closed with a note by the sponsor (issue 16).
    ESCALATIONS = "escalations", _("Escalations resolved")


WAIVABLE_GATES = (Gate.SOPS, Gate.OUTSTANDING, Gate.SUCCESSOR, Gate.IMPROVEMENT)


class Area(models.TextChoices):
    """Where the company must carry the CRM on: the successor's self-assessment and the roadmap."""

    SALES = "sales", _("Sales process")
    PROSPECTS = "prospects", _("Prospect development")
    SERVICE = "service", _("Customer service")
    MARKETING = "marketing", _("Marketing")
    ANALYTICS = "analytics", _("Analytics and reports")
    DATA = "data", _("Data quality")
    ADMINISTRATION = "administration", _("System administration")
    TRAINING = "training", _("User support and training")


# The self-assessment asks about these; the roadmap may name any area.
ASSESSED_AREAS = (Area.SALES, Area.SERVICE, Area.ANALYTICS, Area.DATA, Area.ADMINISTRATION, Area.TRAINING)


class Closure(models.Model):
    project = models.OneToOneField(Project, models.CASCADE, related_name="closure", verbose_name=_("project"))
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("started by")
    )
    successor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("successor"),
        help_text=_("The person inside the company who takes over from the consultant."),
    )
    readiness_threshold = models.PositiveSmallIntegerField(
        _("readiness threshold"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("Every area of the successor's self-assessment must reach this score (1–5)."),
    )
    assessed_at = models.DateTimeField(_("self-assessed"), null=True, blank=True)
    plan_approved_at = models.DateTimeField(_("improvement plan approved"), null=True, blank=True)
    plan_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    sign_note = models.TextField(_("acceptance note"), blank=True)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")

    def __str__(self) -> str:
        return str(self.project)


class GateWaiver(models.Model):
    """The sponsor lets a gate pass without its data, and says why (D-CL-5): on his own, or on
    someone's request — which its requester never grants (separation of duties, issue 16).
    Pending while neither granted nor refused; a refused request stays on the record."""

    closure = models.ForeignKey(Closure, models.CASCADE, related_name="waivers")
    gate = models.CharField(_("gate"), max_length=12, choices=Gate.choices)
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested"), null=True, blank=True)
    waived_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    waived_at = models.DateTimeField(_("waived"), null=True, blank=True)
    refused_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    refused_at = models.DateTimeField(_("refused"), null=True, blank=True)
    decision_note = models.TextField(_("sponsor's note"), blank=True)

    class Meta:
        verbose_name = _("gate waiver")
        verbose_name_plural = _("gate waivers")
        constraints = [
            models.UniqueConstraint(
                fields=["closure", "gate"],
                condition=models.Q(refused_at__isnull=True),
                name="closure_one_waiver_per_gate",
            )
        ]

    def __str__(self) -> str:
        return self.get_gate_display()

    @property
    def granted(self) -> bool:
        return self.waived_at is not None

    @property
    def pending(self) -> bool:
        return self.waived_at is None and self.refused_at is None


class ClosureReopening(models.Model):
    """A closed project reopened by its sponsor or a site administrator, with the reason, and the
    acceptance it undid (issue 16)."""

    closure = models.ForeignKey(Closure, models.CASCADE, related_name="reopenings")
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("reopened by")
    )
    reopened_at = models.DateTimeField(_("reopened"), default=timezone.now)
    reason = models.TextField(_("reason"))
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    signed_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    sign_note = models.TextField(_("acceptance note"), blank=True)

    class Meta:
        verbose_name = _("reopening")
        verbose_name_plural = _("reopenings")
        ordering = ["reopened_at", "id"]

    def __str__(self) -> str:
        return f"{self.closure} · {self.reopened_at:%Y-%m-%d}"


class Sop(models.Model):
    """A business process in scope and its written procedure (D-CL-1, D-PLAN-11)."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="sops", verbose_name=_("project"))
    process = models.CharField(_("business process"), max_length=200)
    procedure = models.TextField(_("procedure"), blank=True, help_text=_("The written procedure, step by step."))
    document = models.CharField(
        _("procedure document"),
        max_length=300,
        blank=True,
        help_text=_("Where the written procedure is kept, if it is a document (a link or a file location)."),
    )
    owner_department = models.CharField(_("owner department"), max_length=100)
    version = models.CharField(_("version"), max_length=20, default="1.0")
    departments = models.JSONField(
        _("departments involved"), default=list, help_text=_("Each of them confirms the procedure.")
    )
    users_trained = models.BooleanField(_("users trained on it"), default=False)
    improver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who improves it next"),
    )

    class Meta:
        verbose_name = _("SOP")
        verbose_name_plural = _("SOPs")
        ordering = ["process", "id"]

    def __str__(self) -> str:
        return self.process


class SopConfirmation(models.Model):
    """A department confirms one version of a procedure; a new version needs new confirmations."""

    sop = models.ForeignKey(Sop, models.CASCADE, related_name="confirmations")
    department = models.CharField(_("department"), max_length=100)
    version = models.CharField(_("version"), max_length=20)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(_("confirmed"), default=timezone.now)

    class Meta:
        verbose_name = _("SOP confirmation")
        verbose_name_plural = _("SOP confirmations")
        constraints = [
            models.UniqueConstraint(fields=["sop", "department", "version"], name="sop_one_confirmation_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.version}"


class ClosureItem(models.Model):
    """Something the company must handle after the consultant leaves: an outstanding item
    (compiled from the data, or added by the PM) or a gap in the successor's understanding."""

    class Kind(models.TextChoices):
        ISSUE = "issue", _("Open issue")
        CHANGE = "change", _("Change request not delivered")
        PHASE = "phase", _("Phase not delivered")
        SPECIAL = "special", _("Special or rare process")
        GAP = "gap", _("Successor's gap")

    OUTSTANDING_KINDS = (Kind.ISSUE, Kind.CHANGE, Kind.PHASE, Kind.SPECIAL)

    project = models.ForeignKey(Project, models.CASCADE, related_name="closure_items", verbose_name=_("project"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    source_id = models.PositiveIntegerField(null=True, blank=True, editable=False)
    reference = models.CharField(_("reference"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=300)
    detail = models.TextField(_("detail"), blank=True, help_text=_("As typed by a person."))
    # What the system knows of a compiled item, worded when read in the reader's language (issue 18):
    # {"status": <the issue's or change request's status>, "reason": <its reason, as typed>}.
    facts = models.JSONField(_("facts"), default=dict, blank=True, editable=False)
    interim_handling = models.TextField(
        _("interim handling"), blank=True, help_text=_("How the company handles it until it is solved for good.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("owner")
    )
    company_knows = models.BooleanField(_("the company knows how to handle it"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved with the consultant"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("closure item")
        verbose_name_plural = _("closure items")
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "kind", "source_id"],
                condition=models.Q(source_id__isnull=False),
                name="closure_item_once_per_source",
            )
        ]
        indexes = [models.Index(fields=["project", "kind"], name="closure_item_project_kind")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("closure:item_detail", kwargs={"code": self.project.code, "pk": self.pk})

    @property
    def detail_text(self) -> str:
        """The detail in the reader's language: the facts worded now, then any text as typed."""
        status = self.facts.get("status")
        if not status:
            return self.detail
        worded = self._worded_status(status)
        return f"{worded}\n{self.detail}" if self.detail else worded

    def _worded_status(self, status: str) -> str:
        statuses = ChangeRequest.Status if self.kind == self.Kind.CHANGE else Issue.Status
        label = statuses(status).label if status in statuses.values else status
        reason = self.facts.get("reason", "")
        if not reason:
            return str(label)
        return pgettext("a status and its reason", "%(status)s: %(reason)s") % {"status": label, "reason": reason}

    @property
    def needs_consultant(self) -> bool:
        """A "no" (or a successor's gap) is settled only with the consultant, on the item's thread."""
        return self.kind == self.Kind.GAP or self.company_knows is False

    @property
    def is_settled(self) -> bool:
        if self.kind == self.Kind.GAP:
            return self.resolved_at is not None
        if self.owner_id is None or self.company_knows is None:
            return False
        return self.company_knows or self.resolved_at is not None


class ItemMessage(models.Model):
    """One question or answer on an item's thread with the consultant."""

    item = models.ForeignKey(ClosureItem, models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    from_consultant = models.BooleanField(default=False)
    text = models.TextField(_("message"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class ReadinessScore(models.Model):
    """The successor's answer to "can you carry this area alone?", 1 (not at all) to 5 (fully)."""

    closure = models.ForeignKey(Closure, models.CASCADE, related_name="scores")
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    score = models.PositiveSmallIntegerField(_("readiness"), validators=[MinValueValidator(1), MaxValueValidator(5)])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["closure", "area"], name="readiness_one_score_per_area")]

    def __str__(self) -> str:
        return f"{self.area}: {self.score}"


class ImprovementItem(models.Model):
    """One line of the three-year improvement roadmap (D-CL-4)."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="improvement_items")
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1), MaxValueValidator(3)], help_text=_("1, 2 or 3 after go-live.")
    )
    objective = models.CharField(_("objective"), max_length=300)
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    scope_extension = models.TextField(
        _("scope extension"), blank=True, help_text=_("Further departments, regions or functions it extends to.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("owner")
    )

    class Meta:
        verbose_name = _("improvement")
        verbose_name_plural = _("improvement plan")
        ordering = ["year", "id"]

    def __str__(self) -> str:
        return self.objective


class PlanComment(models.Model):
    """The consultant's review comments on the improvement plan."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    approves = models.BooleanField(_("approves the plan"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class Lesson(models.Model):
    """An entry of the lessons log (D-CL-5)."""

    project = models.ForeignKey(Project, models.CASCADE, related_name="lessons")
    event = models.TextField(_("event"), help_text=_("What happened."))
    effect = models.TextField(_("effect"), help_text=_("What it did to the project."))
    cause = models.TextField(_("cause"))
    early_warning = models.TextField(_("early warning"), blank=True, help_text=_("What signalled it beforehand."))
    recommendation = models.TextField(_("recommendation"), help_text=_("What the next project should do."))
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("logged by")
    )
    logged_at = models.DateTimeField(_("logged"), default=timezone.now)

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["logged_at", "id"]

    def __str__(self) -> str:
        return self.event[:60]
