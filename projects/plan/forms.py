"""Forms of the plan, its registers and the steering committee."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crmgov.formfields import BoundedDateField
from projects.core.forms import DATE, ProjectScopedForm
from projects.plan.models import BudgetLine, Milestone, Phase, RebaselineRequest
from projects.steering.models import AgendaItem


class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = ["name", "goals", "scope", "quick_win", "start_date", "end_date", "status"]
        field_classes = {"start_date": BoundedDateField, "end_date": BoundedDateField}
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
        field_classes = {
            "baseline_date": BoundedDateField,
            "forecast_date": BoundedDateField,
            "actual_date": BoundedDateField,
        }
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
