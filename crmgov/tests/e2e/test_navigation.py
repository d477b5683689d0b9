"""The project navigation fits (issue 19): a PM reaches every section of the project on a phone
(390 px, through the top-bar menu) and on a laptop (1366 px, through the group menus), in English
and in Chinese, and nothing on the page scrolls sideways."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from projects.navigation import PROJECT_MENU, MenuGroup
from projects.permissions import Role, membership_can

from .conftest import PHONE, TIMEOUT_MS, Album, Phone

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

LAPTOP = {"viewport": {"width": 1366, "height": 768}, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
SCREENS = {"phone": PHONE, "laptop": LAPTOP}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def pm_sections() -> dict[str, list[str]]:
    """The PM's section URLs by group, in the declared order."""
    sections = {}
    for item in PROJECT_MENU:
        if membership_can(Role.PM, (), item.capability):
            sections.setdefault(item.group.value, []).append(reverse(item.url_name, kwargs={"code": "SCRM"}))
    return sections


@pytest.fixture
def pm_on(team, browser, live_server, artifacts):
    """pm_on(screen, language) → the PM, signed in on that screen and reading that language, on the
    project's overview page; the Content-Security-Policy complaints the browser logged are in
    `.complaints`."""
    opened = []

    def open_(screen: str, language: str) -> Phone:
        user = team.user(Role.PM)
        user.language = language
        user.save(update_fields=["language"])
        context = browser.new_context(**SCREENS[screen])
        context.set_default_timeout(TIMEOUT_MS)
        opened.append(context)
        pm = Phone(context, user, f"pm-{screen}-{language}", live_server.url, Album(artifacts))
        pm.complaints = []
        pm.page.on(
            "console",
            lambda message: pm.complaints.append(message.text) if "Content Security" in message.text else None,
        )
        pm.log_in(live_server.url + reverse("projects:detail", kwargs={"code": "SCRM"}))
        expect(pm.page.locator(".project-bar")).to_be_visible()
        return pm

    yield open_
    for context in opened:
        context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_on_a_phone_the_menu_holds_every_section_of_the_project(pm_on, language):
    pm = pm_on("phone", language)
    page = pm.page
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    expect(page.locator(".project-nav")).to_be_hidden()  # the row of groups is for wide screens
    pm.shot("closed")

    page.locator(".navbar-toggler").click()
    menu = page.locator(".project-menu")
    expect(menu).to_be_visible()
    headings = menu.locator(".project-menu-heading")
    expect(headings).to_have_count(len(MenuGroup))
    for group, urls in pm_sections().items():
        for url in urls:
            expect(menu.locator(f"[data-group='{group}'] a[href='{url}']")).to_be_visible()
    expect(menu.locator("a[aria-current='page']")).to_have_attribute("href", "/p/SCRM/")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    pm.shot("menu-open")

    # A section a few screens down the list is one tap away, and the new page marks it.
    calendar = reverse("issues:calendar", kwargs={"code": "SCRM"})
    menu.locator(f"a[href='{calendar}']").click()
    expect(page).to_have_url(pm.base_url + calendar)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.locator(".navbar-toggler").click()
    expect(page.locator(".project-menu a[aria-current='page']")).to_have_attribute("href", calendar)
    assert not pm.complaints, pm.complaints


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_on_a_laptop_one_row_of_groups_reaches_every_section(pm_on, language):
    pm = pm_on("laptop", language)
    page = pm.page
    nav = page.locator(".project-nav")
    expect(nav).to_be_visible()
    expect(page.locator(".project-menu")).to_be_hidden()  # the phone's list stays out of the top bar
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    # One row: every group's top edge on the same line.
    tops = nav.locator("[data-group]").evaluate_all(
        "items => items.map(i => Math.round(i.getBoundingClientRect().top))"
    )
    assert len(tops) == len(MenuGroup) and len(set(tops)) == 1, tops
    pm.shot("row")

    for group, urls in pm_sections().items():
        item = nav.locator(f"[data-group='{group}']")
        if len(urls) > 1:
            item.locator(".dropdown-toggle").click()
            expect(item.locator(".dropdown-menu")).to_be_visible()
        for url in urls:
            expect(item.locator(f"a[href='{url}']")).to_be_visible()
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"the {group} menu sticks out sideways"
        if group == "settings":  # the right-most menu, opened
            pm.shot("settings-open")
        if len(urls) > 1:
            page.keyboard.press("Escape")
            expect(item.locator(".dropdown-menu")).to_be_hidden()

    # From a menu to its page, which marks the group it belongs to.
    nav.locator("[data-group='plan'] .dropdown-toggle").click()
    nav.locator("a[href='/p/SCRM/budget/']").click()
    expect(page).to_have_url(pm.base_url + "/p/SCRM/budget/")
    expect(nav.locator("[data-group='plan'] .dropdown-toggle")).to_have_class(
        "nav-link dropdown-toggle text-nowrap active"
    )
    expect(nav.locator(".active")).to_have_count(2)  # the group and, inside its menu, the page
    pm.shot("budget")
    assert not pm.complaints, pm.complaints
