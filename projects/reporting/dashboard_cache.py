"""The project dashboard's cache: its body is rendered once per minute at most for each project,
language, time zone and set of panels, and again at once after any write that changes its figures
(the services call `forget_dashboard`). Kept apart from `dashboards` so every app's services can
call it without importing the dashboards."""

import uuid

from django.core.cache import cache
from django.db import transaction

# The longest a change made outside the services that forget the dashboard takes to show.
DASHBOARD_CACHE_SECONDS = 60


def version_key(project_id: int) -> str:
    return f"dashboard-version:{project_id}"


def forget_dashboard(project) -> None:
    """Once the transaction commits: the next view renders the dashboard anew."""
    key = version_key(project.pk)
    transaction.on_commit(lambda: cache.set(key, uuid.uuid4().hex, None))
