"""What the issue and change-request workflows share.

Each workflow declares its actions once, in one table next to its model (`issues.transitions`,
`changes.transitions`): for each, who may take it (a capability, or the object's reporter or
requester), from which states, to which state, with which form and by which service. The
services check and take them through `Workflow.move`, so every entry point (page, API, a
committee's decision) obeys the same rules; the pages offer exactly the steps the table allows
the person (`step_forms`) and run them through the service (`take_step`).
"""

from collections.abc import Callable
from dataclasses import dataclass, replace

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.core.forms import add_errors
from projects.core.models import Membership
from projects.permissions import ProjectReadOnly
from projects.reporting.dashboard_cache import forget_dashboard


class TransitionRefused(ValidationError):
    """The object is not (or no longer) in a state that allows this step."""


CLOSED = gettext_lazy("This project is closed: it can be read but no longer changed.")


class StepForm:
    """A form of a workflow step, built with the object the step is taken on (`subject`)."""

    def __init__(self, *args, subject, **kwargs):
        self.subject = subject
        kwargs.setdefault("initial", self.initial_for(subject))
        super().__init__(*args, **kwargs)

    def initial_for(self, subject) -> dict | None:
        return None


@dataclass(frozen=True)
class Action:
    """One step of a workflow.

    Who: the `capability`; with `party` (e.g. "reporter", "consultant") the person must also be
    the object's; with `or_party` the object's person may take it without the capability; never
    the object's `not_party` (nobody decides their own request). A step with neither capability
    nor party is refused to everyone.
    """

    label: Promise
    sources: tuple[str, ...]
    target: str | tuple[str, ...] | None  # None: records something without moving the object
    service: str  # the name of the function in the app's services that takes it
    capability: str = ""
    party: str = ""
    or_party: str = ""
    not_party: str = ""
    when: Callable | None = None  # a condition on the object beyond its state
    form: type | None = None  # built as form(data, subject=obj); its cleaned_data are the service's arguments
    style: str = "primary"
    step: bool = True  # offered in the page's "Next step" panel (else by its own control or page)
    name: str = ""  # set by the Workflow from its key

    @property
    def targets(self) -> tuple[str, ...]:
        if self.target is None:
            return ()
        return (self.target,) if isinstance(self.target, str) else tuple(self.target)

    def is_for(self, membership, obj) -> bool:
        """Whether this person may take the step (whatever the object's state)."""
        user_id = membership.user_id
        if self.not_party and getattr(obj, f"{self.not_party}_id") == user_id:
            return False
        if self.or_party and getattr(obj, f"{self.or_party}_id") == user_id:
            return True
        if self.party and getattr(obj, f"{self.party}_id") != user_id:
            return False
        if not self.capability:
            return bool(self.party)
        return membership.can(self.capability)

    def open_on(self, obj) -> bool:
        """Whether the object's state allows the step."""
        return obj.status in self.sources and (self.when is None or self.when(obj))

    def allowed(self, membership, obj) -> bool:
        return not membership.read_only and self.open_on(obj) and self.is_for(membership, obj)

    def make_form(self, obj, data):
        return None if self.form is None else self.form(data, subject=obj)


class Workflow:
    """One model's table of actions, and taking them: checked, then one conditional UPDATE."""

    def __init__(self, *, model, subject: str, history: Callable, stale: Promise, actions: dict[str, Action]):
        self.model = model
        self.subject = subject  # the services' keyword for the object: "issue", "change"
        self.history = history  # (obj, by, source, target, note): one line of the object's history
        self.stale = stale
        self.actions = {name: replace(action, name=name) for name, action in actions.items()}

    def __getitem__(self, name: str) -> Action:
        return self.actions[name]

    def check(self, obj, name: str, by) -> Action:
        """The action, if `by` may take it on `obj` now; else ProjectReadOnly (a closed project),
        PermissionDenied (not this person) or TransitionRefused (not in this state)."""
        action = self.actions[name]
        membership = (
            Membership.objects.active()
            .filter(project=obj.project_id, user=getattr(by, "pk", None))
            .select_related("project")
            .first()
        )
        if membership is None:
            raise PermissionDenied
        membership.read_only = membership.project.status == membership.project.Status.CLOSED
        if membership.read_only:
            raise ProjectReadOnly(CLOSED)
        if not action.is_for(membership, obj):
            raise PermissionDenied
        if not action.open_on(obj):
            raise TransitionRefused(self.stale, code="stale_state")
        return action

    def move(self, obj, name: str, *, by, target: str | None = None, note: str = "", **fields):
        """Take action `name`: check it, then move `obj` from one of the action's sources to
        `target` (the action's own if it has one) with one conditional UPDATE, so of two people
        acting at once only the first succeeds; a line of history for a change of state."""
        action = self.check(obj, name, by)
        if target is None and isinstance(action.target, str):
            target = action.target
        if target is not None and target not in action.targets:
            raise ValueError(f"{name} does not lead to {target}")
        changes = {"updated_at": timezone.now(), **fields}
        if target is not None:
            changes["status"] = target
        if not self.model.objects.filter(pk=obj.pk, status__in=action.sources).update(**changes):
            raise TransitionRefused(self.stale, code="stale_state")
        if target is not None and target != obj.status:
            self.history(obj, by, obj.status, target, note)
        obj.refresh_from_db()
        forget_dashboard(obj.project)
        return obj

    def offered(self, membership, obj) -> dict[str, Action]:
        """The steps of the "Next step" panel this person may take now."""
        return {
            name: action for name, action in self.actions.items() if action.step and action.allowed(membership, obj)
        }


def step_forms(workflow: Workflow, membership, obj, failed_step=None, failed_form=None) -> dict:
    """{name: form or None} for every step this member may take now; a refused form keeps its input."""
    return {
        name: (failed_form if name == failed_step else action.make_form(obj, None))
        for name, action in workflow.offered(membership, obj).items()
    }


def take_step(request, *, workflow: Workflow, services, name: str, membership, obj, rerender):
    """Validate and run one step through its service; on refusal `rerender(failed_step, form)`
    shows the page with the error."""
    action = workflow.actions.get(name)
    if action is None or not action.step:
        raise Http404
    if membership.read_only:
        raise ProjectReadOnly(CLOSED)
    if not action.allowed(membership, obj):
        raise PermissionDenied
    form = action.make_form(obj, request.POST)
    if form is not None and not form.is_valid():
        return rerender(name, form)
    try:
        getattr(services, action.service)(
            **{workflow.subject: obj}, by=request.user, **(form.cleaned_data if form is not None else {})
        )
    except ValidationError as error:
        if form is None:
            messages.error(request, " ".join(error.messages))
            return redirect(obj)
        add_errors(form, error)
        return rerender(name, form)
    messages.success(request, _("%(ref)s: done.") % {"ref": obj.reference})
    return redirect(obj)
