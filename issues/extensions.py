"""Where other apps hook into an issue's page (e.g. `changes`: "raise a change request" from a
requirement-change issue), registered from their `contributions.py`. `issues` imports none of them."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from projects.registry import Registry


@dataclass(frozen=True)
class IssueLink:
    label: str | Promise
    url: str
    icon: str = "arrow-right-circle"


# Each provider gets (issue, membership) and returns the links that member may follow.
IssueLinkProvider = Callable[[object, object], list[IssueLink]]
issue_link_providers: Registry[IssueLinkProvider] = Registry(
    "issue link provider", key=lambda provider: f"{provider.__module__}.{provider.__qualname__}"
)


def links_for(issue, membership) -> list[IssueLink]:
    return [link for provider in issue_link_providers for link in provider(issue, membership)]
