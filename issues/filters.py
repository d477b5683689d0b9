"""The issue list's filters, search and sort."""

import copy
import datetime
import functools
import html

import django_filters
from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from projects.search.text import matching

from .models import Issue, Module

AGE_CHOICES = [
    ("1", _("Today")),
    ("7", _("Last 7 days")),
    ("30", _("Last 30 days")),
    ("older", _("Older than 30 days")),
]
MORE_FILTERS = ("status", "severity", "category", "module", "reporter", "consultant")
SORTS = {
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "severity": ("severity_rank", "-created_at", "-id"),
    "updated": ("-updated_at", "-id"),
    "number": ("-number",),
}
SORT_CHOICES = [
    ("newest", _("Newest first")),
    ("oldest", _("Oldest first")),
    ("severity", _("Most severe first")),
    ("updated", _("Recently updated")),
    ("number", _("By number")),
]


class LeanOptions:
    """A select whose options are built in Python, not one template each: with a hundred people
    in a project the reporter and consultant filters otherwise cost more than the list itself.
    Flat choices only (no option groups)."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        selected = set(self.format_value(value))
        # str.join over escaped strings: format_html, or Django's option dicts, per option cost as
        # much as the rows.
        options = "".join(
            f'<option value="{html.escape(str(choice))}"{" selected" if str(choice) in selected else ""}>'
            f"{html.escape(str(label))}</option>"
            for choice, label in self.choices
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(attrs), mark_safe(options))  # noqa: S308


class LeanSelect(LeanOptions, forms.Select):
    pass


class LeanSelectMultiple(LeanOptions, forms.SelectMultiple):
    pass


class LeanSearchInput(forms.TextInput):
    input_type = "search"

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        return format_html('<input type="search" name="{}" value="{}"{}>', name, value or "", flatatt(attrs))


class IssueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=LeanSearchInput)
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=Issue.Status.choices, widget=LeanSelectMultiple(attrs={"size": 4})
    )
    severity = django_filters.MultipleChoiceFilter(
        label=_("Severity"), choices=Issue.Severity.choices, widget=LeanSelectMultiple(attrs={"size": 4})
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Issue.Category.choices, empty_label=_("All"), widget=LeanSelect
    )
    module = django_filters.ModelChoiceFilter(
        label=_("Module"), queryset=Module.objects.none(), empty_label=_("All"), widget=LeanSelect
    )
    reporter = django_filters.ModelChoiceFilter(
        label=_("Reporter"), queryset=None, method="by_person", empty_label=_("Anyone"), widget=LeanSelect
    )
    consultant = django_filters.ModelChoiceFilter(
        label=_("Consultant"), queryset=None, method="by_person", empty_label=_("Anyone"), widget=LeanSelect
    )
    age = django_filters.ChoiceFilter(
        label=_("Age"), choices=AGE_CHOICES, method="by_age", empty_label=_("Any age"), widget=LeanSelect
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort"), choices=SORT_CHOICES, method="sort_by", empty_label=None, widget=LeanSelect
    )

    class Meta:
        model = Issue
        fields = []

    def __init__(self, *args, project, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.filters["module"].queryset = Module.objects.filter(project=project)
        self.filters["reporter"].queryset = people
        self.filters["consultant"].queryset = people
        # Both person filters offer the same hundred people: read once, as plain pairs, and only
        # when the selects are rendered (the list shows them behind "More filters").
        choices = functools.cache(
            lambda: (
                [("", _("Anyone"))]
                + [(pk, full_name or email) for pk, full_name, email in people.values_list("pk", "full_name", "email")]
            )
        )
        for name in ("reporter", "consultant"):
            self.form.fields[name].widget.choices = choices
        self.form.fields["q"].widget.attrs["placeholder"] = _("Words, or a number such as %(reference)s") % {
            "reference": f"{project.code}-0147"
        }

    def search(self, queryset, name, value):
        number = Issue.number_in_reference(value, self.project.code)
        if number is not None:
            return queryset.filter(number=number)
        # Every term must be found in the title or what happened: narrows as the user types more.
        # Answered from the search index (projects.search.text), not by reading the project's issues.
        return matching(queryset, value, self.project.pk)

    def by_person(self, queryset, name, value):
        return queryset.filter(**{name: value}) if value else queryset

    def by_age(self, queryset, name, value):
        now = timezone.now()
        if value == "older":
            return queryset.filter(created_at__lt=now - datetime.timedelta(days=30))
        return queryset.filter(created_at__gte=now - datetime.timedelta(days=int(value)))

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*SORTS.get(value, SORTS["newest"]))


class FilterCopies(dict):
    """A filter set's declared filters, copied for each request by one shallow copy per filter.
    django-filter deep-copies them on every request — their widgets, choice lists and querysets,
    ~600 objects and 2 ms for the issue list — while a request only assigns its copies' attributes
    and fills their own `extra`, which is copied here (and a method filter bound anew)."""

    def __deepcopy__(self, memo):
        copies = {}
        for name, declared in self.items():
            copied = copies[name] = copy.copy(declared)
            copied.extra = dict(declared.extra)
            copied.method = declared.method  # binds a method filter to the copy, not to the declared one
        return copies


IssueFilter.base_filters = FilterCopies(IssueFilter.base_filters)
