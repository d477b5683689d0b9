"""The closure checklist, computed from the data (D-CL-1…5). A fixed number of queries per page."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from changes.models import ChangeRequest
from issues.models import Issue
from projects.core.models import Project
from projects.escalations.models import Escalation
from projects.plan.models import Phase

from .models import (
    ASSESSED_AREAS,
    WAIVABLE_GATES,
    Area,
    Closure,
    ClosureItem,
    Gate,
    GateWaiver,
    ImprovementItem,
    PlanComment,
    ReadinessScore,
    Sop,
    SopConfirmation,
)

ROADMAP_YEARS = (1, 2, 3)
# The usual ways a company loses its way after go-live (D-CL-4): a roadmap without these is flagged.
WATCHED_AREAS = (Area.ANALYTICS, Area.PROSPECTS)

# Outstanding work in the other apps: what the successor inherits (D-CL-2).
OUTSTANDING_ISSUE_STATUSES = (*Issue.OPEN_STATUSES, Issue.Status.DEFERRED)
DELIVERED_OR_DROPPED_CHANGES = (ChangeRequest.Status.CLOSED, ChangeRequest.Status.WITHDRAWN)


@dataclass
class GateState:
    gate: str
    label: str
    url_name: str
    problems: list[str] = field(default_factory=list)
    waiver: GateWaiver | None = None  # granted
    request: GateWaiver | None = None  # a waiver asked for, waiting for the sponsor

    @property
    def waivable(self) -> bool:
        return self.gate in WAIVABLE_GATES

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def done(self) -> bool:
        return self.passed or self.waiver is not None


def outstanding_sources(project: Project) -> dict[str, list]:
    """Everything the data says is not finished: open and deferred issues, change requests rejected
    or not delivered, phases not done. Three queries."""
    return {
        ClosureItem.Kind.ISSUE: list(
            Issue.objects.filter(project=project, status__in=OUTSTANDING_ISSUE_STATUSES)
            .only("pk", "number", "title", "status", "status_reason")
            .order_by("number")
        ),
        ClosureItem.Kind.CHANGE: list(
            ChangeRequest.objects.filter(project=project)
            .exclude(status__in=DELIVERED_OR_DROPPED_CHANGES)
            .only("pk", "number", "title", "status", "status_reason", "goal")
            .order_by("number")
        ),
        ClosureItem.Kind.PHASE: list(
            Phase.objects.filter(project=project)
            .exclude(status=Phase.Status.DONE)
            .only("pk", "name", "scope", "status")
            .order_by("start_date", "pk")
        ),
    }


@dataclass
class ClosureState:
    project: Project
    closure: Closure | None
    sops: list[Sop]
    items: list[ClosureItem]
    gaps: list[ClosureItem]
    scores: dict[str, int]
    roadmap: list[ImprovementItem]
    uncompiled: int
    gates: list[GateState]

    @property
    def started(self) -> bool:
        return self.closure is not None

    @property
    def signed(self) -> bool:
        return self.closure is not None and self.closure.signed_at is not None

    @property
    def ready_to_sign(self) -> bool:
        return self.started and not self.signed and all(gate.done for gate in self.gates)

    @property
    def roadmap_warnings(self) -> list[str]:
        present = {item.area for item in self.roadmap}
        return [
            _("The plan has nothing on %(area)s: companies that skip it often end up using the CRM as bookkeeping.")
            % {"area": Area(area).label}
            for area in WATCHED_AREAS
            if area not in present
        ]

    @property
    def score_rows(self) -> list[tuple[str, int | None, bool]]:
        """(area, score, reaches the threshold) for each assessed area."""
        threshold = self.closure.readiness_threshold if self.closure else 0
        return [
            (Area(area).label, self.scores.get(area), self.scores.get(area, 0) >= threshold) for area in ASSESSED_AREAS
        ]

    def plan_comments(self) -> list[PlanComment]:
        return list(PlanComment.objects.filter(project=self.project).select_related("author"))

    def gate(self, key: str) -> GateState:
        return next(gate for gate in self.gates if gate.gate == key)


def _sop_problems(sops: list[Sop], confirmed: set[tuple[int, str, str]]) -> list[str]:
    if not sops:
        return [_("No business process is recorded yet.")]
    problems = []
    for sop in sops:
        if not (sop.procedure.strip() or sop.document.strip()):
            problems.append(_("%(process)s: no written procedure.") % {"process": sop.process})
        if sop.improver_id is None:
            problems.append(_("%(process)s: nobody named to improve it next.") % {"process": sop.process})
        if not sop.users_trained:
            problems.append(_("%(process)s: users not trained on it yet.") % {"process": sop.process})
        missing = [d for d in sop.departments if (sop.pk, d, sop.version) not in confirmed]
        if missing:
            problems.append(
                _("%(process)s: version %(version)s not yet confirmed by %(departments)s.")
                % {"process": sop.process, "version": sop.version, "departments": "、".join(missing)}
            )
    return problems


def _item_problems(items: list[ClosureItem], uncompiled: int) -> list[str]:
    problems = []
    if uncompiled:
        problems.append(
            _("%(count)s unfinished item(s) in the issues, change requests or phases are not on the list yet.")
            % {"count": uncompiled}
        )
    for item in items:
        if item.owner_id is None:
            problems.append(_("%(title)s: no owner.") % {"title": item.title})
        if item.company_knows is None:
            problems.append(_("%(title)s: does the company know how to handle it?") % {"title": item.title})
        elif item.company_knows is False and item.resolved_at is None:
            problems.append(_("%(title)s: still to resolve with the consultant.") % {"title": item.title})
    return problems


def _successor_problems(closure: Closure, scores: dict[str, int], gaps: list[ClosureItem]) -> list[str]:
    if closure.successor_id is None:
        return [_("No successor named yet.")]
    if closure.assessed_at is None:
        return [_("The successor has not filled in the self-assessment yet.")]
    problems = []
    for area in ASSESSED_AREAS:
        score = scores.get(area, 0)
        if score < closure.readiness_threshold:
            problems.append(
                _("%(area)s: readiness %(score)s, below %(threshold)s.")
                % {"area": Area(area).label, "score": score, "threshold": closure.readiness_threshold}
            )
    for gap in gaps:
        if gap.resolved_at is None:
            problems.append(_("Not yet understood: %(title)s") % {"title": gap.title})
    return problems


def _roadmap_problems(closure: Closure, roadmap: list[ImprovementItem]) -> list[str]:
    years = {item.year for item in roadmap}
    problems = [_("Nothing planned for year %(year)s.") % {"year": year} for year in ROADMAP_YEARS if year not in years]
    if closure.plan_approved_at is None:
        problems.append(_("The consultant has not approved the plan yet."))
    return problems


def _escalation_problems(project: Project) -> list[str]:
    """Every escalation resolved — by the PM, or closed with a note by the sponsor (issue 16)."""
    still_open = Escalation.objects.filter(project=project, status=Escalation.Status.OPEN).order_by("opened_at", "pk")
    # The title is worded from the escalation's facts in the reader's language (no `title` column).
    return [_("%(title)s: not resolved.") % {"title": escalation.title} for escalation in still_open]


def closure_state(project: Project) -> ClosureState:
    closure = Closure.objects.filter(project=project).select_related("successor", "signed_by", "started_by").first()
    if closure is None:
        return ClosureState(project, None, [], [], [], {}, [], 0, [])
    sops = list(Sop.objects.filter(project=project).select_related("improver"))
    confirmed = set(SopConfirmation.objects.filter(sop__project=project).values_list("sop_id", "department", "version"))
    for sop in sops:
        # (department, confirmed this version?) for the page.
        sop.department_rows = [(d, (sop.pk, d, sop.version) in confirmed) for d in sop.departments]
    all_items = list(ClosureItem.objects.filter(project=project).select_related("owner", "resolved_by"))
    items = [item for item in all_items if item.kind != ClosureItem.Kind.GAP]
    gaps = [item for item in all_items if item.kind == ClosureItem.Kind.GAP]
    listed = {(item.kind, item.source_id) for item in items if item.source_id is not None}
    uncompiled = sum(
        1 for kind, rows in outstanding_sources(project).items() for row in rows if (kind, row.pk) not in listed
    )
    scores = dict(ReadinessScore.objects.filter(closure=closure).values_list("area", "score"))
    roadmap = list(ImprovementItem.objects.filter(project=project).select_related("owner"))
    waivers = list(
        GateWaiver.objects.filter(closure=closure, refused_at__isnull=True).select_related("waived_by", "requested_by")
    )
    granted = {w.gate: w for w in waivers if w.granted}
    requested = {w.gate: w for w in waivers if w.pending}
    gates = [
        GateState(Gate.SOPS, Gate.SOPS.label, "closure:sops", _sop_problems(sops, confirmed)),
        GateState(Gate.OUTSTANDING, Gate.OUTSTANDING.label, "closure:items", _item_problems(items, uncompiled)),
        GateState(
            Gate.SUCCESSOR, Gate.SUCCESSOR.label, "closure:assessment", _successor_problems(closure, scores, gaps)
        ),
        GateState(Gate.IMPROVEMENT, Gate.IMPROVEMENT.label, "closure:improvement", _roadmap_problems(closure, roadmap)),
        GateState(Gate.ESCALATIONS, Gate.ESCALATIONS.label, "projects:escalations", _escalation_problems(project)),
    ]
    for gate in gates:
        gate.waiver = granted.get(gate.gate) if gate.waivable else None
        gate.request = requested.get(gate.gate) if gate.waivable else None
    return ClosureState(project, closure, sops, items, gaps, scores, roadmap, uncompiled, gates)
