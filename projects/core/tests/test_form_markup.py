"""Fields built in Python read exactly as Django's widget templates and crispy's field template would."""

import re

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms

from projects.core.form_markup import stacked_field, widget_html


class SampleForm(forms.Form):
    title = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"placeholder": 'say "<hi>"', "x": False}))
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="Free <em>text</em>")
    kind = forms.ChoiceField(choices=[("", "Any"), ("a", "A & B"), ("b", "<B>")], required=False)
    grouped = forms.ChoiceField(choices=[("Group", [("g", "G")])], required=False)
    count = forms.IntegerField(required=False)


def _same_markup(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+|\s+<", lambda m: m.group().strip(), str(html))).strip()


def _forms():
    invalid = SampleForm({"title": "x" * 30, "notes": "one\n<two> & three", "kind": "b", "count": "many"})
    invalid.is_valid()
    return [SampleForm(), invalid]


def test_widgets_read_as_djangos_templates_write_them():
    for form in _forms():
        for field in form:
            assert widget_html(field, {"class": "c"}).strip() == field.as_widget(attrs={"class": "c"}).strip()


def test_stacked_fields_read_as_crispy_writes_them():
    for form in _forms():
        for field in form:
            assert _same_markup(stacked_field(field)) == _same_markup(as_crispy_field(field))
