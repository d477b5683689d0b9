import datetime
import zoneinfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from projects.permissions import WRITES, Role, membership_can

DEFAULT_LANGUAGE = "zh-hans"


WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


DEFAULT_TIME_ZONE = "Asia/Shanghai"


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)  # None gives an unusable password
        user.save(using=self._db)
        # Its address counts as verified: accounts are made by an invitation (whose set-password link
        # goes to that address) or by an administrator. A later change of address goes through
        # allauth's verification, and an unverified address cannot become primary (issue 17).
        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Logs in with their e-mail; reads the site in their own language and time zone."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(pgettext_lazy("person", "name"), max_length=150)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default=DEFAULT_LANGUAGE)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=DEFAULT_TIME_ZONE, validators=[validate_time_zone]
    )
    is_active = models.BooleanField(pgettext_lazy("switched on", "active"), default=True)
    is_staff = models.BooleanField(
        _("site administrator"),
        default=False,
        help_text=_("May open the admin site and create projects."),
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()


class ProjectQuerySet(models.QuerySet):
    def for_user(self, user) -> "ProjectQuerySet":
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__in=Membership.objects.active().filter(user=user))


class Project(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("state", "Active")
        CLOSING = "closing", _("Closing")
        CLOSED = "closed", pgettext_lazy("state", "Closed")

    name = models.CharField(pgettext_lazy("thing", "name"), max_length=200)
    code = models.CharField(
        _("code"),
        max_length=12,
        unique=True,
        validators=[
            RegexValidator(
                r"^[A-Z][A-Z0-9]{1,11}$",
                _("Use 2–12 capital letters or digits, starting with a letter, e.g. SCRM."),
            )
        ],
        help_text=_("Short and permanent: it appears in addresses and issue numbers (SCRM-42)."),
    )
    description = models.TextField(_("description"), blank=True)
    vision = models.TextField(
        _("vision"), blank=True, help_text=_("What the company will be able to do when the CRM is in use.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=DEFAULT_TIME_ZONE, validators=[validate_time_zone]
    )
    default_language = models.CharField(
        _("default language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=DEFAULT_LANGUAGE,
        help_text=_("The language of accounts created by invitation to this project."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Plan control (D-PLAN-4, D-PLAN-6) and the steering committee's rhythm (D-SC-2).
    cost_of_delay_per_day = models.DecimalField(
        _("cost of delay per day"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("What one day of delay costs the company; used in every loss statement."),
    )
    schedule_tolerance_days = models.PositiveSmallIntegerField(
        _("schedule tolerance (days)"),
        default=5,
        help_text=_("A milestone forecast later than its baseline by more than this is an exception."),
    )
    budget_tolerance_percent = models.DecimalField(
        _("budget tolerance (%)"),
        max_digits=5,
        decimal_places=2,
        default=10,
        validators=[MinValueValidator(0)],
        help_text=_("A budget forecast above its baseline by more than this share is an exception."),
    )
    agenda_notice_days = models.PositiveSmallIntegerField(
        _("agenda notice (days)"),
        default=3,
        help_text=_("A meeting's agenda must be published at least this many days before it."),
    )
    meeting_cadence_days = models.PositiveSmallIntegerField(
        _("steering committee cadence (days)"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_("The committee meets at least this often; a project with no meeting within it is flagged."),
    )
    # Escalations (D-ESC-3, D-ESC-4).
    escalation_ack_hours = models.PositiveSmallIntegerField(
        _("second notice after (hours)"),
        default=24,
        validators=[MinValueValidator(1)],
        help_text=_("An escalation nobody has acknowledged by then goes again, as a second notice, to the sponsor."),
    )
    blocker_days = models.PositiveSmallIntegerField(
        _("blocker issue limit (days)"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("A critical issue unresolved for longer is escalated."),
    )
    compliance_threshold_percent = models.PositiveSmallIntegerField(
        _("report compliance threshold (%)"),
        default=80,
        validators=[MaxValueValidator(100)],
        help_text=_("Daily-report compliance below this for the given number of working days is escalated."),
    )
    compliance_low_days = models.PositiveSmallIntegerField(
        _("low compliance for (working days)"), default=3, validators=[MinValueValidator(1)]
    )
    # Weekly status reports (D-RPT-1).
    report_weekday = models.PositiveSmallIntegerField(
        _("status report day"), choices=WEEKDAYS, default=4, help_text=_("The day the weekly status report is sent.")
    )
    report_time = models.TimeField(_("status report time"), default=datetime.time(16, 0))
    report_draft_hours = models.PositiveSmallIntegerField(
        _("draft ahead (hours)"),
        default=4,
        validators=[MaxValueValidator(72)],
        help_text=_("The draft is ready this long before sending, so the PM can add a narrative."),
    )

    objects = ProjectQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", kwargs={"code": self.code})

    def local_today(self):
        return local_today(self.time_zone)


def local_today(time_zone: str) -> datetime.date:
    """Today in a project's time zone (the day its reports, rollups and dashboards are about)."""
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(time_zone))


class MembershipQuerySet(models.QuerySet):
    def active(self) -> "MembershipQuerySet":
        """Memberships that give access right now: not ended, within their dates, account active."""
        return self.current().filter(user__is_active=True)

    def current(self) -> "MembershipQuerySet":
        """Memberships not ended and within their dates, whatever the account's state (for the
        signed-in user, whose account the authentication has found active)."""
        today = timezone.localdate()
        return self.filter(
            Q(active_until__isnull=True) | Q(active_until__gte=today), ended_at__isnull=True, active_from__lte=today
        )

    def with_role(self, *roles: str) -> "MembershipQuerySet":
        return self.filter(role__in=roles)


class Membership(models.Model):
    """A person's role on one project. One row per person and project; ending it keeps the row."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("project")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    department = models.CharField(_("department"), max_length=100, blank=True)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    active_from = models.DateField(_("active from"), default=timezone.localdate)
    active_until = models.DateField(
        _("active until"), null=True, blank=True, help_text=_("Last day of access; leave empty for open-ended.")
    )
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    is_key = models.BooleanField(
        _("key person"), default=False, help_text=_("Their leaving is escalated to leadership at once.")
    )
    receives_reports = models.BooleanField(
        _("receives status reports"),
        null=True,
        blank=True,
        help_text=_("Unknown: as the role says (sponsor, executives and steering members receive them)."),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    grants = models.JSONField(
        _("extra access"),
        default=list,
        blank=True,
        help_text=_("Capabilities given to this person beyond their role, e.g. seeing the budget."),
    )

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_one_per_person_and_project"),
            models.CheckConstraint(
                condition=Q(active_until__isnull=True) | Q(active_until__gte=models.F("active_from")),
                name="membership_until_not_before_from",
                violation_error_message=_("The last day of access cannot be before the first."),
            ),
        ]
        indexes = [models.Index(fields=["user", "project"], name="membership_user_project")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.project.code}"

    # Set by permissions.get_membership_for when the project is closed: every write is refused.
    read_only = False

    def can(self, capability: str) -> bool:
        if self.read_only and capability in WRITES:
            return False
        return membership_can(self.role, self.grants, capability)

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return (
            self.ended_at is None
            and self.active_from <= today
            and (self.active_until is None or self.active_until >= today)
        )
