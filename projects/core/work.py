"""What waits for me (issue 19): the apps' work sources (`projects.registry.work_sources`) put
together across every project of one person, and the count the top bar shows.

Each source reads all the person's projects at once, so the list costs one query for the
memberships plus a fixed number per source, whatever the number of projects or items.

The top bar shows the count on every page without adding a query to any: the count is cached per
person for `COUNT_CACHE_SECONDS`; a page shows the cached count, or, when there is none, a
placeholder that fetches it (htmx, `projects:my_work_badge`), which counts and caches it. So a
page's own query count is the same whether the cache is warm or cold. The "my work" page always
counts afresh (and refreshes the cache), and a person's own successful POST forgets their cached
count (`projects.core.middleware.WorkCountMiddleware`), so what they just did shows at once; what
others did (an escalation sent to them) shows within the minute.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from projects.core.models import Membership, Project
from projects.registry import WorkItem, WorkSource, decisions_waiting_across, work_sources

COUNT_CACHE_SECONDS = 60


@dataclass(frozen=True)
class WorkGroup:
    key: str
    label: str | Promise
    items: list[WorkItem]


def count_key(user_id: int) -> str:
    return f"my-work-count:{user_id}"


def forget_count(user_id: int) -> None:
    cache.delete(count_key(user_id))


def work_memberships(user) -> list[Membership]:
    """The person's active memberships of projects not closed: nothing waits in a closed project."""
    return list(
        Membership.objects.active()
        .filter(user=user)
        .exclude(project__status=Project.Status.CLOSED)
        .select_related("project")
        .order_by("project__name")
    )


def my_work(user) -> list[WorkGroup]:
    """What waits for `user`, by kind (in the sources' order), the oldest first within a kind."""
    memberships = work_memberships(user)
    groups = []
    if memberships:
        for source in work_sources:
            items = sorted(source.items(user, memberships), key=lambda item: item.since)
            if items:
                groups.append(WorkGroup(source.key, source.label, items))
    cache.set(count_key(user.pk), sum(len(group.items) for group in groups), COUNT_CACHE_SECONDS)
    return groups


def my_work_count(user) -> int:
    """The number of things waiting for `user`, from the cache when counted within the last minute."""
    count = cached_count(user)
    if count is None:
        count = sum(len(group.items) for group in my_work(user))
    return count


def cached_count(user) -> int | None:
    """The count if counted within the last minute, else None: no query either way."""
    return cache.get(count_key(user.pk))


def day_began(project: Project, day: datetime.date) -> datetime.datetime:
    """The moment `day` began in the project's time zone (the age of a report due, an action item)."""
    return datetime.datetime.combine(day, datetime.time(), zoneinfo.ZoneInfo(project.time_zone))


# --- The decisions waiting for me: what the decision providers list ------------------------------


def _decisions(user, memberships) -> list[WorkItem]:
    return [
        WorkItem(
            project=membership.project,
            title=decision.title,
            url=decision.url,
            since=decision.since or timezone.now(),
        )
        for membership, decision in decisions_waiting_across(memberships)
    ]


DECISIONS = WorkSource("decision", _("Decisions waiting for me"), 20, _decisions)
