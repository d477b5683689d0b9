"""The e-mails the issues app sends on its own: reminders, the PM's daily digest, the knowledge digest.

Each function is given the current time and decides from the project's settings and
calendar whether something is due; every e-mail goes through the outbox with a key
built from the project, the recipient and the project-local date, so a missed
dispatcher tick catches up on the next one and a doubled tick sends nothing twice.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.core.models import Membership, Project
from projects.notifications.models import ChatEvent, OutboundEmail
from projects.notifications.outbox import email_queue
from projects.notifications.services import ChatNotice, chat_notify, chat_subscribed
from projects.permissions import Capability, roles_with

from .calendars import WorkingCalendar
from .compliance import Period, active_on, missing_reporters, period_containing
from .models import Article, Issue
from .report_links import report_link_path
from .services import issue_settings_for

LIST_LIMIT = 30
LOOK_BACK_DAYS = 40


def _local(project: Project, now: datetime.datetime) -> datetime.datetime:
    return now.astimezone(zoneinfo.ZoneInfo(project.time_zone))


def _at(project: Project, day: datetime.date, time: datetime.time) -> datetime.datetime:
    return datetime.datetime.combine(day, time, tzinfo=zoneinfo.ZoneInfo(project.time_zone))


def _report_url(project: Project) -> str:
    return reverse("issues:report", kwargs={"code": project.code})


# --- Reminders (D-LOG-3) ------------------------------------------------------


def is_reminder_day(project: Project, day: datetime.date, cadence: str) -> bool:
    """Daily: every working day. Weekly and monthly: the last working day of the period."""
    calendar = WorkingCalendar(project, day - datetime.timedelta(days=31), day + datetime.timedelta(days=31))
    return period_containing(cadence, day, calendar).last_working_day == day


def _reminder_key(project: Project, user_id: int, day: datetime.date) -> str:
    """One reminder per person and period: `day` is the period's reminder day (its last working day,
    the day the scheduled reminder goes), whether the reminder is scheduled or sent by the PM."""
    return f"daily-reminder:{project.pk}:{user_id}:{day.isoformat()}"


def _remind(project: Project, membership: Membership, *, cadence: str, period: Period, today: datetime.date) -> None:
    email_queue(
        to=membership.user,
        template="daily-reminder",
        project=project,
        key=_reminder_key(project, membership.user_id, period.last_working_day),
        context={
            "cadence": cadence,
            "period": period,
            "today": today,
            "report_url": _report_url(project),
            # One tap: "no problems" for this person's report of this period, and nothing else (issue 19).
            "link_url": report_link_path(
                project=project, user_id=membership.user_id, period_start=period.start, cadence=cadence
            ),
        },
    )


def _missing_now(project: Project, today: datetime.date, cadence: str) -> tuple[Period, list[Membership]]:
    """The current period and who is expected in it, has not filed, and is still a member today
    (one who left mid-week is not chased on Friday)."""
    calendar = WorkingCalendar(project, today - datetime.timedelta(days=31), today + datetime.timedelta(days=31))
    period = period_containing(cadence, today, calendar)
    if not period.working_days:
        return period, []
    missing = missing_reporters(project, today, cadence=cadence)
    return period, [m for m in missing if active_on(m, project, today)]


@transaction.atomic
def reminders_send(*, project: Project, now: datetime.datetime) -> int:
    """One reminder to each expected reporter who has not filed, once the reminder time has passed."""
    settings_row = issue_settings_for(project)
    local = _local(project, now)
    today = local.date()
    if local.time() < settings_row.reminder_time or not is_reminder_day(project, today, settings_row.report_cadence):
        return 0
    period, current = _missing_now(project, today, settings_row.report_cadence)
    for membership in current:
        _remind(project, membership, cadence=settings_row.report_cadence, period=period, today=today)
    return len(current)


@dataclass
class Reminded:
    """Who "remind now" reminded, and who had been reminded for this period already."""

    reminded: list[Membership]
    already: list[Membership]


@transaction.atomic
def reminders_send_now(*, project: Project) -> Reminded:
    """The PM's "remind now" on the compliance page (issue 19): the reminder at once to whoever has
    not filed for the current period, once per person and period — under the scheduled reminder's
    key, so the scheduled one is not sent again, and a second click sends nothing."""
    cadence = issue_settings_for(project).report_cadence
    today = project.local_today()
    period, missing = _missing_now(project, today, cadence)
    if not missing:
        return Reminded([], [])
    keys = {m.user_id: _reminder_key(project, m.user_id, period.last_working_day) for m in missing}
    sent = set(OutboundEmail.objects.filter(key__in=keys.values()).values_list("key", "to_email"))
    result = Reminded([], [])
    for membership in missing:
        if (keys[membership.user_id], membership.user.email) in sent:
            result.already.append(membership)
        else:
            _remind(project, membership, cadence=cadence, period=period, today=today)
            result.reminded.append(membership)
    return result


# --- The PM's daily digest (D-LOG-2) -------------------------------------------


def previous_working_day(project: Project, day: datetime.date) -> datetime.date:
    calendar = WorkingCalendar(project, day - datetime.timedelta(days=LOOK_BACK_DAYS), day - datetime.timedelta(days=1))
    days = calendar.working_days()
    return days[-1] if days else day - datetime.timedelta(days=1)


def digest_window(
    project: Project, day: datetime.date, at: datetime.time
) -> tuple[datetime.datetime, datetime.datetime]:
    """From the previous working day's digest time to this one's: every moment belongs to exactly one
    digest, so what was filed over a weekend or a holiday appears in the next working day's."""
    return _at(project, previous_working_day(project, day), at), _at(project, day, at)


@dataclass
class Digest:
    day: datetime.date
    since: datetime.datetime
    until: datetime.datetime
    new_issues: list[Issue]
    new_count: int
    missing: list[Membership]
    overdue: list[Issue]
    overdue_count: int
    with_consultant: list[Issue]
    with_consultant_count: int

    @property
    def is_empty(self) -> bool:
        return not (self.new_count or self.missing or self.overdue_count or self.with_consultant_count)


def overdue_filter(now: datetime.datetime) -> Q:
    """Issue.is_overdue as a query: unresolved and older than its severity's target."""
    unresolved = (
        Issue.Status.NEW,
        Issue.Status.ANALYSING,
        Issue.Status.WITH_CONSULTANT,
        Issue.Status.SOLUTION_PROPOSED,
    )
    by_severity = Q()
    for severity, days in Issue.TARGET_DAYS.items():
        # age_days() > target  ⇔  created before now − (target + 1) days
        by_severity |= Q(severity=severity, created_at__lte=now - datetime.timedelta(days=days + 1))
    return Q(status__in=unresolved) & by_severity


def daily_digest(project: Project, day: datetime.date, now: datetime.datetime) -> Digest:
    settings_row = issue_settings_for(project)
    since, until = digest_window(project, day, settings_row.digest_time)
    issues = Issue.objects.filter(project=project).select_related("project", "reporter", "module", "consultant")
    new = issues.filter(created_at__gte=since, created_at__lt=until).order_by("severity_rank", "number")
    overdue = issues.filter(overdue_filter(now)).order_by("severity_rank", "created_at")
    consultant = issues.filter(status=Issue.Status.WITH_CONSULTANT).order_by("forwarded_at", "number")
    return Digest(
        day=day,
        since=since,
        until=until,
        new_issues=list(new[:LIST_LIMIT]),
        new_count=new.count(),
        missing=missing_reporters(project, day, cadence=settings_row.report_cadence),
        overdue=list(overdue[:LIST_LIMIT]),
        overdue_count=overdue.count(),
        with_consultant=list(consultant[:LIST_LIMIT]),
        with_consultant_count=consultant.count(),
    )


def _due_today(project: Project, now: datetime.datetime, at: datetime.time) -> datetime.date | None:
    """The project-local date if it is a working day and `at` has passed on it, else None."""
    local = _local(project, now)
    today = local.date()
    if local.time() < at or not WorkingCalendar(project, today, today).is_working(today):
        return None
    return today


def responsible_people(project: Project) -> list[Membership]:
    return list(
        Membership.objects.active()
        .filter(project=project, role__in=roles_with(Capability.ISSUES_TRIAGE))
        .select_related("user")
        .order_by("pk")
    )


@transaction.atomic
def digest_send(*, project: Project, now: datetime.datetime) -> int:
    """The daily digest to the PM(s), once per working day after the digest time."""
    today = _due_today(project, now, issue_settings_for(project).digest_time)
    if today is None:
        return 0
    recipients = responsible_people(project)
    if not recipients:
        return 0
    digest = daily_digest(project, today, now)
    for membership in recipients:
        email_queue(
            to=membership.user,
            template="daily-digest",
            project=project,
            key=f"daily-digest:{project.pk}:{today.isoformat()}",
            context={"digest": digest, "list_url": reverse("issues:list", kwargs={"code": project.code})},
        )
    return len(recipients)


# --- The knowledge digest (D-ISS-4) ---------------------------------------------


@transaction.atomic
def knowledge_digest_send(*, project: Project, now: datetime.datetime) -> int:
    """Articles published since the last knowledge digest, to every active member; nothing if none."""
    at = issue_settings_for(project).digest_time
    today = _due_today(project, now, at)
    if today is None:
        return 0
    since, until = digest_window(project, today, at)
    articles = list(
        Article.objects.filter(project=project, published_at__gte=since, published_at__lt=until)
        .select_related("project", "module")
        .order_by("published_at", "pk")
    )
    if not articles:
        return 0
    members = list(Membership.objects.active().filter(project=project).select_related("user").order_by("pk"))
    for membership in members:
        email_queue(
            to=membership.user,
            template="kb-digest",
            project=project,
            key=f"kb-digest:{project.pk}:{today.isoformat()}",
            context={"articles": articles, "articles_url": reverse("issues:articles", kwargs={"code": project.code})},
        )
    return len(members)


# --- Overdue issues to the project's chat groups --------------------------------------------


@transaction.atomic
def overdue_issues_chat(*, project: Project, now: datetime.datetime) -> int:
    """Once per working day, after the digest time: the overdue issues to every chat webhook that
    wants them. The key carries the project-local date: each overdue issue is posted at most once
    a day, and a later tick the same day catches up."""
    today = _due_today(project, now, issue_settings_for(project).digest_time)
    if today is None or not chat_subscribed(project, ChatEvent.OVERDUE_ISSUES):
        return 0
    overdue = Issue.objects.filter(project=project).filter(overdue_filter(now)).select_related("project")
    listed = list(overdue.order_by("severity_rank", "created_at")[:LIST_LIMIT])
    if not listed:
        return 0
    count = len(listed) if len(listed) < LIST_LIMIT else overdue.count()

    def notice() -> ChatNotice:
        lines = [
            _("%(reference)s · %(severity)s · %(days)s days · %(title)s")
            % {
                "reference": issue.reference,
                "severity": issue.get_severity_display(),
                "days": issue.age_days(now),
                "title": issue.title,
            }
            for issue in listed
        ]
        if count > len(listed):
            lines.append(_("… and %(count)s more.") % {"count": count - len(listed)})
        return ChatNotice(
            title=_("%(code)s: %(count)s overdue issues") % {"code": project.code, "count": count},
            lines=lines,
            path=reverse("issues:list", kwargs={"code": project.code}),
            link_text=_("Open the issue list"),
        )

    chat_notify(
        project=project, event=ChatEvent.OVERDUE_ISSUES, fact=f"overdue-issues:{project.pk}:{today}", notice=notice
    )
    return count


def project_mail_due(*, project: Project, now: datetime.datetime | None = None) -> dict[str, int]:
    """Everything the dispatcher checks for one project; each part in its own transaction."""
    now = now or timezone.now()
    return {
        "reminders": reminders_send(project=project, now=now),
        "digest": digest_send(project=project, now=now),
        "knowledge": knowledge_digest_send(project=project, now=now),
        "overdue_chat": overdue_issues_chat(project=project, now=now),
    }


def projects_to_check() -> list[int]:
    return list(Project.objects.exclude(status=Project.Status.CLOSED).order_by("pk").values_list("pk", flat=True))
