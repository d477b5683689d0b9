"""Weekly status reports (D-RPT-1, D-RPT-2): drafted ahead, sent on time with or without a
narrative, each recipient in their own language, kept as an immutable snapshot."""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from projects.core.models import Membership, Project, User
from projects.notifications.outbox import email_queue
from projects.notifications.services import status_report_notify
from projects.permissions import LEADERSHIP_ROLES, Capability
from projects.registry import AMBER, GREEN, RED, report_sections
from projects.reporting.cards import card_figures
from projects.reporting.models import StatusReport, StatusSnapshot

SEVERITY = {GREEN: 0, AMBER: 1, RED: 2}


def week_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


@dataclass(frozen=True)
class Schedule:
    period_start: datetime.date
    draft_at: datetime.datetime
    send_at: datetime.datetime


def schedule_for(project: Project, now: datetime.datetime | None = None) -> Schedule:
    """This week's sending time, in the project's time zone."""
    zone = zoneinfo.ZoneInfo(project.time_zone)
    today = (now or timezone.now()).astimezone(zone).date()
    start = week_of(today)
    day = start + datetime.timedelta(days=project.report_weekday)
    send_at = datetime.datetime.combine(day, project.report_time, tzinfo=zone)
    return Schedule(start, send_at - datetime.timedelta(hours=project.report_draft_hours), send_at)


def build(project: Project, period_start: datetime.date, language: str) -> dict:
    """Every section, in `language`; overall is the worst dimension (docs/status-rules.md)."""
    end = period_start + datetime.timedelta(days=6)
    with translation.override(language):
        sections = []
        for section in report_sections:
            content = section.build(project, period_start, end)
            sections.append({"key": section.key, "label": str(section.label), **content})
    colours = [s["status"] for s in sections if s["status"]]
    overall = max(colours, key=SEVERITY.get) if colours else GREEN
    return {"overall": overall, "sections": sections}


def recipients(project: Project) -> list[User]:
    """Sponsor, executives and steering members by default; the PM can add or remove anyone."""
    memberships = Membership.objects.active().filter(project=project).select_related("user")
    return [
        m.user for m in memberships if m.receives_reports or (m.receives_reports is None and m.role in LEADERSHIP_ROLES)
    ]


def _languages(project: Project, people: list[User]) -> set[str]:
    return {project.default_language, *(person.language for person in people)}


@transaction.atomic
def status_report_draft(*, project: Project, period_start: datetime.date) -> StatusReport:
    """The week's draft (created once); the PM is told so they can add a narrative."""
    report, created = StatusReport.objects.get_or_create(project=project, period_start=period_start)
    if created:
        report.figures = {project.default_language: build(project, period_start, project.default_language)}
        report.overall = report.figures[project.default_language]["overall"]
        report.save(update_fields=["figures", "overall"])
        for pm in _pms(project):
            email_queue(
                to=pm,
                template="status-report-draft",
                project=project,
                key=f"status-report-draft:{project.pk}:{period_start}",
                context={"report": report, "send_at": schedule_for(project).send_at},
            )
    return report


def _pms(project: Project) -> list[User]:
    memberships = Membership.objects.active().filter(project=project).select_related("user")
    return [m.user for m in memberships if m.can(Capability.REPORTS_MANAGE)]


@transaction.atomic
def status_report_narrate(*, report: StatusReport, narrative: str) -> StatusReport:
    if report.state == StatusReport.State.SENT:
        raise ValidationError(_("A sent report cannot be changed."), code="sent")
    report.narrative = narrative
    report.save(update_fields=["narrative"])
    return report


@transaction.atomic
def status_report_send(*, project: Project, period_start: datetime.date) -> StatusReport:
    """Freeze the figures and send them. Sending the same week twice sends nothing more."""
    try:
        with transaction.atomic():
            report, _created = StatusReport.objects.get_or_create(project=project, period_start=period_start)
    except IntegrityError:
        report = StatusReport.objects.get(project=project, period_start=period_start)
    report = StatusReport.objects.select_for_update().get(pk=report.pk)
    if report.state == StatusReport.State.SENT:
        return report
    people = recipients(project)
    report.figures = {language: build(project, period_start, language) for language in _languages(project, people)}
    report.overall = report.figures[project.default_language]["overall"]
    report.state = StatusReport.State.SENT
    report.sent_at = timezone.now()
    report.save()
    for person in people:
        email_queue(
            to=person,
            template="status-report",
            project=project,
            key=f"status-report:{project.pk}:{period_start}",
            context={"report": report, "figures": report.figures[person.language]},
        )
    status_report_notify(report, lambda language: figures_for(report, language))
    return report


def status_reports_dispatch(*, project: Project, now: datetime.datetime | None = None) -> str:
    """Called every few minutes: draft when it is time, send when it is time. A missed tick
    catches up within the week; a doubled tick does nothing."""
    if project.status == Project.Status.CLOSED:
        return ""
    now = now or timezone.now()
    plan = schedule_for(project, now)
    if now >= plan.send_at:
        status_report_send(project=project, period_start=plan.period_start)
        return "sent"
    if now >= plan.draft_at:
        status_report_draft(project=project, period_start=plan.period_start)
        return "drafted"
    return ""


def figures_for(report: StatusReport, language: str) -> dict:
    return (
        report.figures.get(language)
        or report.figures.get(report.project.default_language)
        or next(iter(report.figures.values()), {"overall": "", "sections": []})
    )


def status_snapshots_refresh(*, projects: list[Project], language: str) -> dict[int, StatusSnapshot]:
    """Recompute this week's live status of each project in `language` and store it (the
    portfolio's rollup); idempotent, one upsert for all of them."""
    snapshots = []
    cards = card_figures(projects, timezone.localdate())
    for project in projects:
        period_start = week_of(project.local_today())
        built = build(project, period_start, language)
        # Only what the portfolio shows: decoding each section's item lists for 50 projects
        # on every view cost more than the rest of the page's reads.
        built["sections"] = [
            {key: section.get(key) for key in ("key", "label", "status", "summary")} for section in built["sections"]
        ]
        built["card"] = cards[project.pk]
        snapshots.append(
            StatusSnapshot(
                project=project,
                language=language,
                period_start=period_start,
                overall=built["overall"],
                figures=built,
                built_at=timezone.now(),
            )
        )
    StatusSnapshot.objects.bulk_create(
        snapshots,
        update_conflicts=True,
        unique_fields=["project", "language"],
        update_fields=["period_start", "overall", "figures", "built_at"],
    )
    return {snapshot.project_id: snapshot for snapshot in snapshots}
