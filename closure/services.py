"""Every write of the closure app: keyword-only, transaction-atomic, named `<entity>_<action>`."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.core.models import Membership, Project, User
from projects.notifications.outbox import email_queue

from .gates import closure_state, outstanding_sources
from .models import (
    ASSESSED_AREAS,
    Closure,
    ClosureItem,
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


def _describe(kind: str, row, project: Project) -> dict:
    if kind == ClosureItem.Kind.ISSUE:
        detail = row.get_status_display() + (f": {row.status_reason}" if row.status_reason else "")
        return {"reference": f"{project.code}-{row.number:04d}", "title": row.title, "detail": detail}
    if kind == ClosureItem.Kind.CHANGE:
        detail = row.get_status_display() + (f": {row.status_reason}" if row.status_reason else "")
        return {"reference": f"{project.code}-CR{row.number:03d}", "title": row.title, "detail": detail}
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


@transaction.atomic
def gate_waive(*, closure: Closure, gate: str, reason: str, by: User) -> GateWaiver:
    _ensure_closing(closure.project)
    if gate not in Gate.values:
        raise ValidationError(_("Unknown gate."))
    if not reason.strip():
        raise ValidationError(_("Give the reason for the waiver."))
    waiver, created = GateWaiver.objects.get_or_create(
        closure=closure, gate=gate, defaults={"reason": reason, "waived_by": by}
    )
    if not created:
        raise ValidationError(_("This gate is already waived."))
    return waiver


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
    project.save(update_fields=["status"])
    # Every member hears it once, in their language, with the report (D-CL-5).
    report_url = reverse("closure:report", kwargs={"code": project.code})
    members = Membership.objects.active().filter(project=project).select_related("user").order_by("pk")
    for membership in members:
        email_queue(
            to=membership.user,
            template="project-closed",
            project=project,
            key=f"project-closed:{project.pk}",
            context={"closure": closure, "report_url": report_url},
        )
    return closure


@transaction.atomic
def lesson_add(*, project: Project, logged_by: User, **fields) -> Lesson:
    lesson = Lesson(project=project, logged_by=logged_by, **fields)
    lesson.full_clean()
    lesson.save()
    return lesson
