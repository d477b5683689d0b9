"""Every write of the closure app: keyword-only, transaction-atomic, named `<entity>_<action>`."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.core.models import Membership, Project, User
from projects.notifications.outbox import email_queue
from projects.permissions import Capability, roles_with
from projects.registry import DecisionProvider, PendingDecision

from .gates import closure_state, outstanding_sources
from .models import (
    ASSESSED_AREAS,
    WAIVABLE_GATES,
    Closure,
    ClosureItem,
    ClosureReopening,
    Gate,
    GateWaiver,
    ImprovementItem,
    ItemMessage,
    Lesson,
    PlanComment,
    ReadinessScore,
    Sop,
    SopConfirmation,
)


def _ensure_closing(project: Project) -> None:
    if project.status != Project.Status.CLOSING:
        raise ValidationError(_("The project is not in closure."))


@transaction.atomic
def closure_start(*, project: Project, by: User) -> Closure:
    """The PM starts closure: the project is closing and the outstanding items are compiled."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.status != Project.Status.ACTIVE:
        raise ValidationError(_("Closure has already been started."))
    project.status = Project.Status.CLOSING
    project.save(update_fields=["status"])
    closure = Closure.objects.create(project=project, started_by=by)
    outstanding_compile(project=project, by=by)
    return closure


@transaction.atomic
def closure_set_successor(*, closure: Closure, successor: User, readiness_threshold: int) -> Closure:
    _ensure_closing(closure.project)
    if closure.successor_id != successor.pk:
        # A new successor assesses from scratch; the previous one's gaps stay on the record.
        ReadinessScore.objects.filter(closure=closure).delete()
        closure.assessed_at = None
    closure.successor = successor
    closure.readiness_threshold = readiness_threshold
    closure.save(update_fields=["successor", "readiness_threshold", "assessed_at"])
    return closure


# --- SOPs (D-CL-1) ------------------------------------------------------------------------------


@transaction.atomic
def sop_save(*, project: Project, sop: Sop | None = None, **fields) -> Sop:
    _ensure_closing(project)
    sop = sop or Sop(project=project)
    for name, value in fields.items():
        setattr(sop, name, value)
    if not (sop.procedure.strip() or sop.document.strip()):
        raise ValidationError({"procedure": _("Write the procedure or say where its document is kept.")})
    sop.full_clean()
    sop.save()
    return sop


@transaction.atomic
def sop_confirm(*, sop: Sop, department: str, by: User) -> SopConfirmation:
    """One department confirms the current version of the procedure."""
    _ensure_closing(sop.project)
    if department not in sop.departments:
        raise ValidationError(_("This department is not involved in the process."))
    confirmation, _created = SopConfirmation.objects.get_or_create(
        sop=sop, department=department, version=sop.version, defaults={"confirmed_by": by}
    )
    return confirmation


# --- Outstanding items (D-CL-2) and the successor's gaps (D-CL-3) ---------------------------------


def _status_facts(row) -> dict:
    """The status as a value and its reason as typed; worded when read (ClosureItem.detail_text)."""
    return {"status": row.status} | ({"reason": row.status_reason} if row.status_reason else {})


def _describe(kind: str, row, project: Project) -> dict:
    if kind == ClosureItem.Kind.ISSUE:
        return {"reference": f"{project.code}-{row.number:04d}", "title": row.title, "facts": _status_facts(row)}
    if kind == ClosureItem.Kind.CHANGE:
        return {"reference": f"{project.code}-CR{row.number:03d}", "title": row.title, "facts": _status_facts(row)}
    # A phase's name and scope were typed by a person: kept as typed.
    return {"reference": "", "title": row.name, "detail": row.scope}


@transaction.atomic
def outstanding_compile(*, project: Project, by: User) -> int:
    """Add every unfinished issue, change request and phase not listed yet; returns how many."""
    _ensure_closing(project)
    listed = set(ClosureItem.objects.filter(project=project, source_id__isnull=False).values_list("kind", "source_id"))
    new = [
        ClosureItem(project=project, kind=kind, source_id=row.pk, created_by=by, **_describe(kind, row, project))
        for kind, rows in outstanding_sources(project).items()
        for row in rows
        if (kind, row.pk) not in listed
    ]
    ClosureItem.objects.bulk_create(new)
    return len(new)


@transaction.atomic
def closure_item_save(*, project: Project, by: User, item: ClosureItem | None = None, **fields) -> ClosureItem:
    """The PM adds a special or rare process, or sets an item's owner, handling and answer."""
    _ensure_closing(project)
    if item is None:
        item = ClosureItem(project=project, kind=ClosureItem.Kind.SPECIAL, created_by=by)
    was_known = item.company_knows
    for name, value in fields.items():
        setattr(item, name, value)
    if item.kind == ClosureItem.Kind.SPECIAL and not item.interim_handling.strip():
        raise ValidationError({"interim_handling": _("Say how the company handles this process meanwhile.")})
    if was_known is False and item.company_knows is not False:
        item.resolved_at, item.resolved_by = None, None
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def item_message_add(*, item: ClosureItem, author: User, text: str, from_consultant: bool) -> ItemMessage:
    _ensure_closing(item.project)
    if not item.needs_consultant:
        raise ValidationError(_("Only an item the company cannot handle yet is discussed with the consultant."))
    if item.resolved_at is not None:
        raise ValidationError(_("This item is already resolved."))
    return ItemMessage.objects.create(item=item, author=author, text=text, from_consultant=from_consultant)


@transaction.atomic
def item_resolve(*, item: ClosureItem, by: User) -> ClosureItem:
    """Settled with the consultant: only once the consultant has answered on the thread."""
    _ensure_closing(item.project)
    if not item.needs_consultant or item.resolved_at is not None:
        raise ValidationError(_("There is nothing to resolve on this item."))
    if not item.messages.filter(from_consultant=True).exists():
        raise ValidationError(_("The consultant has not answered yet: resolve it together on the thread first."))
    item.resolved_at, item.resolved_by = timezone.now(), by
    item.save(update_fields=["resolved_at", "resolved_by"])
    return item


@transaction.atomic
def self_assessment_submit(*, closure: Closure, by: User, scores: dict[str, int], gaps: str) -> list[ClosureItem]:
    """The successor's readiness per area, and what they do not yet understand: one gap per line."""
    _ensure_closing(closure.project)
    if closure.successor_id != by.pk:
        raise ValidationError(_("Only the named successor fills in the self-assessment."))
    if set(scores) != set(ASSESSED_AREAS):
        raise ValidationError(_("Score every area."))
    for area, score in scores.items():
        ReadinessScore.objects.update_or_create(closure=closure, area=area, defaults={"score": score})
    closure.assessed_at = timezone.now()
    closure.save(update_fields=["assessed_at"])
    known = set(
        ClosureItem.objects.filter(project=closure.project, kind=ClosureItem.Kind.GAP).values_list("title", flat=True)
    )
    titles = list(dict.fromkeys(line.strip()[:300] for line in gaps.splitlines() if line.strip()))
    new = [
        ClosureItem(project=closure.project, kind=ClosureItem.Kind.GAP, title=title, owner=by, created_by=by)
        for title in titles
        if title not in known
    ]
    return ClosureItem.objects.bulk_create(new)


# --- The improvement plan (D-CL-4) ----------------------------------------------------------------


@transaction.atomic
def improvement_save(*, project: Project, item: ImprovementItem | None = None, **fields) -> ImprovementItem:
    """Any change to the roadmap needs the consultant's approval again."""
    _ensure_closing(project)
    item = item or ImprovementItem(project=project)
    for name, value in fields.items():
        setattr(item, name, value)
    item.full_clean()
    item.save()
    Closure.objects.filter(project=project).update(plan_approved_at=None, plan_approved_by=None)
    return item


@transaction.atomic
def improvement_review(*, closure: Closure, author: User, text: str, approves: bool) -> PlanComment:
    _ensure_closing(closure.project)
    if approves and not ImprovementItem.objects.filter(project=closure.project).exists():
        raise ValidationError(_("There is no plan to approve yet."))
    comment = PlanComment.objects.create(project=closure.project, author=author, text=text, approves=approves)
    if approves:
        closure.plan_approved_at, closure.plan_approved_by = comment.created_at, author
        closure.save(update_fields=["plan_approved_at", "plan_approved_by"])
    return comment


# --- Acceptance (D-CL-5) --------------------------------------------------------------------------


def _check_waivable(closure: Closure, gate: str, reason: str) -> None:
    _ensure_closing(closure.project)
    if gate not in Gate.values:
        raise ValidationError(_("Unknown gate."))
    if gate not in WAIVABLE_GATES:
        raise ValidationError(_("This gate cannot be waived: every escalation must be resolved."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the waiver."))


def _sponsors(project: Project, *, except_user_id: int | None = None) -> list[User]:
    """Whoever waives gates and signs the acceptance (D-CL-5)."""
    memberships = (
        Membership.objects.active()
        .filter(project=project, role__in=roles_with(Capability.CLOSURE_SIGN))
        .exclude(user_id=except_user_id)
        .select_related("user")
        .order_by("pk")
    )
    return [membership.user for membership in memberships]


@transaction.atomic
def gate_waiver_request(*, closure: Closure, gate: str, reason: str, by: User) -> GateWaiver:
    """The PM asks the sponsor to waive a gate; the sponsor is told at once (issue 16)."""
    _check_waivable(closure, gate, reason)
    if GateWaiver.objects.filter(closure=closure, gate=gate, refused_at__isnull=True).exists():
        raise ValidationError(_("A waiver of this gate has already been requested or granted."))
    waiver = GateWaiver.objects.create(
        closure=closure, gate=gate, reason=reason, requested_by=by, requested_at=timezone.now()
    )
    for sponsor in _sponsors(closure.project, except_user_id=by.pk):
        email_queue(
            to=sponsor,
            template="waiver-requested",
            project=closure.project,
            key=f"waiver-requested:{waiver.pk}",
            context={"waiver": waiver},
        )
    return waiver


@transaction.atomic
def gate_waive(*, closure: Closure, gate: str, reason: str, by: User) -> GateWaiver:
    """The sponsor waives a gate: grants the waiver requested for it, or waives it on his own.
    Nobody grants a waiver they requested themselves, whatever their role now (issue 16)."""
    _check_waivable(closure, gate, reason)
    waiver = GateWaiver.objects.select_for_update().filter(closure=closure, gate=gate, refused_at__isnull=True).first()
    if waiver is not None and waiver.granted:
        raise ValidationError(_("This gate is already waived."))
    if waiver is None:
        return GateWaiver.objects.create(
            closure=closure, gate=gate, reason=reason, waived_by=by, waived_at=timezone.now()
        )
    if waiver.requested_by_id == by.pk:
        raise ValidationError(_("You cannot decide your own request: someone else decides it."), code="own_request")
    waiver.waived_by, waiver.waived_at, waiver.decision_note = by, timezone.now(), reason
    waiver.save(update_fields=["waived_by", "waived_at", "decision_note"])
    return waiver


@transaction.atomic
def gate_waiver_refuse(*, closure: Closure, gate: str, note: str, by: User) -> GateWaiver:
    """The sponsor refuses a requested waiver: the gate must pass on its data. Kept on the record."""
    _ensure_closing(closure.project)
    waiver = (
        GateWaiver.objects.select_for_update()
        .filter(closure=closure, gate=gate, waived_at__isnull=True, refused_at__isnull=True)
        .first()
    )
    if waiver is None:
        raise ValidationError(_("No waiver of this gate waits for a decision."))
    if waiver.requested_by_id == by.pk:
        raise ValidationError(_("You cannot decide your own request: someone else decides it."), code="own_request")
    waiver.refused_by, waiver.refused_at, waiver.decision_note = by, timezone.now(), note
    waiver.save(update_fields=["refused_by", "refused_at", "decision_note"])
    return waiver


def _waivers_pending(project: Project) -> list[PendingDecision]:
    waivers = GateWaiver.objects.filter(
        closure__project=project, waived_at__isnull=True, refused_at__isnull=True
    ).order_by("pk")
    return [_describe_waiver(project, waiver) for waiver in waivers]


def _waivers_pending_in(projects: list[Project]) -> list[tuple[int, PendingDecision]]:
    """Every project's waivers awaiting the sponsor at once (one query, "my work", issue 19)."""
    by_id = {project.pk: project for project in projects}
    waivers = GateWaiver.objects.filter(
        closure__project__in=list(by_id), waived_at__isnull=True, refused_at__isnull=True
    ).select_related("closure")
    return [(w.closure.project_id, _describe_waiver(by_id[w.closure.project_id], w)) for w in waivers.order_by("pk")]


def _describe_waiver(project: Project, waiver: GateWaiver) -> PendingDecision:
    return PendingDecision(
        kind="closure-waiver",
        object_id=waiver.pk,
        title=_("Waive the closure gate “%(gate)s”") % {"gate": waiver.get_gate_display()},
        url=reverse("closure:overview", kwargs={"code": project.code}),
        decider_capability=Capability.CLOSURE_SIGN,
        requested_by_id=waiver.requested_by_id,
        since=waiver.requested_at,
    )


def _waivers_describe(project: Project, ids: list[int]) -> dict[int, PendingDecision]:
    waivers = GateWaiver.objects.filter(closure__project=project, pk__in=ids)
    return {waiver.pk: _describe_waiver(project, waiver) for waiver in waivers}


def _waiver_decide(**_kwargs) -> None:
    raise ValidationError(_("The sponsor decides a waiver on the closure page, not in a committee meeting."))


def waiver_decision_provider() -> DecisionProvider:
    """Waivers wait for the sponsor alone (D-CL-5): listed among his decisions, never on an agenda."""
    return DecisionProvider(
        kind="closure-waiver",
        label=_("Closure waiver"),
        pending=_waivers_pending,
        decide=_waiver_decide,
        describe=_waivers_describe,
        committee=False,
        pending_in=_waivers_pending_in,
    )


@transaction.atomic
def closure_sign(*, closure: Closure, by: User, note: str = "") -> Closure:
    """The sponsor accepts: every gate passed or waived. The project is closed and read-only."""
    locked = Project.objects.select_for_update().get(pk=closure.project_id)
    _ensure_closing(locked)
    project = closure.project
    state = closure_state(project)
    open_gates = [str(gate.label) for gate in state.gates if not gate.done]
    if open_gates:
        raise ValidationError(
            _("Not every gate has passed or been waived: %(gates)s.") % {"gates": "、".join(open_gates)}
        )
    closure.signed_at, closure.signed_by, closure.sign_note = timezone.now(), by, note
    closure.save(update_fields=["signed_at", "signed_by", "sign_note"])
    project.status = Project.Status.CLOSED
    project._history_user = by
    project.save(update_fields=["status"])
    # Every member hears it once per closing, in their language, with the report (D-CL-5).
    report_url = reverse("closure:report", kwargs={"code": project.code})
    last_reopening = ClosureReopening.objects.filter(closure=closure).order_by("-pk").first()
    key = f"project-closed:{project.pk}" + (f":after-reopening-{last_reopening.pk}" if last_reopening else "")
    members = Membership.objects.active().filter(project=project).select_related("user").order_by("pk")
    for membership in members:
        email_queue(
            to=membership.user,
            template="project-closed",
            project=project,
            key=key,
            context={"closure": closure, "report_url": report_url},
        )
    return closure


def may_reopen(user: User, project: Project) -> bool:
    """The sponsor of the project, or a site administrator (superuser)."""
    if user.is_superuser:
        return True
    roles = roles_with(Capability.CLOSURE_REOPEN)
    return Membership.objects.active().filter(project=project, user=user, role__in=roles).exists()


@transaction.atomic
def closure_reopen(*, project: Project, by: User, reason: str) -> ClosureReopening:
    """Undo an acceptance: only the sponsor or a site administrator, with a reason, recorded and
    announced to every member. The project is in closure again and closes only when signed anew."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if not may_reopen(by, locked):
        raise PermissionDenied
    if locked.status != Project.Status.CLOSED:
        raise ValidationError(_("The project is not closed."), code="not_closed")
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the project is reopened.")}, code="reason_required")
    closure = Closure.objects.select_for_update().get(project=locked)
    reopening = ClosureReopening.objects.create(
        closure=closure,
        reopened_by=by,
        reason=reason,
        signed_by=closure.signed_by,
        signed_at=closure.signed_at,
        sign_note=closure.sign_note,
    )
    closure.signed_at, closure.signed_by, closure.sign_note = None, None, ""
    closure.save(update_fields=["signed_at", "signed_by", "sign_note"])
    locked.status = Project.Status.CLOSING
    locked._history_user = by
    locked.save(update_fields=["status"])
    project.status = locked.status
    members = Membership.objects.active().filter(project=locked).select_related("user").order_by("pk")
    for membership in members:
        email_queue(
            to=membership.user,
            template="project-reopened",
            project=locked,
            key=f"project-reopened:{reopening.pk}",
            context={"reopening": reopening},
        )
    return reopening


@transaction.atomic
def lesson_add(*, project: Project, logged_by: User, **fields) -> Lesson:
    lesson = Lesson(project=project, logged_by=logged_by, **fields)
    lesson.full_clean()
    lesson.save()
    return lesson
