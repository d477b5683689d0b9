"""The issue workflow, declared once: who may take each step, from which states, to which state,
with which form and by which service. The services take the steps through it (and so refuse what
it does not allow); the issue page offers exactly what it allows the reader."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from projects.permissions import Capability
from projects.workflow import Action, Workflow

from . import forms
from .models import Issue, IssueEvent

S = Issue.Status
TRIAGE = Capability.ISSUES_TRIAGE
RESPOND = Capability.ISSUES_RESPOND
ACTIVE = (S.NEW, S.ANALYSING, S.WITH_CONSULTANT, S.SOLUTION_PROPOSED)


def _history(issue, by, source, target, note) -> None:
    IssueEvent.objects.create(
        issue=issue, actor=by, kind=IssueEvent.Kind.STATUS, from_status=source, to_status=target, text=note
    )


TRANSITIONS = Workflow(
    model=Issue,
    subject="issue",
    history=_history,
    stale=_("This issue is no longer in a state that allows this; reload the page to see its current state."),
    actions={
        "analyse": Action(
            _("Record the analysis"),
            (S.NEW, S.ANALYSING),
            S.ANALYSING,
            "issue_analyse",
            capability=TRIAGE,
            form=forms.AnalysisForm,
        ),
        "forward": Action(
            _("Forward to the consultant"),
            (S.ANALYSING,),
            S.WITH_CONSULTANT,
            "issue_forward",
            capability=TRIAGE,
            form=forms.ForwardForm,
        ),
        "solution": Action(
            _("Propose a solution"),
            (S.WITH_CONSULTANT,),
            S.SOLUTION_PROPOSED,
            "issue_propose_solution",
            capability=RESPOND,
            party="consultant",
            form=forms.SolutionForm,
        ),
        "session": Action(
            _("Record a remote or on-site session"),
            (S.WITH_CONSULTANT, S.SOLUTION_PROPOSED),
            None,
            "issue_record_session",
            capability=RESPOND,
            party="consultant",
            form=forms.SessionForm,
            style="outline-secondary",
        ),
        "return": Action(
            _("Send back to the consultant"),
            (S.SOLUTION_PROPOSED,),
            S.WITH_CONSULTANT,
            "issue_return_to_consultant",
            capability=TRIAGE,
            form=forms.NoteForm,
            style="outline-secondary",
        ),
        "resolve": Action(
            _("Resolve"),
            (S.ANALYSING, S.SOLUTION_PROPOSED),
            S.RESOLVED,
            "issue_resolve",
            capability=TRIAGE,
            form=forms.ResolveForm,
            style="success",
        ),
        "confirm": Action(
            _("Confirm it is fixed"),
            (S.RESOLVED,),
            S.CLOSED,
            "issue_confirm",
            party="reporter",
            style="success",
        ),
        "reopen": Action(
            _("It still does not work"),
            (S.RESOLVED,),
            S.ANALYSING,
            "issue_reopen",
            party="reporter",
            form=forms.ReasonForm,
            style="outline-danger",
        ),
        # Undo (issue 16): an issue resolved or closed by mistake goes back to analysis, with a reason.
        "unresolve": Action(
            pgettext_lazy("issue action", "Reopen"),
            (S.RESOLVED, S.CLOSED),
            S.ANALYSING,
            "issue_unresolve",
            capability=TRIAGE,
            form=forms.ReasonForm,
            style="outline-danger",
        ),
        # The reporter corrects her issue until someone has looked at it.
        "correct": Action(
            pgettext_lazy("issue action", "Edit"),
            (S.NEW,),
            None,
            "issue_correct",
            party="reporter",
            form=forms.CorrectionForm,
            style="outline-secondary",
        ),
        # A change request that came from the issue was rolled out or rejected (changes/services.py):
        # taken by whoever closed the change request, under that workflow's own rules; no page offers it.
        "change_outcome": Action(
            _("Closed by its change request"),
            ACTIVE,
            (S.RESOLVED, S.REJECTED),
            "issue_resolve_by_change",
            capability=Capability.PROJECT_VIEW,
            step=False,
        ),
        "defer": Action(
            _("Defer"),
            ACTIVE,
            S.DEFERRED,
            "issue_defer",
            capability=TRIAGE,
            form=forms.ReasonForm,
            style="outline-secondary",
        ),
        "resume": Action(
            _("Resume"),
            (S.DEFERRED,),
            S.ANALYSING,
            "issue_resume",
            capability=TRIAGE,
            style="outline-secondary",
        ),
        "duplicate": Action(
            _("Mark as duplicate"),
            (S.NEW, S.ANALYSING),
            S.DUPLICATE,
            "issue_mark_duplicate",
            capability=TRIAGE,
            form=forms.DuplicateForm,
            style="outline-secondary",
        ),
        "reject": Action(
            _("Reject"),
            (S.NEW, S.ANALYSING),
            S.REJECTED,
            "issue_reject",
            capability=TRIAGE,
            form=forms.ReasonForm,
            style="outline-danger",
        ),
        # Screenshots are added with their own control on the page (a file input), by the
        # reporter or whoever triages, while the issue is open.
        "screenshots": Action(
            _("Add screenshots"),
            Issue.OPEN_STATUSES,
            None,
            "issue_add_screenshots",
            capability=TRIAGE,
            or_party="reporter",
            step=False,
        ),
    },
)
