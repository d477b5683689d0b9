from django import forms
from django.utils.translation import gettext_lazy

from projects.escalations.models import Escalation


class RaiseForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of event"), choices=Escalation.Kind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    what_happened = forms.CharField(
        label=gettext_lazy("What happened and why"), widget=forms.Textarea(attrs={"rows": 3})
    )
    consequences = forms.CharField(
        label=gettext_lazy("Consequences"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Days, cost and goals affected."),
    )
    delay_days = forms.IntegerField(label=gettext_lazy("Days of delay"), min_value=0, max_value=3650, initial=0)
    extra_cost = forms.DecimalField(
        label=gettext_lazy("Extra cost"), min_value=0, max_digits=14, decimal_places=2, initial=0
    )
    options = forms.CharField(label=gettext_lazy("Options"), widget=forms.Textarea(attrs={"rows": 3}))
    recommendation = forms.CharField(
        label=gettext_lazy("Recommended response"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ResolveForm(forms.Form):
    outcome = forms.CharField(label=gettext_lazy("Outcome"), widget=forms.Textarea(attrs={"rows": 3}))
