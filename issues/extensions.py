"""Where other apps hook into an issue's page (e.g. `changes`: "raise a change request" from a
requirement-change issue), registered from their AppConfig.ready(). `issues` imports none of them."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class IssueLink:
    label: str | Promise
    url: str
    icon: str = "arrow-right-circle"


# Each provider gets (issue, membership) and returns the links that member may follow.
IssueLinkProvider = Callable[[object, object], list[IssueLink]]
issue_link_providers: list[IssueLinkProvider] = []


def register_issue_links(provider: IssueLinkProvider) -> None:
    if provider not in issue_link_providers:
        issue_link_providers.append(provider)


def links_for(issue, membership) -> list[IssueLink]:
    return [link for provider in issue_link_providers for link in provider(issue, membership)]
