"""`python bench/search_sizes.py` (issue 19; not a test): after `make seed-scale`, give two projects the
sizes the search is measured at — `S002` ~40,000 issues (the issues of S011…S019 moved into it) and
`S003` ~400 (all but 400 of its issues moved to S020) — leaving S001 (the other pages' project) and
S050 (where the benchmark's POSTs file) as they are. Renumbers the moved issues (+10,000 per source
project), so numbers stay unique within a project. Run once: it refuses a database already reshaped.

Environment: DATABASE_URL (crmgov_scale).
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LARGE, SMALL = "S002", "S003"
INTO_LARGE = [f"S{n:03d}" for n in range(11, 20)]
SMALL_KEEPS, SMALL_SPARE = 400, "S020"


def main() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crmgov_scale")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crmgov.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import Count, F

    from issues.models import Issue
    from projects.core.models import Project
    from projects.search.indexing import refill

    codes = {p.code: p.pk for p in Project.objects.filter(code__in=[LARGE, SMALL, SMALL_SPARE, *INTO_LARGE])}
    if Issue.objects.filter(project=codes[LARGE]).count() > 20_000:
        raise SystemExit(f"{LARGE} already has the large size: nothing to do")
    with transaction.atomic():
        for k, code in enumerate(INTO_LARGE, start=1):
            Issue.objects.filter(project=codes[code]).update(project=codes[LARGE], number=F("number") + 10_000 * k)
        spare = Issue.objects.filter(project=codes[SMALL]).order_by("-number").values_list("number", flat=True)
        cut = spare[SMALL_KEEPS - 1]
        Issue.objects.filter(project=codes[SMALL], number__lt=cut).update(
            project=codes[SMALL_SPARE], number=F("number") + 10_000
        )
    # The search column marks each term with the issue's project: the moved issues' anew.
    moved = Issue.objects.filter(project__in=[codes[LARGE], codes[SMALL_SPARE]], number__gt=10_000)
    refill(Issue, "default", Issue.SEARCHED, rows=moved)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) issues_issue")
    sizes = Issue.objects.filter(project__code__in=[LARGE, SMALL]).values("project__code").annotate(n=Count("pk"))
    for row in sizes.order_by("project__code"):
        print(f"{row['project__code']}: {row['n']:,} issues")


if __name__ == "__main__":
    main()
