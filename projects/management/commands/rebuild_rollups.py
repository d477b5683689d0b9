"""`manage.py rebuild_rollups`: recompute every rollup table from the raw rows (repair)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from projects.core.models import Project
from projects.registry import rollups
from projects.reporting.tasks import refresh_status_snapshots


class Command(BaseCommand):
    help = "Recompute the dashboards' rollup tables (all projects, or those named) and status snapshots."

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="*", help="Project codes (default: every project).")

    def handle(self, *args, codes: list[str], **options):
        projects = Project.objects.order_by("code")
        if codes:
            projects = projects.filter(code__in=codes)
        for project in projects:
            with transaction.atomic():
                rows = sum(rollup.rebuild(project) for rollup in rollups)
            self.stdout.write(f"{project.code}: {rows} rollup rows")
        refresh_status_snapshots([project.pk for project in projects])
