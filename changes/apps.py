from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    name = "changes"
    verbose_name = _("Change requests")

    def ready(self) -> None:
        from issues.extensions import register_issue_links
        from projects.permissions import Capability
        from projects.registry import (
            DemoSeeder,
            NavItem,
            ScaleSeeder,
            register_dashboard_panel,
            register_decision_provider,
            register_demo_seeder,
            register_escalation_condition,
            register_nav_item,
            register_report_section,
            register_scale_seeder,
        )

        from .committee import change_decision_provider
        from .conditions import CONDITIONS
        from .dashboard_panels import PANELS
        from .demo import seed_change_requests
        from .links import change_request_links
        from .report_sections import SECTIONS
        from .seed_scale import load as load_scale

        register_nav_item(NavItem(_("Changes"), "changes:list", Capability.PROJECT_VIEW, "arrow-left-right", 25))
        register_issue_links(change_request_links)
        for panel in PANELS:
            register_dashboard_panel(panel)
        register_demo_seeder(DemoSeeder("change-requests", seed_change_requests, 30))
        register_scale_seeder(ScaleSeeder("change-requests", load_scale, 30))
        register_decision_provider(change_decision_provider())
        for condition in CONDITIONS:
            register_escalation_condition(condition)
        for section in SECTIONS:
            register_report_section(section)
