"""Who is expected to file, who did, who did not (D-LOG-1, D-LOG-3, D-LOG-4).

A member is expected to report when their role has `Capability.REPORTS_EXPECTED`,
their membership covers the day (active_from … active_until, not yet ended, account
active) and the day is a working day of the project's calendar. With a weekly or
monthly cadence one report is expected per period that contains a working day on
which the member was active.

Every function reads with a fixed number of queries, whatever the number of
members or reports: memberships once, calendar exceptions once, reports once.
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Q
from django.utils.translation import gettext as _

from projects.core.models import Membership, Project
from projects.permissions import Capability, roles_with

from .calendars import WorkingCalendar
from .compliance_cache import HEAT_MAP_CACHE_SECONDS, heat_map_key
from .models import DailyReport
from .periods import Cadence, days_of, period_end, period_start
from .services import issue_settings_for

WINDOW_WORKING_DAYS = 30


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    working_days: tuple[datetime.date, ...]

    @property
    def last_working_day(self) -> datetime.date | None:
        return self.working_days[-1] if self.working_days else None


def period_containing(cadence: str, day: datetime.date, calendar: WorkingCalendar) -> Period:
    start = period_start(cadence, day)
    return Period(
        start, period_end(cadence, start), tuple(d for d in days_of(cadence, start) if calendar.is_working(d))
    )


def ended_on(membership: Membership, project: Project) -> datetime.date | None:
    """The project-local day a membership was ended on (not expected from that day on)."""
    if membership.ended_at is None:
        return None
    return membership.ended_at.astimezone(zoneinfo.ZoneInfo(project.time_zone)).date()


def active_on(membership: Membership, project: Project, day: datetime.date) -> bool:
    ended = ended_on(membership, project)
    return (
        membership.active_from <= day
        and (membership.active_until is None or membership.active_until >= day)
        and (ended is None or ended > day)
    )


def reporter_memberships(project: Project, start: datetime.date, end: datetime.date) -> list[Membership]:
    """Memberships of people expected to report that overlap [start, end], with their users: one query."""
    return list(
        Membership.objects.filter(
            Q(active_until__isnull=True) | Q(active_until__gte=start),
            # A day's margin: the day it ended is decided in the project's time zone below.
            Q(ended_at__isnull=True) | Q(ended_at__date__gte=start - datetime.timedelta(days=1)),
            project=project,
            role__in=roles_with(Capability.REPORTS_EXPECTED),
            active_from__lte=end,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("department", "user__full_name", "pk")
    )


def expected_in(membership: Membership, project: Project, period: Period) -> bool:
    return any(active_on(membership, project, day) for day in period.working_days)


def expected_reporters(project: Project, day: datetime.date, *, cadence: str | None = None) -> list[Membership]:
    """Memberships expected to file for the period (under the project's cadence) that contains `day`."""
    cadence = cadence or issue_settings_for(project).report_cadence
    start = period_start(cadence, day)
    calendar = WorkingCalendar(project, start, period_end(cadence, start))
    period = period_containing(cadence, day, calendar)
    if not period.working_days:
        return []
    return [m for m in reporter_memberships(project, period.start, period.end) if expected_in(m, project, period)]


def _reports_covering(project: Project, start: datetime.date, end: datetime.date, user_ids=None) -> dict:
    """{(user id, day): is_late} for every day in [start, end] covered by a report; on time wins over late.

    A report covers the days of its own period, whatever the cadence is today, so a
    change of cadence does not turn earlier reports into gaps."""
    # A weekly or monthly report that began before `start` may still cover it.
    reaches_in = (
        Q(period_start__gte=start)
        | Q(cadence=Cadence.WEEKLY, period_start__gte=start - datetime.timedelta(days=6))
        | Q(cadence=Cadence.MONTHLY, period_start__gte=start - datetime.timedelta(days=30))
    )
    # The loosest of those bounds, stated on its own, lets PostgreSQL read a range of the
    # (project, period) index instead of every report of the project.
    reports = DailyReport.objects.filter(
        reaches_in, project=project, period_start__gte=start - datetime.timedelta(days=30), period_start__lte=end
    )
    if user_ids is not None:
        reports = reports.filter(reporter__in=user_ids)
    covered: dict[tuple[int, datetime.date], bool] = {}
    for reporter_id, start_day, cadence, is_late in reports.values_list(
        "reporter_id", "period_start", "cadence", "is_late"
    ):
        for day in days_of(cadence, start_day):
            if start <= day <= end:
                key = (reporter_id, day)
                covered[key] = covered.get(key, True) and is_late
    return covered


FILED, LATE, MISSING = "filed", "late", "missing"


def _state(covered: dict, user_id: int, period: Period) -> str:
    states = [covered[(user_id, day)] for day in days_of_period(period) if (user_id, day) in covered]
    if not states:
        return MISSING
    return LATE if all(states) else FILED


def days_of_period(period: Period) -> list[datetime.date]:
    return [period.start + datetime.timedelta(days=n) for n in range((period.end - period.start).days + 1)]


def missing_reporters(project: Project, day: datetime.date, *, cadence: str | None = None) -> list[Membership]:
    """Those expected for the period containing `day` who have filed nothing for it yet."""
    cadence = cadence or issue_settings_for(project).report_cadence
    start = period_start(cadence, day)
    end = period_end(cadence, start)
    expected = expected_reporters(project, day, cadence=cadence)
    if not expected:
        return []
    covered = _reports_covering(project, start, end, user_ids=[m.user_id for m in expected])
    period = Period(start, end, ())
    return [m for m in expected if _state(covered, m.user_id, period) == MISSING]


# --- The compliance page ----------------------------------------------------------


@dataclass
class Share:
    expected: int = 0
    filed: int = 0
    late: int = 0

    @property
    def missed(self) -> int:
        return self.expected - self.filed

    @property
    def percent(self) -> int | None:
        return round(100 * self.filed / self.expected) if self.expected else None


@dataclass
class PersonRow:
    membership: Membership
    share: Share
    # One mark per expected period, oldest first: FILED, LATE or MISSING.
    marks: list[tuple[Period, str]] = field(default_factory=list)


@dataclass
class DepartmentRow:
    name: str
    people: int
    share: Share


@dataclass
class Compliance:
    today: datetime.date
    cadence: str
    current: Period
    missing_now: list[Membership]
    filed_now: int
    expected_now: int
    window_start: datetime.date | None
    window_end: datetime.date | None
    periods: list[Period]
    people: list[PersonRow]
    departments: list[DepartmentRow]
    total: Share


def compliance(project: Project, today: datetime.date) -> Compliance:
    """Today's missing reporters and, per person and department, the share of expected reports
    filed over the completed periods that hold the last 30 working days. Four queries."""
    cadence = issue_settings_for(project).report_cadence
    current_start = period_start(cadence, today)
    calendar = WorkingCalendar(
        project, current_start - datetime.timedelta(days=WINDOW_WORKING_DAYS * 3 + 40), period_end(cadence, today)
    )
    current = period_containing(cadence, today, calendar)
    window_days = calendar.working_days(calendar.start, current_start - datetime.timedelta(days=1))[
        -WINDOW_WORKING_DAYS:
    ]
    periods: list[Period] = []
    for day in window_days:
        if not periods or day > periods[-1].end:
            periods.append(period_containing(cadence, day, calendar))
    window_start = periods[0].start if periods else current.start
    memberships = reporter_memberships(project, window_start, current.end)
    covered = _reports_covering(project, window_start, current.end)

    people, departments, total = [], {}, Share()
    for membership in memberships:
        share, marks = Share(), []
        for period in periods:
            if not expected_in(membership, project, period):
                continue
            state = _state(covered, membership.user_id, period)
            marks.append((period, state))
            share.expected += 1
            share.filed += state != MISSING
            share.late += state == LATE
        people.append(PersonRow(membership, share, marks))
        name = membership.department or _("No department")
        row = departments.setdefault(name, DepartmentRow(name, 0, Share()))
        row.people += 1
        for target in (row.share, total):
            target.expected += share.expected
            target.filed += share.filed
            target.late += share.late

    expected_now = [m for m in memberships if current.working_days and expected_in(m, project, current)]
    missing_now = [m for m in expected_now if _state(covered, m.user_id, current) == MISSING]
    return Compliance(
        today=today,
        cadence=cadence,
        current=current,
        missing_now=missing_now,
        filed_now=len(expected_now) - len(missing_now),
        expected_now=len(expected_now),
        window_start=window_start if periods else None,
        window_end=periods[-1].end if periods else None,
        periods=periods,
        people=sorted(
            people, key=lambda r: (r.share.percent if r.share.percent is not None else 101, r.membership.user.full_name)
        ),
        departments=sorted(
            departments.values(), key=lambda r: (r.share.percent if r.share.percent is not None else 101, r.name)
        ),
        total=total,
    )


# --- The dashboard's heat map -------------------------------------------------------

HEAT_MAP_DAYS = 20
HEAT_MAP_PEOPLE = 25


@dataclass(frozen=True)
class HeatMap:
    """Reporters × the last completed working days: per cell FILED, LATE, MISSING or "" (not
    expected that day, or a weekly or monthly period not over yet). The people with the most
    missed days first, at most `HEAT_MAP_PEOPLE` of `reporters`."""

    days: list[datetime.date]
    people: list[tuple[str, tuple[str, ...]]]  # name, a state per day
    reporters: int


def heat_map(project: Project, today: datetime.date) -> HeatMap:
    """The heat map as of `today`, from the cache when a dashboard read it in the last minutes."""
    key = heat_map_key(project.pk, today)
    data = cache.get(key)
    if data is None:
        data = heat_map_read(project, today)
        cache.set(key, data, HEAT_MAP_CACHE_SECONDS)
    return data


def heat_map_read(project: Project, today: datetime.date) -> HeatMap:
    """Four queries: the cadence, calendar exceptions, reporters, their reports in the window."""
    # A weekly or monthly report is not missing before its period is over.
    due_before = period_start(issue_settings_for(project).report_cadence, today)
    yesterday = today - datetime.timedelta(days=1)
    calendar = WorkingCalendar(project, yesterday - datetime.timedelta(days=HEAT_MAP_DAYS * 3 + 30), yesterday)
    days = calendar.working_days()[-HEAT_MAP_DAYS:]
    if not days:
        return HeatMap([], [], 0)
    covered = _reports_covering(project, days[0], days[-1])
    rows = []
    for membership in reporter_memberships(project, days[0], days[-1]):
        states = tuple(_day_state(covered, membership, project, day, due_before) for day in days)
        if any(states):
            rows.append((str(membership.user), states))
    rows.sort(key=lambda row: (-row[1].count(MISSING), -row[1].count(LATE), row[0]))
    return HeatMap(days, rows[:HEAT_MAP_PEOPLE], len(rows))


def _day_state(covered: dict, membership: Membership, project: Project, day: datetime.date, due_before) -> str:
    if not active_on(membership, project, day):
        return ""
    is_late = covered.get((membership.user_id, day))
    if is_late is None:
        return MISSING if day < due_before else ""
    return LATE if is_late else FILED
