"""The project's search page (issue 19): one box, every kind the apps contribute."""

from dataclasses import dataclass

from django.shortcuts import redirect, render
from django.utils.functional import Promise

from projects import registry
from projects.permissions import Capability, get_membership_for
from projects.registry import SearchHit
from projects.search.text import query_terms

PER_KIND = 10
MAX_QUERY = 100  # characters: a search box, not a document


@dataclass
class Group:
    key: str
    label: str | Promise
    hits: list[SearchHit]
    more_url: str = ""  # the kind's own list, searched, when there are more than PER_KIND


def search(request, code):
    """Finds, within what the reader may see, each kind's first PER_KIND matches; an exact reference
    (SCRM-0147, SCRM-CR007) goes straight to its object."""
    membership = get_membership_for(request, code, Capability.PROJECT_VIEW)
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    sources = [s for s in registry.search_sources if s.capability is None or membership.can(s.capability)]
    groups = []
    if query:
        for source in sources:
            url = source.reference(membership, query) if source.reference else None
            if url:
                return redirect(url)
        # A query without a word to look for (punctuation, one letter) finds nothing, not everything.
        for source in sources if query_terms(query) else ():
            hits = source.search(membership, query, PER_KIND + 1)
            more = source.more_url(membership.project, query) if source.more_url and len(hits) > PER_KIND else ""
            if hits:
                groups.append(Group(source.key, source.label, hits[:PER_KIND], more))
    context = {"project": membership.project, "membership": membership, "query": query, "groups": groups}
    context["search_query"] = query  # the box in the project bar keeps it
    return render(request, "projects/search/search.html", context)
