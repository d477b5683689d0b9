"""One plug-in mechanism: the generic `Registry` every kind of contribution uses, what the apps
contribute through their `contributions.py`, and the project menu's single declaration."""

from dataclasses import dataclass

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import NoReverseMatch, reverse

from issues.extensions import issue_link_providers
from projects import registry
from projects.navigation import PROJECT_MENU, MenuGroup
from projects.registry import Registry


@dataclass(frozen=True)
class Thing:
    key: str
    order: int


def things() -> Registry[Thing]:
    return Registry("thing", key=lambda thing: thing.key, order=lambda thing: thing.order)


def test_registered_items_come_in_their_declared_order_not_the_order_they_were_registered():
    kind = things()
    for thing in (Thing("c", 30), Thing("a", 10), Thing("b", 20)):
        kind.register(thing)
    assert [thing.key for thing in kind] == ["a", "b", "c"]
    assert kind["b"] == Thing("b", 20) and kind.get("z") is None and "a" in kind and len(kind) == 3


def test_a_kind_without_order_numbers_keeps_the_order_of_registration():
    kind: Registry[Thing] = Registry("thing", key=lambda thing: thing.key)
    for thing in (Thing("c", 0), Thing("a", 0)):
        kind.register(thing)
    assert kind.keys() == ["c", "a"]


def test_two_contributions_with_one_key_are_refused():
    kind = things()
    kind.register(Thing("a", 10))
    with pytest.raises(ImproperlyConfigured, match="key 'a'"):
        kind.register(Thing("a", 20))


def test_two_contributions_with_one_order_number_are_refused():
    kind = things()
    kind.register(Thing("plan", 10))
    with pytest.raises(ImproperlyConfigured, match="'plan' and 'daily-report' both have order 10"):
        kind.register(Thing("daily-report", 10))


def test_a_contribution_registered_temporarily_is_gone_after_the_block_and_the_original_is_back():
    kind = things()
    kind.register(Thing("a", 10))
    with kind.temporarily(Thing("a", 5)) as replacement:
        assert list(kind) == [replacement]
    assert list(kind) == [Thing("a", 10)]


REGISTRIES = {
    "decision_providers": ["rebaseline", "change", "closure-waiver"],
    "demo_seeders": [
        "plan-and-committee",
        "working-calendar",
        "issue-history",
        "change-requests",
        "escalations",
        "closing-project",
    ],
    "scale_seeders": ["issues", "change-requests"],
    "rollups": ["issue-days"],
    "escalation_conditions": [
        "milestone_beyond_tolerance",
        "budget_beyond_tolerance",
        "funding_short",
        "key_person_leaving",
        "no_meeting_in_cadence",
        "training_cancelled",
        "blocker_issue",
        "low_compliance",
        "change_beyond_tolerance",
    ],
    "report_sections": ["schedule", "budget", "scope", "issues", "adoption", "decisions", "escalations", "meeting"],
    "closure_figure_providers": ["issues", "changes", "escalations"],
    "dashboard_panels": [
        "budget-burn",
        "issue-flow",
        "issue-control",
        "issue-backlog",
        "issue-ageing",
        "change-funnel",
        "compliance",
        "recognition",
    ],
    "portfolio_figures": ["new-issues"],
    "work_sources": [
        "escalation",
        "decision",
        "change-options",
        "issue-forwarded",
        "issue-confirm",
        "action-item",
        "daily-report",
    ],
}


@pytest.mark.parametrize("name", REGISTRIES)
def test_every_app_contributes_what_it_did_in_the_declared_order(name):
    assert getattr(registry, name).keys() == REGISTRIES[name]


def test_changes_adds_its_link_to_the_issue_page():
    assert issue_link_providers.keys() == ["changes.links.change_request_links"]


def test_the_menu_names_each_page_once_and_every_page_exists():
    names = [item.url_name for item in PROJECT_MENU]
    assert len(names) == len(set(names)), [name for name in names if names.count(name) > 1]
    for name in names:
        try:
            reverse(name, kwargs={"code": "SCRM"})
        except NoReverseMatch:  # pragma: no cover - the failure message
            pytest.fail(f"The menu entry {name!r} names no page.")


def test_the_menu_lists_its_groups_together_in_the_declared_order():
    groups = [item.group for item in PROJECT_MENU]
    runs = [group for index, group in enumerate(groups) if index == 0 or groups[index - 1] != group]
    assert runs == list(MenuGroup)
