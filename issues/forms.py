from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import Jinja2
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from crmgov.formfields import BoundedDateTimeField
from projects.workflow import StepForm

from .models import Article, Issue, IssueSettings, Module, SupportSession
from .screenshots import MAX_PER_ISSUE


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ScreenshotsField(forms.FileField):
    """Several files in one input; their content is checked by the service, not here."""

    widget = MultipleFileInput(
        attrs={"accept": "image/png,image/jpeg,image/webp", "multiple": True, "data-paste-target": "true"}
    )

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(ScreenshotsField, self).clean(item, initial) for item in files]


class ListedModelChoiceIterator(ModelChoiceIterator):
    """The choices from one plain query: Django's `.iterator()` here opens a server-side cursor on
    PostgreSQL, several round trips for a handful of rows."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ListedModelChoiceField(forms.ModelChoiceField):
    iterator = ListedModelChoiceIterator


class ReportRenderer(Jinja2):
    """Django's Jinja2 form renderer with a field template in crispy-bootstrap5's markup
    (issues/jinja2/issues/stacked_field.html): the daily report form is filed by every key user
    every day, and crispy's nested templates were most of its time (docs/performance.md)."""

    field_template_name = "issues/stacked_field.html"


class IssueReportForm(forms.Form):
    default_renderer = ReportRenderer()  # one instance: its engine keeps the compiled templates

    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("e.g. Customer list export fails")}),
    )
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}))
    module = ListedModelChoiceField(
        label=_("Where in the CRM"), queryset=Module.objects.none(), required=False, empty_label=_("Not sure")
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Issue.Severity.choices, initial=Issue.Severity.MEDIUM, widget=forms.RadioSelect
    )
    steps = forms.CharField(label=_("Steps to reproduce"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    screenshots = ScreenshotsField(
        label=_("Screenshots"),
        required=False,
        help_text=format_lazy(
            _("PNG, JPEG or WEBP, up to 10 MB each, at most {max}. On a computer you can also paste."),
            max=MAX_PER_ISSUE,
        ),
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = Module.objects.filter(project=project, is_active=True)


class AnalysisForm(StepForm, forms.Form):
    context = forms.CharField(
        label=_("Context from the reporter"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you learnt talking to the reporter: when, what they were doing, what they expected."),
    )
    likely_cause = forms.CharField(label=_("Likely cause"), widget=forms.Textarea(attrs={"rows": 2}))
    category = forms.ChoiceField(label=_("Category"), choices=Issue.Category.choices)

    def initial_for(self, issue):
        return {"context": issue.analysis_context, "likely_cause": issue.likely_cause, "category": issue.category}


class ForwardForm(StepForm, forms.Form):
    consultant = forms.ModelChoiceField(label=_("Consultant"), queryset=None)
    summary = forms.CharField(
        label=_("Summary for the consultant"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Facts only: what happened, where, how to reproduce, what you found."),
    )

    def __init__(self, *args, subject, **kwargs):
        from .selectors import consultants_of  # selectors → services → transitions → forms: a cycle at import

        super().__init__(*args, subject=subject, **kwargs)
        self.fields["consultant"].queryset = consultants_of(subject.project)

    def initial_for(self, issue):
        from .services import objective_summary  # services → transitions → forms: a cycle at import

        return {"summary": objective_summary(issue), "consultant": issue.consultant_id}


class SolutionForm(StepForm, forms.Form):
    solution = forms.CharField(label=_("Proposed solution"), widget=forms.Textarea(attrs={"rows": 5}))


class NoteForm(StepForm, forms.Form):
    note = forms.CharField(label=_("What the solution still lacks"), widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(StepForm, forms.Form):
    cause = forms.CharField(label=_("Cause"), widget=forms.Textarea(attrs={"rows": 3}))
    fix = forms.CharField(label=_("Fix"), widget=forms.Textarea(attrs={"rows": 3}))

    def initial_for(self, issue):
        return {"cause": issue.likely_cause, "fix": issue.solution}


class ReasonForm(StepForm, forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class DuplicateForm(StepForm, forms.Form):
    original = forms.IntegerField(label=_("Duplicate of issue number"), min_value=1, max_value=2**31 - 1)

    def clean_original(self):
        """The issue of this project with that number (the service checks it is another one)."""
        original = Issue.objects.filter(project=self.subject.project_id, number=self.cleaned_data["original"]).first()
        if original is None:
            raise forms.ValidationError(_("No such issue in this project."), code="no_such_issue")
        return original


class CorrectionForm(StepForm, forms.Form):
    """The reporter's own correction of her issue while nobody has looked at it yet."""

    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ChoiceField(
        label=_("Category"), choices=[("", _("Not sure")), *Issue.Category.choices], required=False
    )

    def initial_for(self, issue):
        return {"title": issue.title, "description": issue.description, "category": issue.category}


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}))


class SessionForm(StepForm, forms.ModelForm):
    class Meta:
        model = SupportSession
        fields = ["kind", "held_at", "duration_minutes", "notes"]
        field_classes = {"held_at": BoundedDateTimeField}
        widgets = {
            "held_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }


class IssueEditForm(forms.ModelForm):
    class Meta:
        model = Issue
        fields = ["title", "severity", "category", "module"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = Module.objects.filter(project=self.instance.project_id)


class ArticleForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = ["title", "symptom", "cause", "solution", "module"]
        widgets = {
            "symptom": forms.Textarea(attrs={"rows": 3}),
            "cause": forms.Textarea(attrs={"rows": 3}),
            "solution": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = Module.objects.filter(project=project)


class IssueSettingsForm(forms.ModelForm):
    class Meta:
        model = IssueSettings
        fields = [
            "report_cadence",
            "reminder_time",
            "digest_time",
            "points_critical",
            "points_high",
            "points_medium",
            "points_low",
        ]
        widgets = {
            "reminder_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "digest_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }


class ModuleForm(forms.ModelForm):
    class Meta:
        model = Module
        fields = ["name", "position", "is_active"]
