"""Soak (issue 9, "Load and faults"). Not a test: run it by hand, `make soak`, and copy its figures
into docs/reliability.md.

1. Sets up its own PostgreSQL database (migrate, `seed_demo`, plus SOAK_PROJECTS load projects with
   a month of history each), a private Redis, an SMTP sink, gunicorn with production settings
   (DEBUG off, hashed static files, 4 sync workers), one Celery worker and one beat.
2. Every simulated user logs in once. Capacity: the mix run flat out at concurrency 2, 4 and 8
   for CAPACITY_STEP_SECONDS each; capacity is the rate at concurrency 8 if it had no errors and
   its p95 is under P95_LIMIT_MS, else the best lower step that qualifies.
3. Soak: the same mix paced at SOAK_LOAD (0.7) of capacity for SOAK_SECONDS (600).
4. Checks: zero errors; every write the server confirmed is in the database (issues by title,
   screenshots, no-problem reports, triage steps); every e-mail those writes queued was delivered
   exactly once (outbox rows all sent; the sink got each Message-ID once); gunicorn worker RSS
   growth from the start of the soak to its end under 10 %.

Environment: SOAK_SECONDS, SOAK_LOAD, SOAK_RATE (skip the capacity run, requests/s),
SOAK_PROJECTS (8), SOAK_KEY_USERS (4), CAPACITY_STEP_SECONDS (40), P95_LIMIT_MS (2500),
SOAK_DATABASE (crmgov_soak on 127.0.0.1:5432), SOAK_REDIS_PORT (6391), SOAK_WEB_PORT (8006),
WEB_WORKERS (4), SOAK_JSON (var/soak/soak.json), SOAK_REUSE_DB=1 (keep the last run's database).
"""

import datetime
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from appstack import ROOT, TITLE_PREFIX, Stack, log, seed_load_projects
from loadclient import MIX, ProjectDriver, Recorder, Written, login_everyone, run

SECONDS = float(os.environ.get("SOAK_SECONDS", "600"))
LOAD = float(os.environ.get("SOAK_LOAD", "0.7"))
FIXED_RATE = os.environ.get("SOAK_RATE")
PROJECTS = int(os.environ.get("SOAK_PROJECTS", "8"))
KEY_USERS = int(os.environ.get("SOAK_KEY_USERS", "4"))
STEP_SECONDS = float(os.environ.get("CAPACITY_STEP_SECONDS", "40"))
P95_LIMIT_MS = float(os.environ.get("P95_LIMIT_MS", "2500"))
DATABASE = os.environ.get("SOAK_DATABASE", "crmgov_soak")
PG = os.environ.get("SOAK_PG", "postgres@127.0.0.1:5432")
REDIS_PORT = int(os.environ.get("SOAK_REDIS_PORT", "6391"))
WEB_PORT = int(os.environ.get("SOAK_WEB_PORT", "8006"))
WORKERS = int(os.environ.get("WEB_WORKERS", "4"))
REUSE = os.environ.get("SOAK_REUSE_DB") == "1"  # keep the seeded database of the last run (saves minutes)
OUT = Path(os.environ.get("SOAK_JSON", str(ROOT / "var" / "soak" / "soak.json")))


def recreate_database() -> None:
    user, host_port = PG.split("@")
    host, port = host_port.split(":")
    base = ["-h", host, "-p", port, "-U", user]
    subprocess.run(["dropdb", *base, "--if-exists", "--force", DATABASE], check=True)
    subprocess.run(["createdb", *base, DATABASE], check=True)


def reset(drivers: list[ProjectDriver]) -> tuple[Recorder, Written]:
    recorder, written = Recorder(), Written()
    for driver in drivers:
        driver.recorder, driver.written, driver.steps = recorder, written, 0
    return recorder, written


def capacity(all_drivers: list[ProjectDriver]) -> tuple[float, float, list[dict]]:
    """Requests/s and requests per step of the best step (no errors, p95 within the limit)."""
    steps = []
    for concurrency in (2, 4, 8):
        drivers = all_drivers[:concurrency]
        recorder, _written = reset(drivers)
        seconds = run(drivers, seconds=STEP_SECONDS, rate=None)
        summary = recorder.summary(seconds)
        step_rate = sum(driver.steps for driver in drivers) / seconds
        row = {"concurrency": concurrency, "rps": summary["rps"], "steps_per_s": round(step_rate, 2)}
        row |= {"p50_ms": summary["all"].get("p50_ms"), "p95_ms": summary["all"].get("p95_ms")}
        row |= {"p99_ms": summary["all"].get("p99_ms"), "errors": summary["errors"]}
        log(f"capacity step: {row}")
        steps.append(row)
    good = [row for row in steps if row["errors"] == 0 and row["p95_ms"] <= P95_LIMIT_MS] or steps[:1]
    best = good[-1] if good[-1]["concurrency"] == 8 else max(good, key=lambda row: row["rps"])
    return best["rps"], best["rps"] / best["steps_per_s"], steps


def wait_for_outbox(since, seconds: float = 240) -> None:
    from projects.notifications.models import OutboundEmail

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not OutboundEmail.objects.filter(created_at__gte=since).exclude(status="sent").exists():
            return
        time.sleep(2)


def check_writes(written: Written, since, stack) -> dict:
    from issues.models import DailyReport, Issue, IssueEvent, Screenshot
    from projects.notifications.models import OutboundEmail
    from projects.notifications.outbox import message_id

    titles = set(
        Issue.objects.filter(title__startswith=TITLE_PREFIX, created_at__gte=since).values_list("title", flat=True)
    )
    shots = Screenshot.objects.filter(issue__title__in=written.issues).count()
    no_problems = DailyReport.objects.filter(
        reporter__email__in=written.no_problem_users, no_problems=True, updated_at__gte=since
    ).count()
    triage = IssueEvent.objects.filter(
        kind=IssueEvent.Kind.STATUS, created_at__gte=since, issue__title__startswith=TITLE_PREFIX
    ).count()
    emails = list(OutboundEmail.objects.filter(created_at__gte=since))
    expected_ids = {message_id(row) for row in emails}
    got = stack.smtp.message_ids
    return {
        "issues_confirmed": len(written.issues),
        "issues_in_db": len(titles),
        "issues_missing": len(written.issues - titles),
        "issues_failed_but_saved": len(written.failed_issues & titles),
        "screenshots_confirmed": written.screenshots,
        "screenshots_in_db": shots,
        "no_problem_reports_confirmed": len(written.no_problem_users),
        "no_problem_reports_in_db": no_problems,
        "triage_steps_confirmed": written.triage_steps,
        "triage_steps_in_db": triage,
        "emails_queued": len(emails),
        "emails_sent_rows": sum(row.status == "sent" for row in emails),
        "emails_received": sum(got[msgid] for msgid in expected_ids),
        "emails_missing": sum(1 for msgid in expected_ids if got[msgid] == 0),
        "emails_duplicated": sum(1 for msgid in expected_ids if got[msgid] > 1),
    }


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # clean up the stack on kill too
    started_at = datetime.datetime.now(datetime.UTC)
    stack = Stack(
        name="soak",
        database_url=f"postgres://{PG}/{DATABASE}",
        redis_port=REDIS_PORT,
        web_port=WEB_PORT,
        workers=WORKERS,
    )
    stack.redis_stop()
    stack.redis_start()
    stack.smtp.start()
    try:
        log(f"database {DATABASE}: migrate and seed")
        if not REUSE:
            recreate_database()
        stack.prepare()
        plans = seed_load_projects(PROJECTS, KEY_USERS)
        from issues.models import Issue

        log(f"seeded: {len(plans)} load projects, {Issue.objects.count()} issues; starting the stack")
        stack.worker_start()
        stack.beat_start()
        stack.web_start()

        recorder, written = Recorder(), Written()
        drivers = [
            ProjectDriver(p, stack.web_port, recorder, written, seed=n + 1, mix=MIX) for n, p in enumerate(plans)
        ]
        login_everyone(drivers)  # each simulated user logs in once
        logins = recorder.summary(1)["by_type"]["login"]
        log(f"{logins['n']} logins, p50 {logins.get('p50_ms')} ms, errors {logins['errors']}")
        if FIXED_RATE:
            rate, ratio, steps = float(FIXED_RATE) / LOAD, None, []
        else:
            rate, ratio, steps = capacity(drivers)
        target = rate * LOAD
        log(f"capacity {rate:.1f} req/s; soak at {LOAD:.0%} = {target:.1f} req/s for {SECONDS:.0f} s")

        from django.utils import timezone

        since = timezone.now()
        recorder, written = reset(drivers)
        ratio = ratio or 1.3
        run(drivers, seconds=min(30, SECONDS / 10), rate=target / ratio)  # warm-up: its writes are checked too
        recorder.__init__()
        rss_start = stack.web_worker_rss_kib()
        seconds = run(drivers, seconds=SECONDS, rate=target / ratio)
        rss_end = stack.web_worker_rss_kib()
        summary = recorder.summary(seconds)
        log("load finished; waiting for the outbox to drain")
        wait_for_outbox(since)
        writes = check_writes(written, since, stack)
    finally:
        stack.stop_all()

    growth = {
        str(pid): round(100 * (rss_end[pid] - rss_start[pid]) / rss_start[pid], 1)
        for pid in rss_start
        if pid in rss_end
    }
    result = {
        "started_at": started_at.isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "loadavg_at_end": os.getloadavg()},
        "settings": {"web_workers": WORKERS, "projects": PROJECTS, "load": LOAD, "soak_seconds": SECONDS},
        "capacity_steps": steps,
        "capacity_rps": round(rate, 2),
        "target_rps": round(target, 2),
        "soak": summary,
        "rss_kib_start": rss_start,
        "rss_kib_end": rss_end,
        "rss_growth_percent": growth,
        "initial_logins": logins,
        "writes": writes,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print_table(result)
    failures = verdict(result)
    print("\nVERDICT:", "PASS" if not failures else "FAIL: " + "; ".join(failures))
    print(f"JSON: {OUT}")


def verdict(result: dict) -> list[str]:
    w = result["writes"]
    failures = []
    if result["soak"]["errors"]:
        failures.append(f"{result['soak']['errors']} errors")
    if w["issues_missing"] or w["issues_in_db"] < w["issues_confirmed"]:
        failures.append("issues lost")
    if w["screenshots_in_db"] != w["screenshots_confirmed"]:
        failures.append("screenshots differ")
    if w["no_problem_reports_in_db"] != w["no_problem_reports_confirmed"]:
        failures.append("no-problem reports differ")
    if w["triage_steps_in_db"] != w["triage_steps_confirmed"]:
        failures.append("triage steps differ")
    if w["emails_missing"] or w["emails_duplicated"] or w["emails_sent_rows"] != w["emails_queued"]:
        failures.append("e-mails missing or duplicated")
    if any(value >= 10 for value in result["rss_growth_percent"].values()):
        failures.append("worker memory grew 10 % or more")
    return failures


def print_table(result: dict) -> None:
    soak = result["soak"]
    print("\nCapacity steps (closed loop):")
    for row in result["capacity_steps"]:
        print(f"  {row}")
    print(f"capacity {result['capacity_rps']} req/s → soak target {result['target_rps']} req/s")
    print(f"\nSoak: {soak['requests']} requests in {soak['seconds']} s = {soak['rps']} req/s, {soak['errors']} errors")
    print(f"{'type':<24}{'n':>7}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}")
    for op, row in [*soak["by_type"].items(), ("ALL", soak["all"])]:
        print(
            f"{op:<24}{row['n']:>7}{row['errors']:>8}{row.get('p50_ms', 0):>9}{row.get('p95_ms', 0):>9}"
            f"{row.get('p99_ms', 0):>9}"
        )
    if soak["error_samples"]:
        print("error samples:", soak["error_samples"])
    print("\ngunicorn worker RSS (KiB) start → end (growth %):")
    for pid, start in result["rss_kib_start"].items():
        print(f"  {pid}: {start} → {result['rss_kib_end'].get(pid)} ({result['rss_growth_percent'].get(str(pid))} %)")
    print("\nwrites (client-confirmed vs database):")
    for key, value in result["writes"].items():
        print(f"  {key}: {value}")


if __name__ == "__main__":
    main()
