"""`manage.py seed_scale`: the enterprise-scale data set of issue 7, repeatably (fixed seed)."""

import random
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from projects.core.models import Project, User
from projects.devdata import seed_scale
from projects.devdata.bulkload import BulkWriter
from projects.registry import rollups, scale_seeders
from projects.reporting.tasks import refresh_status_snapshots


class Command(BaseCommand):
    help = "Load 50 projects, 5,000 people, 2.5 million daily reports and 200,000 issues (times --scale)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="Multiply every count (e.g. 0.01).")
        parser.add_argument("--flush", action="store_true", help="Empty the database first (destroys all data).")

    def handle(self, *args, scale: float, flush: bool, **options):
        if flush:
            call_command("flush", interactive=False, verbosity=0)
        elif User.objects.exists() or Project.objects.exists():
            raise CommandError("The database is not empty; pass --flush to empty it first (destroys all data).")
        started = time.monotonic()
        context = seed_scale.ScaleContext(
            scale=scale,
            rng=random.Random(seed_scale.SEED),  # noqa: S311 — repeatable test data, not security
            writer=BulkWriter(),
            today=timezone.localdate(),
            projects=[],
            log=self._log(started),
        )
        with transaction.atomic():
            context.projects = seed_scale.create_projects(max(2, round(50 * scale)), context.today)
            seed_scale.load_people(context, context.count("users"))
            seed_scale.load_plans(context)
            seed_scale.load_meetings(context)
            context.log("people, plans and meetings")
            for seeder in scale_seeders:
                seeder.load(context)
                context.log(seeder.name)
            context.writer.finish()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            context.log("analyze")
        for project in context.projects:
            for rollup in rollups:
                rollup.rebuild(project)
        refresh_status_snapshots([project.pk for project in context.projects])
        context.log("rollups")
        if connection.vendor == "postgresql":
            # What autovacuum does to a live database: the visibility map (index-only scans, e.g. the
            # issue list's deep pages) and statistics for the rollup tables filled just above.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")
            context.log("vacuum")
        for label, count in sorted(context.writer.written.items()):
            self.stdout.write(f"{label}: {count:,}")
        self.stdout.write(f"seed_scale: {time.monotonic() - started:.0f} s")

    def _log(self, started: float):
        def log(step: str) -> None:
            self.stdout.write(f"[{time.monotonic() - started:6.1f} s] {step}")

        return log
