from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        from django.db.models import fields

        # Django 6.1's label of an empty choice ("- Select an option -") has no Chinese translation
        # in Django itself; declared here, it is in our catalogue and translated there.
        fields.BLANK_CHOICE_LABEL = _("- Select an option -")

        from projects.core.converters import register as register_project_code_converter
        from projects.core.security_log import connect as connect_security_log
        from projects.devdata.demo import load_plan_demo
        from projects.escalations.conditions import CONDITIONS
        from projects.escalations.services import escalations_evaluate
        from projects.permissions import Capability
        from projects.plan.services import rebaseline_decision_provider
        from projects.registry import (
            ClosureFigures,
            DashboardPanel,
            DemoSeeder,
            NavItem,
            register_closure_figures,
            register_dashboard_panel,
            register_decision_provider,
            register_demo_seeder,
            register_escalation_condition,
            register_nav_item,
            register_report_section,
        )
        from projects.reporting.dashboards import budget_burn
        from projects.reporting.report_sections import SECTIONS, escalation_figures

        register_nav_item(NavItem(_("Overview"), "projects:detail", Capability.PROJECT_VIEW, "house", 0))
        register_nav_item(NavItem(_("Plan"), "projects:plan", Capability.PLAN_VIEW, "calendar-range", 10))
        register_nav_item(NavItem(_("Budget"), "projects:budget", Capability.BUDGET_VIEW, "cash-coin", 12))
        register_nav_item(NavItem(_("Risks"), "projects:risks", Capability.RISKS_VIEW, "exclamation-triangle", 14))
        register_nav_item(
            NavItem(_("Requirements"), "projects:requirements", Capability.REQUIREMENTS_VIEW, "file-earmark-check", 16)
        )
        register_nav_item(NavItem(_("Training"), "projects:training", Capability.TRAINING_VIEW, "mortarboard", 18))
        register_nav_item(NavItem(_("Setbacks"), "projects:setbacks", Capability.SETBACKS_VIEW, "arrow-repeat", 20))
        register_nav_item(NavItem(_("Committee"), "projects:committee", Capability.COMMITTEE_VIEW, "bank", 22))
        register_nav_item(
            NavItem(_("Escalations"), "projects:escalations", Capability.ESCALATIONS_VIEW, "megaphone", 3)
        )
        register_nav_item(
            NavItem(_("Status reports"), "projects:status_reports", Capability.REPORTS_READ, "file-earmark-text", 2)
        )
        register_nav_item(NavItem(_("Dashboard"), "projects:dashboard", Capability.DASHBOARD_VIEW, "speedometer2", 1))
        register_nav_item(NavItem(_("Members"), "projects:members", Capability.MEMBERS_VIEW, "people", 90))
        register_nav_item(NavItem(_("Settings"), "projects:edit", Capability.PROJECT_EDIT, "gear", 100))
        register_dashboard_panel(
            DashboardPanel(
                "budget-burn", _("Budget: baseline, actual and forecast"), 10, budget_burn, Capability.BUDGET_VIEW
            )
        )
        register_decision_provider(rebaseline_decision_provider())
        register_demo_seeder(DemoSeeder("plan-and-committee", load_plan_demo, 5))
        # Last: what the demo's data amounts to is escalated as it would be in a real project.
        register_demo_seeder(DemoSeeder("escalations", lambda project: escalations_evaluate(project=project), 90))
        for condition in CONDITIONS:
            register_escalation_condition(condition)
        for section in SECTIONS:
            register_report_section(section)
        register_closure_figures(ClosureFigures("escalations", _("Escalations"), escalation_figures, 40))
        connect_security_log()
        register_project_code_converter()
