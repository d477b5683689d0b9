"""The changes app's hook on issue pages: raise a change request from a "requirement change" issue
(D-ISS-5), and show the requests already raised from it."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from issues.extensions import IssueLink
from projects.permissions import Capability


def change_request_links(issue, membership) -> list[IssueLink]:
    links = [
        IssueLink(change.reference, change.get_absolute_url(), "arrow-left-right")
        for change in issue.change_requests.select_related("project")
    ]
    if issue.category == "requirement_change" and membership.can(Capability.CHANGES_REQUEST) and not links:
        url = reverse("changes:create", kwargs={"code": issue.project.code})
        links.append(IssueLink(_("Raise a change request"), f"{url}?issue={issue.number}", "plus-circle"))
    return links
