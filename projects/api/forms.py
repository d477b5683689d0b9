from django import forms
from django.utils.translation import pgettext_lazy


class TokenForm(forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("API token", "Name"),
        max_length=100,
        help_text=pgettext_lazy("API token", "What the token is for, e.g. “nightly export”."),
    )
