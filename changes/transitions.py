"""The change-request workflow, declared once (D-CR-1…7): who may take each step, from which
states, to which state, with which form and by which service. The services take the steps
through it (and so refuse what it does not allow, whichever page, API or committee asks); the
request's page offers exactly what it allows the reader. Decisions are never the requester's."""

from django.utils.translation import gettext_lazy as _

from projects.permissions import Capability
from projects.workflow import Action, Workflow

from . import forms
from .models import ChangeEvent, ChangeRequest

S = ChangeRequest.Status
APPROVE = Capability.CHANGES_APPROVE
PROPOSE = Capability.CHANGES_PROPOSE
OPEN_FOR_OPTIONS = (S.REQUESTED, S.OPTIONS_PROPOSED, S.REVISION_REQUESTED)
NOT_FINAL = tuple(status for status in ChangeRequest.PIPELINE if status not in ChangeRequest.FINAL)


def _history(change, by, source, target, note) -> None:
    ChangeEvent.objects.create(change_request=change, actor=by, from_status=source, to_status=target, text=note)


def needs_custom_development(change) -> bool:
    return bool(change.selected_option and change.selected_option.needs_custom_development)


def _route_is(route: str):
    return lambda change: change.route == route


TRANSITIONS = Workflow(
    model=ChangeRequest,
    subject="change",
    history=_history,
    stale=_("This change request is no longer in a state that allows this; reload the page."),
    actions={
        "propose": Action(
            _("Propose an option"),
            OPEN_FOR_OPTIONS,
            S.OPTIONS_PROPOSED,
            "option_propose",
            capability=PROPOSE,
            form=forms.OptionForm,
        ),
        "revise": Action(
            _("Revise an option"),
            (S.OPTIONS_PROPOSED, S.REVISION_REQUESTED),
            S.OPTIONS_PROPOSED,
            "option_revise",
            capability=PROPOSE,
            form=forms.ReviseForm,
            style="outline-primary",
        ),
        "accept": Action(
            _("Accept an option"),
            (S.OPTIONS_PROPOSED,),
            S.AWAITING_DECISION,
            "change_request_accept_option",
            party="requester",
            form=forms.ChooseOptionForm,
            style="success",
        ),
        "feedback": Action(
            _("Send feedback on an option"),
            (S.OPTIONS_PROPOSED,),
            S.REVISION_REQUESTED,
            "change_request_feedback",
            party="requester",
            form=forms.FeedbackForm,
            style="outline-secondary",
        ),
        # Within the project's limits the PM decides (D-CR-4) — never on their own request.
        "decide": Action(
            _("Decide"),
            (S.AWAITING_DECISION,),
            (S.APPROVED, S.REJECTED),
            "change_request_decide",
            capability=APPROVE,
            not_party="requester",
            when=_route_is(ChangeRequest.Route.PM),
            form=forms.DecisionForm,
        ),
        # Beyond them the steering committee decides, on its meeting's agenda (changes.committee).
        "committee_decide": Action(
            _("Decide"),
            (S.AWAITING_DECISION,),
            (S.APPROVED, S.REJECTED),
            "change_request_decide",
            capability=Capability.MEETINGS_DECIDE,
            not_party="requester",
            when=_route_is(ChangeRequest.Route.COMMITTEE),
            step=False,
        ),
        "develop": Action(
            _("Start custom development"),
            (S.APPROVED,),
            S.IN_DEVELOPMENT,
            "change_request_start_development",
            capability=APPROVE,
            when=needs_custom_development,
            form=forms.DevelopmentForm,
        ),
        "progress": Action(
            _("Record progress"),
            (S.IN_DEVELOPMENT,),
            None,
            "development_progress_add",
            capability=APPROVE,
            form=forms.ProgressForm,
            style="outline-primary",
        ),
        "deliver": Action(
            _("Mark as delivered"),
            (S.IN_DEVELOPMENT,),
            S.DELIVERED,
            "change_request_deliver",
            capability=APPROVE,
            style="success",
        ),
        "pilot": Action(
            _("Start the pilot"),
            (S.DELIVERED,),
            S.IN_PILOT,
            "change_request_start_pilot",
            capability=APPROVE,
            form=forms.PilotForm,
        ),
        "pilot_result": Action(
            _("Record the pilot's result"),
            (S.IN_PILOT,),
            (S.READY_FOR_ROLLOUT, S.IN_DEVELOPMENT),
            "change_request_pilot_result",
            capability=APPROVE,
            form=forms.PilotResultForm,
        ),
        "rollout": Action(
            _("Roll out to everyone"),
            (S.APPROVED, S.READY_FOR_ROLLOUT),
            S.CLOSED,
            "change_request_rollout",
            capability=APPROVE,
            # Custom work is rolled out only after a passed pilot (D-CR-6).
            when=lambda change: change.status == S.READY_FOR_ROLLOUT or not needs_custom_development(change),
            form=forms.RolloutForm,
            style="success",
        ),
        "withdraw": Action(
            _("Withdraw"),
            NOT_FINAL,
            S.WITHDRAWN,
            "change_request_withdraw",
            capability=APPROVE,
            or_party="requester",
            form=forms.ReasonForm,
            style="outline-danger",
        ),
    },
)
