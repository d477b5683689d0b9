from django import forms
from django.utils.translation import gettext_lazy as _

from projects.core.forms import project_people

from .models import ASSESSED_AREAS, Area, Closure, ClosureItem, Gate, ImprovementItem, Lesson, Sop

KNOWS_CHOICES = [("", _("Not answered yet")), ("yes", _("Yes")), ("no", _("No"))]


def _people_field(field, project) -> None:
    field.queryset = project_people(project)
    field.label_from_instance = lambda user: user.full_name or user.email


class SuccessorForm(forms.ModelForm):
    class Meta:
        model = Closure
        fields = ["successor", "readiness_threshold"]

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        _people_field(self.fields["successor"], project)
        self.fields["successor"].required = True


class SopForm(forms.ModelForm):
    departments = forms.CharField(
        label=_("Departments involved"),
        help_text=_("Separated by commas; each confirms the procedure."),
        max_length=500,
    )

    class Meta:
        model = Sop
        fields = ["process", "owner_department", "version", "procedure", "document", "users_trained", "improver"]
        widgets = {"procedure": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        _people_field(self.fields["improver"], project)
        self.fields["improver"].required = True
        if self.instance.pk and not self.is_bound:
            self.initial["departments"] = ", ".join(self.instance.departments)

    def clean_departments(self) -> list[str]:
        raw = self.cleaned_data["departments"].replace("，", ",").replace("、", ",")
        departments = list(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
        if not departments:
            raise forms.ValidationError(_("Name at least one department."))
        return departments


class ConfirmForm(forms.Form):
    department = forms.CharField(max_length=100)


class ItemForm(forms.ModelForm):
    knows = forms.ChoiceField(label=_("The company knows how to handle it"), choices=KNOWS_CHOICES, required=False)

    class Meta:
        model = ClosureItem
        fields = ["title", "detail", "interim_handling", "owner"]
        widgets = {"detail": forms.Textarea(attrs={"rows": 3}), "interim_handling": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        _people_field(self.fields["owner"], project)
        if self.instance.pk and not self.is_bound:
            known = self.instance.company_knows
            self.initial["knows"] = "" if known is None else ("yes" if known else "no")
        if self.instance.pk and self.instance.kind != ClosureItem.Kind.SPECIAL:
            # Compiled from the data: its title and detail come from the source.
            del self.fields["title"]
            del self.fields["detail"]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        knows = data.pop("knows")
        data["company_knows"] = None if knows == "" else knows == "yes"
        return data


class MessageForm(forms.Form):
    text = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class AssessmentForm(forms.Form):
    gaps = forms.CharField(
        label=_("What I do not yet understand"),
        help_text=_("One point per line; each becomes an item to resolve with the consultant."),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=5000,
    )

    def __init__(self, *args, scores: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(str(n), str(n)) for n in range(1, 6)]
        for area in ASSESSED_AREAS:
            self.fields[f"score_{area}"] = forms.TypedChoiceField(
                label=Area(area).label,
                choices=choices,
                coerce=int,
                initial=scores.get(area, ""),
                help_text=_("1: I could not do it alone · 5: I can carry it fully"),
            )
        self.order_fields([f"score_{area}" for area in ASSESSED_AREAS] + ["gaps"])

    def scores(self) -> dict[str, int]:
        return {area: self.cleaned_data[f"score_{area}"] for area in ASSESSED_AREAS}


class ImprovementForm(forms.ModelForm):
    class Meta:
        model = ImprovementItem
        fields = ["year", "objective", "area", "scope_extension", "owner"]
        widgets = {"scope_extension": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        _people_field(self.fields["owner"], project)
        self.fields["owner"].required = True


class ReviewForm(forms.Form):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    approves = forms.BooleanField(label=_("I approve the plan"), required=False)


class WaiverForm(forms.Form):
    gate = forms.ChoiceField(choices=Gate.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for the waiver"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class RefuseWaiverForm(forms.Form):
    gate = forms.ChoiceField(choices=Gate.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Why the gate must pass on its data"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the project is reopened"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Every member receives it by e-mail; the acceptance is kept on the record."),
    )


class SignForm(forms.Form):
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


class LessonForm(forms.ModelForm):
    class Meta:
        model = Lesson
        fields = ["event", "effect", "cause", "early_warning", "recommendation"]
        widgets = {name: forms.Textarea(attrs={"rows": 2}) for name in fields}
