import email
import smtplib
import socket
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from projects.notifications import outbox
from projects.notifications.models import OutboundEmail
from projects.notifications.tasks import sweep_outbox
from projects.permissions import Role


def queue(team, key="test:1", role=Role.KEY_USER, **context):
    membership = team.members[role]
    return outbox.email_queue(
        to=membership.user,
        template="invitation",
        project=team.project,
        key=key,
        context={"membership": membership, "inviter": team.user(Role.PM), "set_password_url": "", **context},
    )


def test_same_key_twice_gives_one_email(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue(team)
        second = queue(team)
    assert first.pk == second.pk
    assert OutboundEmail.objects.count() == 1
    assert len(mail.outbox) == 1


def test_same_key_for_two_people_gives_each_one_email(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queue(team, role=Role.KEY_USER)
        queue(team, role=Role.SPONSOR)
    assert sorted(m.to[0] for m in mail.outbox) == ["key_user@example.com", "sponsor@example.com"]


def test_email_is_rendered_in_the_recipients_language(team, django_capture_on_commit_callbacks):
    sponsor = team.user(Role.SPONSOR)
    sponsor.language = "zh-hans"
    sponsor.save()
    with django_capture_on_commit_callbacks(execute=True):
        queue(team, role=Role.SPONSOR)
        queue(team, role=Role.KEY_USER)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert "你已被加入项目" in by_recipient["sponsor@example.com"].subject
    assert "You have been added" in by_recipient["key_user@example.com"].subject


def test_nothing_is_sent_when_the_business_change_rolls_back(team, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        queue(team)
        raise RuntimeError("the business change failed")
    assert OutboundEmail.objects.count() == 0
    assert mail.outbox == []


class FlakySMTP:
    """A mail backend whose first `failures` sends raise, as an unreachable SMTP server does."""

    failures = 0
    sent = []

    def __init__(self, **kwargs):
        pass

    def send_messages(self, messages):
        if FlakySMTP.failures:
            FlakySMTP.failures -= 1
            raise smtplib.SMTPServerDisconnected("connection lost")
        FlakySMTP.sent.extend(messages)
        return len(messages)


@pytest.fixture
def flaky_smtp():
    FlakySMTP.failures = 2
    FlakySMTP.sent = []
    with override_settings(MAILERS={"default": {"BACKEND": "projects.notifications.tests.test_outbox.FlakySMTP"}}):
        yield FlakySMTP


def test_smtp_failure_is_retried_with_backoff_and_sent_once(team, flaky_smtp, time_machine):
    time_machine.move_to(timezone.now())
    email = queue(team)  # no commit callbacks run: we drive delivery by hand
    first = outbox.email_deliver(email_id=email.pk)
    assert not first.sent and first.retry_in == timedelta(minutes=1)
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.QUEUED and email.attempts == 1
    assert "connection lost" in email.last_error
    assert not outbox.email_deliver(email_id=email.pk).sent, "not due yet: the retry must wait"

    time_machine.shift(timedelta(minutes=1))
    second = outbox.email_deliver(email_id=email.pk)
    assert second.retry_in == timedelta(minutes=2)
    time_machine.shift(timedelta(minutes=2))
    assert outbox.email_deliver(email_id=email.pk).sent
    time_machine.shift(timedelta(hours=2))
    assert not outbox.email_deliver(email_id=email.pk).sent, "a sent e-mail is never sent again"
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT and email.attempts == 3
    assert len(flaky_smtp.sent) == 1


def test_delivery_gives_up_after_the_last_attempt(team, flaky_smtp, time_machine):
    flaky_smtp.failures = outbox.MAX_ATTEMPTS
    time_machine.move_to(timezone.now())
    email = queue(team)
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.email_deliver(email_id=email.pk)
        time_machine.shift(timedelta(hours=1))
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED
    assert flaky_smtp.sent == []


def test_sweeper_resends_a_row_whose_broker_message_was_lost(team, time_machine):
    time_machine.move_to(timezone.now())
    email = queue(team)  # the on-commit wake-up never runs: as if the broker lost it
    assert sweep_outbox() == 0, "too fresh: its own message may still be on the way"
    time_machine.shift(outbox.SWEEP_GRACE + timedelta(seconds=1))
    assert sweep_outbox() == 1  # eager mode: the re-queued task runs at once
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1


def test_sweeper_releases_a_row_held_by_a_dead_worker(team, time_machine):
    time_machine.move_to(timezone.now())
    email = queue(team)
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=OutboundEmail.Status.SENDING, lease_expires_at=timezone.now() + outbox.LEASE, attempts=1
    )
    time_machine.shift(outbox.LEASE + outbox.SWEEP_GRACE + timedelta(seconds=1))
    sweep_outbox()  # releases the row
    time_machine.shift(outbox.SWEEP_GRACE + timedelta(seconds=1))
    sweep_outbox()  # and sends it
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT and email.attempts == 2


def test_two_workers_cannot_both_claim_a_row(team):
    email = queue(team)
    assert outbox._claim(email.pk) is True
    assert outbox._claim(email.pk) is False


def test_admin_resend_queues_a_failed_email_again(team, django_capture_on_commit_callbacks):
    email = queue(team)
    OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.FAILED, attempts=8)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.email_resend(email_ids=[email.pk]) == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1


def test_a_line_break_in_user_text_cannot_add_a_header(team, django_capture_on_commit_callbacks):
    team.project.name = "CRM\r\nBcc: attacker@example.com\nX-Evil: 1"
    team.project.save()
    with django_capture_on_commit_callbacks(execute=True):
        email = queue(team)
    assert "\n" not in email.subject and "\r" not in email.subject
    message = mail.outbox[0].message()
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert mail.outbox[0].recipients() == ["key_user@example.com"]


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


@pytest.mark.slow
def test_a_real_smtp_server_receives_chinese_text_and_html_intact(
    team, smtp_server, django_capture_on_commit_callbacks
):
    controller, inbox = smtp_server
    sponsor = team.user(Role.SPONSOR)
    sponsor.language = "zh-hans"
    sponsor.full_name = "王建国"
    sponsor.save()
    mailers = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 5},
        }
    }
    with override_settings(MAILERS=mailers), django_capture_on_commit_callbacks(execute=True):
        queue(team, role=Role.SPONSOR)
    assert len(inbox.messages) == 1
    envelope = inbox.messages[0]
    assert envelope.rcpt_tos == ["sponsor@example.com"]
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    assert message["Subject"] == "你已被加入项目“华南区销售CRM上线”"
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "王建国，您好" in text
    assert "王建国，您好" in html
    assert 'style="' in html, "the HTML part's CSS is inlined"


def test_attachments_travel_with_the_email(team, django_capture_on_commit_callbacks):
    membership = team.members[Role.KEY_USER]
    invitation = "BEGIN:VCALENDAR\r\nSUMMARY:指导委员会会议\r\nEND:VCALENDAR\r\n"
    with django_capture_on_commit_callbacks(execute=True):
        outbox.email_queue(
            to=membership.user,
            template="invitation",
            project=team.project,
            key="with-attachments",
            context={"membership": membership, "inviter": team.user(Role.PM), "set_password_url": ""},
            attachments=[
                outbox.Attachment("meeting.ics", invitation, "text/calendar"),
                outbox.Attachment("minutes.pdf", b"%PDF-1.7 binary\x00\xff", "application/pdf"),
            ],
        )
    sent = mail.outbox[0]
    assert [(name, mimetype) for name, _, mimetype in sent.attachments] == [
        ("meeting.ics", "text/calendar"),
        ("minutes.pdf", "application/pdf"),
    ]
    assert "指导委员会会议" in sent.attachments[0][1]
    assert sent.attachments[1][1] == b"%PDF-1.7 binary\x00\xff"


def test_a_broker_outage_neither_fails_the_change_nor_loses_the_email(team, django_capture_on_commit_callbacks):
    from unittest import mock

    from django.db import transaction
    from kombu.exceptions import OperationalError

    from projects.notifications.tasks import deliver_email

    with (
        mock.patch.object(deliver_email, "apply_async", side_effect=OperationalError("Redis is down")),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        email = queue(team)  # the view that queued it answers normally: no exception reaches it
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.QUEUED
    assert mail.outbox == []
    with mock.patch.object(outbox, "SWEEP_GRACE", timedelta(0)):
        sweep_outbox()  # once the broker is back, the sweeper finds the row
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1


def test_every_attempt_at_one_email_carries_the_same_message_id(team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = queue(team, key="test:1")
        second = queue(team, key="test:2")
    with django_capture_on_commit_callbacks(execute=True):
        outbox.email_resend(email_ids=[first.pk])
    ids = [message.extra_headers["Message-ID"] for message in mail.outbox]
    assert ids == [outbox.message_id(first), outbox.message_id(second), outbox.message_id(first)]
    assert ids[0] != ids[1]
