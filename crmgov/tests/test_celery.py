"""A queued e-mail travels through the file-system broker (the embedded default) to a real
worker and is sent. On PostgreSQL + Redis, test_end_to_end_mail does the same and more."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection

from crmgov.celery import app
from projects.notifications.models import OutboundEmail
from projects.permissions import Role


@pytest.fixture
def real_worker():
    app.conf.task_always_eager = False
    app.control.purge()  # messages an earlier, interrupted run left on a shared broker
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True


@pytest.mark.slow
@pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="on PostgreSQL + Redis, test_end_to_end_mail drives a real worker through the broker; "
    "two workers in one process would take each other's messages",
)
@pytest.mark.xdist_group("celery-worker")  # one real worker at a time, so none takes another's messages
@pytest.mark.django_db(transaction=True)
def test_an_email_goes_through_the_broker_to_a_worker(team, real_worker):
    import time

    from django.db import transaction

    from projects.notifications import outbox

    membership = team.members[Role.KEY_USER]
    with transaction.atomic():
        email = outbox.email_queue(
            to=membership.user,
            template="invitation",
            project=team.project,
            key="broker-round-trip",
            context={"membership": membership, "inviter": team.user(Role.PM), "set_password_url": ""},
        )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        email.refresh_from_db()
        if email.status == OutboundEmail.Status.SENT:
            break
        time.sleep(0.1)
    assert email.status == OutboundEmail.Status.SENT
    assert [m.to for m in mail.outbox] == [[membership.user.email]]


@pytest.mark.django_db
def test_every_beat_entry_names_a_task_the_worker_registers():
    """Tasks live in the `projects` subpackages: a worker must find each one the beat sends."""
    from crmgov.celery import app

    app.loader.import_default_modules()
    missing = [entry["task"] for entry in app.conf.beat_schedule.values() if entry["task"] not in app.tasks]
    assert missing == []
