"""Reads of the issues app shared by views, the digest and the dashboards."""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.db.models import Case, Count, FloatField, Max, Prefetch, Q, Sum, Value, When
from django.utils import timezone

from projects.core.models import Membership, Project, User
from projects.permissions import Capability, roles_with

from . import text
from .calendars import WorkingCalendar
from .models import Article, DailyReport, Issue, IssueEvent, PointAward, Screenshot
from .periods import days_of, period_end, period_start
from .services import issue_settings_for

# Suggestions while a title is typed ("is it one of these?").
SUGGEST_WORDS = 8  # of the new title's words, the first
SUGGEST_CANDIDATES = 40  # of each kind, read best first by a rough score in the database
# A candidate must hold at least half of the new title (its words weighted by rarity) through two
# or more of its words, or 60 % through one: a short title ("报价单乱码") can be matched on its telling
# word, a longer one never on one word alone (a title about 赢单 amounts is not about reaching 赢单).
# Measured on issues/tests/suggestion_cases.py: right matches hold 62–100 %, two shared words
# between unrelated titles ("商机阶段名称翻译" and "商机阶段无法推进到赢单") about 40 %.
SUGGEST_MIN_SHARE = 0.5
SUGGEST_ONE_WORD_SHARE = 0.6
# Duplicates and rejected issues are no answer: the original is, or there was no problem.
SUGGEST_SKIPPED = (Issue.Status.DUPLICATE, Issue.Status.REJECTED)
SOLVED = (Issue.Status.RESOLVED, Issue.Status.CLOSED)


@dataclass
class Suggestion:
    title: str
    share: float  # of the new title found in this one
    article: Article | None = None
    issue: Issue | None = None


@dataclass
class Suggestions:
    items: list[Suggestion]


def suggestions(membership: Membership, title: str, limit: int = 5) -> Suggestions:
    """Knowledge-base articles and issues that look like the title being typed, each once, the
    closest first: ranked by the share of the new title's words — weighted by how rare each is among
    the project's titles — that a candidate's title holds. Five queries, however much matches."""
    asked = text.words(title[: Issue._meta.get_field("title").max_length])[:SUGGEST_WORDS]
    if not asked:
        return Suggestions([])
    project = membership.project_id
    weights = _word_weights(project, asked)
    hits = _rough_score(weights)
    articles = (
        Article.objects.filter(project=project)
        .annotate(hits=hits)
        .filter(hits__gt=0)
        .order_by("-hits", "-published_at", "-id")
        .only("id", "title", "issue_id", "project_id")[:SUGGEST_CANDIDATES]
    )
    # Issues by title: a problem that keeps coming back is filed under one title many times; each
    # title is read once, as its latest solved issue (or its latest issue).
    groups = list(
        Issue.objects.visible_to(membership)
        .exclude(status__in=SUGGEST_SKIPPED)
        .values("title")
        .annotate(hits=hits, solved=Max("pk", filter=Q(status__in=SOLVED)), latest=Max("pk"))
        .filter(hits__gt=0)
        .order_by("-hits", "-latest")[:SUGGEST_CANDIDATES]
    )
    chosen = [group["solved"] or group["latest"] for group in groups]
    issues = Issue.objects.filter(pk__in=chosen).only("id", "number", "title", "status", "project_id") if chosen else []
    found = [Suggestion(a.title, 0.0, article=a) for a in articles] + [
        Suggestion(i.title, 0.0, issue=i) for i in issues
    ]
    ranked = []
    for item in found:
        match = text.match(weights, item.title)
        close = match.share >= SUGGEST_ONE_WORD_SHARE or (match.shared >= 2 and match.share >= SUGGEST_MIN_SHARE)
        if close:
            item.share = match.share
            solved = item.article is not None or item.issue.status in SOLVED
            ranked.append(((match.share, match.coverage, item.article is not None, solved), item))
    ranked.sort(key=lambda pair: pair[0], reverse=True)
    published = {item.article.issue_id for _, item in ranked if item.article}
    seen, items = set(), []
    for _, item in ranked:
        key = _title_key(item.title)
        if key in seen or (item.issue and item.issue.pk in published):
            continue
        seen.add(key)
        items.append(item)
    return Suggestions(items[:limit])


def _word_weights(project_id: int, asked: list[str]) -> dict[str, float]:
    """Each word's weight: its IDF among the project's issue and article titles (two queries)."""
    counts = {f"w{i}": Count("pk", filter=Q(title__icontains=word)) for i, word in enumerate(asked)}
    issues = Issue.objects.filter(project=project_id).aggregate(titles=Count("pk"), **counts)
    articles = Article.objects.filter(project=project_id).aggregate(titles=Count("pk"), **counts)
    titles = issues["titles"] + articles["titles"]
    return {word: text.idf(titles, issues[f"w{i}"] + articles[f"w{i}"]) for i, word in enumerate(asked)}


def _rough_score(weights: dict[str, float]):
    """In SQL, the weight of the new title's words found in a title (a word found in part, by the
    part's length): orders the candidates so that the best are read, not merely the first."""
    score = Value(0.0)
    for word, weight in weights.items():
        parts = sorted((t for t in text.terms(word) if t != word), key=len, reverse=True)
        whens = [When(title__icontains=word, then=Value(weight))] + [
            When(title__icontains=part, then=Value(weight * len(part) / len(word))) for part in parts
        ]
        score = score + Case(*whens, default=Value(0.0), output_field=FloatField())
    return score


def _title_key(title: str) -> str:
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", title).lower())


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
