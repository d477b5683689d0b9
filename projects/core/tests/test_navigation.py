"""The project navigation fits (issue 19): the sections in their groups — a row of group menus on a
wide screen, a list under group headings in the phone's top-bar menu — each section once, only the
groups a member can see something of, the current page's group marked, and no extra queries."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from projects.navigation import PROJECT_MENU, MenuGroup
from projects.permissions import Role, membership_can
from projects.templatetags import crmgov as tags


@dataclass
class Group:
    value: str
    dropdown: bool = False
    active: bool = False
    heading: str = ""
    links: list[dict] = field(default_factory=list)


class _NavReader(HTMLParser):
    """The groups of one navigation element (marked by data-group), with their links in order."""

    def __init__(self):
        super().__init__()
        self.groups: list[Group] = []
        self._link = None
        self._heading = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if "data-group" in attrs:
            self.groups.append(Group(attrs["data-group"], dropdown="dropdown" in classes))
        elif not self.groups:
            return
        group = self.groups[-1]
        if "dropdown-toggle" in classes:
            group.active = "active" in classes
        if "project-menu-heading" in classes:
            self._heading = True
        if tag == "a":
            self._link = {"href": attrs["href"], "current": attrs.get("aria-current") == "page", "text": ""}
            if not group.dropdown and "nav-link" in classes and "project-menu-link" not in classes:
                group.active = "active" in classes

    def handle_data(self, data):
        if self._link is not None:
            self._link["text"] += data
        if self._heading:
            self.groups[-1].heading += data.strip()

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            self._link["text"] = self._link["text"].strip()
            self.groups[-1].links.append(self._link)
            self._link = None
        self._heading = False


def _fragment(page: str, css_class: str) -> str:
    start = page.index(f'<nav class="{css_class} ')
    return page[start : page.index("</nav>", start) + len("</nav>")]


def _groups(page: str, css_class: str) -> list[Group]:
    reader = _NavReader()
    reader.feed(_fragment(page, css_class))
    return reader.groups


def _bar(page: str) -> list[Group]:
    return _groups(page, "project-nav")


def _menu(page: str) -> list[Group]:
    return _groups(page, "project-menu")


def _expected(role: str) -> list[tuple[str, list[str]]]:
    """The declared groups, in order, with the URLs of the entries this role may see."""
    expected = []
    for group in MenuGroup:
        urls = [
            reverse(item.url_name, kwargs={"code": "SCRM"})
            for item in PROJECT_MENU
            if item.group == group and membership_can(role, (), item.capability)
        ]
        if urls:
            expected.append((group.value, urls))
    return expected


def _page(client, team, role: str, url_name: str = "projects:detail") -> str:
    client.force_login(team.user(role))
    response = client.get(reverse(url_name, kwargs={"code": "SCRM"}))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("layout", [_bar, _menu], ids=["bar", "phone-menu"])
def test_the_pm_finds_every_section_once_in_the_declared_groups(client, team, layout):
    groups = layout(_page(client, team, Role.PM))
    assert [(group.value, [link["href"] for link in group.links]) for group in groups] == _expected(Role.PM)
    hrefs = [link["href"] for group in groups for link in group.links]
    assert len(hrefs) == len(set(hrefs)) == 22


def test_a_group_of_several_sections_is_a_menu_and_a_group_of_one_a_plain_link(client, team):
    groups = {group.value: group for group in _bar(_page(client, team, Role.PM))}
    assert groups["plan"].dropdown and groups["settings"].dropdown
    assert not groups["closure"].dropdown
    assert groups["closure"].links == [{"href": "/p/SCRM/closure/", "current": False, "text": "Closure"}]


def test_a_key_user_sees_only_the_groups_with_something_of_theirs(client, team):
    page = _page(client, team, Role.KEY_USER)
    for layout in (_bar, _menu):
        groups = layout(page)
        assert [(group.value, [link["href"] for link in group.links]) for group in groups] == _expected(Role.KEY_USER)
        assert "leadership" not in [group.value for group in groups]
    # A group holding one section of hers shows that section, not the group's name.
    committee = next(group for group in _bar(page) if group.value == "committee")
    assert not committee.dropdown and committee.links[0]["text"] == "Changes"
    assert "/p/SCRM/budget/" not in _fragment(page, "project-nav") + _fragment(page, "project-menu")


def test_the_current_pages_group_is_marked_and_its_entry_is_the_current_page(client, team):
    page = _page(client, team, Role.PM, "projects:budget")
    for layout in (_bar, _menu):
        groups = layout(page)
        current = [(group.value, link["href"]) for group in groups for link in group.links if link["current"]]
        assert current == [("plan", "/p/SCRM/budget/")]
    assert [group.value for group in _bar(page) if group.active] == ["plan"]
    assert '<a class="dropdown-item active" href="/p/SCRM/budget/" aria-current="page">' in page


def test_a_single_section_group_is_marked_when_it_is_the_current_page(client, team):
    groups = _bar(_page(client, team, Role.PM, "closure:overview"))
    assert [group.value for group in groups if group.active] == ["closure"]


def test_the_phone_menu_holds_the_project_sections_under_group_headings(client, team):
    page = _page(client, team, Role.PM, "issues:list")
    # Inside the top bar's collapsed menu, before the project bar below it.
    assert page.index('id="site-nav"') < page.index('<nav class="project-menu ') < page.index("project-bar")
    groups = _menu(page)
    assert [group.heading for group in groups] == [
        "Overview",
        "Daily work",
        "Plan",
        "Committee",
        "Leadership",
        "Closure",
        "Settings",
    ]
    assert {"href": "/p/SCRM/issues/", "current": True, "text": "Issues"} in groups[1].links
    # Shown below the top bar's breakpoint only; the row of groups above it.
    assert _fragment(page, "project-menu").startswith('<nav class="project-menu d-md-none"')
    assert _fragment(page, "project-nav").startswith('<nav class="project-nav d-none d-md-block"')


def test_the_navigation_follows_the_readers_language(client, team):
    user = team.user(Role.PM)
    user.language = "zh-hans"
    user.save()
    page = _page(client, team, Role.PM, "issues:list")
    assert [group.heading for group in _menu(page)][:3] == ["概览", "日常工作", "计划"]
    assert '<i class="bi bi-bug" aria-hidden="true"></i> 问题</a>' in _fragment(page, "project-nav")


@pytest.mark.parametrize(("url_name", "queries"), [("projects:detail", 7), ("issues:list", 5)])
def test_the_navigation_adds_no_query_and_is_rendered_once_per_page_and_language(
    client, team, django_assert_num_queries, url_name, queries
):
    """The counts are those of the single sideways bar before issue 19: the groups cost nothing."""
    client.force_login(team.user(Role.PM))
    url = reverse(url_name, kwargs={"code": "SCRM"})
    client.get(url)
    before = tags._nav_html.cache_info()
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
    after = tags._nav_html.cache_info()
    assert after.misses == before.misses  # both the row and the phone menu came from the cache
    assert after.hits == before.hits + 2
