"""Every reader in their own language: each page a role can reach, in English and in Chinese, on the
demo project (`manage.py seed_demo`), shows no text of the other language that came from us.

The pages and how to reach them are the authorization matrix's (its GET cases, allowed roles and
kwargs functions, which take a Team: here a Team-shaped view of the demo project). What counts:

- a Chinese page must not show an English msgid of two words or more that has a translation
  (“Log in”, “Send for a decision”): that text missed the catalogue or a `{% translate %}`;
- an English page must not show a text node that is exactly a Chinese msgstr (or a piece of one
  between placeholders) of three characters or more. The demo's own data is Chinese (names,
  departments, titles), so Chinese as such is allowed on an English page; a whole text node equal
  to our translation is not user data but a leak.

Visible text only: scripts, styles and tags are dropped, attributes are not read.
"""

import html
import io
import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import polib
import pytest
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from conftest import create_user
from crmgov.tests.test_authorization import AREAS, AreaTestData, expected_statuses
from crmgov.tests.test_translations import CATALOGUE
from projects.core.models import Membership, Project, User
from projects.notifications.emails import render_email
from projects.permissions import Role
from projects.plan.models import Milestone, Phase, RebaselineRequest
from projects.registers.models import (
    RequirementDocument,
    RequirementVersion,
    Risk,
    SetbackReview,
    TrainingSession,
)
from projects.steering.models import ActionItem, AgendaItem, CommitteeMember, Meeting

PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdf]|%[sd]|\{[a-z_]*\}")
HAN = re.compile(r"[\u3400-\u9fff]")
# English words our Chinese pages keep on purpose (product and technical names).
# Text people typed that happens to equal one of our translations: a job title in the demo, the
# title of the matrix's resolved issue.
TYPED_BY_PEOPLE = {"实施顾问", "已解决"}
KEPT_IN_ENGLISH = {"crmgov", "CRM", "API", "SOP", "PDF", "CSV", "Excel", "Webhook", "ICS", "TOTP"}


class _Text(HTMLParser):
    """The text nodes of a page, outside <script>, <style> and <template>."""

    SKIP = {"script", "style", "template", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skipping += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not self.skipping:
            self.nodes.append(text)


def text_nodes(page: str) -> list[str]:
    parser = _Text()
    parser.feed(page)
    return parser.nodes


def _catalogue():
    entries = [entry for entry in polib.pofile(str(CATALOGUE)) if entry.msgstr and not entry.obsolete]
    english = set()
    chinese = set()
    for entry in entries:
        msgid = " ".join(entry.msgid.split())
        if entry.msgstr != entry.msgid and len(msgid.split()) >= 2 and "<" not in msgid and "%" not in msgid:
            english.add(msgid)
        for piece in PLACEHOLDER.split(html.unescape(re.sub(r"<[^>]+>", " ", entry.msgstr))):
            piece = " ".join(piece.split()).strip(" ：，。、（）()·:,")
            if len(piece) >= 3 and HAN.search(piece):
                chinese.add(piece)
    return english, chinese


ENGLISH_MSGIDS, CHINESE_MSGSTRS = _catalogue()
ENGLISH_PATTERN = re.compile(
    r"(?<![A-Za-z])(" + "|".join(re.escape(m) for m in sorted(ENGLISH_MSGIDS, key=len, reverse=True)) + r")(?![A-Za-z])"
)


def english_in(nodes: list[str]) -> set[str]:
    return {match.group(1) for node in nodes for match in ENGLISH_PATTERN.finditer(node)}


def chinese_in(nodes: list[str]) -> set[str]:
    found = set()
    for node in nodes:
        for piece in {node, *re.split(r"\s*[·|/]\s*|：|:", node)}:
            piece = piece.strip(" ：，。、（）()·:,")
            if piece in CHINESE_MSGSTRS:
                found.add(piece)
    return found


def demo_team():
    """The demo project seen as a conftest.Team: one member per role, an outsider, another project."""
    call_command("seed_demo", stdout=io.StringIO())
    project = Project.objects.get(code="SCRM")
    members = {}
    for role in Role:
        members[role.value] = Membership.objects.filter(project=project, role=role).order_by("pk").first()
    other_project = Project.objects.create(code="OTHER", name="另一个项目")
    other_pm = create_user("other-pm@example.com", full_name="别的经理", language="zh-hans")
    other_membership = Membership.objects.create(
        project=other_project, user=other_pm, role=Role.PM, active_from=members[Role.PM].active_from
    )
    team = SimpleNamespace(
        project=project,
        other_project=other_project,
        members=members,
        user=lambda role: members[role].user,
        outsider=create_user("outsider@example.com", full_name="局外人"),
        other_membership=other_membership,
    )
    # The matrix's plan, register and committee objects: the demo's own (it has a baseline already,
    # so the matrix's factory cannot build its plan here).
    team.plan_objects = SimpleNamespace(
        phase=Phase.objects.filter(project=project).first(),
        milestone=Milestone.objects.filter(project=project).first(),
        rebaseline=RebaselineRequest.objects.filter(project=project).first(),
        risk=Risk.objects.filter(project=project).first(),
        document=RequirementDocument.objects.filter(project=project).first(),
        version=RequirementVersion.objects.filter(document__project=project).first(),
        session=TrainingSession.objects.filter(project=project).first(),
        review=SetbackReview.objects.filter(project=project).first(),
        committee_member=CommitteeMember.objects.filter(project=project).first(),
        meeting=Meeting.objects.filter(project=project).order_by("-starts_at").first(),
        item=AgendaItem.objects.filter(meeting__project=project).first(),
        action=ActionItem.objects.filter(meeting__project=project).first(),
    )
    return team


def _kwargs(case, team):
    """The case's kwargs on the demo, or None where the demo has no such object."""
    try:
        return case.kwargs(team)
    except AttributeError:  # `.pk` of an object the demo does not have
        return None


def _is_html(response) -> bool:
    return response.status_code == 200 and response.get("Content-Type", "").startswith("text/html")


class PageLanguageChecks(AreaTestData):
    maxDiff = None

    @classmethod
    def setUpTestData(cls):
        cls.cases = [case for case in cls.all_cases if case.method == "GET"]
        cls.team = demo_team()
        cls.kwargs = [_kwargs(case, cls.team) for case in cls.cases]

    def setUp(self):
        super().setUp()
        # A Chinese page activates Chinese in this thread; the next test must not inherit it.
        self.enterContext(translation.override("en"))

    def pages(self, language):
        """(where, text nodes) of every page each role may open, in `language`."""
        User.objects.update(language=language)
        seen = 0
        for role in Role:
            client = self.client_for(self.team.user(role))
            for case, kwargs in zip(self.cases, self.kwargs, strict=True):
                if kwargs is None or expected_statuses(case, role) != {200}:
                    continue
                with translation.override(language):
                    url = reverse(case.url_name, kwargs=kwargs)
                response = self.request(client, case, kwargs)
                self.assertEqual(response.status_code, 200, f"{case.url_name} as {role.value}")
                if _is_html(response):
                    seen += 1
                    yield f"{case.url_name} ({url}) as {role.value}", text_nodes(response.content.decode())
        self.assertGreater(seen, 0)

    def test_a_chinese_page_shows_no_english_from_the_catalogue(self):
        leaks = {}
        for where, nodes in self.pages("zh-hans"):
            found = english_in(nodes) - KEPT_IN_ENGLISH
            if found:
                leaks[where] = sorted(found)
        self.assertEqual(leaks, {}, "English text on Chinese pages")

    def test_an_english_page_shows_no_chinese_from_the_catalogue(self):
        leaks = {}
        for where, nodes in self.pages("en"):
            found = chinese_in(nodes) - TYPED_BY_PEOPLE
            if found:
                leaks[where] = sorted(found)
        self.assertEqual(leaks, {}, "our Chinese text on English pages")


NOT_CLOSED = [case for area, cases in AREAS.items() if area != "Closure" for case in cases]


@pytest.mark.slow
class TestPagesSpeakTheReadersLanguage(PageLanguageChecks, TestCase):
    all_cases = NOT_CLOSED


@pytest.mark.slow
class TestClosurePagesSpeakTheReadersLanguage(PageLanguageChecks, TestCase):
    all_cases = AREAS["Closure"]


# --- e-mails: every template in both languages, with a sample for every variable ------------------


class Sample(int):
    """Any variable of an e-mail template: a number (for `count`), an object with any attribute, a
    list of one; a project code where a URL needs one. Its text is "7": no word of either language."""

    def __new__(cls):
        return super().__new__(cls, 7)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return "SCRM" if name == "code" else Sample()

    def __getitem__(self, key):
        return self.__getattr__(key) if isinstance(key, str) else Sample()

    def __iter__(self):
        return iter([Sample()])

    def __str__(self):
        return "7"


EMAILS = Path(__file__).resolve().parents[2] / "templates" / "emails"


def _email_context() -> dict:
    tags = " ".join(re.findall(r"\{[{%](.*?)[}%]\}", " ".join(path.read_text() for path in EMAILS.iterdir())))
    names = set(re.findall(r"(?<![\w.\"'|:])([a-z_][a-z0-9_]*)", re.sub(r"\"[^\"]*\"|'[^']*'", "", tags)))
    return {name: Sample() for name in names - {"site_url"}}


EMAIL_NAMES = sorted(path.name.removesuffix("-subject.txt") for path in EMAILS.glob("*-subject.txt"))


@pytest.mark.parametrize("name", EMAIL_NAMES)
def test_an_email_speaks_its_readers_language(name):
    context = _email_context()
    for language, leaked in (("zh-hans", english_in), ("en", chinese_in)):
        email = render_email(name, context, language=language, time_zone="Asia/Shanghai")
        nodes = [email.subject, *email.text.splitlines(), *text_nodes(email.html)]
        assert not leaked([" ".join(node.split()) for node in nodes if node.strip()]), (name, language)
