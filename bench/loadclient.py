"""A small HTTP load client for bench/soak.py and bench/fault_app.py: standard library only.

Each thread drives one project with its own logged-in sessions (PM, executive, key users), so
no two threads race on the same issue. A simulated user logs in once; logins are also part of
the mix as a small share of fresh sessions. Every write carries a unique title or is counted, so
the scripts can compare what the client was told with what the database holds.
"""

import http.client
import io
import random
import re
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import quote, urlencode

from appstack import PASSWORD, TITLE_PREFIX

TIMEOUT = 40  # longer than gunicorn's worker timeout (30 s): a hang shows as a timeout here


def png_bytes(seed: int) -> bytes:
    """A screenshot-like PNG (~1280×720, a few shapes), different for every seed."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)  # noqa: S311 — repeatable test images
    image = Image.new("RGB", (1280, 720), (245, 246, 248))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randint(0, 1100), rng.randint(0, 600)
        draw.rectangle(
            (x, y, x + rng.randint(40, 300), y + rng.randint(20, 120)), fill=tuple(rng.choices(range(256), k=3))
        )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def multipart(fields: dict, files: list[tuple[str, str, bytes, str]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, filename, content, content_type in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@dataclass
class Answer:
    status: int  # 0: no HTTP answer (connection refused/reset, timeout)
    body: bytes = b""
    location: str = ""
    error: str = ""


class Session:
    """One browser: cookies, the CSRF token, one request at a time."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str = "") -> Answer:
        headers = {"Host": f"127.0.0.1:{self.port}", "Accept-Language": "zh-hans"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers["Content-Type"] = content_type
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            for header in response.msg.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return Answer(response.status, data, response.getheader("Location", ""))
        except (OSError, http.client.HTTPException) as error:
            return Answer(0, error=type(error).__name__)
        finally:
            connection.close()

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def post(self, path: str, fields: dict, files=()) -> Answer:
        if files:
            body, content_type = multipart(fields, list(files))
        else:
            body, content_type = urlencode(fields).encode(), "application/x-www-form-urlencoded"
        return self.request("POST", path, body, content_type)

    def login(self, email: str) -> Answer:
        LOGINS.wait()
        self.get("/accounts/login/")
        return self.post("/accounts/login/", {"login": email, "password": PASSWORD})


class Pacer:
    """At most one event per `interval` seconds over all threads."""

    def __init__(self, interval: float):
        self.interval = interval
        self.lock = threading.Lock()
        self.next_at = 0.0

    def wait(self) -> None:
        with self.lock:
            now = time.monotonic()
            at = max(now, self.next_at)
            self.next_at = at + self.interval
        time.sleep(max(0.0, at - now))


# allauth's default limit on logins is 30 a minute per IP address, and every bench user comes
# from 127.0.0.1: stay under it (a real office behind one NAT address meets the same limit).
LOGINS = Pacer(2.1)


class Recorder:
    """Latencies and answers per operation, and a timeline for the fault runs."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.timeline: list[tuple[float, str, int, str]] = []
        self.pages: dict[str, str] = {}  # the <title> of the first error page of each status
        self.started = time.monotonic()

    def record(self, op: str, answer: Answer, elapsed: float, ok: bool) -> None:
        with self.lock:
            self.latencies[op].append(elapsed)
            if not ok:
                self.errors[op].append(f"{answer.status or answer.error} {answer.location}".strip())
                title = re.search(rb"<title>(.*?)</title>", answer.body, re.S)
                if title and str(answer.status) not in self.pages:
                    self.pages[str(answer.status)] = title.group(1).decode(errors="replace").strip()
            self.timeline.append((time.monotonic() - self.started, op, answer.status, answer.error))

    def summary(self, seconds: float) -> dict:
        every = sorted(x for values in self.latencies.values() for x in values)
        rows = {op: _stats(sorted(values), len(self.errors[op])) for op, values in sorted(self.latencies.items())}
        return {
            "seconds": round(seconds, 1),
            "requests": len(every),
            "errors": sum(len(v) for v in self.errors.values()),
            "rps": round(len(every) / seconds, 2) if seconds else 0,
            "all": _stats(every, sum(len(v) for v in self.errors.values())),
            "by_type": rows,
            "error_samples": {op: values[:5] for op, values in self.errors.items() if values},
            "error_pages": self.pages,
        }


def _stats(values: list[float], errors: int) -> dict:
    if not values:
        return {"n": 0, "errors": errors}

    def pct(p: float) -> float:
        return round(values[min(len(values) - 1, int(p * len(values)))] * 1000, 1)

    return {"n": len(values), "errors": errors, "p50_ms": pct(0.5), "p95_ms": pct(0.95), "p99_ms": pct(0.99)}


@dataclass
class Written:
    """What the server confirmed (a redirect after the POST): the no-lost-writes ledger."""

    issues: set = field(default_factory=set)  # titles
    screenshots: int = 0
    no_problem_users: set = field(default_factory=set)
    triage_steps: int = 0
    failed_issues: set = field(default_factory=set)  # titles the user was told had failed
    lock: threading.Lock = field(default_factory=threading.Lock)


# Operation → weight. Reads dominate; about a quarter of the requests write.
MIX = {
    "home": 5,
    "report_page": 10,
    "file_issue": 12,
    "no_problems": 3,
    "issue_list": 14,
    "issue_detail": 14,
    "triage": 8,
    "portfolio": 4,
    "dashboard": 8,
    "change_list": 8,
    "login": 1,
}
WRITE_MIX = {
    "file_issue": 10,
    "triage": 4,
    "issue_list": 2,
    "report_page": 2,
    "dashboard": 2,
    "portfolio": 1,
    "login": 1,
}
ISSUE_LINK = re.compile(rb"/issues/(\d+)/\"")


class ProjectDriver:
    """The people of one project, driven by one thread."""

    def __init__(self, plan: dict, port: int, recorder: Recorder, written: Written, seed: int, mix: dict):
        self.plan = plan
        self.port = port
        self.recorder = recorder
        self.written = written
        self.rng = random.Random(seed)  # noqa: S311 — repeatable load, not security
        self.mix_ops = list(mix)
        self.mix_weights = list(mix.values())
        self.code = plan["code"]
        self.sequence = 0
        self.steps = 0
        self.pngs = [png_bytes(seed * 10 + n) for n in range(3)]
        self.sessions: dict[str, Session] = {}

    def login_all(self) -> None:
        key_users = self.plan["key_users"]
        people = [self.plan["pm"], self.plan["executive"], *key_users]
        for person in people:
            session = Session(self.port)
            self._timed("login", lambda s=session, p=person: s.login(p), expect=302)
            self.sessions[person] = session

    def _timed(self, op: str, call, expect: int) -> Answer:
        started = time.perf_counter()
        answer = call()
        ok = answer.status == expect and not (expect == 302 and "/accounts/login/" in answer.location)
        self.recorder.record(op, answer, time.perf_counter() - started, ok)
        answer.ok = ok
        return answer

    def step(self) -> None:
        self.steps += 1
        op = self.rng.choices(self.mix_ops, self.mix_weights)[0]
        try:
            getattr(self, f"op_{op}")()
        except Exception as error:  # a bug in this client must show in the figures, not end the thread
            self.recorder.record(f"client_bug_{op}", Answer(0, error=repr(error)), 0.0, ok=False)

    # --- who -----------------------------------------------------------------
    def _filers(self) -> list[str]:
        return self.plan["key_users"][:-1]

    def _reader(self) -> Session:
        return self.sessions[self.rng.choice([self.plan["pm"], *self.plan["key_users"]])]

    # --- operations ----------------------------------------------------------
    def op_home(self) -> None:
        self._timed("home", lambda: self._reader().get("/"), 200)

    def op_report_page(self) -> None:
        session = self.sessions[self.rng.choice(self.plan["key_users"])]
        self._timed("report_page", lambda: session.get(f"/p/{self.code}/report/"), 200)

    def op_file_issue(self) -> None:
        session = self.sessions[self.rng.choice(self._filers())]
        self.sequence += 1
        title = f"{TITLE_PREFIX}{self.code}:{self.sequence}:{uuid.uuid4().hex[:6]} 客户列表导出失败"
        fields = {
            "title": title,
            "description": "点击导出后页面一直转圈，三分钟后提示超时。影响今天的周报。",
            "severity": self.rng.choice(["low", "medium", "medium", "high", "critical"]),
            "steps": "1. 打开客户列表\n2. 选择华南区\n3. 点击导出Excel",
            "module": "",
        }
        files = []
        if self.rng.random() < 1 / 3:
            files = [("screenshots", "screenshot.png", self.rng.choice(self.pngs), "image/png")]
        answer = self._timed(
            "file_issue_screenshot" if files else "file_issue",
            lambda: session.post(f"/p/{self.code}/report/", fields, files),
            302,
        )
        with self.written.lock:
            if answer.ok:
                self.written.issues.add(title)
                self.written.screenshots += len(files)
            else:
                self.written.failed_issues.add(title)

    def op_no_problems(self) -> None:
        person = self.plan["key_users"][-1]
        answer = self._timed(
            "no_problems", lambda: self.sessions[person].post(f"/p/{self.code}/report/no-problems/", {}), 302
        )
        if answer.ok:
            with self.written.lock:
                self.written.no_problem_users.add(person)

    def op_issue_list(self) -> None:
        query = self.rng.choice(["", "?sort=severity", "?status=new", "?age=7", "?q=" + quote("导出")])
        self._timed("issue_list", lambda: self._reader().get(f"/p/{self.code}/issues/{query}"), 200)

    def op_issue_detail(self) -> None:
        number = self.rng.randint(1, max(1, self.plan["issue_numbers"]))
        self._timed("issue_detail", lambda: self._reader().get(f"/p/{self.code}/issues/{number}/"), 200)

    def op_triage(self) -> None:
        """The PM takes the oldest new issue filed during this run: analysis, then forward or resolve."""
        pm = self.sessions[self.plan["pm"]]
        listing = self._timed("triage_list", lambda: pm.get(f"/p/{self.code}/issues/?status=new&sort=oldest"), 200)
        if not listing.ok:
            return
        numbers = [int(n) for n in ISSUE_LINK.findall(listing.body) if int(n) > self.plan["issue_numbers"]]
        if not numbers:
            return
        number = min(numbers)
        base = f"/p/{self.code}/issues/{number}"
        analysis = {
            "context": "与报告人电话确认：每次导出超过五千行时出现。",
            "likely_cause": "导出超时设置过短",
            "category": "defect",
        }
        answer = self._timed("triage_analyse", lambda: pm.post(f"{base}/analyse/", analysis), 302)
        if not answer.ok:
            return
        self._count_triage()
        if self.rng.random() < 0.5:
            fields = {
                "consultant": self.plan["consultant_id"],
                "summary": "导出超过五千行超时，请调整超时或改为异步导出。",
            }
            answer = self._timed("triage_forward", lambda: pm.post(f"{base}/forward/", fields), 302)
        else:
            fields = {"cause": "导出超时设置为30秒", "fix": "已调整为异步导出，完成后邮件通知"}
            answer = self._timed("triage_resolve", lambda: pm.post(f"{base}/resolve/", fields), 302)
        if answer.ok:
            self._count_triage()

    def _count_triage(self) -> None:
        with self.written.lock:
            self.written.triage_steps += 1

    def op_portfolio(self) -> None:
        session = self.sessions[self.plan["executive"]]
        self._timed("portfolio", lambda: session.get("/portfolio/"), 200)

    def op_dashboard(self) -> None:
        session = self.sessions[self.plan["executive"]]
        self._timed("dashboard", lambda: session.get(f"/p/{self.code}/dashboard/"), 200)

    def op_change_list(self) -> None:
        self._timed("change_list", lambda: self._reader().get(f"/p/{self.code}/changes/"), 200)

    def op_login(self) -> None:
        """A person opening the app on another device: a fresh session, used once."""
        session = Session(self.port)
        self._timed("login", lambda: session.login(self.rng.choice(self.plan["key_users"])), 302)


def login_everyone(drivers: list[ProjectDriver]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(ProjectDriver.login_all, drivers))


def run(drivers: list[ProjectDriver], *, seconds: float, rate: float | None, stop: threading.Event | None = None):
    """Each driver in its own thread for `seconds`; `rate` (requests/s over all threads) paces them,
    None runs them flat out (closed loop). Bounded in time; returns the wall time."""
    stop = stop or threading.Event()
    deadline = time.monotonic() + seconds

    def loop(driver: ProjectDriver) -> None:
        interval = len(drivers) / rate if rate else 0.0
        next_at = time.monotonic() + driver.rng.random() * interval
        while time.monotonic() < deadline and not stop.is_set():
            if interval:
                delay = next_at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                next_at = max(next_at + interval, time.monotonic() - interval)
            driver.step()

    started = time.monotonic()
    threads = [threading.Thread(target=loop, args=(driver,), daemon=True) for driver in drivers]
    for thread in threads:
        thread.start()
    try:
        while any(thread.is_alive() for thread in threads):
            time.sleep(0.5)
    finally:
        stop.set()  # Ctrl-C ends the threads too
    return time.monotonic() - started
