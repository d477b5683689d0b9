from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Membership, Project, User, time_zone_choices
from .permissions import Role, grantable_choices


class ProjectForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("time zone"), choices=time_zone_choices)

    class Meta:
        model = Project
        fields = ["name", "code", "description", "vision", "time_zone", "default_language"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "vision": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()


class ProjectSettingsForm(ProjectForm):
    """The code never changes once issues are numbered with it."""

    class Meta(ProjectForm.Meta):
        fields = [
            "name",
            "description",
            "vision",
            "status",
            "time_zone",
            "default_language",
            "cost_of_delay_per_day",
            "schedule_tolerance_days",
            "budget_tolerance_percent",
            "agenda_notice_days",
            "meeting_cadence_days",
            "report_weekday",
            "report_time",
            "report_draft_hours",
            "escalation_ack_hours",
            "blocker_days",
            "compliance_threshold_percent",
            "compliance_low_days",
        ]
        widgets = {"report_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(label=_("Name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    department = forms.CharField(label=_("Department"), max_length=100, required=False)
    title = forms.CharField(label=_("Job title"), max_length=100, required=False)
    active_until = forms.DateField(
        label=_("Active until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Last day of access; leave empty for open-ended."),
    )


class MembershipForm(forms.ModelForm):
    grants = forms.MultipleChoiceField(
        label=_("Extra access"),
        choices=grantable_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Beyond what the role allows, e.g. the budget for a key user who manages the training budget."),
    )

    class Meta:
        model = Membership
        fields = ["role", "department", "title", "active_until", "is_key", "receives_reports", "grants"]
        widgets = {"active_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class PreferencesForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("time zone"), choices=time_zone_choices)
    language = forms.ChoiceField(label=_("language"), choices=settings.LANGUAGES)

    class Meta:
        model = User
        fields = ["full_name", "language", "time_zone"]
