from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crmgov.formfields import BoundedDateField
from projects.core.models import Membership, Project, User, time_zone_choices
from projects.permissions import Role, grantable_choices


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
    """The code never changes once issues are numbered with it. The status is not here: it moves
    only through its workflow — closure started and signed on the closure page, reopened by the
    sponsor or a site administrator (D-CL-5; issue 16)."""

    class Meta(ProjectForm.Meta):
        fields = [
            "name",
            "description",
            "vision",
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
    full_name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    department = forms.CharField(label=_("Department"), max_length=100, required=False)
    title = forms.CharField(label=_("Job title"), max_length=100, required=False)
    active_until = BoundedDateField(
        label=_("Active until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Last day of access; leave empty for open-ended."),
    )


class ByRoleSelect(forms.NullBooleanSelect):
    """Yes / No / as the role says — not “Unknown”, which reads as if nobody knew."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("unknown", _("As the role says")), ("true", _("Yes")), ("false", _("No")))


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
        field_classes = {"active_until": BoundedDateField}
        widgets = {
            "active_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "receives_reports": ByRoleSelect,
        }
        help_texts = {
            "receives_reports": _(
                "“As the role says”: the sponsor, executives and steering committee members receive them."
            )
        }


class PreferencesForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("time zone"), choices=time_zone_choices)
    language = forms.ChoiceField(label=_("language"), choices=settings.LANGUAGES)

    class Meta:
        model = User
        fields = ["full_name", "language", "time_zone"]


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Several objects by id. An id beyond 64 bits is refused before the query: Django's `__in`
    lookup does not guard against overflow (SQLite raises OverflowError, PostgreSQL DataError)."""

    def _check_values(self, value):
        for pk in value:
            try:
                too_big = abs(int(pk)) >= 2**63
            except (TypeError, ValueError):
                continue  # not a number: the parent class says so
            if too_big:
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class MembersChoiceField(IdsChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.full_name or obj.email


def project_people(project):
    """The active members of the project, as people to choose from."""
    return User.objects.filter(pk__in=Membership.objects.active().filter(project=project).values("user_id")).order_by(
        "full_name"
    )


class ProjectScopedForm(forms.ModelForm):
    """A model form whose person and phase choices are limited to the project's."""

    people_fields: tuple[str, ...] = ()

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        for name in self.people_fields:
            if name in self.fields:
                field = self.fields[name]
                field.queryset = project_people(project)
                field.label_from_instance = lambda user: user.full_name or user.email


def form_status(form) -> int:
    return 400 if form.errors else 200


def add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
