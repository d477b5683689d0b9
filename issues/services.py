"""Writes of the issues app. Views, commands and tasks call these; nothing else writes."""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from projects.core.models import Project, User
from projects.notifications.outbox import email_queue
from projects.permissions import Capability
from projects.reporting.dashboard_cache import forget_dashboard
from projects.search.text import document
from projects.workflow import TransitionRefused  # noqa: F401 — raised by the workflow, caught by callers

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
    ReportLink,
    Screenshot,
    SupportSession,
)
from .periods import period_end, period_start
from .rollups import issue_day_count_opened, issue_days_refresh
from .screenshots import MAX_PER_ISSUE, CleanImage, clean_screenshot
from .transitions import TRANSITIONS

Status = Issue.Status


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
def report_link_use(*, project: Project, reporter: User, period_start: datetime.date) -> DailyReport:
    """The reminder's one-tap link (issue 19): "no problems" for this reporter's report of the
    period, once per link — a second use is refused, whatever the first one filed."""
    try:
        with transaction.atomic():
            ReportLink.objects.create(user=reporter, project=project, period_start=period_start)
    except IntegrityError:
        raise ValidationError(_("This link has already been used."), code="link_used") from None
    return report_no_problems(project=project, reporter=reporter, day=period_start)


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
    """The reporter (or whoever triages) adds screenshots to an open issue; the history says how many."""
    TRANSITIONS.check(issue, "screenshots", by)
    if not files:
        raise ValidationError(_("Choose at least one screenshot."), code="no_screenshots")
    already = issue.screenshots.count()
    images = clean_screenshots(files, already=already)
    _store_screenshots(issue, images, by)
    _record_edit(issue, by, {"screenshots": [already, already + len(images)]})


def _move(issue: Issue, name: str, *, by: User, **kwargs) -> Issue:
    """Take step `name` of the issue workflow (checked against its table); keep the day rollups
    exact when the resolution moves."""
    resolved_before = issue.resolved_at
    issue = TRANSITIONS.move(issue, name, by=by, **kwargs)
    if "resolved_at" in kwargs:
        issue_days_refresh(project=issue.project, moments=[resolved_before, issue.resolved_at])
    return issue


@transaction.atomic
def issue_analyse(*, issue: Issue, by: User, context: str, likely_cause: str, category: str) -> Issue:
    """The PM records what the reporter told them and the likely cause (D-ISS-2)."""
    TRANSITIONS.check(issue, "analyse", by)
    if not context.strip() or not likely_cause.strip():
        raise ValidationError(_("Write down the context and the likely cause."), code="analysis_required")
    return _move(issue, "analyse", by=by, analysis_context=context, likely_cause=likely_cause, category=category)


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
    TRANSITIONS.check(issue, "forward", by)
    if not issue.analysis_context or not issue.likely_cause:
        raise ValidationError(_("Analyse the issue before forwarding it."), code="analysis_required")
    if not summary.strip():
        raise ValidationError(_("Write the summary for the consultant."), code="summary_required")
    issue = _move(issue, "forward", by=by, consultant=consultant, forward_summary=summary, forwarded_at=timezone.now())
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
    TRANSITIONS.check(issue, "solution", by)
    if not solution.strip():
        raise ValidationError(_("Describe the solution."), code="solution_required")
    issue = _move(issue, "solution", by=by, solution=solution)
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
    TRANSITIONS.check(issue, "return", by)
    if not note.strip():
        raise ValidationError(_("Say what the solution still lacks."), code="note_required")
    return _move(issue, "return", by=by, note=note)


@transaction.atomic
def issue_resolve(*, issue: Issue, by: User, cause: str, fix: str) -> Issue:
    """Resolving needs the cause and the fix written down (D-ISS-4); the reporter then confirms."""
    TRANSITIONS.check(issue, "resolve", by)
    if not cause.strip() or not fix.strip():
        raise ValidationError(_("Write down the cause and the fix."), code="cause_and_fix_required")
    issue = _move(issue, "resolve", by=by, cause=cause, fix=fix, resolved_at=timezone.now())
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
    return _move(issue, "confirm", by=by, closed_at=timezone.now())


@transaction.atomic
def issue_reopen(*, issue: Issue, by: User, reason: str) -> Issue:
    """The reporter says the fix does not work."""
    TRANSITIONS.check(issue, "reopen", by)
    if not reason.strip():
        raise ValidationError(_("Say what still does not work."), code="reason_required")
    return _move(issue, "reopen", by=by, note=reason, resolved_at=None)


@transaction.atomic
def issue_unresolve(*, issue: Issue, by: User, reason: str) -> Issue:
    """Undo a resolution (or a closing) made by mistake: back to analysis, with the reason in the history."""
    TRANSITIONS.check(issue, "unresolve", by)
    if not reason.strip():
        raise ValidationError(_("Say why the issue is reopened."), code="reason_required")
    return _move(issue, "unresolve", by=by, note=reason, resolved_at=None, closed_at=None)


@transaction.atomic
def issue_defer(*, issue: Issue, by: User, reason: str) -> Issue:
    TRANSITIONS.check(issue, "defer", by)
    if not reason.strip():
        raise ValidationError(_("Say why the issue is deferred."), code="reason_required")
    return _move(issue, "defer", by=by, note=reason, status_reason=reason)


@transaction.atomic
def issue_resume(*, issue: Issue, by: User) -> Issue:
    return _move(issue, "resume", by=by)


@transaction.atomic
def issue_mark_duplicate(*, issue: Issue, by: User, original: Issue) -> Issue:
    TRANSITIONS.check(issue, "duplicate", by)
    if original.pk == issue.pk or original.project_id != issue.project_id:
        raise ValidationError(_("Choose another issue of this project."), code="bad_original")
    return _move(issue, "duplicate", by=by, note=original.reference, duplicate_of=original)


@transaction.atomic
def issue_reject(*, issue: Issue, by: User, reason: str) -> Issue:
    TRANSITIONS.check(issue, "reject", by)
    if not reason.strip():
        raise ValidationError(_("Say why the issue is rejected."), code="reason_required")
    return _move(issue, "reject", by=by, note=reason, status_reason=reason)


@transaction.atomic
def issue_correct(*, issue: Issue, by: User, title: str, description: str, category: str) -> Issue:
    """The reporter corrects her issue while it is new (nobody has looked at it yet); the history
    keeps what changed."""
    TRANSITIONS.check(issue, "correct", by)
    if not title.strip() or not description.strip():
        raise ValidationError(_("The title and what happened cannot be empty."), code="required")
    if category and category not in Issue.Category.values:
        raise ValidationError(_("Choose a category from the list."), code="bad_category")
    values = {"title": title, "description": description, "category": category}
    changes = {name: [getattr(issue, name), value] for name, value in values.items() if getattr(issue, name) != value}
    issue = _move(issue, "correct", by=by, search_text=document(issue.project_id, title, description), **values)
    if changes:
        _record_edit(issue, by, changes)
    return issue


class ChangeOutcome:
    ROLLED_OUT = "rolled_out"
    REJECTED = "rejected"


@transaction.atomic
def issue_resolve_by_change(*, issue: Issue | None, change_request, outcome: str, by: User) -> Issue | None:
    """A change request that came from an issue has been rolled out or rejected: the issue is no
    longer a loose end. Rolled out, it is resolved (the reporter confirms, as for any fix); rejected,
    it is rejected with the decision's reason. Either way it names the change request and its
    reporter is told by e-mail, with a link. An issue no longer open is left alone."""
    if issue is None or not TRANSITIONS["change_outcome"].open_on(issue):
        return issue
    with translation.override(issue.project.default_language):
        facts = {"ref": change_request.reference, "title": change_request.title}
        if outcome == ChangeOutcome.ROLLED_OUT:
            fix = _("Resolved by change request %(ref)s “%(title)s”, rolled out company-wide.") % facts
            issue = _move(
                issue,
                "change_outcome",
                by=by,
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
            issue = _move(issue, "change_outcome", by=by, target=Status.REJECTED, note=reason, status_reason=reason)
        else:
            raise ValueError(outcome)
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
            changes[name] = [_fact(old), _fact(value)]
            setattr(before, name, value)
    if changes:
        before.save()
        _record_edit(before, by, changes)
        forget_dashboard(before.project)
    return before


def _fact(value):
    """A value as the history keeps it: a choice's or a text's own value, a related object's name."""
    if isinstance(value, models.Model):
        return str(value)
    return value


def _record_edit(issue: Issue, by: User, changes: dict) -> IssueEvent:
    """One line of history for an edit, as facts: {field: [old, new]}, worded when read."""
    return IssueEvent.objects.create(issue=issue, actor=by, kind=IssueEvent.Kind.EDIT, changes=changes)


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
    TRANSITIONS.check(issue, "session", by)
    session = SupportSession(
        issue=issue, kind=kind, held_at=held_at, duration_minutes=duration_minutes, notes=notes, recorded_by=by
    )
    session.full_clean()
    _move(issue, "session", by=by)
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
    module.full_clean()  # the project has no module of that name (ValidationError)
    try:
        with transaction.atomic():
            module.save()
    except IntegrityError:  # someone added the same name a moment ago
        raise ValidationError({"name": _("This project already has a module of that name.")}) from None
    return module
