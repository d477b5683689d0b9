from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        from .permissions import Capability
        from .registry import NavItem, register_nav_item

        register_nav_item(NavItem(_("Overview"), "projects:detail", Capability.PROJECT_VIEW, "house", 0))
        register_nav_item(NavItem(_("Members"), "projects:members", Capability.MEMBERS_VIEW, "people", 90))
        register_nav_item(NavItem(_("Settings"), "projects:edit", Capability.PROJECT_EDIT, "gear", 100))
