from celery import shared_task
from django.conf import settings

from projects.core.models import Project
from projects.reporting import services as services_reporting


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
    projects = Project.objects.exclude(status=Project.Status.CLOSED)
    if project_ids is not None:
        projects = projects.filter(pk__in=project_ids)
    projects = list(projects)
    for language, _name in settings.LANGUAGES:
        services_reporting.status_snapshots_refresh(projects=projects, language=language)
    return len(projects)
