"""What `changes` contributes to the registries of `projects.registry` and to the issue page's links
(`issues.extensions`), collected by `ProjectsConfig.ready()`; its menu entry is in `projects.navigation`."""

from issues.extensions import issue_link_providers
from projects import registry
from projects.registry import DemoSeeder, ScaleSeeder

from .committee import change_decision_provider
from .conditions import CONDITIONS
from .dashboard_panels import PANELS
from .demo import seed_change_requests
from .links import change_request_links
from .report_sections import SECTIONS
from .search import SOURCE as SEARCH_SOURCE
from .seed_scale import load as load_scale
from .work import OPTIONS

issue_link_providers.register(change_request_links)
for panel in PANELS:
    registry.dashboard_panels.register(panel)
registry.demo_seeders.register(DemoSeeder("change-requests", seed_change_requests, 30))
registry.scale_seeders.register(ScaleSeeder("change-requests", load_scale, 30))
registry.decision_providers.register(change_decision_provider())
for condition in CONDITIONS:
    registry.escalation_conditions.register(condition)
for section in SECTIONS:
    registry.report_sections.register(section)
registry.search_sources.register(SEARCH_SOURCE)
registry.work_sources.register(OPTIONS)
