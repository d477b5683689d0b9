"""Fault injection for the e-mail outbox (issue 6, "Reliability"). Not a test: run it by hand,
`make faults`, and copy its figures into docs/reliability.md.

What it does, all on 127.0.0.1:
1. starts its own Redis (port 6390, no persistence) and an SMTP server (aiosmtpd) in this process,
   and uses its own PostgreSQL database (crmgov_faults), migrated afresh;
2. queues N e-mails (each in its own transaction, as features do) and starts a Celery worker;
3. SIGKILLs the worker while it delivers, restarts Redis (every queued message is lost), and makes
   the SMTP server refuse everything (451) for a while;
4. starts a worker again and runs the sweeper as beat would, until every row is sent or time is up;
5. counts what the SMTP server received: missing and duplicated e-mails.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REDIS_PORT = 6390
DATABASE = "crmgov_faults"
N = int(os.environ.get("FAULT_EMAILS", "300"))
REFUSE_SECONDS = 15

ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "crmgov.settings",
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
    "CELERY_BROKER_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
    "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/1",
    # Short timings so the run takes minutes, not hours; the mechanism is the production one.
    "OUTBOX_LEASE_SECONDS": "20",
    "OUTBOX_SWEEP_GRACE_SECONDS": "10",
    "OUTBOX_RETRY_BASE_SECONDS": "5",
    "CRMGOV_VAR_DIR": str(ROOT / "var" / "faults"),
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


SMTP_PORT = free_port()
ENV["EMAIL_URL"] = f"smtp://127.0.0.1:{SMTP_PORT}"


class Inbox:
    def __init__(self):
        self.received = []
        self.refuse_until = 0.0
        self.refused = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if time.monotonic() < self.refuse_until:
                self.refused += 1
                return "451 4.3.0 try again later"
            self.received.append(tuple(envelope.rcpt_tos))
        return "250 OK"


def redis(command: str) -> None:
    if command == "start":
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(REDIS_PORT),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
            ],
            check=True,
        )
        for _ in range(50):
            if (
                subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True).stdout.strip()
                == b"PONG"
            ):
                return
            time.sleep(0.1)
    else:
        subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave"], capture_output=True)
        time.sleep(0.5)


def worker() -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "crmgov",
            "worker",
            "-c",
            "2",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def main() -> None:
    from aiosmtpd.controller import Controller

    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=SMTP_PORT)
    smtp.start()
    redis("stop")
    redis("start")
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DATABASE], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DATABASE], check=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=ENV, check=True)

    os.environ.update(ENV)
    import django

    django.setup()
    from django.db import transaction

    from projects.core.models import Project, User
    from projects.notifications import outbox
    from projects.notifications.models import OutboundEmail

    project = Project.objects.create(code="FAULT", name="故障注入")
    people = [User.objects.create_user(f"p{n}@example.com", None, full_name=f"收件人{n}") for n in range(N)]

    started = time.monotonic()
    for person in people:
        with transaction.atomic():
            outbox.email_queue(
                to=person,
                template="invitation",
                project=project,
                key=f"fault:{person.pk}",
                context={"membership": None, "inviter": "系统", "set_password_url": ""},
            )
    first = worker()
    time.sleep(1.5)
    sent_before_kill = OutboundEmail.objects.filter(status="sent").count()
    os.killpg(first.pid, signal.SIGKILL)  # the worker dies mid-delivery
    first.wait()
    stuck = OutboundEmail.objects.filter(status="sending").count()
    redis("stop")  # every message still in the broker is lost
    redis("start")
    inbox.refuse_until = time.monotonic() + REFUSE_SECONDS
    second = worker()
    from projects.notifications.tasks import sweep_outbox

    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if OutboundEmail.objects.exclude(status="sent").count() == 0:
            break
        sweep_outbox.delay()  # what beat does every minute
        time.sleep(2)
    os.killpg(second.pid, signal.SIGTERM)
    second.wait()
    elapsed = time.monotonic() - started
    smtp.stop()
    redis("stop")

    per_recipient = Counter(inbox.received)
    expected = {(person.email,) for person in people}
    missing = expected - set(per_recipient)
    duplicated = {rcpts: n for rcpts, n in per_recipient.items() if n > 1}
    statuses = Counter(OutboundEmail.objects.values_list("status", flat=True))
    attempts = Counter(OutboundEmail.objects.values_list("attempts", flat=True))
    print(f"e-mails queued: {N}")
    print(f"sent before the worker was killed: {sent_before_kill}; rows caught mid-send (status sending): {stuck}")
    print(f"SMTP refusals during the {REFUSE_SECONDS} s outage: {inbox.refused}")
    print(f"received by the SMTP server: {len(inbox.received)} ({len(per_recipient)} distinct recipients)")
    print(f"missing: {len(missing)}; received twice or more: {len(duplicated)}")
    print(f"outbox rows by status: {dict(statuses)}; by attempts: {dict(sorted(attempts.items()))}")
    print(f"wall time: {elapsed:.0f} s")


if __name__ == "__main__":
    main()
