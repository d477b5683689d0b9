"""Celery tasks of the issues app: take primary keys, call a service. Nothing else lives here."""

from celery import shared_task
from django.utils import timezone

from projects.core.models import Project

from . import holidays, notifications, services


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


@shared_task
def dispatch_calendar_fill() -> int:
    """Beat, hourly: one task per open project missing the official schedule of this year or the next,
    once the library knows it (a new project, or a new year after the library is upgraded)."""
    project_ids = holidays.projects_to_fill(timezone.localdate())
    for project_id in project_ids:
        fill_project_calendar.delay(project_id)
    return len(project_ids)


@shared_task
def fill_project_calendar(project_id: int) -> list[int]:
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return []
    return services.calendar_fill_due(project=project)
