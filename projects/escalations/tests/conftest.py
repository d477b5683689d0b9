import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from projects.permissions import Role


@pytest.fixture
def project(team):
    project = team.project
    project.cost_of_delay_per_day = Decimal("5000")
    project.schedule_tolerance_days = 5
    project.compliance_threshold_percent = 0  # nobody files reports in these tests; see test_low_compliance
    project.save()
    # A meeting within the cadence, so that only the conditions a test sets up are detected.
    from projects.steering.services import meeting_create

    meeting_create(
        project=project,
        created_by=team.user(Role.PM),
        title="指导委员会",
        starts_at=timezone.now() + datetime.timedelta(days=7),
        duration_minutes=60,
        location="会议室",
    )
    return project
