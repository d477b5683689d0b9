from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crmgov.formfields import BoundedDateField
from projects.core.forms import IdsChoiceField
from projects.core.models import User
from projects.plan.models import Milestone
from projects.registers.models import TrainingSession
from projects.workflow import StepForm

from .models import ChangeRequest, ChangeSettings, SolutionOption


class ChangeRequestForm(forms.ModelForm):
    class Meta:
        model = ChangeRequest
        fields = ["title", "reason", "goal"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3}), "goal": forms.Textarea(attrs={"rows": 3})}


class OptionForm(StepForm, forms.ModelForm):
    class Meta:
        model = SolutionOption
        fields = [
            "description",
            "needs_custom_development",
            "cost_estimate",
            "schedule_impact_days",
            "affected_milestones",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "affected_milestones": forms.CheckboxSelectMultiple,
        }
        field_classes = {"affected_milestones": IdsChoiceField}

    def __init__(self, *args, subject, **kwargs):
        super().__init__(*args, subject=subject, **kwargs)
        self.fields["affected_milestones"].queryset = Milestone.objects.filter(project=subject.project_id)


class ReviseForm(OptionForm):
    option = forms.ModelChoiceField(label=_("Option"), queryset=SolutionOption.objects.none())

    class Meta(OptionForm.Meta):
        fields = ["option", *OptionForm.Meta.fields]

    def __init__(self, *args, subject, **kwargs):
        super().__init__(*args, subject=subject, **kwargs)
        self.fields["option"].queryset = subject.options.filter(is_current=True)


class ChooseOptionForm(StepForm, forms.Form):
    option = forms.ModelChoiceField(label=_("Option"), queryset=SolutionOption.objects.none(), empty_label=None)

    def __init__(self, *args, subject, **kwargs):
        super().__init__(*args, subject=subject, **kwargs)
        self.fields["option"].queryset = subject.options.filter(is_current=True)


class FeedbackForm(ChooseOptionForm):
    text = forms.CharField(label=_("Feedback"), widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(StepForm, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Rationale"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        """In the service's terms: approve or not, and why."""
        cleaned = super().clean()
        return {"approve": cleaned.get("decision") == "approve", "note": cleaned.get("note", "")}


class DevelopmentForm(StepForm, forms.Form):
    vendor_quote = forms.DecimalField(label=_("Vendor's quote"), min_value=0, max_digits=12, decimal_places=2)
    agreed_cost = forms.DecimalField(label=_("Agreed cost"), min_value=0, max_digits=12, decimal_places=2)
    expected_delivery = BoundedDateField(label=_("Expected delivery"), widget=forms.DateInput(attrs={"type": "date"}))


class ProgressForm(StepForm, forms.Form):
    date = BoundedDateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    percent = forms.IntegerField(label=_("Percent done"), min_value=0, max_value=100)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PilotForm(StepForm, forms.Form):
    group = IdsChoiceField(label=_("Pilot group"), queryset=User.objects.none())
    start = BoundedDateField(label=_("Start"), widget=forms.DateInput(attrs={"type": "date"}))
    end = BoundedDateField(label=_("End"), widget=forms.DateInput(attrs={"type": "date"}))
    success_criteria = forms.CharField(label=_("Success criteria"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, subject, **kwargs):
        super().__init__(*args, subject=subject, **kwargs)
        self.fields["group"].queryset = User.objects.filter(
            memberships__project=subject.project_id, memberships__ended_at__isnull=True
        ).order_by("full_name")


class PilotResultForm(StepForm, forms.Form):
    result = forms.ChoiceField(
        label=_("Result"),
        choices=[("pass", _("Passed")), ("fail", pgettext_lazy("pilot result", "Failed"))],
        widget=forms.RadioSelect,
    )
    findings = forms.CharField(label=_("Findings"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        """In the service's terms: passed or not, and what was found."""
        cleaned = super().clean()
        return {"passed": cleaned.get("result") == "pass", "findings": cleaned.get("findings", "")}


class RolloutForm(StepForm, forms.Form):
    date = BoundedDateField(label=_("Rollout date"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label=_("Announcement"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to every member of the project: what changes for them, and where to learn it."),
    )
    training = forms.ModelChoiceField(
        label=_("Training session"), queryset=TrainingSession.objects.none(), required=False, empty_label=_("None")
    )

    def __init__(self, *args, subject, **kwargs):
        super().__init__(*args, subject=subject, **kwargs)
        self.fields["training"].queryset = TrainingSession.objects.filter(project=subject.project_id)


class ReasonForm(StepForm, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ChangeSettingsForm(forms.ModelForm):
    class Meta:
        model = ChangeSettings
        fields = ["pm_cost_limit", "pm_days_limit"]
