"""The changes app's hook on issue pages: raise a change request from a "requirement change" issue
(D-ISS-5), and show the requests already raised from it."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from issues.extensions import IssueLink
from projects.permissions import Capability


def change_request_links(issue, membership) -> list[IssueLink]:
    # A change request raised from an issue is in the issue's project (the service refuses others),
    # so that project is not read again.
    changes = issue.change_requests.only("number", "project_id")
    for change in changes:
        change.project = issue.project
    links = [IssueLink(change.reference, change.get_absolute_url(), "arrow-left-right") for change in changes]
    if issue.category == "requirement_change" and membership.can(Capability.CHANGES_REQUEST) and not links:
        url = reverse("changes:create", kwargs={"code": issue.project.code})
        links.append(IssueLink(_("Raise a change request"), f"{url}?issue={issue.number}", "plus-circle"))
    return links
