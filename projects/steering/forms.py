from django import forms
from django.utils.translation import gettext_lazy as _

from crmgov.formfields import BoundedDateField, BoundedDateTimeField
from projects.core.forms import DATE, DATETIME, MembersChoiceField, ProjectScopedForm
from projects.core.models import User
from projects.steering.models import ActionItem, AgendaItem, CommitteeMember, Meeting


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
        field_classes = {"starts_at": BoundedDateTimeField}
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
        field_classes = {"due_date": BoundedDateField}
        widgets = {"due_date": DATE}

    def _post_clean(self):
        pass


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionItem.Status.choices)
