"""Form fields shared by every app: dates bounded to the years a project can be about.

Python's dates reach year 1 and 9999, but such a date cannot be moved to UTC (year 1 at
00:00 in Shanghai overflows: a 500 on save) or shown in a week or month around it (year 9999:
pages that compute its next day fail). Nothing a CRM project plans lies outside 1900–2100.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

FIRST_YEAR, LAST_YEAR = 1900, 2100
OUT_OF_RANGE = _("Enter a date between %(first)s and %(last)s.")


def year_in_range(value: datetime.date) -> bool:
    return FIRST_YEAR <= value.year <= LAST_YEAR


def validate_year_in_range(value: datetime.date) -> None:
    """A validator for a date or a date-time (model fields too): years 1900–2100 only."""
    if value is not None and not year_in_range(value):
        raise ValidationError(OUT_OF_RANGE, code="year_out_of_range", params={"first": FIRST_YEAR, "last": LAST_YEAR})


def _tell_the_browser(widget, first: str, last: str) -> None:
    if getattr(widget, "input_type", None) in {"date", "datetime-local"}:
        widget.attrs.setdefault("min", first)
        widget.attrs.setdefault("max", last)


class BoundedDateField(forms.DateField):
    default_validators = [validate_year_in_range]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        _tell_the_browser(self.widget, f"{FIRST_YEAR}-01-01", f"{LAST_YEAR}-12-31")


class BoundedDateTimeField(forms.DateTimeField):
    default_validators = [validate_year_in_range]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        _tell_the_browser(self.widget, f"{FIRST_YEAR}-01-01T00:00", f"{LAST_YEAR}-12-31T23:59")

    def to_python(self, value):
        # Making the value time-zone aware can itself overflow at the edges of Python's range.
        try:
            return super().to_python(value)
        except OverflowError:
            raise ValidationError(
                OUT_OF_RANGE, code="year_out_of_range", params={"first": FIRST_YEAR, "last": LAST_YEAR}
            ) from None
