"""Dates outside 1900–2100 are refused by the forms with a clear message (issue 17): year 1 overflowed
on save (a 500) and year 9999 was saved and then broke the pages that show it (404s)."""

import datetime
import importlib

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

from changes import forms as change_forms
from crmgov.formfields import BoundedDateField, BoundedDateTimeField, validate_year_in_range
from issues import calendar_forms
from issues import forms as issue_forms

OUTSIDE = ["0001-01-01", "1899-12-31", "2101-01-01", "9999-12-31"]
INSIDE = ["1900-01-01", "2026-10-01", "2100-12-31"]
DATE_FIELDS = [
    (issue_forms.SessionForm, "held_at"),
    (calendar_forms.CalendarDayForm, "date"),
    (change_forms.DevelopmentForm, "expected_delivery"),
    (change_forms.ProgressForm, "date"),
    (change_forms.PilotForm, "start"),
    (change_forms.PilotForm, "end"),
    (change_forms.RolloutForm, "date"),
]


@pytest.mark.parametrize("value", OUTSIDE)
def test_a_date_outside_1900_to_2100_is_refused_with_a_message(value):
    with pytest.raises(forms.ValidationError, match="between 1900 and 2100"):
        BoundedDateField().clean(value)


@pytest.mark.parametrize("value", INSIDE)
def test_a_date_inside_1900_to_2100_is_accepted(value):
    assert BoundedDateField().clean(value) == datetime.date.fromisoformat(value)


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "9999-12-31T23:59", "1899-12-31T23:59"])
def test_a_date_time_outside_1900_to_2100_is_refused_not_overflowing(value):
    with pytest.raises(forms.ValidationError, match="between 1900 and 2100"):
        BoundedDateTimeField().clean(value)


def test_the_message_is_in_chinese_for_a_chinese_reader():
    with translation.override("zh-hans"):
        with pytest.raises(forms.ValidationError) as refused:
            validate_year_in_range(datetime.date(9999, 12, 31))
        assert refused.value.messages == ["请输入 1900 年至 2100 年之间的日期。"]


def test_the_browser_is_told_the_range_too():
    widget = BoundedDateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"})).widget
    assert widget.attrs["min"] == "1900-01-01T00:00" and widget.attrs["max"] == "2100-12-31T23:59"
    widget = BoundedDateField(widget=forms.DateInput(attrs={"type": "date"})).widget
    assert widget.attrs["min"] == "1900-01-01" and widget.attrs["max"] == "2100-12-31"


@pytest.mark.parametrize("form_class, field", DATE_FIELDS, ids=lambda x: getattr(x, "__name__", x))
def test_the_date_fields_of_issues_and_changes_are_bounded(form_class, field):
    assert isinstance(form_class.base_fields[field], BoundedDateField | BoundedDateTimeField)


@pytest.mark.parametrize(
    ("form_path", "field", "value"),
    [
        ("projects.plan.forms.PhaseForm", "start_date", "0001-01-01"),
        ("projects.plan.forms.MilestoneForm", "forecast_date", "9999-12-31"),
        ("projects.registers.forms.TrainingSessionForm", "starts_at", "0001-01-01T00:00"),
        ("projects.registers.forms.SetbackActionForm", "due_date", "0001-01-01"),
        ("projects.steering.forms.MeetingForm", "starts_at", "0001-01-01T00:00"),
        ("projects.steering.forms.ActionItemForm", "due_date", "9999-12-31"),
        ("projects.core.forms.MembershipForm", "active_until", "0001-01-01"),
        ("projects.core.forms.InviteForm", "active_until", "9999-12-31"),
    ],
)
def test_the_plan_committee_and_member_forms_refuse_dates_outside_1900_to_2100(form_path, field, value):
    module, name = form_path.rsplit(".", 1)
    form_class = getattr(importlib.import_module(module), name)
    bound = form_class.base_fields[field]
    with pytest.raises(ValidationError):
        bound.clean(value)
