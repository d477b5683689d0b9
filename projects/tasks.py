"""Celery tasks: take primary keys, call a service. Nothing else lives here."""

from celery import shared_task

from . import outbox, services_chat, services_escalation, services_reporting
from .models import Project


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
    delivery = services_chat.chat_deliver(message_id=message_id)
    if delivery.retry_in is not None:
        deliver_chat_message.apply_async((message_id,), countdown=delivery.retry_in.total_seconds())
    return delivery.sent


@shared_task
def sweep_chat_outbox() -> int:
    due = services_chat.chat_outbox_sweep()
    for message_id in due:
        deliver_chat_message.delay(message_id)
    return len(due)


@shared_task
def dispatch_action_item_reminders() -> int:
    """Beat: remind owners of committee action items due today or overdue (idempotent per day)."""
    from .services_steering import action_item_reminders_queue

    return action_item_reminders_queue()


@shared_task
def evaluate_escalations(project_id: int) -> int:
    """Detect new exceptions of one project, clear solved ones, renotify the unacknowledged."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return 0
    opened = len(services_escalation.escalations_evaluate(project=project).opened)
    services_escalation.escalations_renotify(project=project)
    return opened


@shared_task
def dispatch_escalations() -> int:
    project_ids = list(Project.objects.exclude(status=Project.Status.CLOSED).values_list("pk", flat=True))
    for project_id in project_ids:
        evaluate_escalations.delay(project_id)
    return len(project_ids)


@shared_task
def send_status_report_if_due(project_id: int) -> str:
    project = Project.objects.filter(pk=project_id).first()
    return services_reporting.status_reports_dispatch(project=project) if project else ""


@shared_task
def dispatch_status_reports() -> int:
    project_ids = list(Project.objects.exclude(status=Project.Status.CLOSED).values_list("pk", flat=True))
    for project_id in project_ids:
        send_status_report_if_due.delay(project_id)
    return len(project_ids)


@shared_task
def refresh_status_snapshots(project_ids: list[int] | None = None) -> int:
    """Beat (every five minutes, all open projects in every language) or the portfolio (the stale
    ones it showed): recompute the live status the portfolio reads."""
    from django.conf import settings

    projects = Project.objects.exclude(status=Project.Status.CLOSED)
    if project_ids is not None:
        projects = projects.filter(pk__in=project_ids)
    projects = list(projects)
    for language, _name in settings.LANGUAGES:
        services_reporting.status_snapshots_refresh(projects=projects, language=language)
    return len(projects)
