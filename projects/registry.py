"""What the apps contribute to the project's shell: one generic `Registry` per kind of contribution.

Each app declares its contributions in its own `contributions.py`, which `ProjectsConfig.ready()`
imports for every installed app (`autodiscover_modules("contributions")`). `projects` never imports
`issues`, `changes` or `closure`; they add themselves here. The project menu is not a registry: it is
one ordered declaration, `projects.navigation.PROJECT_MENU`.
"""

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django.utils.functional import Promise

from projects.permissions import Capability


class Registry[T]:
    """The contributions of one `kind` (report sections, dashboard panels, …), each known by its key.

    Iterating gives them in their declared order (`order(item)`, unique within the registry), or in
    the order they were registered when the kind has none. Registering a second item with the key or
    the order number of another is a configuration error, raised at start-up.
    """

    def __init__(self, kind: str, *, key: Callable[[T], str], order: Callable[[T], int] | None = None):
        self.kind = kind
        self._key = key
        self._order = order
        self._items: dict[str, T] = {}

    def register(self, item: T) -> T:
        key = self._key(item)
        if key in self._items:
            raise ImproperlyConfigured(f"Two {self.kind} contributions have the key {key!r}.")
        if self._order is not None:
            order = self._order(item)
            clash = next((other for other in self._items.values() if self._order(other) == order), None)
            if clash is not None:
                raise ImproperlyConfigured(
                    f"The {self.kind} contributions {self._key(clash)!r} and {key!r} both have order {order}."
                )
        self._items[key] = item
        return item

    def __iter__(self) -> Iterator[T]:
        items = list(self._items.values())
        if self._order is not None:
            items.sort(key=self._order)
        return iter(items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __getitem__(self, key: str) -> T:
        return self._items[key]

    def get(self, key: str) -> T | None:
        return self._items.get(key)

    def keys(self) -> list[str]:
        return [self._key(item) for item in self]

    @contextmanager
    def temporarily(self, item: T) -> Iterator[T]:
        """For tests: `item` registered, in place of the one with its key if any, until the block ends."""
        key = self._key(item)
        saved = dict(self._items)
        self._items.pop(key, None)
        try:
            yield self.register(item)
        finally:
            self._items = saved


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
    since: datetime.datetime | None = None  # when it began to wait (its age in "my work")


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
    # `pending_in(projects)` → [(project id, PendingDecision)]: `pending` for many projects at once,
    # one query whatever their number ("my work", issue 19). Without it, `pending` per project.
    pending_in: Callable[[list], list[tuple[int, PendingDecision]]] | None = None


decision_providers: Registry[DecisionProvider] = Registry("decision provider", key=lambda provider: provider.kind)


def pending_decisions(project) -> list[PendingDecision]:
    """What waits for the steering committee (agendas, status reports)."""
    return [item for provider in decision_providers if provider.committee for item in provider.pending(project)]


def _decides(membership, provider: DecisionProvider, item: PendingDecision) -> bool:
    if item.requested_by_id == membership.user_id:
        return False
    alone = bool(item.decider_capability) and membership.can(item.decider_capability)
    return alone or (provider.committee and membership.can(Capability.MEETINGS_DECIDE))


def decisions_waiting_for(membership) -> list[PendingDecision]:
    """What waits for this member's decision (the project overview, issue 16): what the committee
    decides, for its deciding members, and what their role decides alone — never their own requests."""
    return [
        item
        for provider in decision_providers
        for item in provider.pending(membership.project)
        if _decides(membership, provider, item)
    ]


def decisions_waiting_across(memberships) -> list[tuple[object, PendingDecision]]:
    """`decisions_waiting_for` over many memberships of one person: (membership, decision) pairs,
    one query per provider that reads many projects at once (`pending_in`)."""
    by_project = {membership.project_id: membership for membership in memberships}
    waiting = []
    for provider in decision_providers:
        if provider.pending_in is not None:
            pending = provider.pending_in([m.project for m in memberships]) if memberships else []
        else:
            pending = [(m.project_id, item) for m in memberships for item in provider.pending(m.project)]
        for project_id, item in pending:
            membership = by_project.get(project_id)
            if membership is not None and _decides(membership, provider, item):
                waiting.append((membership, item))
    return waiting


# --- What waits for each person: "my work" (issue 19) ---------------------------------------------
#
# Each app contributes the kinds of work it asks of people (escalations to acknowledge, options to
# evaluate, issues to answer, the daily report …). The "my work" page and the count in the top bar
# put them together, across every project of the person.


@dataclass(frozen=True)
class WorkItem:
    """One thing waiting for a person: `url` is the page where they act on it; `since` when it began
    to wait (for an item with a `due` date, the day it fell due)."""

    project: object
    title: str
    url: str
    since: datetime.datetime
    due: datetime.date | None = None

    @property
    def age_days(self) -> int:
        return max(0, (timezone.now() - self.since).days)


@dataclass(frozen=True)
class WorkSource:
    """A kind of work. `items(user, memberships)` lists what waits for `user` in `memberships` (their
    active memberships of projects not closed, each with its project loaded), read with a fixed number
    of queries whatever the number of memberships or items, and only what the person's role may see
    on the page the item links to (`membership.can(...)`, the querysets' scoping)."""

    key: str
    label: str | Promise
    order: int
    items: Callable[[object, list], list[WorkItem]]


work_sources: Registry[WorkSource] = Registry("work source", key=lambda source: source.key, order=lambda s: s.order)


# --- Development data and rollups (issue 7) ---------------------------------------------------


@dataclass(frozen=True)
class DemoSeeder:
    """Loads an app's part of the demo project (`manage.py seed_demo`), after the people exist."""

    name: str
    load: Callable[[object], None]
    order: int


demo_seeders: Registry[DemoSeeder] = Registry(
    "demo seeder", key=lambda seeder: seeder.name, order=lambda seeder: seeder.order
)


@dataclass(frozen=True)
class ScaleSeeder:
    """Loads an app's part of the enterprise-scale data set (`manage.py seed_scale`, issue 7) with
    `load(context)`, a `projects.devdata.seed_scale.ScaleContext`."""

    name: str
    load: Callable[[object], None]
    order: int


scale_seeders: Registry[ScaleSeeder] = Registry(
    "scale seeder", key=lambda seeder: seeder.name, order=lambda seeder: seeder.order
)


@dataclass(frozen=True)
class Rollup:
    """A rollup table an app keeps for the dashboards (issue 7). Its services keep it exact on
    write; `rebuild(project)` recomputes one project's rows from the raw ones (`manage.py
    rebuild_rollups`, seeding, demo data) and returns how many rows it wrote."""

    name: str
    rebuild: Callable[[object], int]


rollups: Registry[Rollup] = Registry("rollup", key=lambda rollup: rollup.name)


# --- Escalation conditions (D-ESC-3) ------------------------------------------------------------
#
# Each app detects, from its own data, the exceptions leadership must hear about at once. The
# evaluator opens one escalation per detected instance, never a stream, and resolves it when the
# instance is no longer detected.


@dataclass(frozen=True)
class Detected:
    """One instance of a condition, with the facts of its exception report.

    A detected condition stores its facts in `params` (names, numbers, ISO dates: JSON) and its
    condition words them when the escalation is read or sent, in the reader's language. Only an
    escalation the PM raises by hand carries typed texts (`title`, `what_happened`, …).

    `magnitude` measures how bad it is (days late, money over); when it has grown by
    `material_step` or more since leadership was last told, they are told again (D-ESC-1).
    """

    instance: str  # stable, e.g. "milestone:12"
    params: dict = field(default_factory=dict)
    title: str = ""
    what_happened: str = ""
    consequences: str = ""
    delay_days: int = 0
    extra_cost: object = 0  # a Decimal
    options: str = ""
    recommendation: str = ""
    magnitude: object = None  # a Decimal or int, None when the condition has no measure
    material_step: object = None  # how much growth is material; at least 1
    unit: str = "days"  # "days" or "money": how the magnitude reads


@dataclass(frozen=True)
class Wording:
    """A detected escalation's texts, in the active language."""

    title: str
    what_happened: str
    consequences: str
    recommendation: str = ""


@dataclass(frozen=True)
class EscalationCondition:
    """`detect(project)` lists the instances that hold now; `word(params)` words one of them in
    the active language (called when an escalation is read or sent, never stored)."""

    kind: str
    label: str | Promise
    detect: Callable[[object], list[Detected]]
    word: Callable[[dict], Wording] | None = None


escalation_conditions: Registry[EscalationCondition] = Registry(
    "escalation condition", key=lambda condition: condition.kind
)


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


report_sections: Registry[ReportSection] = Registry(
    "report section", key=lambda section: section.key, order=lambda section: section.order
)


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


closure_figure_providers: Registry[ClosureFigures] = Registry(
    "closure figures", key=lambda provider: provider.name, order=lambda provider: provider.order
)


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


dashboard_panels: Registry[DashboardPanel] = Registry(
    "dashboard panel", key=lambda panel: panel.key, order=lambda panel: panel.order
)


@dataclass(frozen=True)
class PortfolioFigure:
    """A column of the portfolio dashboard: `build(projects, today)` → {project id: [int, …]} for all
    the projects at once (one query, whatever their number), e.g. new issues of the last 8 weeks."""

    key: str
    label: str | Promise
    order: int
    build: Callable[[list, object], dict[int, list[int]]]


portfolio_figures: Registry[PortfolioFigure] = Registry(
    "portfolio figure", key=lambda figure: figure.key, order=lambda figure: figure.order
)


# --- The project's search box (issue 19) --------------------------------------------------------------
#
# Each app contributes the kinds of object it owns (issues, articles, change requests, meetings,
# risks). The search page asks each source the reader may use, in order; an exact reference (SCRM-0147,
# SCRM-CR007) jumps straight to its object.


@dataclass(frozen=True)
class SearchHit:
    """One object found: its title, its page and, where it has one, the reference people quote."""

    title: str
    url: str
    reference: str = ""
    note: str | Promise = ""  # e.g. the status, as read


@dataclass(frozen=True)
class SearchSource:
    """`search(membership, text, limit)` → at most `limit` hits, best or newest first, among what this
    member may see on the kind's own pages — a fixed number of queries however many match, served from
    an index where the kind grows with the project; `reference(membership, text)` → the URL of the
    object an exact reference names, if this member may see it, else None; `more_url(project, text)`:
    the kind's own list, searched, for when there are more than `limit`. Shown to members with
    `capability` (None: every member)."""

    key: str
    label: str | Promise
    order: int
    search: Callable[[object, str, int], list[SearchHit]]
    reference: Callable[[object, str], str | None] | None = None
    more_url: Callable[[object, str], str] | None = None
    capability: str | None = None


search_sources: Registry[SearchSource] = Registry(
    "search source", key=lambda source: source.key, order=lambda source: source.order
)
