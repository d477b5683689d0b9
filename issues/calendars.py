"""The working-day calendar of a project: weekends off, public holidays off, make-up days (调休) on.

A CSV or iCalendar file can be imported. CSV columns: date, type, name — type is
"holiday" / "休" for a day off, "workday" / "班" for a make-up working day. In an
iCalendar file each event is a day off unless its summary marks a working day
("班", "补班", "上班", "workday", "working day"), as Chinese holiday calendars do.
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import CalendarDay

WORKDAY_WORDS = ("补班", "上班", "班", "workday", "working day", "make-up")
HOLIDAY_WORDS = ("holiday", "off", "休", "假")
MAX_IMPORT_DAYS = 1000


class WorkingCalendar:
    """Answers "is this a working day?" for one project over a range, with one query."""

    def __init__(self, project, start: datetime.date, end: datetime.date):
        self.start, self.end = start, end
        self.exceptions = dict(
            CalendarDay.objects.filter(project=project, date__range=(start, end)).values_list("date", "is_working")
        )

    def is_working(self, day: datetime.date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        return day.weekday() < 5

    def working_days(self, start: datetime.date | None = None, end: datetime.date | None = None) -> list:
        start, end = start or self.start, end or self.end
        days = (start + datetime.timedelta(days=offset) for offset in range((end - start).days + 1))
        return [day for day in days if self.is_working(day)]


def is_working_day(project, day: datetime.date) -> bool:
    return WorkingCalendar(project, day, day).is_working(day)


def last_working_days(project, until: datetime.date, count: int) -> list[datetime.date]:
    """The `count` most recent working days up to and including `until`, oldest first."""
    calendar = WorkingCalendar(project, until - datetime.timedelta(days=count * 3 + 30), until)
    return calendar.working_days()[-count:]


@dataclass(frozen=True)
class ParsedDay:
    date: datetime.date
    is_working: bool
    name: str


def _kind_is_working(text: str) -> bool | None:
    lowered = text.strip().lower()
    if any(word in lowered for word in WORKDAY_WORDS):
        return True
    if any(word in lowered for word in HOLIDAY_WORDS):
        return False
    return None


def parse_csv(content: str) -> list[ParsedDay]:
    days, errors = [], []
    for line_number, row in enumerate(csv.reader(io.StringIO(content)), start=1):
        if not row or not "".join(row).strip() or row[0].strip().lower() in {"date", "日期"}:
            continue
        try:
            day = datetime.date.fromisoformat(row[0].strip())
        except ValueError:
            errors.append(
                _("Line %(line)s: “%(value)s” is not a date like 2026-10-01.") % {"line": line_number, "value": row[0]}
            )
            continue
        working = _kind_is_working(row[1]) if len(row) > 1 else False
        if working is None:
            errors.append(
                _("Line %(line)s: say “holiday” or “workday” (休 / 班), not “%(value)s”.")
                % {"line": line_number, "value": row[1]}
            )
            continue
        days.append(ParsedDay(day, working, row[2].strip()[:100] if len(row) > 2 else ""))
    if errors:
        raise ValidationError(errors)
    return days


def parse_ical(content: bytes) -> list[ParsedDay]:
    import icalendar

    try:
        calendar = icalendar.Calendar.from_ical(content)
    except ValueError as error:
        raise ValidationError(_("This is not a readable iCalendar file.")) from error
    days = []
    for event in calendar.walk("VEVENT"):
        summary = str(event.get("SUMMARY", ""))
        start = event.decoded("DTSTART")
        if isinstance(start, datetime.datetime):
            start = start.date()
        end = event.decoded("DTEND") if event.get("DTEND") else start + datetime.timedelta(days=1)
        if isinstance(end, datetime.datetime):
            end = end.date() + datetime.timedelta(days=1)
        working = bool(_kind_is_working(summary))
        day = start
        while day < max(end, start + datetime.timedelta(days=1)):
            days.append(ParsedDay(day, working, summary[:100]))
            day += datetime.timedelta(days=1)
    return days


def _decode(raw: bytes) -> str:
    # Excel in China saves CSV as GB18030 unless told otherwise.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The file is neither UTF-8 nor GB18030 text."))


def parse_calendar_file(uploaded) -> list[ParsedDay]:
    raw = uploaded.read(2_000_000)
    is_ical = raw.lstrip().startswith(b"BEGIN:VCALENDAR")
    days = parse_ical(raw) if is_ical else parse_csv(_decode(raw))
    if not days:
        raise ValidationError(_("The file lists no days."))
    if len(days) > MAX_IMPORT_DAYS:
        raise ValidationError(_("At most %(count)s days can be imported at once.") % {"count": MAX_IMPORT_DAYS})
    return days
