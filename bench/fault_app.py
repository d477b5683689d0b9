"""Fault runs of the whole application (issue 9, "Load and faults"). Not a test: run it by hand,
`make faults-app`, and copy its figures into docs/reliability.md.

On 127.0.0.1: a private PostgreSQL cluster (port 5440, created with pg_createcluster if missing,
so restarting it disturbs nobody), a private Redis, an SMTP sink, gunicorn with production settings,
one Celery worker and one beat. A load of daily reports (issues, some with a screenshot) and triage
(analysis, forward, resolve: each forward or resolve queues an e-mail) runs the whole time, with
some reads. In turn, with a calm period before and after each:

1. the Celery worker is SIGKILLed while it delivers (the SMTP sink is slowed so a delivery is in
   flight), and restarted after FAULT_PAUSE seconds;
2. Redis is stopped (every queued message and cached value is lost) and restarted;
3. PostgreSQL is stopped and started again;
4. the SMTP server refuses every message (451) for FAULT_SMTP_SECONDS (120).

Recorded: what the app answered during each fault (status codes, time-outs); whether it recovered
by itself (errors in the calm period after each fault); that every write the app confirmed is in
the database and every write it refused was reported to the client as a failure; that every e-mail
was delivered exactly once (the sink counts Message-IDs).

Environment: FAULT_PAUSE (20), FAULT_CALM (20), FAULT_SMTP_SECONDS (120), FAULT_RATE (steps/s, 3),
FAULT_PG_CLUSTER (soak), FAULT_PG_PORT (5440), FAULT_REDIS_PORT (6391), FAULT_WEB_PORT (8006),
FAULT_JSON (var/faults-app/faults.json).
"""

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from appstack import ROOT, TITLE_PREFIX, SmtpSink, Stack, log, seed_load_projects
from loadclient import WRITE_MIX, ProjectDriver, Recorder, Written, login_everyone, run

PAUSE = float(os.environ.get("FAULT_PAUSE", "20"))
CALM = float(os.environ.get("FAULT_CALM", "20"))
SMTP_SECONDS = float(os.environ.get("FAULT_SMTP_SECONDS", "120"))
RATE = float(os.environ.get("FAULT_RATE", "3"))
CLUSTER = os.environ.get("FAULT_PG_CLUSTER", "soak")
PG_PORT = int(os.environ.get("FAULT_PG_PORT", "5440"))
REDIS_PORT = int(os.environ.get("FAULT_REDIS_PORT", "6391"))
WEB_PORT = int(os.environ.get("FAULT_WEB_PORT", "8006"))
DATABASE = "crmgov_faults_app"
OUT = Path(os.environ.get("FAULT_JSON", str(ROOT / "var" / "faults-app" / "faults.json")))


class SlowSink(SmtpSink):
    """The sink, optionally slow to accept recipients: a delivery is then in flight for a while."""

    slow_seconds = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.slow_seconds:
            await asyncio.sleep(self.slow_seconds)
        envelope.rcpt_tos.append(address)
        return "250 OK"


def pg(command: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "15", CLUSTER, command, *(["-m", "fast"] if command == "stop" else [])], check=True
    )


def pg_prepare() -> None:
    clusters = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=True).stdout
    if not any(line.split()[:2] == ["15", CLUSTER] for line in clusters.splitlines()):
        subprocess.run(
            ["pg_createcluster", "15", CLUSTER, "--port", str(PG_PORT), "--", "--auth=trust"],
            check=True,
            capture_output=True,
        )
    subprocess.run(["pg_ctlcluster", "15", CLUSTER, "start"], capture_output=True)
    base = ["-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres"]
    subprocess.run(["dropdb", *base, "--if-exists", "--force", DATABASE], check=True)
    subprocess.run(["createdb", *base, DATABASE], check=True)


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # clean up the stack on kill too
    pg_prepare()
    stack = Stack(
        name="faults-app",
        database_url=f"postgres://postgres@127.0.0.1:{PG_PORT}/{DATABASE}",
        redis_port=REDIS_PORT,
        web_port=WEB_PORT,
    )
    stack.smtp = SlowSink(stack.smtp.port)
    # Short outbox timings so the run takes minutes, not hours; the mechanism is the production one.
    stack.env |= {"OUTBOX_LEASE_SECONDS": "20", "OUTBOX_SWEEP_GRACE_SECONDS": "10", "OUTBOX_RETRY_BASE_SECONDS": "5"}
    stack.redis_stop()
    stack.redis_start()
    stack.smtp.start()
    phases: list[dict] = []
    recorder, written = Recorder(), Written()
    stop = threading.Event()
    try:
        stack.prepare(demo=False)
        plans = seed_load_projects(4, 4)
        stack.worker_start()
        stack.beat_start()
        stack.web_start()
        drivers = [
            ProjectDriver(plan, WEB_PORT, recorder, written, seed=n + 1, mix=WRITE_MIX) for n, plan in enumerate(plans)
        ]
        login_everyone(drivers)
        recorder.__init__()
        from django.utils import timezone

        since = timezone.now()
        load = threading.Thread(target=run, args=(drivers,), kwargs={"seconds": 3600, "rate": RATE, "stop": stop})
        load.start()

        def phase(name: str, seconds: float, *, before=None, after=None) -> None:
            if before:
                before()
            start = time.monotonic() - recorder.started
            log(f"{name} for {seconds:.0f} s")
            time.sleep(seconds)
            if after:
                after()
            phases.append(
                {"phase": name, "start": round(start, 1), "end": round(time.monotonic() - recorder.started, 1)}
            )

        phase("calm", CALM)
        kill = worker_killer(stack)
        phase("worker killed", PAUSE, before=kill, after=stack.worker_start)
        phase("calm after worker", CALM)
        phase("redis down", PAUSE, before=stack.redis_stop, after=stack.redis_start)
        phase("calm after redis", CALM)
        phase("postgresql down", PAUSE, before=lambda: pg("stop"), after=lambda: pg("start"))
        phase("calm after postgresql", CALM)
        phase("smtp refusing", SMTP_SECONDS, before=lambda: refuse(stack, True), after=lambda: refuse(stack, False))
        phase("calm after smtp", CALM)
        stop.set()
        load.join()
        log("load stopped; waiting for the outbox to drain")
        drained = drain(since)
        result = report(recorder, written, since, stack, phases, drained, kill)
    finally:
        stop.set()
        stack.stop_all()
        subprocess.run(["pg_ctlcluster", "15", CLUSTER, "stop"], capture_output=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print_report(result)
    print(f"JSON: {OUT}")


def refuse(stack: Stack, on: bool) -> None:
    stack.smtp.refusing = on


def worker_killer(stack: Stack):
    """Slow the sink, wait until a delivery is in flight (an outbox row in `sending`), SIGKILL the
    worker's whole process group; remember what was in flight."""
    from projects.notifications.models import OutboundEmail

    caught = {"in_flight": 0}

    def kill() -> None:
        stack.smtp.slow_seconds = 3
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            in_flight = OutboundEmail.objects.filter(status="sending").count()
            if in_flight:
                caught["in_flight"] = in_flight
                break
            time.sleep(0.2)
        stack.kill("worker", signal.SIGKILL)
        stack.smtp.slow_seconds = 0

    kill.caught = caught
    return kill


def drain(since, seconds: float = 400) -> float:
    from django.db import close_old_connections

    from projects.notifications.models import OutboundEmail

    started = time.monotonic()
    while time.monotonic() - started < seconds:
        close_old_connections()
        try:
            if not OutboundEmail.objects.filter(created_at__gte=since).exclude(status="sent").exists():
                break
        except Exception:
            from django.db import connection

            connection.close()
        time.sleep(2)
    return round(time.monotonic() - started, 1)


def report(recorder: Recorder, written: Written, since, stack: Stack, phases, drained, kill) -> dict:
    from django.db import connection

    from issues.models import Issue, IssueEvent, Screenshot
    from projects.notifications.models import OutboundEmail
    from projects.notifications.outbox import message_id

    connection.close()
    by_phase = {}
    for item in phases:
        answers = defaultdict(Counter)
        first_ok = None
        for at, op, status, error in recorder.timeline:
            if item["start"] <= at < item["end"]:
                kind = (
                    "write"
                    if op.startswith(("file_issue", "triage_analyse", "triage_forward", "triage_resolve"))
                    else "read"
                )
                answers[kind][str(status) if status else error or "no answer"] += 1
                if first_ok is None and status in (200, 302):
                    first_ok = round(at - item["start"], 1)
        by_phase[item["phase"]] = {
            "seconds": round(item["end"] - item["start"], 1),
            "answers": {k: dict(v) for k, v in answers.items()},
            "first_success_after_s": first_ok,
        }
    titles = set(Issue.objects.filter(title__startswith=TITLE_PREFIX).values_list("title", flat=True))
    emails = list(OutboundEmail.objects.filter(created_at__gte=since))
    expected = {message_id(row) for row in emails}
    got = stack.smtp.message_ids
    return {
        "settings": {"pause_s": PAUSE, "calm_s": CALM, "smtp_refusing_s": SMTP_SECONDS, "rate_steps_per_s": RATE},
        "phases": by_phase,
        "summary": recorder.summary(phases[-1]["end"] - phases[0]["start"]),
        "worker_kill": {"deliveries_in_flight": kill.caught["in_flight"]},
        "smtp_refusals": stack.smtp.refused,
        "writes": {
            "issues_confirmed": len(written.issues),
            "issues_confirmed_missing": len(written.issues - titles),
            "issues_reported_failed": len(written.failed_issues),
            "issues_reported_failed_but_saved": len(written.failed_issues & titles),
            "screenshots_confirmed": written.screenshots,
            "screenshots_in_db": Screenshot.objects.filter(issue__title__in=written.issues).count(),
            "triage_steps_confirmed": written.triage_steps,
            "triage_steps_in_db": IssueEvent.objects.filter(
                kind=IssueEvent.Kind.STATUS, created_at__gte=since, issue__title__startswith=TITLE_PREFIX
            ).count(),
        },
        "emails": {
            "queued": len(emails),
            "rows_by_status": dict(Counter(row.status for row in emails)),
            "attempts": dict(sorted(Counter(row.attempts for row in emails).items())),
            "received": sum(got[m] for m in expected),
            "missing": sum(1 for m in expected if got[m] == 0),
            "duplicated": sum(1 for m in expected if got[m] > 1),
            "drain_seconds": drained,
        },
    }


def print_report(result: dict) -> None:
    print("\nphase                     s  first ok  writes                          reads")
    for name, row in result["phases"].items():
        writes = row["answers"].get("write", {})
        reads = row["answers"].get("read", {})
        print(f"{name:<22}{row['seconds']:>5}  {row['first_success_after_s']!s:>8}  {writes!s:<32}{reads}")
    print("\nerror samples:", result["summary"]["error_samples"])
    print("worker kill:", result["worker_kill"], "| SMTP refusals:", result["smtp_refusals"])
    print("writes:", result["writes"])
    print("e-mails:", result["emails"])


if __name__ == "__main__":
    main()
