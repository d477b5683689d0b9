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

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from .emails import render_email
from .models import OutboundEmail, Project, User

log = logging.getLogger(__name__)

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
) -> OutboundEmail:
    """Queue one e-mail to `to`, unless one with this key was already queued for them."""
    existing = OutboundEmail.objects.filter(key=key, to_email=to.email).first()
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
                to_email=to.email,
                language=to.language,
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                attachments=[attachment.as_json() for attachment in attachments],
            )
    except IntegrityError:
        # Someone else queued the same key for the same person a moment ago.
        return OutboundEmail.objects.get(key=key, to_email=to.email)
    _wake_worker(email.pk)
    return email


def _wake_worker(email_id: int) -> None:
    """After commit, ask a worker to send the row. Robust: if the broker is down, the e-mail is
    still queued (the sweeper finds it) and the user's change, already committed, is not answered
    with an error that would make them do it again."""
    from .tasks import deliver_email

    transaction.on_commit(partial(deliver_email.delay, email_id), robust=True)


def _claim(email_id: int) -> bool:
    now = timezone.now()
    claimed = OutboundEmail.objects.filter(
        pk=email_id, status=OutboundEmail.Status.QUEUED, next_attempt_at__lte=now
    ).update(status=OutboundEmail.Status.SENDING, attempts=F("attempts") + 1, lease_expires_at=now + LEASE)
    return claimed == 1


def message_id(email: OutboundEmail) -> str:
    """The same Message-ID for every attempt at one row: a resend is recognisable as one."""
    digest = hashlib.sha256(f"{email.key}\n{email.to_email}".encode()).hexdigest()[:16]
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "crmgov.localhost"
    return f"<outbox.{email.pk}.{digest}@{domain}>"


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
    OutboundEmail.objects.filter(pk=email_id, status=OutboundEmail.Status.SENDING).update(
        status=OutboundEmail.Status.SENT, sent_at=timezone.now(), lease_expires_at=None, last_error=""
    )
    return Delivery(sent=True)


def _record_failure(email: OutboundEmail, error: Exception) -> Delivery:
    log.warning("E-mail %s to %s failed (attempt %s): %s", email.pk, email.to_email, email.attempts, error)
    gave_up = email.attempts >= MAX_ATTEMPTS
    delay = None if gave_up else retry_delay(email.attempts)
    OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.SENDING).update(
        status=OutboundEmail.Status.FAILED if gave_up else OutboundEmail.Status.QUEUED,
        next_attempt_at=timezone.now() + (delay or timedelta(0)),
        lease_expires_at=None,
        last_error=f"{type(error).__name__}: {error}"[:2000],
    )
    return Delivery(sent=False, retry_in=delay)


def outbox_sweep() -> list[int]:
    """Release rows held by dead workers; return the ids of rows due but forgotten."""
    now = timezone.now()
    OutboundEmail.objects.filter(status=OutboundEmail.Status.SENDING, lease_expires_at__lt=now).update(
        status=OutboundEmail.Status.QUEUED, next_attempt_at=now, lease_expires_at=None
    )
    return list(
        OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED, next_attempt_at__lte=now - SWEEP_GRACE)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )


def email_resend(*, email_ids: list[int]) -> int:
    """Put failed (or sent) e-mails back in the queue, from the admin."""
    with transaction.atomic():
        count = (
            OutboundEmail.objects.filter(pk__in=email_ids)
            .exclude(status=OutboundEmail.Status.SENDING)
            .update(status=OutboundEmail.Status.QUEUED, attempts=0, next_attempt_at=timezone.now(), last_error="")
        )
        for email_id in email_ids:
            _wake_worker(email_id)
    return count
