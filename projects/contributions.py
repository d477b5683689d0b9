"""What `projects` contributes to the registries of `projects.registry` (collected, like every app's
`contributions.py`, by `ProjectsConfig.ready()`). The menu entries are in `projects.navigation`."""

from django.utils.translation import gettext_lazy as _

from projects import registry
from projects.core.work import DECISIONS
from projects.devdata.demo import load_plan_demo
from projects.escalations.conditions import CONDITIONS
from projects.escalations.services import escalations_evaluate
from projects.escalations.work import ESCALATIONS
from projects.permissions import Capability
from projects.plan.services import rebaseline_decision_provider
from projects.registry import ClosureFigures, DashboardPanel, DemoSeeder
from projects.reporting.dashboards import budget_burn
from projects.reporting.report_sections import SECTIONS, escalation_figures
from projects.search.sources import SOURCES as SEARCH_SOURCES
from projects.steering.work import ACTION_ITEMS


def evaluate_demo_escalations(project) -> None:
    escalations_evaluate(project=project)


registry.dashboard_panels.register(
    DashboardPanel("budget-burn", _("Budget: baseline, actual and forecast"), 10, budget_burn, Capability.BUDGET_VIEW)
)
registry.decision_providers.register(rebaseline_decision_provider())
registry.demo_seeders.register(DemoSeeder("plan-and-committee", load_plan_demo, 5))
# Last but one: what the demo's data amounts to is escalated as it would be in a real project.
registry.demo_seeders.register(DemoSeeder("escalations", evaluate_demo_escalations, 90))
for condition in CONDITIONS:
    registry.escalation_conditions.register(condition)
for section in SECTIONS:
    registry.report_sections.register(section)
registry.closure_figure_providers.register(ClosureFigures("escalations", _("Escalations"), escalation_figures, 40))
for source in SEARCH_SOURCES:
    registry.search_sources.register(source)
for source in (ESCALATIONS, DECISIONS, ACTION_ITEMS):
    registry.work_sources.register(source)
