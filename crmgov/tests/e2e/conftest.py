"""Browser end-to-end tests: Debian's Chromium, driven by Playwright, against pytest-django's live server.

No browser is ever downloaded: Playwright launches /usr/bin/chromium (Debian's `chromium` package).
Without it the tests skip, unless CRMGOV_REQUIRE_BROWSER is set (CI), where they fail instead.

Playwright's sync API keeps an event loop running in the test thread while it is started, and
Django refuses ORM calls from a thread with a running loop. So Playwright is started for this
package only (the plugin's own fixtures live for the whole session, and would leave the loop
running for every later test of the worker), with DJANGO_ALLOW_ASYNC_UNSAFE set just as long.

Each step's screenshot goes to $E2E_ARTIFACTS (default var/e2e-artifacts)/<test>/NN-<who>-<step>.png.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect, sync_playwright

CHROMIUM = Path(os.environ.get("CRMGOV_CHROMIUM", "/usr/bin/chromium"))
PASSWORD = "password-123"  # what conftest.make_user gives everyone
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 1,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
    "timezone_id": "Asia/Shanghai",
}
# Long enough for a loaded CI machine, short enough that a missing element fails fast.
TIMEOUT_MS = 15_000


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)"
    if os.environ.get("CRMGOV_REQUIRE_BROWSER"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package")
def playwright():
    _require_chromium()
    saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    expect.set_options(timeout=TIMEOUT_MS)
    driver = sync_playwright().start()
    try:
        yield driver
    finally:
        driver.stop()
        if saved is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


@pytest.fixture(scope="package")
def browser_type(playwright, browser_name):
    if browser_name != "chromium":
        pytest.skip("only Debian's Chromium is installed")
    return playwright.chromium


@pytest.fixture(scope="package")
def browser_type_launch_args():
    return {
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
        ],
    }


@pytest.fixture(scope="package")
def launch_browser(browser_type, browser_type_launch_args):
    def launch(**kwargs):
        return browser_type.launch(**{**browser_type_launch_args, **kwargs})

    return launch


@pytest.fixture(scope="package")
def browser(launch_browser):
    browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture(scope="package")
def browser_context_args():
    return dict(PHONE)


@pytest.fixture
def artifacts(request) -> Path:
    """This test's screenshot folder, emptied first so it shows this run only."""
    root = Path(os.environ.get("E2E_ARTIFACTS") or settings.BASE_DIR / "var" / "e2e-artifacts")
    folder = root / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


class Phone:
    """One person's phone: their own browser context, logged in through the login form."""

    def __init__(self, context, user, who: str, base_url: str, album):
        self.user, self.who, self.base_url, self.album = user, who, base_url, album
        self.page = context.new_page()
        # Forms with data-confirm ask before submitting; people say yes.
        self.page.on("dialog", lambda dialog: dialog.accept())

    def log_in(self, url: str = "") -> None:
        """Open `url` (the site by default), which asks to log in first, and log in."""
        self.page.goto(url or self.base_url + "/")
        expect(self.page.get_by_role("heading", name="登录 crmgov")).to_be_visible()
        self.page.get_by_label("电子邮件").fill(self.user.email)
        self.page.get_by_label("密码").fill(PASSWORD)
        self.page.get_by_role("button", name="登录").click()
        expect(self.page.get_by_role("heading", name="登录 crmgov")).to_have_count(0)

    def shot(self, step: str) -> Path:
        return self.album.take(self.page, f"{self.who}-{step}")

    def open_project(self, name: str) -> None:
        """From "my projects", where logging in lands."""
        self.page.get_by_role("link", name=re.compile(re.escape(name))).click()

    def nav(self, label: str) -> None:
        """Go to a section of the project: on a phone through the top bar's menu, on a wide screen
        through its group's menu in the project's row of groups."""
        if self.page.viewport_size["width"] < 768:  # below Bootstrap's md: the top bar's menu
            toggler = self.page.locator(".navbar-toggler")
            expect(toggler).to_be_visible()
            if toggler.get_attribute("aria-expanded") != "true":
                toggler.click()
            self.page.locator(".project-menu").get_by_role("link", name=label, exact=True).click()
            return
        link = self.page.locator(".project-nav").get_by_role("link", name=label, exact=True)
        if not link.is_visible():
            self.page.locator(".project-nav .dropdown").filter(has=link).locator(".dropdown-toggle").click()
        link.click()

    def status(self, label: str):
        """The status badge of the object on the page."""
        return self.page.locator(".badge").filter(has_text=re.compile(f"^{re.escape(label)}$"))

    def open_step(self, label: str):
        """Open a workflow step of the "next step" panel and return its form."""
        summary = self.page.locator("summary", has_text=re.compile(f"^{re.escape(label)}$"))
        summary.click()
        return self.page.locator("details[open]").filter(has=summary)

    def says(self, text: str) -> None:
        """The page shows a message containing `text` (the login's own message may stand beside it)."""
        expect(self.page.get_by_role("alert").filter(has_text=text)).to_be_visible()


class Album:
    """Numbered screenshots of one test, in the order the steps happened."""

    def __init__(self, folder: Path):
        self.folder, self.count = folder, 0

    def take(self, page, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        page.screenshot(path=path, full_page=True)
        return path


FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call" and report.failed:
        item.stash[FAILED] = True
    return report


@pytest.fixture
def phones(request, browser, browser_context_args, live_server, artifacts, settings, tmp_path):
    """phones(user, who) → a Phone; after a failure each phone's screen is kept too; contexts are closed."""
    settings.MEDIA_ROOT = tmp_path / "media"
    album = Album(artifacts)
    opened = []

    def phone(user, who: str) -> Phone:
        context = browser.new_context(**browser_context_args)
        context.set_default_timeout(TIMEOUT_MS)
        opened.append(Phone(context, user, who, live_server.url, album))
        return opened[-1]

    yield phone
    for each in opened:
        if request.node.stash.get(FAILED, False):
            each.shot("at-failure")
        each.page.context.close()


# The people of conftest.Team, as a Chinese project would name them, reading the site in Chinese.
CHINESE_NAMES = {
    "sponsor": "赵建国",
    "executive": "钱立新",
    "steering": "孙慧敏",
    "pm": "李娜",
    "consultant": "周婷",
    "key_user": "王芳",
}


@pytest.fixture
def chinese_team(team):
    for role, name in CHINESE_NAMES.items():
        user = team.user(role)
        user.full_name, user.language = name, "zh-hans"
        user.save(update_fields=["full_name", "language"])
    return team
