"""Forms of the working-day calendar page."""

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from crmgov.formfields import BoundedDateField

from .calendars import MAX_FILE_BYTES


class CalendarDayForm(forms.Form):
    OFF, WORKING = "off", "working"

    date = BoundedDateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    kind = forms.ChoiceField(
        label=_("The day is"),
        choices=[(OFF, _("A day off (public holiday)")), (WORKING, _("A working day (make-up day, 调休)"))],
        widget=forms.RadioSelect,
    )
    name = forms.CharField(
        label=_("Name of the day"), max_length=100, required=False, help_text=_("e.g. 国庆节, or 国庆节调休上班.")
    )

    def clean(self):
        cleaned = super().clean()
        day, kind = cleaned.get("date"), cleaned.get("kind")
        if day and kind:
            weekend = day.weekday() >= 5
            if weekend and kind == self.OFF:
                self.add_error(
                    "kind",
                    _("%(date)s is a weekend day, already off. Choose “working day” to make it a make-up day.")
                    % {"date": formats.date_format(day, "DATE_FORMAT")},
                )
            elif not weekend and kind == self.WORKING:
                self.add_error(
                    "kind",
                    _("%(date)s is a weekday, already a working day. Choose “day off” to make it a holiday.")
                    % {"date": formats.date_format(day, "DATE_FORMAT")},
                )
        return cleaned


class CalendarImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or iCalendar file"),
        help_text=_(
            "CSV: one line per day — date, type (holiday / workday, or 休 / 班), name. "
            "UTF-8 or GB18030 (as Excel saves it). iCalendar (.ics): each event is a day off "
            "unless its title says 班 or workday."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.ics,text/csv,text/calendar"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB; a calendar file is much smaller."))
        return upload
