"""The e-mail outbox: the one way any feature sends an e-mail.

`email_queue` renders the e-mail and writes its row in the caller's transaction;
after commit a Celery task runs `email_deliver`, which claims the row with a
conditional UPDATE, sends it and marks it sent. A failure puts the row back in
the queue with a growing delay; `outbox_sweep` (beat, every minute) re-queues
rows whose broker message was lost or whose worker died mid-send.
"""

import base64
import hashlib
import logging
import smtplib
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr
from functools import partial

from celery import current_app
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from projects.core.models import Project, User
from projects.notifications.emails import render_email
from projects.notifications.models import OutboundEmail

log = logging.getLogger(__name__)

# Tasks are enqueued by name: their module (`projects.notifications.tasks`) imports this one.
DELIVER_EMAIL = "projects.notifications.tasks.deliver_email"


# Longer than the Celery hard time limit (90 s), so a lease only expires once
# its worker is certainly gone.
LEASE = timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)


MAX_ATTEMPTS = 8


# Rows due longer than this without having been sent have lost their broker message.
SWEEP_GRACE = timedelta(seconds=settings.OUTBOX_SWEEP_GRACE_SECONDS)


# The first retry waits this long, each next one twice as long, at most an hour.
RETRY_BASE = timedelta(seconds=settings.OUTBOX_RETRY_BASE_SECONDS)


SWEEP_BATCH = 500


DELIVERY_ERRORS = (smtplib.SMTPException, OSError)


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 … minutes, at most an hour: always below the Redis visibility timeout (2 h)."""
    return min(RETRY_BASE * 2 ** (attempts - 1), timedelta(hours=1))


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: str | bytes
    mimetype: str

    def as_json(self) -> dict:
        stored = {"filename": self.filename, "mimetype": self.mimetype}
        if isinstance(self.content, bytes):
            return stored | {"base64": base64.b64encode(self.content).decode("ascii")}
        return stored | {"text": self.content}


@transaction.atomic
def email_queue(
    *,
    to: User,
    template: str,
    context: dict,
    key: str,
    project: Project | None = None,
    attachments: list[Attachment] = (),
    address: str = "",
) -> OutboundEmail:
    """Queue one e-mail to `to` (at `address` if given: a new address being verified), unless one with
    this key was already queued for them."""
    to_email = address or to.email
    existing = OutboundEmail.objects.filter(key=key, to_email=to_email).first()
    if existing:
        return existing
    rendered = render_email(
        template,
        {"recipient": to, "project": project, **context},
        language=to.language,
        time_zone=project.time_zone if project else to.time_zone,
    )
    try:
        with transaction.atomic():
            email = OutboundEmail.objects.create(
                key=key,
                template=template,
                project=project,
                to_user=to,
                to_email=to_email,
                language=to.language,
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                attachments=[attachment.as_json() for attachment in attachments],
            )
    except IntegrityError:
        # Someone else queued the same key for the same person a moment ago.
        return OutboundEmail.objects.get(key=key, to_email=to_email)
    _wake_worker(email.pk)
    return email


def wake_on_commit(task_name: str, row_id: int) -> None:
    """After commit, ask a worker to send the row (task `task_name`). Robust: if the broker is down,
    the row is still queued (the sweeper finds it) and the user's change, already committed, is not
    answered with an error that would make them do it again."""
    transaction.on_commit(partial(current_app.signature(task_name).delay, row_id), robust=True)


def _wake_worker(email_id: int) -> None:
    wake_on_commit(DELIVER_EMAIL, email_id)


# The lifecycle below is shared by every outbox table (OutboundEmail, ChatMessage): each has
# status (queued/sending/sent/failed), attempts, next_attempt_at, lease_expires_at, last_error, sent_at.


def claim(model, row_id: int) -> bool:
    """Take a due, queued row for this worker alone (a conditional UPDATE), with a lease."""
    now = timezone.now()
    claimed = model.objects.filter(pk=row_id, status=model.Status.QUEUED, next_attempt_at__lte=now).update(
        status=model.Status.SENDING, attempts=F("attempts") + 1, lease_expires_at=now + LEASE
    )
    return claimed == 1


def message_id(email: OutboundEmail) -> str:
    """The same Message-ID for every attempt at one row: a resend is recognisable as one."""
    digest = hashlib.sha256(f"{email.key}\n{email.to_email}".encode()).hexdigest()[:16]
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "crmgov.localhost"
    return f"<outbox.{email.pk}.{digest}@{domain}>"


def mark_sent(model, row_id: int) -> None:
    model.objects.filter(pk=row_id, status=model.Status.SENDING).update(
        status=model.Status.SENT, sent_at=timezone.now(), lease_expires_at=None, last_error=""
    )


def record_failure(model, row, error: Exception, *, retry: bool = True) -> "Delivery":
    """Back to the queue with a growing delay, or failed after the last attempt (or if `retry` is off)."""
    gave_up = not retry or row.attempts >= MAX_ATTEMPTS
    delay = None if gave_up else retry_delay(row.attempts)
    model.objects.filter(pk=row.pk, status=model.Status.SENDING).update(
        status=model.Status.FAILED if gave_up else model.Status.QUEUED,
        next_attempt_at=timezone.now() + (delay or timedelta(0)),
        lease_expires_at=None,
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )
    return Delivery(sent=False, retry_in=delay)


def sweep(model) -> list[int]:
    """Release rows held by dead workers; return the ids of rows due but forgotten."""
    now = timezone.now()
    model.objects.filter(status=model.Status.SENDING, lease_expires_at__lt=now).update(
        status=model.Status.QUEUED, next_attempt_at=now, lease_expires_at=None
    )
    return list(
        model.objects.filter(status=model.Status.QUEUED, next_attempt_at__lte=now - SWEEP_GRACE)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def _claim(email_id: int) -> bool:
    return claim(OutboundEmail, email_id)


def _as_message(email: OutboundEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_email],
        headers={"Auto-Submitted": "auto-generated", "Message-ID": message_id(email)},
    )
    message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments:
        content = attachment["text"] if "text" in attachment else base64.b64decode(attachment["base64"])
        message.attach(attachment["filename"], content, attachment["mimetype"])
    return message


@dataclass(frozen=True)
class Delivery:
    sent: bool
    retry_in: timedelta | None = None


def email_deliver(*, email_id: int) -> Delivery:
    """Send one queued e-mail if it is due and nobody else holds it."""
    if not _claim(email_id):
        return Delivery(sent=False)
    email = OutboundEmail.objects.get(pk=email_id)
    try:
        _as_message(email).send()
    except DELIVERY_ERRORS as error:
        return _record_failure(email, error)
    mark_sent(OutboundEmail, email_id)
    return Delivery(sent=True)


def _record_failure(email: OutboundEmail, error: Exception) -> Delivery:
    log.warning("E-mail %s to %s failed (attempt %s): %s", email.pk, email.to_email, email.attempts, error)
    return record_failure(OutboundEmail, email, error)


def outbox_sweep() -> list[int]:
    """Release e-mails held by dead workers; return the ids of those due but forgotten."""
    return sweep(OutboundEmail)


def requeue(model, row_ids: list[int], task_name: str) -> int:
    """Put failed (or sent) rows back in the queue, from the admin; a row being sent is left alone."""
    with transaction.atomic():
        count = (
            model.objects.filter(pk__in=row_ids)
            .exclude(status=model.Status.SENDING)
            .update(status=model.Status.QUEUED, attempts=0, next_attempt_at=timezone.now(), last_error="")
        )
        for row_id in row_ids:
            wake_on_commit(task_name, row_id)
    return count


def email_resend(*, email_ids: list[int]) -> int:
    """Put failed (or sent) e-mails back in the queue, from the admin."""
    return requeue(OutboundEmail, email_ids, DELIVER_EMAIL)
