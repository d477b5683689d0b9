"""Writes of the issues app. Views, commands and tasks call these; nothing else writes."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from projects.core.models import Project, User
from projects.permissions import Capability
from projects.reporting.dashboard_cache import forget_dashboard

from .calendars import ParsedDay
from .compliance_cache import forget_heat_map
from .holidays import official_days, official_years, years_due
from .models import (
    Article,
    CalendarDay,
    CalendarYear,
    DailyReport,
    Issue,
    IssueEvent,
    IssueSettings,
    Module,
    PointAward,
    Screenshot,
    SupportSession,
)
from .periods import period_end, period_start
from .rollups import issue_day_count_opened, issue_days_refresh
from .screenshots import MAX_PER_ISSUE, CleanImage, clean_screenshot

Status = Issue.Status


class TransitionRefused(ValidationError):
    """The issue is not (or no longer) in a state that allows this step."""


def issue_settings_for(project: Project) -> IssueSettings:
    return IssueSettings.objects.get_or_create(project=project)[0]


# --- Daily reports ----------------------------------------------------------


@dataclass
class IssueDraft:
    title: str
    description: str
    severity: str
    module: Module | None = None
    steps: str = ""
    screenshots: list = field(default_factory=list)


def _report_for(*, project: Project, reporter: User, day: datetime.date) -> DailyReport:
    """The reporter's report for the period containing `day`, created (late, if the period is over) if missing."""
    cadence = issue_settings_for(project).report_cadence
    start = period_start(cadence, day)
    report, created = DailyReport.objects.select_for_update().get_or_create(
        project=project,
        reporter=reporter,
        period_start=start,
        defaults={"cadence": cadence, "is_late": project.local_today() > period_end(cadence, start)},
    )
    if created:
        forget_heat_map(project)
    elif not report.is_open(project.local_today()):
        raise ValidationError(
            _("The report for this period is closed; it can no longer be changed."), code="report_closed"
        )
    return report


@transaction.atomic
def report_no_problems(*, project: Project, reporter: User, day: datetime.date) -> DailyReport:
    """ "No problems today": one tap files the report for the period."""
    report = _report_for(project=project, reporter=reporter, day=day)
    if report.issues.exists():
        raise ValidationError(_("Your report for this period already lists issues."), code="has_issues")
    report.no_problems = True
    report.save(update_fields=["no_problems", "updated_at"])
    return report


@transaction.atomic
def report_add_issue(*, project: Project, reporter: User, day: datetime.date, draft: IssueDraft) -> Issue:
    """File an issue in the reporter's report for the period containing `day`."""
    report = _report_for(project=project, reporter=reporter, day=day)
    if report.no_problems:
        report.no_problems = False
        report.save(update_fields=["no_problems", "updated_at"])
    return issue_create(project=project, reporter=reporter, report=report, draft=draft)


# --- Issues -----------------------------------------------------------------


def _next_issue_number(project: Project) -> int:
    """The next number of the project's issues. The row lock taken by the UPDATE serialises
    concurrent reporters until commit; a rolled-back issue gives its number back."""
    settings_row = issue_settings_for(project)
    IssueSettings.objects.filter(pk=settings_row.pk).update(last_issue_number=F("last_issue_number") + 1)
    return IssueSettings.objects.values_list("last_issue_number", flat=True).get(pk=settings_row.pk)


def clean_screenshots(files: list, *, already: int = 0) -> list[tuple[CleanImage, str]]:
    """Validate every file before anything is stored; raise one error listing every refused file."""
    if already + len(files) > MAX_PER_ISSUE:
        raise ValidationError(
            _("At most %(max)s screenshots per issue.") % {"max": MAX_PER_ISSUE}, code="too_many_screenshots"
        )
    cleaned, errors = [], []
    for upload in files:
        try:
            cleaned.append((clean_screenshot(upload), getattr(upload, "name", "")))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _store_screenshots(issue: Issue, images: list[tuple[CleanImage, str]], uploaded_by: User) -> None:
    for image, original_name in images:
        screenshot = Screenshot(
            issue=issue,
            content_type=image.content_type,
            width=image.width,
            height=image.height,
            size=len(image.content),
            original_name=original_name[:255],
            uploaded_by=uploaded_by,
        )
        screenshot.image.save(f"full{image.extension}", ContentFile(image.content), save=False)
        screenshot.thumbnail.save("thumb.webp", ContentFile(image.thumbnail), save=False)
        screenshot.save()


@transaction.atomic
def issue_create(*, project: Project, reporter: User, report: DailyReport | None, draft: IssueDraft) -> Issue:
    images = clean_screenshots(draft.screenshots)
    if draft.module is not None and draft.module.project_id != project.pk:
        raise ValidationError(_("Choose a module of this project."), code="foreign_module")
    issue = Issue.objects.create(
        project=project,
        number=_next_issue_number(project),
        report=report,
        reporter=reporter,
        title=draft.title,
        description=draft.description,
        module=draft.module,
        severity=draft.severity,
        steps=draft.steps,
    )
    _store_screenshots(issue, images, reporter)
    IssueEvent.objects.create(issue=issue, actor=reporter, kind=IssueEvent.Kind.CREATED, to_status=Status.NEW)
    issue_day_count_opened(project=project, moment=issue.created_at)
    forget_dashboard(project)
    return issue


@transaction.atomic
def issue_add_screenshots(*, issue: Issue, files: list, by: User) -> None:
    images = clean_screenshots(files, already=issue.screenshots.count())
    _store_screenshots(issue, images, by)
    IssueEvent.objects.create(
        issue=issue,
        actor=by,
        kind=IssueEvent.Kind.EDIT,
        text=_("Added %(count)s screenshot(s).") % {"count": len(images)},
    )


def _move(issue: Issue, *, by: User, sources: tuple, target: str, note: str = "", **fields) -> Issue:
    """Move the issue from one of `sources` to `target` with one conditional UPDATE, so of two
    people acting at once only the first succeeds; record who did it."""
    now = timezone.now()
    resolved_before = issue.resolved_at
    moved = Issue.objects.filter(pk=issue.pk, status__in=sources).update(status=target, updated_at=now, **fields)
    if not moved:
        raise TransitionRefused(
            _("This issue is no longer in a state that allows this; reload the page to see its current state."),
            code="stale_state",
        )
    IssueEvent.objects.create(
        issue=issue, actor=by, kind=IssueEvent.Kind.STATUS, from_status=issue.status, to_status=target, text=note
    )
    issue.refresh_from_db()
    if "resolved_at" in fields:
        issue_days_refresh(project=issue.project, moments=[resolved_before, issue.resolved_at])
    forget_dashboard(issue.project)
    return issue


@transaction.atomic
def issue_analyse(*, issue: Issue, by: User, context: str, likely_cause: str, category: str) -> Issue:
    """The PM records what the reporter told them and the likely cause (D-ISS-2)."""
    if not context.strip() or not likely_cause.strip():
        raise ValidationError(_("Write down the context and the likely cause."), code="analysis_required")
    if issue.status == Status.NEW:
        issue = _move(issue, by=by, sources=(Status.NEW,), target=Status.ANALYSING)
    elif issue.status != Status.ANALYSING:
        raise TransitionRefused(_("Only new issues and issues under analysis can be analysed."))
    issue.analysis_context = context
    issue.likely_cause = likely_cause
    issue.category = category
    issue.save(update_fields=["analysis_context", "likely_cause", "category", "updated_at"])
    return issue


def objective_summary(issue: Issue) -> str:
    """The facts of the issue, for the consultant (D-ISS-3): no opinions, nothing but what is known."""
    parts = [
        f"{issue.reference} {issue.title}",
        f"{_('Module')}: {issue.module or '—'} · {_('Severity')}: {issue.get_severity_display()}",
        f"{_('What happened')}:\n{issue.description}",
    ]
    if issue.steps:
        parts.append(f"{_('Steps to reproduce')}:\n{issue.steps}")
    parts.append(f"{_('Context from the reporter')}:\n{issue.analysis_context}")
    parts.append(f"{_('Likely cause')}:\n{issue.likely_cause}")
    return "\n\n".join(parts)


@transaction.atomic
def issue_forward(*, issue: Issue, by: User, consultant: User, summary: str) -> Issue:
    if not issue.analysis_context or not issue.likely_cause:
        raise ValidationError(_("Analyse the issue before forwarding it."), code="analysis_required")
    if not summary.strip():
        raise ValidationError(_("Write the summary for the consultant."), code="summary_required")
    issue = _move(
        issue,
        by=by,
        sources=(Status.ANALYSING,),
        target=Status.WITH_CONSULTANT,
        consultant=consultant,
        forward_summary=summary,
        forwarded_at=timezone.now(),
    )
    _award_points(issue)
    _notify(
        issue,
        template="issue-forwarded",
        recipients=[consultant],
        key=f"issue-forwarded:{issue.pk}:{issue.forwarded_at.timestamp():.0f}",
    )
    return issue


@transaction.atomic
def issue_propose_solution(*, issue: Issue, by: User, solution: str) -> Issue:
    if not solution.strip():
        raise ValidationError(_("Describe the solution."), code="solution_required")
    issue = _move(issue, by=by, sources=(Status.WITH_CONSULTANT,), target=Status.SOLUTION_PROPOSED, solution=solution)
    pms = [m.user for m in issue.project.memberships.active().select_related("user") if m.can(Capability.ISSUES_TRIAGE)]
    _notify(
        issue,
        template="issue-solution",
        recipients=pms,
        key=f"issue-solution:{issue.pk}:{issue.updated_at.timestamp():.0f}",
    )
    return issue


@transaction.atomic
def issue_return_to_consultant(*, issue: Issue, by: User, note: str) -> Issue:
    if not note.strip():
        raise ValidationError(_("Say what the solution still lacks."), code="note_required")
    return _move(issue, by=by, sources=(Status.SOLUTION_PROPOSED,), target=Status.WITH_CONSULTANT, note=note)


@transaction.atomic
def issue_resolve(*, issue: Issue, by: User, cause: str, fix: str) -> Issue:
    """Resolving needs the cause and the fix written down (D-ISS-4); the reporter then confirms."""
    if not cause.strip() or not fix.strip():
        raise ValidationError(_("Write down the cause and the fix."), code="cause_and_fix_required")
    issue = _move(
        issue,
        by=by,
        sources=(Status.ANALYSING, Status.SOLUTION_PROPOSED),
        target=Status.RESOLVED,
        cause=cause,
        fix=fix,
        resolved_at=timezone.now(),
    )
    _award_points(issue)
    _notify(
        issue,
        template="issue-resolved",
        recipients=[issue.reporter],
        key=f"issue-resolved:{issue.pk}:{issue.resolved_at.timestamp():.0f}",
    )
    return issue


@transaction.atomic
def issue_confirm(*, issue: Issue, by: User) -> Issue:
    if by.pk != issue.reporter_id:
        raise TransitionRefused(_("Only the reporter confirms the fix."))
    return _move(issue, by=by, sources=(Status.RESOLVED,), target=Status.CLOSED, closed_at=timezone.now())


@transaction.atomic
def issue_reopen(*, issue: Issue, by: User, reason: str) -> Issue:
    if by.pk != issue.reporter_id:
        raise TransitionRefused(_("Only the reporter reopens the issue."))
    if not reason.strip():
        raise ValidationError(_("Say what still does not work."), code="reason_required")
    return _move(issue, by=by, sources=(Status.RESOLVED,), target=Status.ANALYSING, note=reason, resolved_at=None)


ACTIVE = (Status.NEW, Status.ANALYSING, Status.WITH_CONSULTANT, Status.SOLUTION_PROPOSED)


@transaction.atomic
def issue_defer(*, issue: Issue, by: User, reason: str) -> Issue:
    if not reason.strip():
        raise ValidationError(_("Say why the issue is deferred."), code="reason_required")
    return _move(issue, by=by, sources=ACTIVE, target=Status.DEFERRED, note=reason, status_reason=reason)


@transaction.atomic
def issue_resume(*, issue: Issue, by: User) -> Issue:
    return _move(issue, by=by, sources=(Status.DEFERRED,), target=Status.ANALYSING)


@transaction.atomic
def issue_mark_duplicate(*, issue: Issue, by: User, original: Issue) -> Issue:
    if original.pk == issue.pk or original.project_id != issue.project_id:
        raise ValidationError(_("Choose another issue of this project."), code="bad_original")
    return _move(
        issue,
        by=by,
        sources=(Status.NEW, Status.ANALYSING),
        target=Status.DUPLICATE,
        note=original.reference,
        duplicate_of=original,
    )


@transaction.atomic
def issue_reject(*, issue: Issue, by: User, reason: str) -> Issue:
    if not reason.strip():
        raise ValidationError(_("Say why the issue is rejected."), code="reason_required")
    return _move(
        issue, by=by, sources=(Status.NEW, Status.ANALYSING), target=Status.REJECTED, note=reason, status_reason=reason
    )


class ChangeOutcome:
    ROLLED_OUT = "rolled_out"
    REJECTED = "rejected"


@transaction.atomic
def issue_resolve_by_change(*, issue: Issue | None, change_request, outcome: str, by: User) -> Issue | None:
    """A change request that came from an issue has been rolled out or rejected: the issue is no
    longer a loose end. Rolled out, it is resolved (the reporter confirms, as for any fix); rejected,
    it is rejected with the decision's reason. Either way it names the change request and its
    reporter is told by e-mail, with a link. An issue no longer open is left alone."""
    if issue is None or issue.status not in ACTIVE:
        return issue
    with translation.override(issue.project.default_language):
        facts = {"ref": change_request.reference, "title": change_request.title}
        if outcome == ChangeOutcome.ROLLED_OUT:
            fix = _("Resolved by change request %(ref)s “%(title)s”, rolled out company-wide.") % facts
            issue = _move(
                issue,
                by=by,
                sources=ACTIVE,
                target=Status.RESOLVED,
                note=fix,
                cause=_("A requirement change."),
                fix=fix,
                resolved_at=timezone.now(),
            )
        elif outcome == ChangeOutcome.REJECTED:
            reason = _("The change request %(ref)s “%(title)s” was rejected: %(note)s") % {
                **facts,
                "note": change_request.decision_note,
            }
            issue = _move(issue, by=by, sources=ACTIVE, target=Status.REJECTED, note=reason, status_reason=reason)
        else:
            raise ValueError(outcome)
    from projects.notifications.outbox import email_queue

    email_queue(
        to=issue.reporter,
        template="issue-change-outcome",
        project=issue.project,
        key=f"issue-change-outcome:{issue.pk}:{change_request.pk}:{outcome}",
        context={"issue": issue, "change": change_request, "rolled_out": outcome == ChangeOutcome.ROLLED_OUT},
    )
    return issue


TRACKED_FIELDS = ("title", "severity", "category", "module")


@transaction.atomic
def issue_update(*, issue: Issue, by: User, **values) -> Issue:
    """The PM corrects the facts (title, severity, category, module); every change is in the history."""
    before = Issue.objects.select_for_update().get(pk=issue.pk)
    changes = {}
    for name, value in values.items():
        old = getattr(before, name)
        if old != value:
            label = str(Issue._meta.get_field(name).verbose_name)
            changes[label] = [_display(before, name, old), _display(before, name, value)]
            setattr(before, name, value)
    if changes:
        before.save()
        IssueEvent.objects.create(issue=before, actor=by, kind=IssueEvent.Kind.EDIT, changes=changes)
        forget_dashboard(before.project)
    return before


def _display(issue: Issue, name: str, value) -> str:
    field_ = Issue._meta.get_field(name)
    if field_.choices:
        return str(dict(field_.flatchoices).get(value, value or "—"))
    return str(value) if value not in (None, "") else "—"


@transaction.atomic
def issue_comment(*, issue: Issue, by: User, text: str) -> IssueEvent:
    if not text.strip():
        raise ValidationError(_("The comment is empty."), code="empty")
    Issue.objects.filter(pk=issue.pk).update(updated_at=timezone.now())
    return IssueEvent.objects.create(issue=issue, actor=by, kind=IssueEvent.Kind.COMMENT, text=text)


@transaction.atomic
def issue_record_session(
    *, issue: Issue, by: User, kind: str, held_at: datetime.datetime, duration_minutes: int, notes: str
) -> SupportSession:
    session = SupportSession(
        issue=issue, kind=kind, held_at=held_at, duration_minutes=duration_minutes, notes=notes, recorded_by=by
    )
    session.full_clean()
    session.save()
    IssueEvent.objects.create(
        issue=issue,
        actor=by,
        kind=IssueEvent.Kind.SESSION,
        text=f"{session.get_kind_display()} · {duration_minutes} min\n{notes}",
    )
    return session


def _award_points(issue: Issue) -> None:
    """Points for an issue confirmed as genuine (forwarded or resolved), once; weights per project."""
    points = issue_settings_for(issue.project).points_for(issue.severity)
    PointAward.objects.get_or_create(
        issue=issue, defaults={"project": issue.project, "user_id": issue.reporter_id, "points": points}
    )


def _notify(issue: Issue, *, template: str, recipients: list[User], key: str) -> None:
    from projects.notifications.outbox import email_queue

    for recipient in recipients:
        email_queue(to=recipient, template=template, project=issue.project, key=key, context={"issue": issue})


# --- Knowledge base ---------------------------------------------------------


@transaction.atomic
def article_publish(
    *,
    project: Project,
    by: User,
    title: str,
    symptom: str,
    cause: str,
    solution: str,
    module: Module | None,
    issue: Issue | None = None,
) -> Article:
    if issue is not None and issue.status not in (Status.RESOLVED, Status.CLOSED):
        raise ValidationError(_("Only a resolved issue can become an article."), code="not_resolved")
    if issue is not None and Article.objects.filter(issue=issue).exists():
        raise ValidationError(_("This issue already has an article."), code="already_published")
    article = Article(
        project=project,
        issue=issue,
        title=title,
        symptom=symptom,
        cause=cause,
        solution=solution,
        module=module,
        published_by=by,
    )
    article.full_clean()
    article.save()
    return article


# --- Configuration ----------------------------------------------------------


@transaction.atomic
def calendar_import(*, project: Project, days: list[ParsedDay]) -> int:
    """Add or overwrite the listed days; return how many."""
    for day in days:
        CalendarDay.objects.update_or_create(
            project=project, date=day.date, defaults={"is_working": day.is_working, "name": day.name}
        )
    forget_heat_map(project)
    return len(days)


@transaction.atomic
def calendar_fill_years(*, project: Project, years) -> list[int]:
    """Fill the official days off and make-up working days of `years` that the library knows; return the
    years filled now. Each year is filled once: a day already there (the PM's) is kept as it is, and a
    day the PM removes after the fill is not brought back by a later one."""
    filled = []
    for year in sorted(set(years) & official_years()):
        _record, created = CalendarYear.objects.get_or_create(project=project, year=year)
        if not created:
            continue
        CalendarDay.objects.bulk_create(
            [
                CalendarDay(project=project, date=day.date, is_working=day.is_working, name=day.name)
                for day in official_days(year)
            ],
            ignore_conflicts=True,  # the unique (project, date): a day the PM entered wins
        )
        filled.append(year)
    if filled:
        forget_heat_map(project)
    return filled


def calendar_fill_due(*, project: Project) -> list[int]:
    """Fill this year and the next (in the project's time zone), as far as the library knows them: for a
    new project, and hourly for every open one (`issues.tasks.dispatch_calendar_fill`)."""
    return calendar_fill_years(project=project, years=years_due(project.local_today()))


@transaction.atomic
def calendar_day_set(*, project: Project, date: datetime.date, is_working: bool, name: str) -> CalendarDay:
    day, _created = CalendarDay.objects.update_or_create(
        project=project, date=date, defaults={"is_working": is_working, "name": name}
    )
    forget_heat_map(project)
    return day


@transaction.atomic
def calendar_day_remove(*, project: Project, date: datetime.date) -> None:
    CalendarDay.objects.filter(project=project, date=date).delete()
    forget_heat_map(project)


@transaction.atomic
def issue_settings_update(*, project: Project, **values) -> IssueSettings:
    settings_row = issue_settings_for(project)
    for name, value in values.items():
        setattr(settings_row, name, value)
    settings_row.full_clean()
    settings_row.save()
    forget_heat_map(project)  # the cadence decides when a report is missing
    return settings_row


@transaction.atomic
def module_save(*, project: Project, module: Module | None, name: str, position: int, is_active: bool) -> Module:
    module = module or Module(project=project)
    module.name, module.position, module.is_active = name, position, is_active
    module.full_clean()
    module.save()
    return module
