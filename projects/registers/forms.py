from django import forms
from django.utils.translation import gettext_lazy as _

from crmgov.formfields import BoundedDateField, BoundedDateTimeField
from projects.core.forms import DATE, DATETIME, MembersChoiceField, ProjectScopedForm
from projects.core.models import User
from projects.permissions import Role
from projects.plan.models import Milestone, RebaselineRequest
from projects.registers.models import RequirementDocument, Risk, SetbackAction, SetbackReview, TrainingSession

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class RiskForm(ProjectScopedForm):
    people_fields = ("owner",)

    class Meta:
        model = Risk
        fields = [
            "title",
            "description",
            "probability",
            "impact",
            "owner",
            "response",
            "mitigation",
            "trigger",
            "proximity",
            "status",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "mitigation": forms.Textarea(attrs={"rows": 2}),
            "probability": forms.NumberInput(attrs={"min": 1, "max": 5}),
            "impact": forms.NumberInput(attrs={"min": 1, "max": 5}),
        }


class UploadField(forms.FileField):
    def clean(self, data, initial=None):
        file = super().clean(data, initial)
        if file and file.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return file


class RequirementDocumentForm(forms.ModelForm):
    file = UploadField(label=_("File"))
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)

    class Meta:
        model = RequirementDocument
        fields = ["title", "kind"]


class RequirementVersionForm(forms.Form):
    file = UploadField(label=_("File"))
    note = forms.CharField(label=_("What changed"), max_length=300)


class TrainingSessionForm(ProjectScopedForm):
    people_fields = ("audience_people",)
    audience_roles = forms.MultipleChoiceField(
        label=_("Audience by role"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every member in these roles must attend."),
    )

    class Meta:
        model = TrainingSession
        fields = [
            "topic",
            "audience_roles",
            "audience_people",
            "trainer",
            "starts_at",
            "duration_minutes",
            "status",
            "status_reason",
        ]
        widgets = {"starts_at": DATETIME, "audience_people": forms.CheckboxSelectMultiple}
        field_classes = {"starts_at": BoundedDateTimeField, "audience_people": MembersChoiceField}

    def clean(self):
        data = super().clean()
        if not data.get("audience_roles") and not data.get("audience_people"):
            raise forms.ValidationError(_("Say who must attend: choose roles or people."))
        status = data.get("status")
        if (
            status in {TrainingSession.Status.POSTPONED, TrainingSession.Status.CANCELLED}
            and not (data.get("status_reason") or "").strip()
        ):
            self.add_error("status_reason", _("Say why the session is postponed or cancelled."))
        return data


class AttendanceForm(forms.Form):
    attendees = MembersChoiceField(
        label=_("Attended"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = User.objects.filter(pk__in=[person.pk for person in people]).order_by(
            "full_name"
        )


class SetbackReviewForm(ProjectScopedForm):
    people_fields = ("affected_users",)

    class Meta:
        model = SetbackReview
        fields = ["title", "milestone", "rebaseline", "cause", "responsibility", "revised_plan", "affected_users"]
        widgets = {
            "cause": forms.Textarea(attrs={"rows": 3}),
            "responsibility": forms.Textarea(attrs={"rows": 2}),
            "revised_plan": forms.Textarea(attrs={"rows": 3}),
            "affected_users": forms.CheckboxSelectMultiple,
        }
        field_classes = {"affected_users": MembersChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestone"].queryset = Milestone.objects.filter(project=self.project)
        self.fields["rebaseline"].queryset = RebaselineRequest.objects.filter(
            project=self.project, status=RebaselineRequest.Status.APPROVED
        )

    def clean(self):
        data = super().clean()
        if not data.get("milestone") and not data.get("rebaseline"):
            raise forms.ValidationError(_("Link the missed milestone or the approved rebaseline this review is about."))
        return data


class SetbackActionForm(ProjectScopedForm):
    people_fields = ("owner",)

    class Meta:
        model = SetbackAction
        fields = ["kind", "description", "owner", "due_date"]
        field_classes = {"due_date": BoundedDateField}
        widgets = {"due_date": DATE}

    def _post_clean(self):
        pass
