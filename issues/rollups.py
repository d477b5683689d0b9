"""Per-project per-day rollups of issues (issue 7): the dashboards read `IssueDay` rows instead of
aggregating issues. Kept in the same transaction as the write that changes them: a filing adds one
to its day, a move that sets or clears a resolution recomputes the days it touched from their issues;
`rebuild` repairs a whole project."""

import datetime
import zoneinfo
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate

from projects.core.models import Project

from .models import Issue, IssueDay


def local_day(project: Project, moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(zoneinfo.ZoneInfo(project.time_zone)).date()


def _bounds(project: Project, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    zone = zoneinfo.ZoneInfo(project.time_zone)
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    return start, datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)


def _save(project: Project, rows: list[IssueDay]) -> None:
    IssueDay.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["project", "day"], update_fields=["opened", "resolved"]
    )


def issue_day_count_opened(*, project: Project, moment: datetime.datetime) -> None:
    """One more issue opened on the local day of `moment`: an increment under the row's lock, in
    the filing transaction (exact, and constant time however many issues the day already has; a
    recount read them all). Moves recount their days (`issue_days_refresh`): they are rare, and a
    recount needs no knowledge of the issue's previous resolution time."""
    day = local_day(project, moment)
    if IssueDay.objects.filter(project=project, day=day).update(opened=F("opened") + 1):
        return
    try:
        with transaction.atomic():  # the day's first issue, unless another filing created the row first
            IssueDay.objects.create(project=project, day=day, opened=1, resolved=0)
    except IntegrityError:
        IssueDay.objects.filter(project=project, day=day).update(opened=F("opened") + 1)


def issue_days_refresh(*, project: Project, moments: Iterable[datetime.datetime | None]) -> None:
    """Recount the local days of `moments` (creation or resolution times) from the issues: one
    aggregate over one day's rows per day, then one upsert."""
    days = sorted({local_day(project, moment) for moment in moments if moment is not None})
    rows = []
    for day in days:
        start, end = _bounds(project, day)
        opened_q = Q(created_at__gte=start, created_at__lt=end)
        resolved_q = Q(resolved_at__gte=start, resolved_at__lt=end)
        counts = Issue.objects.filter(opened_q | resolved_q, project=project).aggregate(
            opened=Count("id", filter=opened_q), resolved=Count("id", filter=resolved_q)
        )
        rows.append(IssueDay(project=project, day=day, opened=counts["opened"], resolved=counts["resolved"]))
    if rows:
        _save(project, rows)


def rebuild(project: Project) -> int:
    """Recompute every day of the project (repair, seeding, demo data): two grouped queries."""
    zone = zoneinfo.ZoneInfo(project.time_zone)
    issues = Issue.objects.filter(project=project)
    days: dict[datetime.date, IssueDay] = {}
    for field, attribute in (("created_at", "opened"), ("resolved_at", "resolved")):
        grouped = (
            issues.filter(**{f"{field}__isnull": False})
            .annotate(day=TruncDate(field, tzinfo=zone))
            .values("day")
            .annotate(n=Count("id"))
            .values_list("day", "n")
        )
        for day, n in grouped:
            row = days.setdefault(day, IssueDay(project=project, day=day))
            setattr(row, attribute, n)
    IssueDay.objects.filter(project=project).exclude(day__in=list(days)).delete()
    _save(project, list(days.values()))
    return len(days)


def daily_counts(projects: list, since: datetime.date) -> dict[int, list[tuple[datetime.date, int, int]]]:
    """(day, opened, resolved) from `since` on, per project, for all the projects in one query."""
    rows = IssueDay.objects.filter(project__in=projects, day__gte=since).values_list(
        "project_id", "day", "opened", "resolved"
    )
    result: dict[int, list] = {}
    for project_id, day, opened, resolved in rows:
        result.setdefault(project_id, []).append((day, opened, resolved))
    return result
