"""Celery tasks: take primary keys, call a service. Nothing else lives here."""

from celery import shared_task

from projects.notifications import outbox
from projects.notifications import services as services_notifications


@shared_task
def deliver_email(email_id: int) -> bool:
    delivery = outbox.email_deliver(email_id=email_id)
    if delivery.retry_in is not None:
        deliver_email.apply_async((email_id,), countdown=delivery.retry_in.total_seconds())
    return delivery.sent


@shared_task
def sweep_outbox() -> int:
    due = outbox.outbox_sweep()
    for email_id in due:
        deliver_email.delay(email_id)
    return len(due)


@shared_task
def deliver_chat_message(message_id: int) -> bool:
    delivery = services_notifications.chat_deliver(message_id=message_id)
    if delivery.retry_in is not None:
        deliver_chat_message.apply_async((message_id,), countdown=delivery.retry_in.total_seconds())
    return delivery.sent


@shared_task
def sweep_chat_outbox() -> int:
    due = services_notifications.chat_outbox_sweep()
    for message_id in due:
        deliver_chat_message.delay(message_id)
    return len(due)
