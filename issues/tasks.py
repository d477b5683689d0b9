"""Celery tasks of the issues app: take primary keys, call a service. Nothing else lives here."""

from celery import shared_task

from projects.core.models import Project

from . import notifications


@shared_task
def dispatch_daily_mail() -> int:
    """Beat, every five minutes: one task per project that is not closed."""
    project_ids = notifications.projects_to_check()
    for project_id in project_ids:
        send_project_daily_mail.delay(project_id)
    return len(project_ids)


@shared_task
def send_project_daily_mail(project_id: int) -> dict[str, int]:
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return {}
    return notifications.project_mail_due(project=project)
