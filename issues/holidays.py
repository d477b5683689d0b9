"""The official Chinese public holidays and make-up working days (调休), from the chinese-calendar library.

The library (PyPI `chinesecalendar`) lists, year by year, every day off and every make-up working day
as the General Office of the State Council announces them, each November or December for the next
year. It knows a year only once that notice is out and a release carries it: for a year it does not
know, weekends are days off and every weekday is a working day, and the PM is warned from 1 December
(`years_awaiting_schedule`). Upgrading the library is how a new year arrives; the hourly
`issues.tasks.dispatch_calendar_fill` then fills it into every open project.
"""

import datetime

import chinese_calendar
from chinese_calendar.constants import Holiday
from django.db.models import Count

from projects.core.models import Project

from .calendars import ParsedDay
from .models import CalendarYear

# The names as the State Council's notice prints them (the library shortens three of them).
_NOTICE_NAMES = {"清明": "清明节", "端午": "端午节", "中秋": "中秋节"}
CHINESE_NAMES = {holiday.value: _NOTICE_NAMES.get(holiday.chinese, holiday.chinese) for holiday in Holiday}


def official_years() -> set[int]:
    """The years whose official schedule the installed library knows."""
    return {day.year for day in chinese_calendar.holidays}


def official_days(year: int) -> list[ParsedDay]:
    """The year's days off and make-up working days, named in Chinese (国庆节, 国庆节调休上班); [] for a year
    the library does not know."""
    days = [
        ParsedDay(day, False, CHINESE_NAMES.get(name, name))
        for day, name in chinese_calendar.holidays.items()
        if day.year == year
    ]
    days += [
        ParsedDay(day, True, f"{CHINESE_NAMES.get(name, name)}调休上班")
        for day, name in chinese_calendar.workdays.items()
        if day.year == year
    ]
    return sorted(days, key=lambda day: day.date)


def years_due(today: datetime.date) -> list[int]:
    """The years a project's calendar needs now: this one and the next."""
    return [today.year, today.year + 1]


def years_awaiting_schedule(today: datetime.date) -> list[int]:
    """Years whose official schedule is needed but not known: this year, and from 1 December the next."""
    needed = [today.year, today.year + 1] if today.month == 12 else [today.year]
    known = official_years()
    return [year for year in needed if year not in known]


def projects_to_fill(today: datetime.date) -> list[int]:
    """Open projects missing the official schedule of a due year the library knows (one query)."""
    years = [year for year in years_due(today) if year in official_years()]
    if not years:
        return []
    complete = (
        CalendarYear.objects.filter(year__in=years)
        .values("project")
        .annotate(filled=Count("id"))
        .filter(filled=len(years))
        .values("project")
    )
    projects = Project.objects.exclude(status=Project.Status.CLOSED).exclude(pk__in=complete)
    return list(projects.order_by("pk").values_list("pk", flat=True))
