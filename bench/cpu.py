"""`make bench-cpu` (not a test): the application's CPU time per page, in process, on the seeded
PostgreSQL with production settings (DEBUG off, cached templates).

Where the machine is shared and wall-clock throughput is noise (see docs/performance.md), the CPU
time this process spends per request is not: it is what a worker needs, so the ratio of the
trivial page's CPU time to a page's approximates the ratio of their throughputs when the web
workers are the bottleneck. Also prints each page's wall time (CPU plus waiting for PostgreSQL and
Redis, which share the cores in the benchmark: the wall ratio is the closer estimate on a quiet
machine) and its query count. Medians of BENCH_REPEAT requests.

Environment: DATABASE_URL (crmgov_scale), REDIS_URL (redis db 11), BENCH_REPEAT (30), BENCH_PAGES
(a comma-separated list of words: only the pages whose names contain one, and the trivial page),
BENCH_PROFILE (a number of lines: print each page's cProfile that long, sorted by BENCH_SORT: tottime).
"""

import functools
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))


def main() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crmgov_scale")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/11")
    os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/10")
    os.environ.update(DEBUG="false", ALLOWED_HOSTS="testserver", DJANGO_SETTINGS_MODULE="crmgov.settings")
    os.environ.setdefault("MFA_REQUIRED_FOR_LEADERSHIP", "false")  # the CIO's session has no second factor
    os.environ.setdefault("CRMGOV_VAR_DIR", tempfile.mkdtemp(prefix="crmgov-bench-cpu-"))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from issues.models import Issue, Module
    from projects.core.models import Membership, User
    from projects.devdata.seed_scale import CIO
    from projects.permissions import Role

    # The manifest storage needs collectstatic; plain storage keeps this script self-contained.
    settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    cio, key_user = Client(), Client()
    cio.force_login(User.objects.get(email=CIO))
    key_user.force_login(Membership.objects.filter(project__code="S001", role=Role.KEY_USER).first().user)
    poster = Client()
    poster.force_login(Membership.objects.filter(project__code="S050", role=Role.KEY_USER).first().user)
    number = Issue.objects.filter(project__code="S001").order_by("number").values_list("number", flat=True)[2000]
    module = Module.objects.filter(project__code="S050").first().pk
    body = {"title": "报价单打印金额异常", "description": "金额超过一千万时显示为1E+07。", "severity": "medium"}
    pages = [
        ("trivial (/ping/)", cio, "get", "/ping/", None),
        ("portfolio dashboard (50 projects)", cio, "get", "/portfolio/", None),
        ("project dashboard", cio, "get", "/p/S001/dashboard/", None),
        ("issue list, page 1", cio, "get", "/p/S001/issues/", None),
        ("issue list, page 79", cio, "get", "/p/S001/issues/?page=79", None),
        ("issue list, status closed", cio, "get", "/p/S001/issues/?status=closed", None),
        ("issue list, status new", cio, "get", "/p/S001/issues/?status=new", None),
        ("issue page", cio, "get", f"/p/S001/issues/{number}/", None),
        ("daily report form (GET)", key_user, "get", "/p/S001/report/", None),
        ("daily report (POST, files an issue)", poster, "post", "/p/S050/report/", body | {"module": module}),
        ("change-request list", cio, "get", "/p/S001/changes/", None),
        # The search (issue 19), in a project of ~400 issues and one of ~40,000 (bench/search_sizes.py).
        *[
            (f"{name}, {code} ({Issue.objects.filter(project__code=code).count():,} issues)", cio, "get", path, None)
            for code in ("S003", "S002")
            for name, path in (
                ("search 导出", f"/p/{code}/search/?q=%E5%AF%BC%E5%87%BA"),
                ("issue list q=导出", f"/p/{code}/issues/?q=%E5%AF%BC%E5%87%BA"),
            )
        ],
    ]
    wanted = [word for word in os.environ.get("BENCH_PAGES", "").split(",") if word]
    if wanted:
        pages = [page for n, page in enumerate(pages) if n == 0 or any(word in page[0] for word in wanted)]
    rows = []
    for name, client, method, path, data in pages:
        for _warm in range(3):
            getattr(client, method)(path, data)
        with CaptureQueriesContext(connection) as captured:
            response = getattr(client, method)(path, data)
        assert response.status_code in (200, 302), (path, response.status_code)
        queries = len(captured)  # now: the next request resets the connection's query log
        cpu, wall = [], []
        for _n in range(REPEAT):
            started, started_wall = time.process_time(), time.perf_counter()
            getattr(client, method)(path, data)
            cpu.append(time.process_time() - started)
            wall.append(time.perf_counter() - started_wall)
        rows.append((name, statistics.median(cpu) * 1000, statistics.median(wall) * 1000, queries))
        if os.environ.get("BENCH_PROFILE"):
            profile(name, functools.partial(getattr(client, method), path, data))
    trivial_cpu, trivial_wall = rows[0][1], rows[0][2]
    print(f"{'page':52} {'CPU ms':>8} {'wall ms':>8} {'queries':>8} {'CPU ratio':>10} {'wall ratio':>10}")
    for name, cpu_ms, wall_ms, queries in rows:
        ratios = f"{trivial_cpu / cpu_ms:10.3f} {trivial_wall / wall_ms:10.3f}"
        print(f"{name:52} {cpu_ms:8.1f} {wall_ms:8.1f} {queries:8d} {ratios}")


def profile(name: str, request) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _n in range(REPEAT):
        request()
    profiler.disable()
    order = os.environ.get("BENCH_SORT", "tottime")
    print(f"\n== {name}: {REPEAT} requests, by {order}")
    pstats.Stats(profiler).sort_stats(order).print_stats(int(os.environ["BENCH_PROFILE"]))


if __name__ == "__main__":
    main()
