"""The whole application on 127.0.0.1 for the soak and the fault runs (bench/soak.py,
bench/fault_app.py): a private Redis, an SMTP sink, gunicorn with production settings, one
Celery worker and one beat, and a seeded database. Not a test; nothing here is imported by the app.
"""

import email
import hashlib
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
PASSWORD = "soak-password-2026"  # noqa: S105 — bench users on a throw-away database
TITLE_PREFIX = "soak:"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


class SmtpSink:
    """aiosmtpd in this process. Counts every accepted message by its Message-ID; can refuse (451)."""

    def __init__(self, port: int):
        self.port = port
        self.message_ids: Counter = Counter()
        self.refusing = False
        self.refused = 0
        self.lock = threading.Lock()
        self._controller = None

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refusing:
                self.refused += 1
                return "451 4.3.0 try again later"
            message = email.message_from_bytes(envelope.original_content or envelope.content)
            self.message_ids[message.get("Message-ID", "").strip()] += 1
        return "250 OK"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller:
            self._controller.stop()

    def received(self) -> int:
        return sum(self.message_ids.values())


class Stack:
    def __init__(self, *, name: str, database_url: str, redis_port: int, web_port: int, workers: int = 4):
        self.name = name
        self.redis_port = redis_port
        self.web_port = web_port
        self.workers = workers
        self.smtp = SmtpSink(free_port())
        self.var = ROOT / "var" / name
        self.logs = self.var / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "crmgov.settings",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/1",
            "EMAIL_URL": f"smtp://127.0.0.1:{self.smtp.port}",
            "CRMGOV_VAR_DIR": str(self.var),
            "DEBUG": "false",
            "SECRET_KEY": "bench-" + hashlib.sha256(name.encode()).hexdigest(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "HTTPS": "false",
            # The simulated executives sign in with a password only (no authenticator app to read).
            "MFA_REQUIRED_FOR_LEADERSHIP": "false",
            "SITE_URL": f"http://127.0.0.1:{web_port}",
            "LOG_LEVEL": "WARNING",
        }
        self.processes: dict[str, subprocess.Popen] = {}

    # --- servers ------------------------------------------------------------
    def redis_start(self) -> None:
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--logfile",
                str(self.logs / "redis.log"),
            ],
            check=True,
        )
        for _ in range(100):
            ping = subprocess.run(["redis-cli", "-p", str(self.redis_port), "ping"], capture_output=True)
            if ping.stdout.strip() == b"PONG":
                return
            time.sleep(0.1)
        raise RuntimeError("redis did not start")

    def redis_stop(self) -> None:
        subprocess.run(["redis-cli", "-p", str(self.redis_port), "shutdown", "nosave"], capture_output=True)
        time.sleep(0.3)

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        out = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 — lives as long as the process
        process = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=out, stderr=out, start_new_session=True)
        self.processes[name] = process
        return process

    def web_start(self) -> None:
        self._spawn(
            "gunicorn",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "crmgov.wsgi",
                "-w",
                str(self.workers),
                "-b",
                f"127.0.0.1:{self.web_port}",
                "--timeout",
                "30",
                "--graceful-timeout",
                "10",
                "--control-socket",
                str(self.var / "gunicorn.ctl"),  # not the shared default under ~/.gunicorn
            ],
        )
        self.wait_http("/accounts/login/")

    def wait_http(self, path: str, seconds: float = 60) -> None:
        import http.client

        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.web_port, timeout=5)
                connection.request("GET", path)
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer {path}")

    def worker_start(self) -> subprocess.Popen:
        return self._spawn(
            "worker",
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
                "-n",
                f"{self.name}@%h",
            ],
        )

    def beat_start(self) -> None:
        self._spawn(
            "beat",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "crmgov",
                "beat",
                "--loglevel=WARNING",
                "-s",
                str(self.var / "celerybeat-schedule"),
            ],
        )

    def kill(self, name: str, sig=signal.SIGTERM) -> None:
        process = self.processes.pop(name, None)
        if process and process.poll() is None:
            os.killpg(process.pid, sig)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.kill(name)
        self.smtp.stop()
        self.redis_stop()

    # --- gunicorn memory ---------------------------------------------------
    def web_worker_pids(self) -> list[int]:
        master = self.processes["gunicorn"].pid
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        return sorted(int(pid) for pid in children)

    def web_worker_rss_kib(self) -> dict[int, int]:
        rss = {}
        for pid in self.web_worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss[pid] = int(line.split()[1])
        return rss

    # --- database -----------------------------------------------------------
    def manage(self, *args: str) -> None:
        subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, check=True)

    def prepare(self, demo: bool = True) -> None:
        """Static files (production storage), migrations, the demo project; then Django in this process."""
        self.manage("collectstatic", "--noinput", "-v0")
        self.manage("migrate", "-v0")
        if demo:
            self.manage("seed_demo")
        os.environ.update(self.env)
        import django

        django.setup()


def seed_load_projects(count: int, key_users: int) -> list[dict]:
    """`count` projects SOAK1…, each with a PM, a consultant, `key_users` key users, and the demo
    seeders' history (calendar, a month of daily reports and issues, change requests);
    one executive and one sponsor sit in all of them (the portfolio). Returns what the client needs."""
    import datetime

    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from changes.demo import seed_change_requests
    from issues.demo import seed_calendar, seed_issue_history
    from issues.models import IssueSettings
    from projects.core.models import Membership, Project, User
    from projects.permissions import Role

    hashed = make_password(PASSWORD)  # one PBKDF2 run for every bench user

    def person(email_address: str, name: str) -> User:
        user, _ = User.objects.get_or_create(email=email_address, defaults={"full_name": name, "password": hashed})
        return user

    executive = person("soak.exec@example.com", "压测高管")
    sponsor = person("soak.sponsor@example.com", "压测发起人")
    plans = []
    for n in range(1, count + 1):
        code = f"SOAK{n}"
        project = Project.objects.filter(code=code).first()
        people = {
            "pm": person(f"soak{n}.pm@example.com", f"项目经理{n}"),
            "consultant": person(f"soak{n}.consultant@example.com", f"顾问{n}"),
            "key_users": [person(f"soak{n}.key{k}@example.com", f"关键用户{n}-{k}") for k in range(key_users)],
        }
        if project is None:
            with transaction.atomic():
                project = Project.objects.create(code=code, name=f"压测项目{n}", time_zone="Asia/Shanghai")
                started = project.local_today() - datetime.timedelta(days=40)
                roles = [(executive, Role.EXECUTIVE), (sponsor, Role.SPONSOR), (people["pm"], Role.PM)]
                roles += [(people["consultant"], Role.CONSULTANT)]
                roles += [(user, Role.KEY_USER) for user in people["key_users"]]
                for user, role in roles:
                    Membership.objects.create(project=project, user=user, role=role, active_from=started)
                seed_calendar(project)
                seed_issue_history(project, days=30, seed=n)
                seed_change_requests(project)
        last = IssueSettings.objects.get(project=project).last_issue_number
        plans.append(
            {
                "code": code,
                "pm": people["pm"].email,
                "consultant_id": people["consultant"].pk,
                "executive": executive.email,
                "key_users": [user.email for user in people["key_users"]],
                "issue_numbers": last,
            }
        )
    return plans
