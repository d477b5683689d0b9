"""The dashboards (issue 7): read-only pages for leadership and the PM."""

from django.shortcuts import render

from . import dashboards
from .permissions import Capability, get_membership_for


def project_dashboard(request, code):
    membership = get_membership_for(request, code, Capability.DASHBOARD_VIEW)
    project = membership.project
    context = {"project": project, "membership": membership, **dashboards.project_dashboard(project)}
    return render(request, "projects/dashboard.html", context)
