"""What the project's search box finds in `changes` (issue 19): change requests, by reference
(SCRM-CR007, CR7) or by words of their title, reason and goal. Every member sees the project's change
requests (as on the list); a project has hundreds at most, so they are searched without an index."""

import re
import unicodedata
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from projects.registry import SearchHit, SearchSource
from projects.search.text import containing

from .models import ChangeRequest

# A change request's reference as people type it: SCRM-CR007, scrm-cr7, CR-7, CR 007.
REFERENCE = re.compile(r"^(?:(?P<code>[A-Za-z][A-Za-z0-9]*)\s*-\s*)?CR\s*-?\s*(?P<number>\d{1,9})$", re.IGNORECASE)


def number_in_reference(text: str, project_code: str) -> int | None:
    match = REFERENCE.match(unicodedata.normalize("NFKC", text or "").strip())
    if not match or (match["code"] and match["code"].upper() != project_code.upper()):
        return None
    return int(match["number"]) or None


def search_change_requests(membership, text: str, limit: int) -> list[SearchHit]:
    changes = (
        containing(ChangeRequest.objects.filter(project=membership.project), text, ("title", "reason", "goal"))
        .only("number", "title", "status", "project_id")
        .order_by("-created_at", "-id")[:limit]
    )
    project = membership.project
    hits = []
    for change in changes:
        change.project = project
        hits.append(SearchHit(change.title, change.get_absolute_url(), change.reference, change.get_status_display()))
    return hits


def change_request_by_reference(membership, text: str) -> str | None:
    number = number_in_reference(text, membership.project.code)
    if number is None or not ChangeRequest.objects.filter(project=membership.project, number=number).exists():
        return None
    return reverse("changes:detail", kwargs={"code": membership.project.code, "number": number})


def change_list_searched(project, text: str) -> str:
    return reverse("changes:list", kwargs={"code": project.code}) + "?" + urlencode({"q": text})


SOURCE = SearchSource(
    "change-requests",
    _("Change requests"),
    20,
    search_change_requests,
    change_request_by_reference,
    change_list_searched,
)
