"""What other apps contribute to the project's shell, registered from their AppConfig.ready().

`projects` never imports `issues`, `changes` or `closure`; they add themselves here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

# --- Decisions the steering committee takes (D-SC-3) ------------------------------------------
#
# Anything that waits for a committee decision — a rebaseline request here; change requests over
# threshold and escalations from other apps — registers a provider. The committee's next agenda
# proposes every pending object, and a decision on an agenda item linked to one is handed back to
# its provider, which approves, rejects or defers the object itself.


class Outcome:
    APPROVED = "approved"
    REJECTED = "rejected"
    DEFERRED = "deferred"


@dataclass(frozen=True)
class PendingDecision:
    """One object waiting for a decision, as an agenda proposes it.

    `decider_capability`: who may decide it outside a committee meeting (e.g. the sponsor a
    rebaseline); `requested_by_id`: the person who asked, who never decides it (issue 16)."""

    kind: str
    object_id: int
    title: str
    url: str
    decider_capability: str = ""
    requested_by_id: int | None = None


@dataclass(frozen=True)
class DecisionProvider:
    """`pending(project)` lists what waits for the committee; `describe(project, ids)` names linked
    objects ({id: PendingDecision}, one query for all); `decide(...)` carries out a decision.

    `decide` is called inside the committee's transaction with keyword arguments
    `project`, `object_id`, `outcome` (an `Outcome` value), `rationale` and `decided_by`,
    and raises django.core.exceptions.ValidationError when the object can no longer be decided.
    """

    kind: str
    label: str | Promise
    pending: Callable[[object], list[PendingDecision]]
    decide: Callable[..., None]
    describe: Callable[[object, list[int]], dict[int, PendingDecision]]
    # False: decided by one person on its own page (a closure waiver by the sponsor), never put
    # on a committee agenda; it still shows among what waits for that person's decision.
    committee: bool = True


decision_providers: dict[str, DecisionProvider] = {}


def register_decision_provider(provider: DecisionProvider) -> None:
    decision_providers.setdefault(provider.kind, provider)


def pending_decisions(project) -> list[PendingDecision]:
    """What waits for the steering committee (agendas, status reports)."""
    return [
        item for provider in decision_providers.values() if provider.committee for item in provider.pending(project)
    ]


def decisions_waiting_for(membership) -> list[PendingDecision]:
    """What waits for this member's decision (the project overview, issue 16): what the committee
    decides, for its deciding members, and what their role decides alone — never their own requests."""
    from projects.permissions import Capability

    in_committee = membership.can(Capability.MEETINGS_DECIDE)
    waiting = []
    for provider in decision_providers.values():
        for item in provider.pending(membership.project):
            if item.requested_by_id == membership.user_id:
                continue
            alone = bool(item.decider_capability) and membership.can(item.decider_capability)
            if alone or (provider.committee and in_committee):
                waiting.append(item)
    return waiting


# --- Navigation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NavItem:
    """An entry of a project's navigation, shown to members with `capability`."""

    label: str | Promise
    url_name: str
    capability: str
    icon: str
    order: int


project_nav: list[NavItem] = []


def register_nav_item(item: NavItem) -> None:
    if any(existing.url_name == item.url_name for existing in project_nav):
        return
    project_nav.append(item)
    project_nav.sort(key=lambda entry: entry.order)


@dataclass(frozen=True)
class DemoSeeder:
    """Loads an app's part of the demo project (`manage.py seed_demo`), after the people exist."""

    name: str
    load: Callable[[object], None]
    order: int


demo_seeders: list[DemoSeeder] = []


@dataclass(frozen=True)
class ScaleSeeder:
    """Loads an app's part of the enterprise-scale data set (`manage.py seed_scale`, issue 7) with
    `load(context)`, a `projects.devdata.seed_scale.ScaleContext`."""

    name: str
    load: Callable[[object], None]
    order: int


scale_seeders: list[ScaleSeeder] = []


def register_scale_seeder(seeder: ScaleSeeder) -> None:
    if any(existing.name == seeder.name for existing in scale_seeders):
        return
    scale_seeders.append(seeder)
    scale_seeders.sort(key=lambda entry: entry.order)


@dataclass(frozen=True)
class Rollup:
    """A rollup table an app keeps for the dashboards (issue 7). Its services keep it exact on
    write; `rebuild(project)` recomputes one project's rows from the raw ones (`manage.py
    rebuild_rollups`, seeding, demo data) and returns how many rows it wrote."""

    name: str
    rebuild: Callable[[object], int]


rollups: dict[str, Rollup] = {}


def register_rollup(rollup: Rollup) -> None:
    rollups.setdefault(rollup.name, rollup)


def register_demo_seeder(seeder: DemoSeeder) -> None:
    if any(existing.name == seeder.name for existing in demo_seeders):
        return
    demo_seeders.append(seeder)
    demo_seeders.sort(key=lambda entry: entry.order)


# --- Escalation conditions (D-ESC-3) ------------------------------------------------------------
#
# Each app detects, from its own data, the exceptions leadership must hear about at once. The
# evaluator opens one escalation per detected instance, never a stream, and resolves it when the
# instance is no longer detected.


@dataclass(frozen=True)
class Detected:
    """One instance of a condition, with the facts of its exception report."""

    instance: str  # stable, e.g. "milestone:12"
    title: str
    what_happened: str
    consequences: str
    delay_days: int = 0
    extra_cost: object = 0  # a Decimal
    options: str = ""
    recommendation: str = ""


@dataclass(frozen=True)
class EscalationCondition:
    kind: str
    label: str | Promise
    detect: Callable[[object], list[Detected]]


escalation_conditions: dict[str, EscalationCondition] = {}


def register_escalation_condition(condition: EscalationCondition) -> None:
    escalation_conditions.setdefault(condition.kind, condition)


# --- Sections of the status report (D-RPT-1) ----------------------------------------------------
#
# Each app contributes the dimensions it owns (schedule and budget here; scope from changes;
# issues and adoption from issues). A section returns plain JSON, which the sent report keeps.

GREEN, AMBER, RED = "green", "amber", "red"


@dataclass(frozen=True)
class ReportSection:
    """`build(project, start, end)` → {"status": GREEN|AMBER|RED|None, "rule": str, "summary": str,
    "items": [{"text": str, "url": str}]}; a None status is information, not a dimension."""

    key: str
    label: str | Promise
    order: int
    build: Callable[..., dict]


report_sections: list[ReportSection] = []


def register_report_section(section: ReportSection) -> None:
    if any(existing.key == section.key for existing in report_sections):
        return
    report_sections.append(section)
    report_sections.sort(key=lambda entry: entry.order)


# --- Figures of the end-project report (D-CL-5) ----------------------------------------------------
#
# The closure app's end-project report shows, besides the plan's schedule and cost, figures that
# other parts of the product own: issues, change requests, escalations. Each registers a provider.


@dataclass(frozen=True)
class ClosureFigures:
    """A section of the end-project report: `figures(project)` → [(label, value)], a few queries at most."""

    name: str
    label: str | Promise
    figures: Callable[[object], list[tuple[str | Promise, object]]]
    order: int


closure_figure_providers: list[ClosureFigures] = []


def register_closure_figures(provider: ClosureFigures) -> None:
    if any(existing.name == provider.name for existing in closure_figure_providers):
        return
    closure_figure_providers.append(provider)
    closure_figure_providers.sort(key=lambda entry: entry.order)


# --- Panels of the project dashboard (issue 7) ------------------------------------------------------
#
# Each app contributes the charts it owns. `build(project, reads)` → {"chart": dict for json_script (or
# None), "columns": [str], "rows": [[cell, …]]}; the rows are the chart's plain table view. A few aggregate
# queries at most, bounded in time: a panel never reads more than ~10,000 raw rows. Panels showing the
# same figures two ways read them once through `reads`.


class PanelReads:
    """What the panels of one dashboard page read in common (a weekly series charted twice, the open
    backlog counted by severity and by age): read by the first panel that needs it, reused by the
    others on the same page, gone with the page."""

    def __init__(self):
        self._read: dict[str, object] = {}

    def once(self, key: str, read: Callable[[], object]):
        if key not in self._read:
            self._read[key] = read()
        return self._read[key]


@dataclass(frozen=True)
class DashboardPanel:
    """A panel of the project dashboard. `build(project, reads)` returns its chart (or None), table
    (`columns`, `rows`) and optionally a `summary` and a `link` (`url`, `text`) to the full page.
    Shown to members with `capability` as well as the dashboard's own."""

    key: str
    label: str | Promise
    order: int
    build: Callable[[object, PanelReads], dict]
    capability: str | None = None


dashboard_panels: list[DashboardPanel] = []


def register_dashboard_panel(panel: DashboardPanel) -> None:
    if any(existing.key == panel.key for existing in dashboard_panels):
        return
    dashboard_panels.append(panel)
    dashboard_panels.sort(key=lambda entry: entry.order)


@dataclass(frozen=True)
class PortfolioFigure:
    """A column of the portfolio dashboard: `build(projects, today)` → {project id: [int, …]} for all
    the projects at once (one query, whatever their number), e.g. new issues of the last 8 weeks."""

    key: str
    label: str | Promise
    order: int
    build: Callable[[list, object], dict[int, list[int]]]


portfolio_figures: list[PortfolioFigure] = []


def register_portfolio_figure(figure: PortfolioFigure) -> None:
    if any(existing.key == figure.key for existing in portfolio_figures):
        return
    portfolio_figures.append(figure)
    portfolio_figures.sort(key=lambda entry: entry.order)
