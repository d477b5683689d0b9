"""Where the dashboard's compliance heat map (`compliance.heat_map`) is cached, and its forgetting
when a report is filed or the calendar changes (kept apart so the services need not import the
selectors that import them)."""

import datetime

from django.core.cache import cache
from django.db import transaction

from projects.reporting.dashboard_cache import forget_dashboard

# Membership changes show within this time; filings and calendar edits at once.
HEAT_MAP_CACHE_SECONDS = 300


def heat_map_key(project_id: int, today: datetime.date) -> str:
    return f"compliance-heat-map:{project_id}:{today.isoformat()}"


def forget_heat_map(project) -> None:
    """Once the transaction commits: a filing or a calendar edit changes the map's cells."""
    key = heat_map_key(project.pk, project.local_today())
    transaction.on_commit(lambda: cache.delete(key))
    forget_dashboard(project)  # which shows the map
