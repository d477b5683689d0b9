from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClosureConfig(AppConfig):
    name = "closure"
    verbose_name = _("Closure")

    def ready(self) -> None:
        from projects.permissions import Capability
        from projects.registry import (
            DemoSeeder,
            NavItem,
            register_closure_figures,
            register_decision_provider,
            register_demo_seeder,
            register_nav_item,
        )

        from .demo import seed_closing_project
        from .report import closure_figure_sections
        from .services import waiver_decision_provider

        register_decision_provider(waiver_decision_provider())
        register_nav_item(NavItem(_("Closure"), "closure:overview", Capability.CLOSURE_VIEW, "flag", 80))
        for section in closure_figure_sections():
            register_closure_figures(section)
        # After every other seeder: the second project reuses the people of the first.
        register_demo_seeder(DemoSeeder("closing-project", seed_closing_project, 90))
