"""What the project's search box finds in `projects` itself (issue 19): steering meetings (for those
who see the committee) and risks (for those who see the register). A project has tens of each, so
their titles and texts are searched without an index (`text.containing`)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from projects.permissions import Capability
from projects.registers.models import Risk
from projects.registry import SearchHit, SearchSource
from projects.search.text import containing
from projects.steering.models import Meeting


def search_meetings(membership, text: str, limit: int) -> list[SearchHit]:
    meetings = containing(Meeting.objects.filter(project=membership.project), text, ("title", "location"))
    code = membership.project.code
    return [
        SearchHit(
            meeting.title,
            reverse("projects:meeting_detail", kwargs={"code": code, "pk": meeting.pk}),
            note=meeting.get_status_display(),
        )
        for meeting in meetings.only("pk", "title", "status").order_by("-starts_at", "-id")[:limit]
    ]


def search_risks(membership, text: str, limit: int) -> list[SearchHit]:
    risks = containing(
        Risk.objects.filter(project=membership.project), text, ("title", "description", "mitigation", "trigger")
    )
    code = membership.project.code
    # A risk has no page of its own: its form for those who may edit it, the register for the others.
    editable = membership.can(Capability.RISKS_EDIT)
    register = reverse("projects:risks", kwargs={"code": code})
    return [
        SearchHit(
            risk.title,
            reverse("projects:risk_edit", kwargs={"code": code, "pk": risk.pk}) if editable else register,
            note=risk.get_status_display(),
        )
        for risk in risks.only("pk", "title", "status").order_by("-score", "id")[:limit]
    ]


SOURCES = [
    SearchSource("meetings", _("Steering meetings"), 40, search_meetings, capability=Capability.COMMITTEE_VIEW),
    SearchSource("risks", _("Risks"), 50, search_risks, capability=Capability.RISKS_VIEW),
]
