"""Pages of daily-report compliance (D-LOG-3) and of the project's working-day calendar."""

import calendar as month_calendar
import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from projects.permissions import Capability, get_membership_for

from . import compliance as compliance_selectors
from . import notifications, services
from .calendar_forms import CalendarDayForm, CalendarImportForm
from .calendars import WorkingCalendar, parse_calendar_file
from .holidays import years_awaiting_schedule
from .models import CalendarDay

# --- Compliance -----------------------------------------------------------------


@require_GET
def compliance(request, code):
    membership = get_membership_for(request, code, Capability.COMPLIANCE_VIEW)
    project = membership.project
    today = project.local_today()
    can_configure = membership.can(Capability.ISSUES_CONFIGURE)
    context = {
        "project": project,
        "membership": membership,
        "data": compliance_selectors.compliance(project, today),
        "can_configure": can_configure,
        "can_remind": can_configure,
        # Only those who can edit the calendar are asked to: the warning leads to it.
        "awaiting_years": years_awaiting_schedule(today) if can_configure else [],
    }
    return render(request, "issues/compliance.html", context)


@require_POST
def compliance_remind(request, code):
    """ "Remind now" (issue 19): the PM reminds at once whoever has not filed for the current period."""
    membership = get_membership_for(request, code, Capability.ISSUES_CONFIGURE)
    result = notifications.reminders_send_now(project=membership.project)
    if result.reminded:
        names = ", ".join(m.user.full_name or m.user.email for m in result.reminded)
        messages.success(request, _("Reminder sent to %(names)s.") % {"names": names})
    if result.already:
        names = ", ".join(m.user.full_name or m.user.email for m in result.already)
        messages.info(request, _("Already reminded for this period: %(names)s.") % {"names": names})
    if not result.reminded and not result.already:
        messages.info(request, _("Everyone has filed: nobody to remind."))
    return redirect("issues:compliance", code=code)


# --- The working-day calendar -------------------------------------------------------


WEEKDAY_INITIALS = [
    pgettext_lazy("weekday in a month grid", "Mo"),
    pgettext_lazy("weekday in a month grid", "Tu"),
    pgettext_lazy("weekday in a month grid", "We"),
    pgettext_lazy("weekday in a month grid", "Th"),
    pgettext_lazy("weekday in a month grid", "Fr"),
    pgettext_lazy("weekday in a month grid", "Sa"),
    pgettext_lazy("weekday in a month grid", "Su"),
]


@dataclass(frozen=True)
class Cell:
    day: datetime.date | None
    kind: str = ""  # "work", "weekend", "holiday" or "makeup"
    name: str = ""


@dataclass(frozen=True)
class Month:
    first: datetime.date
    weeks: list[list[Cell]]


def _year_of(request, project) -> int:
    raw = request.GET.get("year") or request.POST.get("year")
    if not raw:
        return project.local_today().year
    try:
        year = int(raw)
    except ValueError:
        raise Http404 from None
    if not 2000 <= year <= 2100:
        raise Http404
    return year


def _months(year: int, days: dict[datetime.date, CalendarDay]) -> list[Month]:
    months = []
    for number in range(1, 13):
        weeks = []
        for week in month_calendar.Calendar().monthdatescalendar(year, number):
            cells = []
            for day in week:
                if day.month != number:
                    cells.append(Cell(None))
                elif day in days:
                    cells.append(Cell(day, "makeup" if days[day].is_working else "holiday", days[day].name))
                else:
                    cells.append(Cell(day, "weekend" if day.weekday() >= 5 else "work"))
            weeks.append(cells)
        months.append(Month(datetime.date(year, number, 1), weeks))
    return months


def _render_calendar(request, membership, year, day_form=None, import_form=None, status=200):
    project = membership.project
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    working = WorkingCalendar(project, start, end)
    days = {
        day.date: day for day in CalendarDay.objects.filter(project=project, date__range=(start, end)).order_by("date")
    }
    context = {
        "project": project,
        "membership": membership,
        "year": year,
        "years": (year - 1, year + 1),
        "days": list(days.values()),
        "months": _months(year, days),
        "working_day_count": len(working.working_days()),
        "holiday_count": sum(not day.is_working for day in days.values()),
        "makeup_count": sum(day.is_working for day in days.values()),
        "day_form": day_form or _day_form_for(request, project, days),
        "import_form": import_form or CalendarImportForm(),
        "weekday_names": WEEKDAY_INITIALS,
        "awaiting_years": years_awaiting_schedule(project.local_today()),
    }
    return render(request, "issues/calendar.html", context, status=status)


def _day_form_for(request, project, days) -> CalendarDayForm:
    """An empty form, or the form for the day named in ?date= (a tap on the month grid or the list):
    an exception as it is, any other day with the change it would most likely get."""
    try:
        date = datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return CalendarDayForm()
    existing = days.get(date) or CalendarDay.objects.filter(project=project, date=date).first()
    if existing:
        kind = CalendarDayForm.WORKING if existing.is_working else CalendarDayForm.OFF
        return CalendarDayForm(initial={"date": existing.date, "kind": kind, "name": existing.name})
    kind = CalendarDayForm.WORKING if date.weekday() >= 5 else CalendarDayForm.OFF
    return CalendarDayForm(initial={"date": date, "kind": kind})


def _calendar_url(project, year: int) -> str:
    return f"{reverse('issues:calendar', kwargs={'code': project.code})}?year={year}"


@require_GET
def calendar(request, code):
    membership = get_membership_for(request, code, Capability.ISSUES_CONFIGURE)
    return _render_calendar(request, membership, _year_of(request, membership.project))


@require_POST
def calendar_day(request, code):
    """Add a day off or a make-up working day, or change one."""
    membership = get_membership_for(request, code, Capability.ISSUES_CONFIGURE)
    project = membership.project
    form = CalendarDayForm(request.POST)
    if not form.is_valid():
        return _render_calendar(request, membership, _year_of(request, project), day_form=form, status=400)
    day = services.calendar_day_set(
        project=project,
        date=form.cleaned_data["date"],
        is_working=form.cleaned_data["kind"] == CalendarDayForm.WORKING,
        name=form.cleaned_data["name"],
    )
    message = _("%(date)s is now a working day.") if day.is_working else _("%(date)s is now a day off.")
    messages.success(request, message % {"date": day.date.isoformat()})
    return redirect(_calendar_url(project, day.date.year))


@require_POST
def calendar_day_remove(request, code, day):
    """The day follows the usual week again."""
    membership = get_membership_for(request, code, Capability.ISSUES_CONFIGURE)
    project = membership.project
    try:
        date = datetime.date.fromisoformat(day)
    except ValueError:
        raise Http404 from None
    get_object_or_404(CalendarDay, project=project, date=date)
    services.calendar_day_remove(project=project, date=date)
    messages.success(request, _("%(date)s follows the usual week again.") % {"date": date.isoformat()})
    return redirect(_calendar_url(project, date.year))


@require_POST
def calendar_import(request, code):
    """Import a CSV or iCalendar file: every day of it, or — if any line is wrong — none."""
    membership = get_membership_for(request, code, Capability.ISSUES_CONFIGURE)
    project = membership.project
    year = _year_of(request, project)
    form = CalendarImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            days = parse_calendar_file(form.cleaned_data["file"])
        except ValidationError as error:
            form.add_error("file", error)
        else:
            services.calendar_import(project=project, days=days)
            off = sum(not day.is_working for day in days)
            messages.success(
                request,
                ngettext(
                    "Imported %(count)s day: %(off)s off, %(on)s working.",
                    "Imported %(count)s days: %(off)s off, %(on)s working.",
                    len(days),
                )
                % {"count": len(days), "off": off, "on": len(days) - off},
            )
            return redirect(_calendar_url(project, min(day.date for day in days).year))
    return _render_calendar(request, membership, year, import_form=form, status=400)
