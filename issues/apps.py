from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IssuesConfig(AppConfig):
    name = "issues"
    verbose_name = _("Issues")

    def ready(self) -> None:
        from projects.permissions import Capability
        from projects.registry import (
            DemoSeeder,
            NavItem,
            Rollup,
            ScaleSeeder,
            register_dashboard_panel,
            register_demo_seeder,
            register_escalation_condition,
            register_nav_item,
            register_portfolio_figure,
            register_report_section,
            register_rollup,
            register_scale_seeder,
        )

        from .conditions import CONDITIONS
        from .dashboard_panels import FIGURES, PANELS
        from .demo import seed_issue_history
        from .holidays import seed_calendar
        from .report_sections import SECTIONS
        from .rollups import rebuild as rebuild_issue_days
        from .seed_scale import load as load_scale

        register_nav_item(NavItem(_("Daily report"), "issues:report", Capability.REPORTS_FILE, "journal-check", 10))
        register_nav_item(NavItem(_("Issues"), "issues:list", Capability.PROJECT_VIEW, "bug", 20))
        register_nav_item(NavItem(_("Knowledge base"), "issues:articles", Capability.PROJECT_VIEW, "book", 30))
        register_nav_item(NavItem(_("Leaderboard"), "issues:leaderboard", Capability.PROJECT_VIEW, "trophy", 50))
        register_nav_item(NavItem(_("Reporting"), "issues:settings", Capability.ISSUES_CONFIGURE, "sliders", 95))
        register_nav_item(
            NavItem(_("Compliance"), "issues:compliance", Capability.COMPLIANCE_VIEW, "clipboard-data", 40)
        )
        register_nav_item(NavItem(_("Calendar"), "issues:calendar", Capability.ISSUES_CONFIGURE, "calendar3", 45))
        register_demo_seeder(DemoSeeder("working-calendar", seed_calendar, 10))
        register_demo_seeder(DemoSeeder("issue-history", seed_issue_history, 20))
        register_scale_seeder(ScaleSeeder("issues", load_scale, 20))
        register_rollup(Rollup("issue-days", rebuild_issue_days))
        for condition in CONDITIONS:
            register_escalation_condition(condition)
        for section in SECTIONS:
            register_report_section(section)
        for panel in PANELS:
            register_dashboard_panel(panel)
        for figure in FIGURES:
            register_portfolio_figure(figure)
