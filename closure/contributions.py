"""What `closure` contributes to the registries of `projects.registry` (collected by
`ProjectsConfig.ready()`); its menu entry is in `projects.navigation`."""

from projects import registry
from projects.registry import DemoSeeder

from .demo import seed_closing_project
from .report import closure_figure_sections
from .services import waiver_decision_provider

registry.decision_providers.register(waiver_decision_provider())
for section in closure_figure_sections():
    registry.closure_figure_providers.register(section)
# After every other seeder: the second project reuses the people of the first.
registry.demo_seeders.register(DemoSeeder("closing-project", seed_closing_project, 95))
