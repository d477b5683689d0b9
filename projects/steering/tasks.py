from celery import shared_task

from projects.steering.services import action_item_reminders_queue


@shared_task
def dispatch_action_item_reminders() -> int:
    """Beat: remind owners of committee action items due today or overdue (idempotent per day)."""
    return action_item_reminders_queue()
