"""End to end through the real pieces: the tasks beat schedules, a Celery worker on the configured
broker (the file system, or Redis in CI), and a real SMTP server on 127.0.0.1 (aiosmtpd)."""

import datetime
import email
import socket
import time
from email import policy

import pytest
from aiosmtpd.controller import Controller
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from crmgov.celery import app
from projects.escalations.tasks import evaluate_escalations
from projects.notifications.models import OutboundEmail
from projects.permissions import Role
from projects.plan import services as services_plan
from projects.reporting import services as services_reporting
from projects.reporting.tasks import send_status_report_if_due


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    mailers = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 5},
        }
    }
    with override_settings(MAILERS=mailers):
        yield inbox
    controller.stop()


@pytest.fixture
def worker():
    app.conf.task_always_eager = False
    app.control.purge()  # messages an earlier, interrupted run left on a shared broker
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a worker thread and the test share SQLite's in-memory test database only with table locks",
)
@pytest.mark.xdist_group("celery-worker")  # one real worker at a time, so none takes another's messages
@pytest.mark.django_db(transaction=True)
def test_beat_tasks_deliver_a_status_report_and_an_escalation_by_smtp(team, smtp, worker):
    project = team.project
    project.compliance_threshold_percent = 0
    project.report_weekday = 0  # Monday 00:00 UTC: this week's report is due whenever the test runs
    project.report_time = datetime.time(0, 0)
    project.time_zone = "UTC"
    project.save()
    assert services_reporting.schedule_for(project).send_at <= timezone.now()
    sponsor = team.user(Role.SPONSOR)
    sponsor.language = "zh-hans"
    sponsor.save()
    services_plan.milestone_save(
        project=project,
        name="全员上线",
        phase=None,
        owner=None,
        baseline_date=datetime.date(2027, 3, 1),
        forecast_date=datetime.date(2027, 3, 20),
    )

    # What the beat entries fan out to for this project.
    evaluate_escalations.delay(project.pk)
    send_status_report_if_due.delay(project.pk)

    leadership = {"sponsor@example.com", "executive@example.com", "steering@example.com"}
    sent = OutboundEmail.objects.filter(to_email__in=leadership, status="sent")

    def delivered():
        return sent.filter(template="status-report").count() == 3 and sent.filter(template="escalation").count() >= 3

    assert wait_for(delivered), list(OutboundEmail.objects.values_list("template", "to_email", "status"))
    received = [(m["To"], m["Subject"]) for m in smtp.messages]
    subjects_to_sponsor = [subject for to, subject in received if to == "sponsor@example.com"]
    assert any(subject.startswith("风险上报 SCRM") for subject in subjects_to_sponsor), subjects_to_sponsor
    assert any(subject.startswith("状态报告 SCRM") for subject in subjects_to_sponsor)
    assert len(received) == len(set(received)), "nothing twice"
