import datetime

import pytest
from django.urls import reverse

from projects.permissions import Role
from projects.reporting.dashboards import control_chart, week_starts, weekly_series


def test_control_chart_centre_line_is_the_mean_and_limits_three_sigma():
    # Twelve weeks: eleven quiet weeks around 4 and one burst of 20.
    values = [4, 5, 3, 4, 6, 4, 5, 3, 4, 5, 4, 20]
    chart = control_chart(values)
    assert chart.mean == pytest.approx(5.5833, abs=0.01)
    # Population σ: Σ(x − mean)² = 234.92 over 12 weeks → σ² = 19.58, σ = 4.42.
    assert chart.sigma == pytest.approx(4.4245, abs=0.01)
    assert chart.ucl == pytest.approx(5.5833 + 3 * 4.4245, abs=0.02)  # 18.86
    assert chart.lcl == 0  # mean − 3σ is negative: clipped at 0
    assert chart.out_of_control == [11]  # the burst of 20


def test_a_week_beyond_the_upper_limit_is_out_of_control():
    values = [10] * 11 + [11] * 11 + [40]
    chart = control_chart(values)
    assert chart.out_of_control == [22]


def test_a_steady_series_has_no_point_out_of_control():
    chart = control_chart([7, 7, 7, 7])
    assert (chart.mean, chart.sigma, chart.ucl, chart.lcl, chart.out_of_control) == (7, 0, 7, 7, [])


def test_a_week_below_the_lower_limit_is_out_of_control():
    values = [20] * 11 + [21] * 11 + [0]
    assert control_chart(values).out_of_control == [22]


def test_weeks_start_on_monday_and_missing_weeks_count_zero():
    weeks = week_starts(datetime.date(2026, 11, 25), 3)  # a Wednesday
    assert weeks == [datetime.date(2026, 11, 9), datetime.date(2026, 11, 16), datetime.date(2026, 11, 23)]
    assert weekly_series({datetime.date(2026, 11, 16): 4}, weeks) == [0, 4, 0]


def test_the_dashboard_is_in_the_project_navigation_for_leadership_only(client, team):
    url = reverse("projects:dashboard", kwargs={"code": "SCRM"})
    client.force_login(team.user(Role.SPONSOR))
    assert url in client.get(reverse("projects:detail", kwargs={"code": "SCRM"})).content.decode()
    client.force_login(team.user(Role.KEY_USER))
    assert url not in client.get(reverse("projects:detail", kwargs={"code": "SCRM"})).content.decode()


def test_the_status_report_links_the_next_meeting(team):
    """Regression: the "next meeting" section reversed a URL name that does not exist."""
    from django.utils import timezone

    from projects.reporting import services as services_reporting
    from projects.steering.models import Meeting

    meeting = Meeting.objects.create(
        project=team.project,
        title="指导委员会",
        starts_at=timezone.now() + datetime.timedelta(days=2),
        created_by=team.user(Role.PM),
    )
    built = services_reporting.build(team.project, datetime.date(2026, 11, 23), "en")
    section = next(s for s in built["sections"] if s["items"] and s["items"][0]["text"] == "指导委员会")
    assert section["items"][0]["url"].endswith(f"/meetings/{meeting.pk}/")
