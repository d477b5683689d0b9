"""Reads of the issues app shared by views, the digest and the dashboards."""

import datetime
import re
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, Sum
from django.utils import timezone

from projects.core.models import Membership, Project, User
from projects.permissions import Capability, roles_with

from .calendars import WorkingCalendar
from .models import Article, DailyReport, Issue, IssueEvent, PointAward, Screenshot
from .periods import days_of, period_end, period_start
from .services import issue_settings_for

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
WORD = re.compile(r"[A-Za-z0-9]{2,}")
MAX_TERMS = 8


def search_terms(text: str) -> list[str]:
    """Words, and for Chinese (written without spaces) overlapping pairs of characters:
    "导出失败" → 导出, 出失, 失败 — so a title matches an article that shares a phrase."""
    terms = [word.lower() for word in WORD.findall(text)]
    for run in CJK.findall(text):
        terms.extend([run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)])
    return list(dict.fromkeys(terms))[:MAX_TERMS]


def text_query(fields: tuple[str, ...], terms: list[str]) -> Q:
    query = Q()
    for term in terms:
        for name in fields:
            query |= Q(**{f"{name}__icontains": term})
    return query


def _rank(text: str, terms: list[str]) -> int:
    lowered = text.lower()
    return sum(term in lowered for term in terms)


@dataclass
class Suggestions:
    articles: list
    issues: list


def suggestions(membership: Membership, text: str, limit: int = 5) -> Suggestions:
    """Knowledge-base articles and open issues that look like what the user is typing ("is it this?")."""
    terms = search_terms(text)
    if not terms or len("".join(terms)) < 2:
        return Suggestions([], [])
    articles = Article.objects.filter(text_query(("title", "symptom"), terms), project=membership.project_id).only(
        "id", "title", "symptom", "project_id"
    )[:50]
    issues = (
        Issue.objects.visible_to(membership)
        .open()
        .filter(text_query(("title",), terms))
        .only("id", "number", "title", "status", "project_id")[:50]
    )
    return Suggestions(
        articles=sorted(articles, key=lambda a: -_rank(f"{a.title} {a.symptom}", terms))[:limit],
        issues=sorted(issues, key=lambda i: -_rank(i.title, terms))[:limit],
    )


@dataclass
class ReportPage:
    cadence: str
    period_start: datetime.date
    period_end: datetime.date
    report: DailyReport | None
    is_open: bool
    is_late: bool
    working: bool
    missed: list[datetime.date]


MISSED_LOOK_BACK = 14  # periods


def report_page(project: Project, reporter, day: datetime.date, joined: datetime.date | None) -> ReportPage:
    """`joined`: when the reporter's membership began (no missed reports before it)."""
    cadence = issue_settings_for(project).report_cadence
    start = period_start(cadence, day)
    end = period_end(cadence, start)
    today = project.local_today()
    report = (
        DailyReport.objects.filter(project=project, reporter=reporter, period_start=start)
        .prefetch_related(
            Prefetch("issues", queryset=Issue.objects.select_related("module").order_by("number")),
        )
        .first()
    )
    # One calendar (one query) for this period and the recent ones checked for missed reports.
    look_back_start = today - datetime.timedelta(days=MISSED_LOOK_BACK * 31)
    calendar = WorkingCalendar(project, min(start, look_back_start), max(end, today))
    return ReportPage(
        cadence=cadence,
        period_start=start,
        period_end=end,
        report=report,
        is_open=report is None or report.is_open(today),
        is_late=today > end,
        working=bool(calendar.working_days(start, end)),
        missed=missed_periods(project, reporter, today, cadence, joined or today, calendar),
    )


def missed_periods(
    project: Project, reporter, today: datetime.date, cadence: str, joined: datetime.date, calendar: WorkingCalendar
) -> list:
    """Recent past periods with a working day and no report by this reporter, newest first
    (`calendar` covers the last `MISSED_LOOK_BACK` periods)."""
    current = period_start(cadence, today)
    starts, day = [], current
    while len(starts) < MISSED_LOOK_BACK:
        day = period_start(cadence, day - datetime.timedelta(days=1))
        starts.append(day)
    filed = set(
        DailyReport.objects.filter(project=project, reporter=reporter, period_start__in=starts).values_list(
            "period_start", flat=True
        )
    )
    return [
        start
        for start in starts
        if start not in filed
        and period_end(cadence, start) >= joined
        and any(calendar.is_working(d) for d in days_of(cadence, start))
    ][:5]


def issue_detail_queryset(membership: Membership):
    """An issue page's issue. Neither the project (the membership's) nor the issue it duplicates
    (`duplicate_of`, rare; read on its own) is joined: with the project PostgreSQL spent ~3 ms
    planning an eight-table join for one row, and the self-join alone cost ~0.9 ms a page."""
    return (
        Issue.objects.visible_to(membership)
        .select_related("module", "reporter", "consultant", "article")
        .prefetch_related(
            Prefetch("screenshots", queryset=Screenshot.objects.order_by("created_at", "id")),
            Prefetch("events", queryset=IssueEvent.objects.select_related("actor")),
            "sessions",
        )
    )


def consultants_of(project: Project):
    return User.objects.filter(
        memberships__in=Membership.objects.active().filter(
            project=project, role__in=roles_with(Capability.ISSUES_RESPOND)
        )
    ).order_by("full_name")


@dataclass
class LeaderboardRow:
    user_id: int
    name: str
    points: int
    issues: int


def leaderboard(project: Project, month: datetime.date, limit: int = 20) -> list[LeaderboardRow]:
    """Points earned in the month, most first (D-LOG-5)."""
    start = month.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    # The month's bounds as moments (not `awarded_at__date`): a range on the (project, awarded_at) index.
    zone = timezone.get_current_timezone()
    since, until = (datetime.datetime.combine(day, datetime.time.min, tzinfo=zone) for day in (start, end))
    rows = (
        PointAward.objects.filter(project=project, awarded_at__gte=since, awarded_at__lt=until)
        .values("user_id", "user__full_name")
        .annotate(points=Sum("points"), issues=Count("id"))
        .order_by("-points", "user__full_name")[:limit]
    )
    return [LeaderboardRow(r["user_id"], r["user__full_name"], r["points"], r["issues"]) for r in rows]
