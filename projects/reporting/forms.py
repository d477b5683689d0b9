from django import forms
from django.utils.translation import gettext_lazy


class NarrativeForm(forms.Form):
    narrative = forms.CharField(
        label=gettext_lazy("Narrative"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Where we are, what is done, what comes next — in your words."),
    )
