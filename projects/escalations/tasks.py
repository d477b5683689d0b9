from celery import shared_task

from projects.core.models import Project
from projects.escalations import services as services_escalations


@shared_task
def evaluate_escalations(project_id: int) -> int:
    """Detect new exceptions of one project, clear solved ones, renotify the unacknowledged."""
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return 0
    opened = len(services_escalations.escalations_evaluate(project=project).opened)
    services_escalations.escalations_renotify(project=project)
    return opened


@shared_task
def dispatch_escalations() -> int:
    project_ids = list(Project.objects.exclude(status=Project.Status.CLOSED).values_list("pk", flat=True))
    for project_id in project_ids:
        evaluate_escalations.delay(project_id)
    return len(project_ids)
