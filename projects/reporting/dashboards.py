"""The project dashboard (issue 7): the plan's own figures plus the panels other apps register.

Figures come from rollup tables (issue 7): per project per day for issues (`issues.rollups`), a
status snapshot per project for the portfolio; the rest are aggregates over small, bounded sets (a
project's milestones, budget lines, open risks, open issues), so a page's query count does not grow
with the project's rows, nor the portfolio's with the number of projects.
"""

import datetime
import hashlib
import statistics
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projects.core.formatting import amount
from projects.core.models import Membership, Project, local_today
from projects.escalations.models import Escalation, EscalationRecipient
from projects.permissions import Capability, membership_can
from projects.plan.models import ZERO, BudgetLine, Milestone
from projects.plan.selectors import milestone_chart_data
from projects.registers.models import Risk
from projects.registers.selectors import risk_heat_map
from projects.registry import PanelReads, dashboard_panels, portfolio_figures
from projects.reporting import dashboard_cache, tasks
from projects.reporting import services as services_reporting
from projects.reporting.models import StatusSnapshot
from projects.steering.models import AgendaItem

WEEKS = 12


def week_starts(today: datetime.date, weeks: int = WEEKS) -> list[datetime.date]:
    """The Mondays of the last `weeks` weeks, oldest first, this week's last."""
    monday = today - datetime.timedelta(days=today.weekday())
    return [monday - datetime.timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


def weekly_series(counts: dict, weeks: list[datetime.date]) -> list[int]:
    """Counts keyed by week start (date or datetime) laid on `weeks`, zero where a week had none."""
    by_day = {(key.date() if isinstance(key, datetime.datetime) else key): value for key, value in counts.items()}
    return [by_day.get(week, 0) for week in weeks]


@dataclass(frozen=True)
class ControlChart:
    """A control chart (D-PLAN-10): centre line at the mean, limits at mean ± 3σ, the lower one
    clipped at 0; a point beyond a limit is out of control."""

    values: list[int]
    mean: float
    sigma: float
    ucl: float
    lcl: float
    out_of_control: list[int]  # indexes into values


def control_chart(values: list[int]) -> ControlChart:
    if not values:
        return ControlChart([], 0.0, 0.0, 0.0, 0.0, [])
    mean = statistics.fmean(values)
    sigma = statistics.pstdev(values)
    ucl = mean + 3 * sigma
    lcl = max(0.0, mean - 3 * sigma)
    out = [index for index, value in enumerate(values) if value > ucl or value < lcl]
    return ControlChart(list(values), round(mean, 2), round(sigma, 2), round(ucl, 2), round(lcl, 2), out)


def project_dashboard_body(membership: Membership) -> tuple[str, datetime.datetime]:
    """The dashboard's body (every panel, chart data and table) and when it was rendered: from the
    cache unless the project changed since (`dashboard_cache`) or a minute has passed."""
    project = membership.project
    panels = _shown_panels(membership)
    version = cache.get(dashboard_cache.version_key(project.pk)) or "0"
    key = ":".join(
        [
            "dashboard-body",
            str(project.pk),
            version,
            translation.get_language(),
            timezone.get_current_timezone_name(),
            ",".join(panel.key for panel in panels),
        ]
    )
    cached = cache.get(key)
    if cached is None:
        body = render_to_string("projects/reporting/_dashboard_body.html", project_dashboard(project, panels))
        cached = (body, timezone.now())
        cache.set(key, cached, dashboard_cache.DASHBOARD_CACHE_SECONDS)
    body, as_of = cached
    return mark_safe(body), as_of  # noqa: S308 (rendered by our template, every value escaped there)


def _shown_panels(membership: Membership) -> list:
    return [panel for panel in dashboard_panels if not panel.capability or membership.can(panel.capability)]


def project_dashboard(project: Project, shown_panels: list) -> dict:
    milestones = list(
        Milestone.objects.filter(project=project).only("name", "baseline_date", "forecast_date", "actual_date")
    )
    tolerance = project.schedule_tolerance_days
    for milestone in milestones:
        milestone.exception = milestone.beyond_tolerance(tolerance)
    risks = list(
        Risk.objects.filter(project=project, status=Risk.Status.OPEN).only("title", "probability", "impact", "status")
    )
    panels = []
    reads = PanelReads()
    for panel in shown_panels:
        built = panel.build(project, reads)
        panels.append({"key": panel.key, "label": panel.label, "data_id": f"panel-{panel.key}-data", **built})
    return {
        "milestones": milestones,
        "milestone_chart": milestone_chart_data(milestones),
        "heat_map": risk_heat_map(risks),
        "panels": panels,
    }


def budget_burn(project: Project, _reads) -> dict:
    """The budget's baseline, actual and forecast cost per category and in total (D-PLAN-3), the
    categories whose forecast is beyond the tolerance marked (D-PLAN-4). At most six lines."""
    fields = ("category", "baseline", "actual", "forecast")
    order = {category: position for position, category in enumerate(BudgetLine.Category.values)}
    lines = sorted(
        (
            line
            for line in BudgetLine.objects.filter(project=project).only(*fields)
            if line.baseline or line.actual or line.forecast
        ),
        key=lambda line: order.get(line.category, len(order)),
    )
    tolerance = project.budget_tolerance_percent
    total = BudgetLine(
        baseline=sum((line.baseline for line in lines), ZERO),
        actual=sum((line.actual for line in lines), ZERO),
        forecast=sum((line.forecast for line in lines), ZERO),
    )
    categories = [line.get_category_display() for line in lines]
    return {
        "chart": {
            "kind": "bar",
            "categories": categories,
            "series": [
                {"name": _("Baseline"), "data": [float(line.baseline) for line in lines]},
                {"name": _("Actual"), "data": [float(line.actual) for line in lines]},
                {"name": _("Forecast"), "data": [float(line.forecast) for line in lines]},
            ],
        }
        if lines
        else None,
        "summary": _budget_summary(total, tolerance, sum(line.beyond_tolerance(tolerance) for line in lines))
        if lines
        else "",
        "columns": [_("Category"), _("Baseline"), _("Actual"), _("Forecast"), _("Variance")],
        "rows": [_budget_row(name, line, tolerance) for name, line in zip(categories, lines, strict=True)]
        + ([_budget_row(_("Total"), total, tolerance)] if lines else []),
    }


def _budget_row(name, line: BudgetLine, tolerance) -> list:
    variance = amount(line.variance)
    if line.variance_percent is not None:
        variance += f" ({line.variance_percent:+} %)"
    if line.beyond_tolerance(tolerance):
        variance += " " + _("beyond tolerance")
    return [name, amount(line.baseline), amount(line.actual), amount(line.forecast), variance]


def _budget_summary(total: BudgetLine, tolerance, exceptions: int) -> str:
    summary = _("Spent %(actual)s of %(baseline)s; forecast %(forecast)s.") % {
        "actual": amount(total.actual),
        "baseline": amount(total.baseline),
        "forecast": amount(total.forecast),
    }
    if exceptions:
        summary += " " + ngettext(
            "%(count)d category is forecast beyond the tolerance of %(tolerance)s %%.",
            "%(count)d categories are forecast beyond the tolerance of %(tolerance)s %%.",
            exceptions,
        ) % {"count": exceptions, "tolerance": f"{tolerance.normalize():f}"}
    return summary


# --- The portfolio (every project the user may see on a dashboard) --------------------------------

SPARK = "▁▂▃▄▅▆▇█"


STATUS_CACHE_SECONDS = 300  # how old a status snapshot may be before the portfolio asks for a refresh


def sparkline(values: list[int]) -> str:
    """A text sparkline (no chart needed on a phone): one block per value, scaled to the highest."""
    top = max(values, default=0)
    if not top:
        return SPARK[0] * len(values)
    return "".join(SPARK[round(value * (len(SPARK) - 1) / top)] for value in values)


@dataclass(frozen=True)
class CardProject:
    """What the portfolio reads of a project. Read as plain values: model instances of 50 projects
    and their memberships were a fifth of the page (docs/performance.md)."""

    pk: int
    code: str
    name: str
    time_zone: str

    def local_today(self) -> datetime.date:
        return local_today(self.time_zone)


@dataclass(frozen=True)
class CardSnapshot:
    """A project's status snapshot as the portfolio needs it; `figures` only when just built."""

    pk: int
    project_id: int
    period_start: datetime.date
    built_at: datetime.datetime
    has_card: bool
    figures: dict | None = None


def dashboard_projects(user) -> list[CardProject]:
    """The projects whose dashboard the signed-in user may see (their account is active, as the
    authentication checked), by code."""
    rows = (
        Membership.objects.current()
        .filter(user_id=user.pk)
        .order_by("project__code")
        .values_list("role", "grants", "project_id", "project__code", "project__name", "project__time_zone")
    )
    return [
        CardProject(project_id, code, name, time_zone)
        for role, grants, project_id, code, name, time_zone in rows
        if membership_can(role, grants, Capability.DASHBOARD_VIEW)
    ]


def _snapshots(projects: list[CardProject], language: str) -> dict[int, CardSnapshot]:
    """This week's status of each project (as the status report computes it) and its card's
    figures, read from its snapshot: one query for all projects, without the figures themselves
    (only the cards not in the cache need them). A project without one for this week (new, or a
    new week before the beat ran) is computed once here; stale ones (older than a few minutes) are
    shown as they are and refreshed by a task, so the page's query count does not grow with the
    projects."""
    rows = (
        StatusSnapshot.objects.filter(project_id__in=[p.pk for p in projects], language=language)
        .annotate(has_card=ExpressionWrapper(Q(figures__has_key="card"), output_field=BooleanField()))
        .values_list("pk", "project_id", "period_start", "built_at", "has_card")
    )
    snapshots = {row[1]: CardSnapshot(*row) for row in rows}
    missing = [
        p
        for p in projects
        if p.pk not in snapshots
        or snapshots[p.pk].period_start != services_reporting.week_of(p.local_today())
        or not snapshots[p.pk].has_card  # built before the card's figures were kept in it
    ]
    if missing:
        whole = list(Project.objects.filter(pk__in=[p.pk for p in missing]))  # the status reads all of a project
        built = services_reporting.status_snapshots_refresh(projects=whole, language=language)
        snapshots.update(
            (project_id, CardSnapshot(s.pk, project_id, s.period_start, s.built_at, True, s.figures))
            for project_id, s in built.items()
        )
    oldest = timezone.now() - datetime.timedelta(seconds=STATUS_CACHE_SECONDS)
    stale = sorted(pk for pk, snapshot in snapshots.items() if snapshot.built_at < oldest)
    if stale:
        lock = "status-snapshots-refresh:" + hashlib.sha1(repr(stale).encode()).hexdigest()  # noqa: S324 — a key
        if cache.add(lock, 1, STATUS_CACHE_SECONDS):
            transaction.on_commit(lambda: tasks.refresh_status_snapshots.delay(stale))
    return snapshots


BADGES = {"green": "text-bg-success", "amber": "text-bg-warning", "red": "text-bg-danger"}


def _status_dots() -> dict[str, dict]:
    """The status badges, worded once per page rather than per badge (the portfolio shows ~300
    of them for 50 projects)."""
    labels = {"green": _("green"), "amber": _("amber"), "red": _("red")}
    return {status: {"badge": badge, "label": labels[status]} for status, badge in BADGES.items()}


def _go_live_text(go_live: dict | None) -> dict | None:
    if go_live is None:
        return None
    slip = go_live["slip"]
    return {
        "dates": _("baseline %(baseline)s, forecast %(forecast)s") % go_live,
        "late": ngettext("%(counter)s day late", "%(counter)s days late", slip) % {"counter": slip} if slip > 0 else "",
    }


CARD_TEMPLATE = "projects/reporting/_portfolio_card.html"


CARD_SECONDS = 2 * STATUS_CACHE_SECONDS


def portfolio(user, language: str) -> dict:
    """The portfolio: one card per project, the escalations awaiting the user and the decisions at
    upcoming meetings."""
    projects = dashboard_projects(user)
    snapshots = _snapshots(projects, language)
    cards = portfolio_cards(projects, snapshots, language)
    ids = [p.pk for p in projects]
    receipts = list(
        EscalationRecipient.objects.filter(
            user=user,
            acknowledged_at__isnull=True,
            escalation__status=Escalation.Status.OPEN,
            escalation__project__in=ids,
        )
        .select_related("escalation", "escalation__project")
        .only(
            "escalation__kind",
            "escalation__automatic",
            "escalation__params",
            "escalation__typed_title",
            "escalation__project__code",
        )
        .order_by("-escalation__opened_at")[:20]
    )
    decisions = list(
        AgendaItem.objects.filter(
            meeting__project__in=ids, decision_required=True, outcome="", meeting__starts_at__gte=timezone.now()
        )
        .select_related("meeting", "meeting__project")
        .only("title", "meeting__starts_at", "meeting__project__code")
        .order_by("meeting__starts_at", "order", "id")[:20]
    )
    as_of = min((snapshot.built_at for snapshot in snapshots.values()), default=None)
    return {"cards": cards, "as_of": as_of, "receipts": receipts, "decisions": decisions}


def portfolio_cards(projects: list[CardProject], snapshots: dict[int, CardSnapshot], language: str) -> list[SafeString]:
    """Each project's card as HTML. Wording and rendering 50 cards was most of the portfolio's time
    (docs/performance.md), and a card only changes with its snapshot, so it is cached under the
    snapshot's build time: a rebuilt snapshot (every few minutes, by the beat) is a new key, never
    a stale card. One cache round trip for all the cards; only the others are worded and rendered,
    with their figures read in one query."""
    keys = {project.pk: _card_key(project, snapshots[project.pk], language) for project in projects}
    cached = cache.get_many(list(keys.values()))
    missing = [project for project in projects if keys[project.pk] not in cached]
    figures = _figures([snapshots[project.pk] for project in missing])
    rendered = {}
    if missing:
        labels = {figure.key: str(figure.label) for figure in portfolio_figures}
        dots = _status_dots()
        for project in missing:
            row = card_row(project, figures[project.pk], labels, dots)
            rendered[keys[project.pk]] = render_to_string(CARD_TEMPLATE, {"row": row})
        cache.set_many(rendered, CARD_SECONDS)
    return [mark_safe(cached.get(keys[p.pk]) or rendered[keys[p.pk]]) for p in projects]  # noqa: S308 — our template


def _figures(snapshots: list[CardSnapshot]) -> dict[int, dict]:
    """The figures of these snapshots: those just built carry them, the others are read in one query."""
    figures = {s.project_id: s.figures for s in snapshots if s.figures is not None}
    unread = [s.pk for s in snapshots if s.project_id not in figures]
    if unread:
        figures.update(StatusSnapshot.objects.filter(pk__in=unread).values_list("project_id", "figures"))
    return figures


def _card_key(project: CardProject, snapshot: CardSnapshot, language: str) -> str:
    content = (
        f"{_CARD_TEMPLATE_DIGEST}|{language}|{project.pk}|{project.code}|{project.name}|{snapshot.built_at.isoformat()}"
    )
    return "portfolio-card:" + hashlib.sha256(content.encode()).hexdigest()


def card_row(project, figures: dict, labels: dict[str, str], dots: dict[str, dict]) -> dict:
    """What a project's card shows, worded in the active language."""
    card = figures["card"]
    adoption = next((s for s in figures["sections"] if s["key"] == "adoption"), None)
    return {
        "code": project.code,
        "name": project.name,
        "overall": figures["overall"],
        "overall_dot": dots.get(figures["overall"]),
        "sections": [{**s, "dot": dots.get(s["status"])} for s in figures["sections"] if s["status"]],
        "adoption_summary": adoption["summary"] if adoption else "",
        "go_live_text": _go_live_text(card["go_live"]),
        "budget": card["budget"],
        "trends": [
            {"label": labels[key], "values": values, "spark": sparkline(values)}
            for key, values in card["trends"].items()
            if key in labels
        ],
    }


def _template_digest(name: str) -> str:
    """A deployment with a changed card template renders new cards instead of serving old ones."""
    with open(get_template(name).origin.name, "rb") as source:
        return hashlib.sha256(source.read()).hexdigest()[:16]


_CARD_TEMPLATE_DIGEST = _template_digest(CARD_TEMPLATE)
