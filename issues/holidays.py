"""The Chinese public holidays and make-up working days (调休) of 2026, for new and demo projects.

As announced by the General Office of the State Council (关于2026年部分节假日安排的通知):
元旦 1/1–1/3 off, 1/4 (Sun) on; 春节 2/15–2/23 off, 2/14 (Sat) and 2/28 (Sat) on; 清明节 4/4–4/6 off;
劳动节 5/1–5/5 off, 5/9 (Sat) on; 端午节 6/19–6/21 off; 中秋节 9/25–9/27 off;
国庆节 10/1–10/7 off, 9/20 (Sun) and 10/10 (Sat) on.
"""

import datetime

from projects.core.models import Project

from .calendars import ParsedDay
from .services import calendar_import

# (holiday, first day off, last day off, make-up working days) — names as Chinese calendars print them.
CHINA_2026 = [
    ("元旦", (1, 1), (1, 3), [(1, 4)]),
    ("春节", (2, 15), (2, 23), [(2, 14), (2, 28)]),
    ("清明节", (4, 4), (4, 6), []),
    ("劳动节", (5, 1), (5, 5), [(5, 9)]),
    ("端午节", (6, 19), (6, 21), []),
    ("中秋节", (9, 25), (9, 27), []),
    ("国庆节", (10, 1), (10, 7), [(9, 20), (10, 10)]),
]


def china_2026_days() -> list[ParsedDay]:
    days = []
    for chinese, first, last, make_up in CHINA_2026:
        day, end = datetime.date(2026, *first), datetime.date(2026, *last)
        while day <= end:
            days.append(ParsedDay(day, False, chinese))
            day += datetime.timedelta(days=1)
        days.extend(ParsedDay(datetime.date(2026, *date), True, f"{chinese}调休上班") for date in make_up)
    return days


def seed_calendar(project: Project) -> int:
    """Load the 2026 Chinese holidays and make-up working days into the project's calendar."""
    return calendar_import(project=project, days=china_2026_days())
