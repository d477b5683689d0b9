"""What `issues` contributes to the registries of `projects.registry` (collected by
`ProjectsConfig.ready()`); its menu entries are in `projects.navigation`."""

from projects import registry
from projects.registry import DemoSeeder, Rollup, ScaleSeeder

from .conditions import CONDITIONS
from .dashboard_panels import FIGURES, PANELS
from .demo import seed_calendar, seed_issue_history
from .report_sections import SECTIONS
from .rollups import rebuild as rebuild_issue_days
from .search import SOURCES as SEARCH_SOURCES
from .seed_scale import load as load_scale
from .work import SOURCES as WORK_SOURCES

registry.demo_seeders.register(DemoSeeder("working-calendar", seed_calendar, 10))
registry.demo_seeders.register(DemoSeeder("issue-history", seed_issue_history, 20))
registry.scale_seeders.register(ScaleSeeder("issues", load_scale, 20))
registry.rollups.register(Rollup("issue-days", rebuild_issue_days))
for condition in CONDITIONS:
    registry.escalation_conditions.register(condition)
for section in SECTIONS:
    registry.report_sections.register(section)
for panel in PANELS:
    registry.dashboard_panels.register(panel)
for figure in FIGURES:
    registry.portfolio_figures.register(figure)
for source in SEARCH_SOURCES:
    registry.search_sources.register(source)
for source in WORK_SOURCES:
    registry.work_sources.register(source)
