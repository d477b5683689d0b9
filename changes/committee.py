"""Change requests beyond the PM's limits wait for the steering committee (D-CR-4): they are
proposed for its next agenda, and its decision on the agenda item moves the request."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.registry import DecisionProvider, Outcome, PendingDecision

from . import services
from .models import ChangeEvent, ChangeRequest


def _awaiting_committee(project):
    return ChangeRequest.objects.filter(
        project=project, status=ChangeRequest.Status.AWAITING_DECISION, route=ChangeRequest.Route.COMMITTEE
    ).select_related("project", "selected_option")


def _describe(change: ChangeRequest) -> PendingDecision:
    option = change.selected_option
    title = _("Change request %(ref)s: %(title)s (cost %(cost)s, %(days)s days)") % {
        "ref": change.reference,
        "title": change.title,
        "cost": f"{option.cost_estimate:,.0f}" if option else "—",
        "days": option.schedule_impact_days if option else "—",
    }
    return PendingDecision(
        kind="change",
        object_id=change.pk,
        title=title,
        url=change.get_absolute_url(),
        requested_by_id=change.requester_id,  # never shown to the requester as theirs to decide
        since=change.updated_at,
    )


def pending(project) -> list[PendingDecision]:
    return [_describe(change) for change in _awaiting_committee(project)]


def pending_in(projects) -> list[tuple[int, PendingDecision]]:
    """Every project's requests awaiting the committee at once (one query, "my work", issue 19)."""
    changes = ChangeRequest.objects.filter(
        project__in=projects, status=ChangeRequest.Status.AWAITING_DECISION, route=ChangeRequest.Route.COMMITTEE
    ).select_related("project", "selected_option")
    return [(change.project_id, _describe(change)) for change in changes]


def describe(project, ids: list[int]) -> dict[int, PendingDecision]:
    changes = ChangeRequest.objects.filter(project=project, pk__in=ids).select_related("project", "selected_option")
    return {change.pk: _describe(change) for change in changes}


def decide(*, project, object_id: int, outcome: str, rationale: str, decided_by) -> None:
    change = _awaiting_committee(project).filter(pk=object_id).first()
    if change is None:
        raise ValidationError(_("The linked change request no longer waits for a decision."))
    if outcome == Outcome.DEFERRED:
        ChangeEvent.objects.create(
            change_request=change,
            actor=decided_by,
            text=_("Deferred by the steering committee: %(why)s") % {"why": rationale},
        )
        return
    services.change_request_decide(change=change, by=decided_by, approve=outcome == Outcome.APPROVED, note=rationale)


def change_decision_provider() -> DecisionProvider:
    return DecisionProvider(
        kind="change",
        label=gettext_lazy("Change request"),
        pending=pending,
        decide=decide,
        describe=describe,
        pending_in=pending_in,
    )
