import datetime
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse

from projects.permissions import Role
from projects.plan import services as services_plan
from projects.reporting import services as services_reporting
from projects.reporting.models import StatusReport

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


@pytest.fixture
def project(team):
    project = team.project
    project.report_weekday = 4  # Friday
    project.report_time = datetime.time(16, 0)
    project.report_draft_hours = 4
    project.save()
    return project


def at(zone, *args):
    return datetime.datetime(*args, tzinfo=zone)


def test_drafted_ahead_then_sent_on_time_once(team, project, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(at(SHANGHAI, 2026, 11, 20, 11, 0))  # Friday 11:00 local
    assert services_reporting.status_reports_dispatch(project=project) == ""
    time_machine.move_to(at(SHANGHAI, 2026, 11, 20, 12, 5))
    with django_capture_on_commit_callbacks(execute=True):
        assert services_reporting.status_reports_dispatch(project=project) == "drafted"
    assert [m.to for m in mail.outbox] == [["pm@example.com"]], "the PM is told to add a narrative"
    with django_capture_on_commit_callbacks(execute=True):
        assert services_reporting.status_reports_dispatch(project=project) == "drafted"
    assert len(mail.outbox) == 1
    time_machine.move_to(at(SHANGHAI, 2026, 11, 20, 16, 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services_reporting.status_reports_dispatch(project=project) == "sent"
        services_reporting.status_reports_dispatch(project=project)
    report = StatusReport.objects.get()
    assert report.state == "sent" and report.period_start == datetime.date(2026, 11, 16)
    sent = sorted(m.to[0] for m in mail.outbox[1:])
    assert sent == ["executive@example.com", "sponsor@example.com", "steering@example.com"]


def test_the_schedule_follows_the_projects_time_zone(team, project, time_machine):
    project.time_zone = "Europe/Berlin"
    project.save()
    time_machine.move_to(at(BERLIN, 2026, 11, 20, 15, 59))
    assert services_reporting.status_reports_dispatch(project=project) == "drafted"
    time_machine.move_to(at(BERLIN, 2026, 11, 20, 16, 0))
    assert services_reporting.status_reports_dispatch(project=project) == "sent"


def test_a_missed_tick_catches_up_within_the_week(team, project, time_machine):
    time_machine.move_to(at(SHANGHAI, 2026, 11, 22, 9, 0))  # Sunday, the Friday tick was missed
    assert services_reporting.status_reports_dispatch(project=project) == "sent"
    assert StatusReport.objects.get().period_start == datetime.date(2026, 11, 16)


def test_send_now_cannot_make_two_reports_for_one_week(client, team, project, django_capture_on_commit_callbacks):
    client.force_login(team.user(Role.PM))
    url = reverse("projects:status_report_send", kwargs={"code": "SCRM"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
        client.post(url)
    assert StatusReport.objects.count() == 1
    assert len(mail.outbox) == 3


def test_the_narrative_goes_out_and_the_sent_report_is_frozen(
    client, team, project, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(at(SHANGHAI, 2026, 11, 20, 13, 0))
    services_reporting.status_reports_dispatch(project=project)
    report = StatusReport.objects.get()
    client.force_login(team.user(Role.PM))
    assert client.post(report.get_absolute_url(), {"narrative": "试点顺利，下周全面上线。"}).status_code == 302
    time_machine.move_to(at(SHANGHAI, 2026, 11, 20, 16, 30))
    with django_capture_on_commit_callbacks(execute=True):
        services_reporting.status_reports_dispatch(project=project)
    assert all("试点顺利" in m.body for m in mail.outbox if m.to != ["pm@example.com"])
    response = client.post(report.get_absolute_url(), {"narrative": "改写"})
    assert response.status_code == 400
    report.refresh_from_db()
    assert report.narrative == "试点顺利，下周全面上线。"
    frozen = report.figures
    services_plan.milestone_save(
        project=project,
        name="新里程碑",
        phase=None,
        owner=None,
        baseline_date=datetime.date(2027, 1, 1),
        forecast_date=datetime.date(2027, 2, 1),
    )
    report.refresh_from_db()
    assert report.figures == frozen


def test_dimensions_follow_the_written_rules(team, project):
    services_plan.milestone_save(
        project=project,
        name="上线",
        phase=None,
        owner=None,
        baseline_date=datetime.date(2027, 3, 1),
        forecast_date=datetime.date(2027, 3, 4),
    )
    figures = services_reporting.build(project, datetime.date(2026, 11, 16), "en")
    by_key = {section["key"]: section for section in figures["sections"]}
    assert by_key["schedule"]["status"] == "amber", "a slip of 3 days within a tolerance of 5"
    assert by_key["issues"]["status"] == "green"
    assert {"schedule", "budget", "scope", "issues", "adoption", "decisions", "escalations", "meeting"} <= set(by_key)
    services_plan.milestone_save(
        project=project,
        name="试点",
        phase=None,
        owner=None,
        baseline_date=datetime.date(2027, 1, 1),
        forecast_date=datetime.date(2027, 1, 20),
    )
    figures = services_reporting.build(project, datetime.date(2026, 11, 16), "en")
    assert figures["overall"] == "red"


def test_each_recipient_reads_it_in_their_language(team, project, django_capture_on_commit_callbacks):
    sponsor = team.user(Role.SPONSOR)
    sponsor.language = "zh-hans"
    sponsor.save()
    with django_capture_on_commit_callbacks(execute=True):
        report = services_reporting.status_report_send(project=project, period_start=datetime.date(2026, 11, 16))
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert (
        "进度" in by_recipient["sponsor@example.com"].body and "Schedule" in by_recipient["executive@example.com"].body
    )
    assert set(report.figures) >= {"en", "zh-hans"}


def test_recipients_are_adjustable(team, project, django_capture_on_commit_callbacks):
    from projects.core.services import membership_update

    key_user = team.members[Role.KEY_USER]
    executive = team.members[Role.EXECUTIVE]
    membership_update(membership=key_user, role=Role.KEY_USER, receives_reports=True, changed_by=team.user(Role.PM))
    membership_update(membership=executive, role=Role.EXECUTIVE, receives_reports=False, changed_by=team.user(Role.PM))
    assert sorted(u.email for u in services_reporting.recipients(project)) == [
        "key_user@example.com",
        "sponsor@example.com",
        "steering@example.com",
    ]


def test_archive_shows_the_trend_of_the_last_nine(client, team, project):
    for week in range(11):
        services_reporting.status_report_send(
            project=project, period_start=datetime.date(2026, 9, 7) + datetime.timedelta(weeks=week)
        )
    client.force_login(team.user(Role.SPONSOR))
    response = client.get(reverse("projects:status_reports", kwargs={"code": "SCRM"}))
    assert len(response.context["trend"]) == 9
    assert [row["report"].period_start for row in response.context["trend"]][-1] == datetime.date(2026, 11, 16)


@pytest.mark.parametrize(
    "zone, local_send, utc_send",
    [
        ("Asia/Shanghai", (2026, 7, 3, 16, 0), (2026, 7, 3, 8, 0)),  # no daylight saving time
        ("Europe/Berlin", (2026, 7, 3, 16, 0), (2026, 7, 3, 14, 0)),  # summer time, UTC+2
        ("Europe/Berlin", (2026, 11, 20, 16, 0), (2026, 11, 20, 15, 0)),  # winter time, UTC+1
    ],
)
def test_the_send_time_is_local_with_and_without_daylight_saving(
    team, project, time_machine, zone, local_send, utc_send
):
    project.time_zone = zone
    project.save()
    utc = datetime.datetime(*utc_send, tzinfo=datetime.UTC)
    time_machine.move_to(utc - datetime.timedelta(minutes=1))
    assert services_reporting.status_reports_dispatch(project=project) == "drafted"
    time_machine.move_to(utc)
    assert services_reporting.status_reports_dispatch(project=project) == "sent"
    assert services_reporting.schedule_for(project).send_at == datetime.datetime(
        *local_send, tzinfo=zoneinfo.ZoneInfo(zone)
    )
