"""Every form of ours, fuzzed (issue 9, security): no input raises, directly or through its URL;
invalid input is answered with a message and the form keeps what was typed."""

import importlib
import inspect
import pkgutil
import re

import pytest
from django import forms
from django.db import transaction
from django.test import TestCase
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import Team, create_user
from crmgov.tests.test_authorization import (
    AREAS,
    PROJECT_CASES,
    AreaTestData,
    _case_id,
    _change_kwargs,
    _issue,
    _objects,
)
from projects.permissions import Role

OUR_APPS = ["projects", "issues", "changes", "closure"]
# Bases that are never shown on their own.
# Bases without fields of their own: the issue filters' form gets its fields from IssueFilter (django-filter).
NOT_A_PAGE_FORM = {"projects.core.forms.ProjectScopedForm", "issues.filters.IssueFilterForm"}

NASTY = [
    "",
    " ",
    "0",
    "-1",
    "1e309",
    "NaN",
    "9" * 40,
    "2026-02-30",
    "2026-13-01",
    "9999-12-31",
    "0001-01-01",
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "\x00",
    "a\r\nBcc: evil@x.example",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "数" * 300,
    "../../etc/passwd",
    "1,2",
    "on",
    "SCRM",
    "pm",
    "high",
]
garbage = st.one_of(st.sampled_from(NASTY), st.text(max_size=40), st.integers().map(str))


def _our_modules():
    """Every module of our apps but tests and migrations: a form declared in a view module counts too."""
    for app in OUR_APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if not re.search(r"\.(tests|migrations|management)(\.|$)", info.name):
                yield importlib.import_module(info.name)


def _our_forms() -> dict[str, type]:
    found = {}
    for module in _our_modules():
        for cls in vars(module).values():
            if inspect.isclass(cls) and issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                found[f"{module.__name__}.{cls.__name__}"] = cls
    return found


def _project(team):
    return {"project": team.project}


def _change(team):
    """A workflow step's form is built with the object the step is taken on."""
    _change_kwargs(team)
    return {"subject": team.change}


def _issue_step(team):
    return {"subject": _issue(team)}


def _people(team):
    return [membership.user for membership in team.members.values()]


BUILDERS = {
    "projects.core.forms.ProjectForm": lambda team: {},
    "projects.core.forms.ProjectSettingsForm": lambda team: {"instance": team.project},
    "projects.core.forms.InviteForm": lambda team: {},
    "projects.core.forms.MembershipForm": lambda team: {"instance": team.members[Role.KEY_USER]},
    "projects.core.forms.PreferencesForm": lambda team: {"instance": team.user(Role.PM)},
    "projects.reporting.forms.NarrativeForm": lambda team: {},
    "projects.escalations.forms.RaiseForm": lambda team: {},
    "projects.escalations.forms.ResolveForm": lambda team: {},
    "projects.api.forms.TokenForm": lambda team: {},
    "projects.notifications.forms.ChatWebhookForm": lambda team: {},
    "issues.calendar_forms.CalendarDayForm": lambda team: {},
    "issues.calendar_forms.CalendarImportForm": lambda team: {},
    "projects.plan.forms.PhaseForm": lambda team: {},
    "projects.plan.forms.MilestoneForm": _project,
    "projects.plan.forms.BudgetLineForm": lambda team: {},
    "projects.plan.forms.BaselineForm": lambda team: {},
    "projects.plan.forms.RebaselineRequestForm": lambda team: {},
    "projects.plan.forms.DecisionForm": lambda team: {},
    "projects.plan.forms.ApprovalForm": lambda team: {},
    "projects.registers.forms.RiskForm": _project,
    "projects.registers.forms.RequirementDocumentForm": lambda team: {},
    "projects.registers.forms.RequirementVersionForm": lambda team: {},
    "projects.registers.forms.TrainingSessionForm": _project,
    "projects.registers.forms.AttendanceForm": lambda team: {"people": _people(team)},
    "projects.registers.forms.SetbackReviewForm": _project,
    "projects.registers.forms.SetbackActionForm": _project,
    "projects.steering.forms.CommitteeMemberForm": _project,
    "projects.steering.forms.MeetingForm": lambda team: {},
    "projects.steering.forms.AgendaItemForm": _project,
    "projects.steering.forms.MinutesForm": lambda team: {
        "meeting": _objects(team).meeting,
        "items": [_objects(team).item],
        "people": _people(team),
    },
    "projects.steering.forms.ActionItemForm": _project,
    "projects.steering.forms.ActionStatusForm": lambda team: {},
    "issues.forms.IssueReportForm": _project,
    "issues.forms.AnalysisForm": _issue_step,
    "issues.forms.ForwardForm": _issue_step,
    "issues.forms.CorrectionForm": _issue_step,
    "issues.forms.SolutionForm": _issue_step,
    "issues.forms.NoteForm": _issue_step,
    "issues.forms.ResolveForm": _issue_step,
    "issues.forms.ReasonForm": _issue_step,
    "issues.forms.DuplicateForm": _issue_step,
    "issues.forms.CommentForm": lambda team: {},
    "issues.forms.SessionForm": _issue_step,
    "issues.forms.IssueEditForm": lambda team: {},
    "issues.forms.ArticleForm": _project,
    "issues.forms.IssueSettingsForm": lambda team: (
        {"instance": team.project.issue_settings} if hasattr(team.project, "issue_settings") else {}
    ),
    "issues.forms.ModuleForm": lambda team: {},
    "changes.forms.ChangeRequestForm": lambda team: {},
    "changes.forms.OptionForm": _change,
    "changes.forms.ReviseForm": _change,
    "changes.forms.ChooseOptionForm": _change,
    "changes.forms.FeedbackForm": _change,
    "changes.forms.DecisionForm": _change,
    "changes.forms.DevelopmentForm": _change,
    "changes.forms.ProgressForm": _change,
    "changes.forms.PilotForm": _change,
    "changes.forms.PilotResultForm": _change,
    "changes.forms.RolloutForm": _change,
    "changes.forms.ReasonForm": _change,
    "changes.forms.ChangeSettingsForm": lambda team: {},
    "closure.forms.SuccessorForm": _project,
    "closure.forms.SopForm": _project,
    "closure.forms.ConfirmForm": lambda team: {},
    "closure.forms.ItemForm": _project,
    "closure.forms.MessageForm": lambda team: {},
    "closure.forms.AssessmentForm": lambda team: {"scores": {}},
    "closure.forms.ImprovementForm": _project,
    "closure.forms.ReviewForm": lambda team: {},
    "closure.forms.WaiverForm": lambda team: {},
    "closure.forms.SignForm": lambda team: {},
    "closure.forms.RefuseWaiverForm": lambda team: {},
    "closure.forms.ReopenForm": lambda team: {},
    "closure.forms.LessonForm": lambda team: {},
}


def test_every_form_is_fuzzed():
    missing = set(_our_forms()) - set(BUILDERS) - NOT_A_PAGE_FORM
    assert not missing, f"forms without a fuzz builder: {sorted(missing)}"


FUZZ = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


class TestFormsFuzz(TestCase):
    """Every form, its team (and the objects some forms are built for) made once."""

    @classmethod
    def setUpTestData(cls):
        cls.team = Team(create_user)
        # The objects some forms are built for, made here so that they outlive each form's savepoint.
        _objects(cls.team)
        _change_kwargs(cls.team)

    def test_no_input_makes_a_form_raise(self):
        found = _our_forms()
        for name in sorted(BUILDERS):
            with self.subTest(form=name), transaction.atomic():
                _fuzz_form(found[name], BUILDERS[name](self.team))
                transaction.set_rollback(True)


def _fuzz_form(form_class, kwargs):
    field_names = list(form_class(**kwargs).fields)

    @FUZZ
    @given(st.fixed_dictionaries({field: st.lists(garbage, min_size=1, max_size=2) for field in field_names}))
    def check(values):
        form = form_class(data=MultiValueDict(values), files=MultiValueDict(), **kwargs)
        form.is_valid()  # must not raise, whatever was typed
        str(form.errors)

    check()


def _fuzz_page(client, url):
    @settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.fixed_dictionaries({}, optional={field: garbage for field in ALL_FIELD_NAMES}))
    def check(values):
        response = client.post(url, values)
        assert response.status_code < 500, f"POST {url}: {response.status_code}"

    check()


ALL_FIELD_NAMES = sorted({field for cls in _our_forms().values() for field in cls.base_fields} | {"action"})
POST_CASES = [case for case in PROJECT_CASES if case.method == "POST"]


def _allowed(case):
    return Role.PM if Role.PM in case.allowed else sorted(case.allowed)[0]


FORM_PAGES = sorted(
    {case.url_name for case in POST_CASES} & {case.url_name for case in PROJECT_CASES if case.method == "GET"}
)
TEXT_INPUT = re.compile(r'<(?:input(?=[^>]*type="text")|textarea)[^>]*\sname="([^"]+)"', re.IGNORECASE)
HIDDEN_INPUT = re.compile(r'<input(?=[^>]*type="hidden")[^>]*\sname="([^"]+)"[^>]*\svalue="([^"]*)"', re.IGNORECASE)
NAMED = re.compile(r'<(?:input|textarea|select)\b[^>]*\sname="([^"]+)"', re.IGNORECASE)
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.IGNORECASE | re.DOTALL)
TYPED = "typed·键入"


def _own_forms(page: str, url: str) -> str:
    """The HTML of the page's forms that post to `url` itself (not the menu's, not other actions)."""
    own = []
    for attributes, body in FORM.findall(page):
        action = re.search(r'\saction="([^"]*)"', attributes)
        if 'method="post"' in attributes.lower() and (action is None or action.group(1) in {"", url}):
            own.append(body)
    return "\n".join(own)


class PageFuzzChecks(AreaTestData):
    """An area's POST URLs fuzzed, each as a role that may use it, on the area's team built once;
    each case in a rolled-back savepoint (its two examples share it, as they shared a team before)."""

    def _posts(self, forms_only=False):
        for case, kwargs in zip(self.cases, self.kwargs, strict=True):
            if case.method == "POST" and (not forms_only or case.url_name in FORM_PAGES):
                role = _allowed(case)
                with self.subTest(url=case.url_name, method=case.method, role=role.value), self.rolled_back():
                    yield case, self.client_for(self.team.user(role)), reverse(case.url_name, kwargs=kwargs)

    def test_no_input_makes_a_page_fail(self):
        for _case, client, url in self._posts():
            _fuzz_page(client, url)

    def test_invalid_input_gets_a_message_and_keeps_what_was_typed(self):
        """Text in every box of the form, nonsense in every date, number and choice: the page answers
        with an error and shows the text again. Hidden fields keep their values (nobody types there)."""
        for case, client, url in self._posts(forms_only=True):
            form = _own_forms(client.get(url).content.decode(), url)
            hidden = dict(HIDDEN_INPUT.findall(form))
            values = {name: f"{TYPED}{index}" for index, name in enumerate(sorted(set(NAMED.findall(form))))}
            values.update(hidden)
            text_boxes = set(TEXT_INPUT.findall(form))
            response = client.post(url, values)
            if response.status_code == 302:
                continue  # everything typed was acceptable as text
            self.assertIn(response.status_code, {200, 400}, f"POST {case.url_name}")
            html = response.content.decode()
            self.assertTrue(
                any(marker in html for marker in ("is-invalid", "invalid-feedback", "errorlist", "alert-danger")),
                f"POST {case.url_name}: a message says what is wrong",
            )
            lost = {name for name in text_boxes if values[name] not in html}
            self.assertFalse(lost, f"POST {case.url_name}: what was typed is lost in: {sorted(lost)}")


# One class per area of the authorization matrix (its team and objects built once).
@pytest.mark.xdist_group("fuzz-issues")
class TestProjectAndIssuePagesFuzz(PageFuzzChecks, TestCase):
    cases = AREAS["ProjectAndIssue"]


@pytest.mark.xdist_group("fuzz-changes")
class TestChangeEscalationAndReportPagesFuzz(PageFuzzChecks, TestCase):
    cases = AREAS["ChangeEscalationAndReport"]


@pytest.mark.xdist_group("fuzz-plan")
class TestPlanAndRegistersPagesFuzz(PageFuzzChecks, TestCase):
    cases = AREAS["PlanAndRegisters"]


@pytest.mark.xdist_group("fuzz-steering")
class TestSteeringPagesFuzz(PageFuzzChecks, TestCase):
    cases = AREAS["Steering"]


@pytest.mark.xdist_group("fuzz-closure")
class TestClosureNotStartedPagesFuzz(PageFuzzChecks, TestCase):
    cases = AREAS["ClosureNotStarted"]


@pytest.mark.xdist_group("fuzz-closure")
class TestClosurePagesFuzz(PageFuzzChecks, TestCase):
    cases = AREAS["Closure"]


def test_every_post_url_is_fuzzed():
    classes = [TestProjectAndIssuePagesFuzz, TestChangeEscalationAndReportPagesFuzz, TestPlanAndRegistersPagesFuzz]
    classes += [TestSteeringPagesFuzz, TestClosureNotStartedPagesFuzz, TestClosurePagesFuzz]
    fuzzed = sorted(_case_id(case) for test in classes for case in test.cases if case.method == "POST")
    assert fuzzed == sorted(map(_case_id, POST_CASES))
