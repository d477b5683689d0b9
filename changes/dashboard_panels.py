"""The change requests' panel of the project dashboard: the funnel, counts by status."""

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.registry import DashboardPanel

from .models import ChangeRequest


def change_funnel(project, _reads) -> dict:
    counts = dict(
        ChangeRequest.objects.filter(project=project)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    labels = [str(label) for _value, label in ChangeRequest.Status.choices]
    values = [counts.get(value, 0) for value in ChangeRequest.Status.values]
    return {
        "chart": {"kind": "funnel", "categories": labels, "series": [{"name": _("Change requests"), "data": values}]},
        "columns": [_("Status"), _("Change requests")],
        "rows": [[label, value] for label, value in zip(labels, values, strict=True)],
    }


PANELS = [DashboardPanel("change-funnel", gettext_lazy("Change requests by status"), 60, change_funnel)]
