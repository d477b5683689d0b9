"""Escalations: detected from the data or raised by the PM, sent at once to leadership,
acknowledged with one click, renotified to the sponsor when nobody acknowledges (D-ESC-1…4)."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import partial

from celery import current_app
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from projects.core.models import Membership, Project, User
from projects.escalations.models import Escalation, EscalationRecipient
from projects.notifications.outbox import email_queue
from projects.notifications.services import escalation_notify
from projects.permissions import LEADERSHIP_ROLES, Capability, Role
from projects.registry import Detected, escalation_conditions

# Enqueued by name: its module (`projects.escalations.tasks`) imports this one.
EVALUATE_ESCALATIONS = "projects.escalations.tasks.evaluate_escalations"


def leadership(project: Project) -> list[User]:
    """Sponsor, executives and steering members: whoever an escalation goes to at once."""
    memberships = Membership.objects.active().filter(project=project, role__in=LEADERSHIP_ROLES).select_related("user")
    return [membership.user for membership in memberships]


def _sponsors(project: Project) -> list[User]:
    memberships = Membership.objects.active().filter(project=project, role=Role.SPONSOR).select_related("user")
    return [membership.user for membership in memberships]


def _responsible_pm(project: Project) -> User | None:
    memberships = Membership.objects.active().filter(project=project).select_related("user")
    return next((m.user for m in memberships if m.can(Capability.ESCALATIONS_MANAGE)), None)


def _notify(escalation: Escalation, people: list[User], level: int, worsened: dict | None = None) -> None:
    """E-mail each person (worded in their language when the e-mail is rendered) and the chat."""
    key = f"escalation:{escalation.pk}:level-{level}"
    if worsened:
        key = f"escalation:{escalation.pk}:worsened:{worsened['after']}"
    for person in people:
        EscalationRecipient.objects.get_or_create(escalation=escalation, user=person)
        email_queue(
            to=person,
            template="escalation",
            project=escalation.project,
            key=key,
            context={"escalation": escalation, "second_notice": level > 1, "worsened": worsened},
        )
    escalation_notify(escalation, level, worsened=worsened)


def _plain(value) -> str:
    """A magnitude as a key and a figure: 21, 12000, 12000.5."""
    value = Decimal(value)
    return str(value.quantize(Decimal(1))) if value == value.to_integral_value() else str(value.normalize())


@transaction.atomic
def escalation_open(
    *, project: Project, kind: str, detected: Detected, automatic: bool, responsible: User | None = None
) -> Escalation:
    escalation = Escalation.objects.create(
        project=project,
        kind=kind,
        instance=detected.instance,
        automatic=automatic,
        params=detected.params,
        typed_title=detected.title,
        typed_what_happened=detected.what_happened,
        typed_consequences=detected.consequences,
        delay_days=detected.delay_days,
        extra_cost=Decimal(detected.extra_cost or 0),
        cost_of_delay_per_day=project.cost_of_delay_per_day,
        options=detected.options,
        typed_recommendation=detected.recommendation,
        notified_magnitude=None if detected.magnitude is None else Decimal(detected.magnitude),
        responsible=responsible or _responsible_pm(project),
    )
    _notify(escalation, leadership(project), level=1)
    return escalation


@transaction.atomic
def escalation_raise(*, project: Project, by: User, kind: str, **facts) -> Escalation:
    """The PM raises one by hand (scope change, key person leaving, budget shortfall, other)."""
    if kind not in Escalation.Kind.values:
        raise ValidationError(_("Choose what kind of event this is."), code="kind")
    detected = Detected(instance="", **facts)
    return escalation_open(project=project, kind=kind, detected=detected, automatic=False, responsible=by)


@dataclass
class Evaluation:
    opened: list
    cleared: list
    worsened: list = field(default_factory=list)


def escalations_evaluate(*, project: Project) -> Evaluation:
    """Open an escalation for each newly detected condition instance, bring the figures of those
    still detected up to date (telling leadership again when one has grown materially), and
    resolve those whose condition has cleared. Running it again changes nothing."""
    if project.status == Project.Status.CLOSED:
        return Evaluation([], [])
    detected = {
        (condition.kind, item.instance): item
        for condition in escalation_conditions
        for item in condition.detect(project)
    }
    tracked = {
        (e.kind, e.instance): e
        for e in Escalation.objects.filter(project=project, automatic=True, cleared_at__isnull=True).select_related(
            "project"
        )
    }
    opened, worsened = [], []
    for key, item in detected.items():
        if key in tracked:
            if _condition_followed(tracked[key], item):
                worsened.append(tracked[key])
            continue
        try:
            opened.append(escalation_open(project=project, kind=key[0], detected=item, automatic=True))
        except IntegrityError:
            continue  # another evaluator opened it a moment ago
    cleared = [e for key, e in tracked.items() if key not in detected]
    for escalation in cleared:
        _condition_cleared(escalation)
    return Evaluation(opened, cleared, worsened)


@transaction.atomic
def _condition_followed(escalation: Escalation, item: Detected) -> bool:
    """Keep an escalation's facts and loss estimate those of its condition now. When the condition
    has grown by its material step or more since leadership was last told, tell them again
    ("worsened: 6 → 21 days"), reopening it if the PM had resolved it. Returns whether it worsened."""
    updates = {}
    if escalation.params != item.params:
        updates["params"] = item.params
    if escalation.delay_days != item.delay_days:
        updates["delay_days"] = item.delay_days
    extra_cost = Decimal(item.extra_cost or 0)
    if escalation.extra_cost != extra_cost:
        updates["extra_cost"] = extra_cost
    magnitude = None if item.magnitude is None else Decimal(item.magnitude)
    told = escalation.notified_magnitude
    step = max(Decimal(item.material_step or 1), Decimal(1))
    worse = magnitude is not None and told is not None and magnitude - told >= step
    if magnitude is not None and (told is None or worse):
        updates["notified_magnitude"] = magnitude
    if worse and escalation.status == Escalation.Status.RESOLVED:
        updates |= {
            "status": Escalation.Status.OPEN,
            "resolved_at": None,
            "resolved_by": None,
            "outcome": "",
        }
    if not updates:
        return False
    # Only while the escalation is still tracked: a concurrent evaluator may have cleared it.
    if not Escalation.objects.filter(pk=escalation.pk, cleared_at__isnull=True).update(**updates):
        return False
    escalation.refresh_from_db()
    if worse:
        change = {"before": _plain(told), "after": _plain(magnitude), "unit": item.unit}
        _notify(escalation, leadership(escalation.project), level=1, worsened=change)
    return worse


@transaction.atomic
def _condition_cleared(escalation: Escalation) -> None:
    now = timezone.now()
    updates = {"cleared_at": now}
    if escalation.status == Escalation.Status.OPEN:
        with translation.override(escalation.project.default_language):
            updates |= {
                "status": Escalation.Status.RESOLVED,
                "resolved_at": now,
                "outcome": _("The condition has cleared."),
            }
    Escalation.objects.filter(pk=escalation.pk, cleared_at__isnull=True).update(**updates)


@transaction.atomic
def escalation_acknowledge(*, escalation: Escalation, user: User) -> EscalationRecipient:
    """One click from the e-mail: only someone it was sent to can acknowledge it."""
    receipt = EscalationRecipient.objects.filter(escalation=escalation, user=user).first()
    if receipt is None:
        raise PermissionDenied
    EscalationRecipient.objects.filter(pk=receipt.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now()
    )
    receipt.refresh_from_db()
    return receipt


@transaction.atomic
def escalation_resolve(*, escalation: Escalation, by: User, outcome: str) -> Escalation:
    """The PM closes the exception with its outcome, or the sponsor with a note (e.g. before
    accepting the project, issue 16). A detected condition that still holds is not escalated again
    until it has cleared once."""
    if not may_resolve(by, escalation.project_id):
        raise PermissionDenied
    if not outcome.strip():
        raise ValidationError(_("Write down the outcome."), code="outcome_required")
    resolved = Escalation.objects.filter(pk=escalation.pk, status=Escalation.Status.OPEN).update(
        status=Escalation.Status.RESOLVED, resolved_at=timezone.now(), resolved_by=by, outcome=outcome
    )
    if not resolved:
        raise ValidationError(_("This escalation is already resolved."), code="resolved")
    escalation.refresh_from_db()
    return escalation


def may_resolve(user: User, project_id: int) -> bool:
    memberships = Membership.objects.active().filter(project_id=project_id, user=user).select_related("project")
    return any(
        membership.project.status != Project.Status.CLOSED
        and (membership.can(Capability.ESCALATIONS_MANAGE) or membership.can(Capability.ESCALATIONS_CLOSE))
        for membership in memberships
    )


def escalations_renotify(*, project: Project) -> list[Escalation]:
    """Escalations nobody acknowledged within the project's hours go again, as a second notice,
    to the sponsor — once."""
    deadline = timezone.now() - timedelta(hours=project.escalation_ack_hours)
    due = Escalation.objects.filter(project=project, status=Escalation.Status.OPEN, level=1, opened_at__lte=deadline)
    due = due.exclude(recipients__acknowledged_at__isnull=False)
    renotified = []
    for escalation in due.select_related("project"):
        with transaction.atomic():
            moved = Escalation.objects.filter(pk=escalation.pk, level=1).update(
                level=2, second_notice_at=timezone.now()
            )
            if moved:
                _notify(escalation, _sponsors(project), level=2)
                renotified.append(escalation)
    return renotified


def escalations_evaluate_soon(project: Project) -> None:
    """After a change that may create or clear an exception: evaluate once the change is committed."""
    # Robust: a broker outage must not fail the committed change; the 5-minute dispatcher evaluates anyway.
    task = current_app.signature(EVALUATE_ESCALATIONS)
    transaction.on_commit(partial(task.delay, project.pk), robust=True)
