"""The status report's scope dimension (D-RPT-1), from the change requests."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.registry import AMBER, GREEN, RED, ReportSection
from projects.reporting.report_sections import period_bounds

from .conditions import changes_beyond_tolerance, word_change
from .models import ChangeEvent, ChangeRequest


def scope(project, start, end) -> dict:
    changes = ChangeRequest.objects.filter(project=project).exclude(status__in=ChangeRequest.FINAL)
    beyond = changes_beyond_tolerance(project)
    in_flux = changes.exclude(status__in=[ChangeRequest.Status.REQUESTED]).count()
    # Approvals that happened in the period, whatever the request's state now (D-RPT-1).
    since, until = period_bounds(project, start, end)
    approved = (
        ChangeEvent.objects.filter(
            change_request__project=project,
            to_status=ChangeRequest.Status.APPROVED,
            created_at__gte=since,
            created_at__lt=until,
        )
        .values("change_request")
        .distinct()
        .count()
    )
    status = RED if beyond else AMBER if in_flux else GREEN
    return {
        "status": status,
        "rule": _(
            "Green: no change under way. Amber: changes under way within tolerance. Red: a change beyond a tolerance."
        ),
        "summary": _("%(open)s change requests open, %(approved)s approved this week.")
        % {"open": changes.count(), "approved": approved},
        "items": [{"text": word_change(item.params).title, "url": ""} for item in beyond]
        + [
            {
                "text": _("Awaiting decision: %(ref)s %(title)s") % {"ref": c.reference, "title": c.title},
                "url": c.get_absolute_url(),
            }
            for c in changes.filter(status=ChangeRequest.Status.AWAITING_DECISION).select_related("project")
        ],
    }


SECTIONS = [ReportSection("scope", gettext_lazy("Scope"), 30, scope)]
