"""What the project's search box finds in `issues` (issue 19): issues, by reference or by words,
among those the reader may see (a consultant: those forwarded to them), and knowledge-base articles.
Both are read from the search index (`search_text`, projects.search.text)."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from projects.registry import SearchHit, SearchSource
from projects.search.text import matching

from .models import Article, Issue


def search_issues(membership, text: str, limit: int) -> list[SearchHit]:
    issues = (
        matching(Issue.objects.visible_to(membership), text, membership.project_id)
        .only("number", "title", "status", "project_id")
        .order_by("-created_at", "-id")[:limit]
    )
    project = membership.project
    hits = []
    for issue in issues:
        issue.project = project
        hits.append(SearchHit(issue.title, issue.get_absolute_url(), issue.reference, issue.get_status_display()))
    return hits


def issue_by_reference(membership, text: str) -> str | None:
    number = Issue.number_in_reference(text, membership.project.code)
    if number is None or not Issue.objects.visible_to(membership).filter(number=number).exists():
        return None
    return reverse("issues:detail", kwargs={"code": membership.project.code, "number": number})


def issue_list_searched(project, text: str) -> str:
    return reverse("issues:list", kwargs={"code": project.code}) + "?" + urlencode({"q": text})


def search_articles(membership, text: str, limit: int) -> list[SearchHit]:
    articles = (
        matching(Article.objects.filter(project=membership.project), text, membership.project_id)
        .only("pk", "title", "project_id")
        .order_by("-published_at", "-id")[:limit]
    )
    code = membership.project.code
    return [SearchHit(a.title, reverse("issues:article", kwargs={"code": code, "pk": a.pk})) for a in articles]


def article_list_searched(project, text: str) -> str:
    return reverse("issues:articles", kwargs={"code": project.code}) + "?" + urlencode({"q": text})


SOURCES = [
    SearchSource("issues", _("Issues"), 10, search_issues, issue_by_reference, issue_list_searched),
    SearchSource("articles", _("Knowledge base"), 30, search_articles, more_url=article_list_searched),
]
