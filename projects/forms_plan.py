"""Forms of the plan, its registers and the steering committee."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    ActionItem,
    AgendaItem,
    BudgetLine,
    CommitteeMember,
    Meeting,
    Milestone,
    Phase,
    RebaselineRequest,
    RequirementDocument,
    Risk,
    SetbackAction,
    SetbackReview,
    TrainingSession,
    User,
)
from .permissions import Role

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


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
    from .models import Membership

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


class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = ["name", "goals", "scope", "quick_win", "start_date", "end_date", "status"]
        widgets = {
            "goals": forms.Textarea(attrs={"rows": 3}),
            "scope": forms.Textarea(attrs={"rows": 3}),
            "start_date": DATE,
            "end_date": DATE,
        }


class MilestoneForm(ProjectScopedForm):
    people_fields = ("owner",)

    class Meta:
        model = Milestone
        fields = ["name", "phase", "owner", "baseline_date", "forecast_date", "actual_date"]
        widgets = {"baseline_date": DATE, "forecast_date": DATE, "actual_date": DATE}

    def __init__(self, *args, baseline_locked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].queryset = Phase.objects.filter(project=self.project)
        if baseline_locked:
            self.fields["baseline_date"].disabled = True
            self.fields["baseline_date"].help_text = _(
                "The plan is baselined: this date changes only through an approved rebaseline request."
            )

    def _post_clean(self):
        # The service validates the whole milestone (the baseline rule needs the project).
        pass


class BudgetLineForm(forms.Form):
    baseline = forms.DecimalField(label=_("baseline"), min_value=0, max_digits=14, decimal_places=2)
    committed = forms.DecimalField(label=_("committed"), min_value=0, max_digits=14, decimal_places=2)
    actual = forms.DecimalField(label=_("actual"), min_value=0, max_digits=14, decimal_places=2)
    forecast = forms.DecimalField(label=_("forecast"), min_value=0, max_digits=14, decimal_places=2)
    funding = forms.ChoiceField(label=_("funding"), choices=BudgetLine.Funding.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-select form-select-sm" if name == "funding" else "form-control form-control-sm text-end"
            field.widget.attrs["class"] = css
            field.widget.attrs["aria-label"] = str(field.label)


class BudgetForm:
    """One small form per category, prefixed by the category."""

    def __init__(self, data=None, *, lines, baseline_locked: bool):
        self.rows = []
        for line in lines:
            form = BudgetLineForm(
                data,
                prefix=line.category,
                initial={
                    "baseline": line.baseline,
                    "committed": line.committed,
                    "actual": line.actual,
                    "forecast": line.forecast,
                    "funding": line.funding,
                },
            )
            if baseline_locked:
                form.fields["baseline"].disabled = True
            self.rows.append((line, form))

    def is_valid(self) -> bool:
        return all([form.is_valid() for _line, form in self.rows])

    @property
    def errors(self) -> bool:
        return any(form.errors for _line, form in self.rows)

    @property
    def cleaned_data(self) -> dict[str, dict]:
        return {line.category: dict(form.cleaned_data) for line, form in self.rows}


class BaselineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        initial="",
        help_text=_("For example: plan agreed at the kick-off meeting."),
    )


class RebaselineRequestForm(forms.ModelForm):
    class Meta:
        model = RebaselineRequest
        fields = ["reason", "extra_cost"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 4})}


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=AgendaItem.Outcome.choices, widget=forms.RadioSelect)
    rationale = forms.CharField(label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 2}))


class ApprovalForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[(AgendaItem.Outcome.APPROVED, _("Approve")), (AgendaItem.Outcome.REJECTED, _("Reject"))],
        widget=forms.RadioSelect,
    )
    rationale = forms.CharField(label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 2}))


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
        field_classes = {"audience_people": MembersChoiceField}

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
        widgets = {"due_date": DATE}

    def _post_clean(self):
        pass


class CommitteeMemberForm(ProjectScopedForm):
    people_fields = ("user",)

    class Meta:
        model = CommitteeMember
        fields = ["user", "committee_role", "department"]

    def _post_clean(self):
        pass


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["title", "starts_at", "duration_minutes", "location", "online_url"]
        widgets = {"starts_at": DATETIME}

    def clean(self):
        data = super().clean()
        if not data.get("location") and not data.get("online_url"):
            raise forms.ValidationError(_("Give a place or an online link."))
        return data


class AgendaItemForm(ProjectScopedForm):
    people_fields = ("presenter",)

    class Meta:
        model = AgendaItem
        fields = ["title", "presenter", "minutes_allotted", "decision_required"]

    def _post_clean(self):
        pass


class MinutesForm(forms.Form):
    """Attendance and one minutes field per agenda item."""

    def __init__(self, *args, meeting, items, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        self.fields["attendees"] = MembersChoiceField(
            label=_("Present"),
            queryset=User.objects.filter(pk__in=[person.pk for person in people]).order_by("full_name"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            initial=[person.pk for person in meeting.attendees.all()],
        )
        for item in items:
            self.fields[f"minutes_{item.pk}"] = forms.CharField(
                label=item.title, required=False, initial=item.minutes, widget=forms.Textarea(attrs={"rows": 3})
            )

    def minutes(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data[f"minutes_{item.pk}"] for item in self.items}


class ActionItemForm(ProjectScopedForm):
    people_fields = ("owner",)

    class Meta:
        model = ActionItem
        fields = ["title", "owner", "due_date"]
        widgets = {"due_date": DATE}

    def _post_clean(self):
        pass


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionItem.Status.choices)
