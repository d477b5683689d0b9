"""The working-day calendar of a project: weekends off, public holidays off, make-up days (调休) on.

A CSV or iCalendar file can be imported. CSV columns: date, type, name — type is
"holiday" / "休" for a day off, "workday" / "班" for a make-up working day. In an
iCalendar file each event is a day off unless its summary marks a working day
("班", "补班", "上班", "workday", "working day"), as Chinese holiday calendars do.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from crmgov.formfields import FIRST_YEAR, LAST_YEAR, year_in_range

from .models import CalendarDay

WORKDAY_WORDS = ("补班", "上班", "班", "workday", "working day", "make-up")
HOLIDAY_WORDS = ("holiday", "off", "休", "假")
MAX_IMPORT_DAYS = 1000
MAX_FILE_BYTES = 2_000_000
# 2026-10-01, 2026/10/1 (Excel in a Chinese locale), 2026.10.1, 2026年10月1日
DATE_FORMS = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


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


def parse_date(text: str) -> datetime.date | None:
    match = DATE_FORMS.match(text.strip())
    if not match:
        return None
    try:
        return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _check_duplicates(days: list[ParsedDay], lines: list[int], errors: list[str]) -> None:
    """The same date twice with different meanings is a mistake in the file, not a choice."""
    seen: dict[datetime.date, tuple[bool, int]] = {}
    for day, line in zip(days, lines, strict=True):
        if day.date in seen and seen[day.date][0] != day.is_working:
            errors.append(
                _("Line %(line)s: %(date)s is already listed on line %(first)s with the other meaning.")
                % {"line": line, "date": day.date.isoformat(), "first": seen[day.date][1]}
            )
        seen.setdefault(day.date, (day.is_working, line))


def _csv_rows(content: str, errors: list[str]):
    """(line number, row) pairs; a line the csv module cannot read (a value over its 128 KB field
    limit) ends the reading with an error naming the line."""
    reader = csv.reader(io.StringIO(content))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            errors.append(
                _("Line %(line)s: a value is too long (over 128 KB); a calendar file has short lines.")
                % {"line": reader.line_num}
            )
            return
        yield reader.line_num, row


def parse_csv(content: str) -> list[ParsedDay]:
    """Every line is checked; one error anywhere refuses the whole file, listing each bad line."""
    days, lines, errors = [], [], []
    for line_number, row in _csv_rows(content, errors):
        if not row or not "".join(row).strip() or row[0].strip().lower() in {"date", "日期"}:
            continue
        day = parse_date(row[0])
        if day is None:
            errors.append(
                _("Line %(line)s: “%(value)s” is not a date like 2026-10-01.")
                % {"line": line_number, "value": row[0].strip()}
            )
            continue
        if not year_in_range(day):
            errors.append(
                _("Line %(line)s: %(date)s is not between %(first)s and %(last)s.")
                % {"line": line_number, "date": day.isoformat(), "first": FIRST_YEAR, "last": LAST_YEAR}
            )
            continue
        working = _kind_is_working(row[1]) if len(row) > 1 and row[1].strip() else False
        if working is None:
            errors.append(
                _("Line %(line)s: say “holiday” or “workday” (休 / 班), not “%(value)s”.")
                % {"line": line_number, "value": row[1].strip()}
            )
            continue
        days.append(ParsedDay(day, working, row[2].strip()[:100] if len(row) > 2 else ""))
        lines.append(line_number)
    _check_duplicates(days, lines, errors)
    if errors:
        raise ValidationError(errors)
    return days


def _as_date(value, *, is_end: bool = False) -> datetime.date:
    if isinstance(value, datetime.datetime):
        # An end time inside a day still covers that day; an end at midnight does not.
        if is_end and value.time() != datetime.time(0, 0):
            return value.date() + datetime.timedelta(days=1)
        return value.date()
    return value


def parse_ical(content: bytes) -> list[ParsedDay]:
    import icalendar  # imported here: icalendar takes half a second to load, only an import needs it

    try:
        calendar = icalendar.Calendar.from_ical(content)
    except (ValueError, IndexError, KeyError) as error:
        raise ValidationError(_("This is not a readable iCalendar file.")) from error
    days, errors = [], []
    for number, event in enumerate(calendar.walk("VEVENT"), start=1):
        summary = str(event.get("SUMMARY", "")).strip()
        try:
            start = _as_date(event.decoded("DTSTART"))
            if not year_in_range(start):
                raise OverflowError  # the same refusal as an end computed past year 9999
            if event.get("DTEND"):
                end = _as_date(event.decoded("DTEND"), is_end=True)
            elif event.get("DURATION"):
                end = start + max(event.decoded("DURATION"), datetime.timedelta(days=1))
            else:
                end = start + datetime.timedelta(days=1)
            if not year_in_range(end - datetime.timedelta(days=1)):
                raise OverflowError
        except (KeyError, ValueError, TypeError):
            errors.append(
                _("Event %(number)s (“%(summary)s”): it has no readable start date.")
                % {"number": number, "summary": summary or "—"}
            )
            continue
        except OverflowError:
            errors.append(
                _("Event %(number)s (“%(summary)s”): its dates are not between %(first)s and %(last)s.")
                % {"number": number, "summary": summary or "—", "first": FIRST_YEAR, "last": LAST_YEAR}
            )
            continue
        working = bool(_kind_is_working(summary))
        day = start
        while day < max(end, start + datetime.timedelta(days=1)):
            days.append(ParsedDay(day, working, summary[:100]))
            day += datetime.timedelta(days=1)
            if len(days) > MAX_IMPORT_DAYS:
                break
    if errors:
        raise ValidationError(errors)
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
    """The days listed in an uploaded CSV or iCalendar file; ValidationError (every problem) if any is wrong."""
    raw = uploaded.read(MAX_FILE_BYTES + 1)
    if len(raw) > MAX_FILE_BYTES:
        raise ValidationError(_("The file is larger than 2 MB; a calendar file is much smaller."))
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    is_ical = raw.lstrip().startswith(b"BEGIN:VCALENDAR")
    days = parse_ical(raw) if is_ical else parse_csv(_decode(raw))
    if not days:
        raise ValidationError(_("The file lists no days."))
    if len(days) > MAX_IMPORT_DAYS:
        raise ValidationError(_("At most %(count)s days can be imported at once.") % {"count": MAX_IMPORT_DAYS})
    return days
