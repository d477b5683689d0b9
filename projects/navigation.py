"""The project menu: one ordered declaration of every entry, whichever app owns its page.

An entry names its page by URL name, a plain string, so `projects` imports none of the apps whose
pages it lists. The order is the order of the list; each entry belongs to a group (for a grouped
navigation), and the groups come in the order of `MenuGroup`.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from projects.permissions import Capability


class MenuGroup(models.TextChoices):
    OVERVIEW = "overview", _("Overview")
    DAILY_WORK = "daily_work", _("Daily work")
    PLAN = "plan", _("Plan")
    COMMITTEE = "committee", _("Committee")
    LEADERSHIP = "leadership", _("Leadership")
    CLOSURE = "closure", _("Closure")
    SETTINGS = "settings", _("Settings")


@dataclass(frozen=True)
class NavItem:
    """An entry of a project's navigation, shown to members with `capability`."""

    url_name: str
    label: str | Promise
    capability: str
    icon: str
    group: MenuGroup


PROJECT_MENU: tuple[NavItem, ...] = (
    NavItem("projects:detail", _("Overview"), Capability.PROJECT_VIEW, "house", MenuGroup.OVERVIEW),
    NavItem("projects:dashboard", _("Dashboard"), Capability.DASHBOARD_VIEW, "speedometer2", MenuGroup.OVERVIEW),
    NavItem("issues:report", _("Daily report"), Capability.REPORTS_FILE, "journal-check", MenuGroup.DAILY_WORK),
    NavItem("issues:list", _("Issues"), Capability.PROJECT_VIEW, "bug", MenuGroup.DAILY_WORK),
    NavItem("issues:articles", _("Knowledge base"), Capability.PROJECT_VIEW, "book", MenuGroup.DAILY_WORK),
    NavItem("issues:leaderboard", _("Leaderboard"), Capability.PROJECT_VIEW, "trophy", MenuGroup.DAILY_WORK),
    NavItem("projects:plan", _("Plan"), Capability.PLAN_VIEW, "calendar-range", MenuGroup.PLAN),
    NavItem("projects:budget", _("Budget"), Capability.BUDGET_VIEW, "cash-coin", MenuGroup.PLAN),
    NavItem("projects:risks", _("Risks"), Capability.RISKS_VIEW, "exclamation-triangle", MenuGroup.PLAN),
    NavItem(
        "projects:requirements",
        _("Requirements"),
        Capability.REQUIREMENTS_VIEW,
        "file-earmark-check",
        MenuGroup.PLAN,
    ),
    NavItem("projects:training", _("Training"), Capability.TRAINING_VIEW, "mortarboard", MenuGroup.PLAN),
    NavItem("projects:setbacks", _("Setbacks"), Capability.SETBACKS_VIEW, "arrow-repeat", MenuGroup.PLAN),
    NavItem("projects:committee", _("Committee"), Capability.COMMITTEE_VIEW, "bank", MenuGroup.COMMITTEE),
    NavItem("changes:list", _("Changes"), Capability.PROJECT_VIEW, "arrow-left-right", MenuGroup.COMMITTEE),
    NavItem(
        "projects:status_reports",
        _("Status reports"),
        Capability.REPORTS_READ,
        "file-earmark-text",
        MenuGroup.LEADERSHIP,
    ),
    NavItem("projects:escalations", _("Escalations"), Capability.ESCALATIONS_VIEW, "megaphone", MenuGroup.LEADERSHIP),
    NavItem("issues:compliance", _("Compliance"), Capability.COMPLIANCE_VIEW, "clipboard-data", MenuGroup.LEADERSHIP),
    NavItem("closure:overview", _("Closure"), Capability.CLOSURE_VIEW, "flag", MenuGroup.CLOSURE),
    NavItem("projects:members", _("Members"), Capability.MEMBERS_VIEW, "people", MenuGroup.SETTINGS),
    NavItem("issues:settings", _("Reporting"), Capability.ISSUES_CONFIGURE, "sliders", MenuGroup.SETTINGS),
    NavItem("issues:calendar", _("Calendar"), Capability.ISSUES_CONFIGURE, "calendar3", MenuGroup.SETTINGS),
    NavItem("projects:edit", _("Settings"), Capability.PROJECT_EDIT, "gear", MenuGroup.SETTINGS),
)


@dataclass(frozen=True)
class NavGroup:
    """A group of the navigation as one member sees it: only their entries, `current` when it holds
    the page they are on."""

    group: MenuGroup
    items: tuple[NavItem, ...]
    current: bool


def menu_groups(shown: tuple[str, ...], current_name: str) -> list[NavGroup]:
    """The groups, in the declared order, holding the entries named in `shown`; a group with none
    of them is left out."""
    groups = []
    for group in MenuGroup:
        items = tuple(item for item in PROJECT_MENU if item.group == group and item.url_name in shown)
        if items:
            groups.append(NavGroup(group, items, any(item.url_name == current_name for item in items)))
    return groups
