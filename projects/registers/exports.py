"""The risk register and the committee's action items as CSV or XLSX, in the reader's language."""

from django.utils.translation import gettext as _

from projects.core.models import Project
from projects.core.spreadsheets import export_response, local_time_text
from projects.registers.models import Risk


def risk_columns():
    return [
        (_("Score"), lambda r: r.score),
        (_("Risk"), lambda r: r.title),
        (_("Description"), lambda r: r.description),
        (_("Probability"), lambda r: r.probability),
        (_("Impact"), lambda r: r.impact),
        (_("Owner"), lambda r: r.owner.full_name if r.owner else ""),
        (_("Response"), lambda r: r.get_response_display()),
        (_("Mitigation"), lambda r: r.mitigation),
        (_("Trigger"), lambda r: r.trigger),
        (_("Proximity"), lambda r: r.get_proximity_display()),
        (_("Status"), lambda r: r.get_status_display()),
        (_("Updated"), lambda r: local_time_text(r.updated_at)),
    ]


def risks_export(project: Project, fmt: str):
    rows = Risk.objects.filter(project=project).select_related("owner").order_by("-score", "id")
    return export_response(project, "risks", fmt, risk_columns(), rows)
