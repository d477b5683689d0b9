"""The issue list's filters, search and sort."""

import datetime
import functools
from dataclasses import dataclass

import django_filters
from django import forms
from django.db import models
from django.forms.renderers import Jinja2
from django.utils import timezone
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


@dataclass(frozen=True)
class FilterInUse:
    """A value of one of the "More filters" the list is filtered by: shown as a chip that removes it
    (`without`: the query string without that value), and kept in the form as a hidden field."""

    name: str
    value: str
    label: str
    shown: str
    without: str


class SearchInput(forms.TextInput):
    input_type = "search"


class FlatOptions:
    """A select whose template reads its flat choices (no option groups) and the selected values,
    instead of Django's per-option dicts (`optgroups`): the people filters offer a hundred options
    each, and building those dicts cost more than the list's rows (docs/performance.md)."""

    template_name = "issues/filter_select.html"  # issues/jinja2/

    def get_context(self, name, value, attrs):
        context = forms.Widget.get_context(self, name, value, attrs)  # ChoiceWidget's would build optgroups
        widget = context["widget"]
        if self.allow_multiple_selected:
            widget["attrs"]["multiple"] = True
        widget["choices"] = self.choices
        widget["selected"] = set(widget["value"])
        return context


class FilterSelect(FlatOptions, forms.Select):
    pass


class FilterSelectMultiple(FlatOptions, forms.SelectMultiple):
    pass


class FilterRenderer(Jinja2):
    """Django's Jinja2 form renderer, with the filter bar's field template (issues/jinja2/)."""

    field_template_name = "issues/filter_field.html"


class IssueFilterForm(forms.Form):
    """Fields and widgets rendered by Django's Jinja2 form renderer (`{{ field.as_field_group }}`):
    in the Django template language the filter bar's fields, and the people selects' hundred
    options each, cost more than the list's rows (docs/performance.md)."""

    default_renderer = FilterRenderer()  # one instance: its engine keeps the compiled templates


class IssueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search", widget=SearchInput)
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=Issue.Status.choices, distinct=False, widget=FilterSelectMultiple(attrs={"size": 4})
    )
    severity = django_filters.MultipleChoiceFilter(
        label=_("Severity"),
        choices=Issue.Severity.choices,
        distinct=False,
        widget=FilterSelectMultiple(attrs={"size": 4}),
    )
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=Issue.Category.choices, empty_label=_("All"), widget=FilterSelect
    )
    module = django_filters.ModelChoiceFilter(
        label=_("Module"), queryset=Module.objects.none(), empty_label=_("All"), widget=FilterSelect
    )
    reporter = django_filters.ModelChoiceFilter(
        label=_("Reporter"), queryset=None, method="by_person", empty_label=_("Anyone"), widget=FilterSelect
    )
    consultant = django_filters.ModelChoiceFilter(
        label=_("Consultant"), queryset=None, method="by_person", empty_label=_("Anyone"), widget=FilterSelect
    )
    age = django_filters.ChoiceFilter(
        label=_("Age"), choices=AGE_CHOICES, method="by_age", empty_label=_("Any age"), widget=FilterSelect
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort"), choices=SORT_CHOICES, method="sort_by", empty_label=None, widget=FilterSelect
    )

    class Meta:
        model = Issue
        fields = []
        form = IssueFilterForm

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

    def more_filters_open(self, query) -> bool:
        """ "More filters" is shown open, its selects filled, when asked for (`more`, the link that
        works without JavaScript) or when a value is wrong: to show the error, and to keep every
        other value in the form (`in_use` has none to carry then). Otherwise it is fetched when
        opened: a hundred people twice over are most of the page's work, also on the lists
        filtered by status, the filter used most."""
        return "more" in query or (self.form.is_bound and not self.form.is_valid())

    def in_use(self, query) -> list[FilterInUse]:
        """The values of the "More filters" this list is filtered by, in the order of the panel."""
        if not self.form.is_valid():
            return []
        found = []
        for name in MORE_FILTERS:
            field = self.form.fields[name]
            cleaned = self.form.cleaned_data.get(name)
            for value in query.getlist(name):
                if not value:
                    continue
                if isinstance(cleaned, models.Model):
                    shown = getattr(cleaned, "full_name", "") or getattr(cleaned, "email", "") or str(cleaned)
                else:
                    shown = str(dict(field.choices).get(value, value))
                without = query.copy()
                without.setlist(name, [other for other in query.getlist(name) if other != value])
                without.pop("page", None)
                found.append(FilterInUse(name, value, str(field.label), shown, without.urlencode()))
        return found

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
