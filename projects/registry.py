"""What other apps contribute to the project's shell, registered from their AppConfig.ready().

`projects` never imports `issues`, `changes` or `closure`; they add themselves here.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    """An entry of a project's navigation, shown to members with `capability`."""

    label: str | Promise
    url_name: str
    capability: str
    icon: str
    order: int


project_nav: list[NavItem] = []


def register_nav_item(item: NavItem) -> None:
    if any(existing.url_name == item.url_name for existing in project_nav):
        return
    project_nav.append(item)
    project_nav.sort(key=lambda entry: entry.order)


@dataclass(frozen=True)
class DemoSeeder:
    """Loads an app's part of the demo project (`manage.py seed_demo`), after the people exist."""

    name: str
    load: Callable[[object], None]
    order: int


demo_seeders: list[DemoSeeder] = []


def register_demo_seeder(seeder: DemoSeeder) -> None:
    if any(existing.name == seeder.name for existing in demo_seeders):
        return
    demo_seeders.append(seeder)
    demo_seeders.sort(key=lambda entry: entry.order)
