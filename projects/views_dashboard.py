"""The dashboards (issue 7): read-only pages for leadership and the PM."""

from django.shortcuts import render
from django.utils.translation import get_language

from . import dashboards
from .permissions import Capability, get_membership_for


def project_dashboard(request, code):
    membership = get_membership_for(request, code, Capability.DASHBOARD_VIEW)
    body, as_of = dashboards.project_dashboard_body(membership)
    context = {"project": membership.project, "membership": membership, "body": body, "as_of": as_of}
    return render(request, "projects/dashboard.html", context)


def portfolio(request):
    """Every project where the user may see the dashboard, on one screen; empty for the others."""
    context = dashboards.portfolio(request.user, get_language())
    context["sees_portfolio"] = bool(context["cards"])  # the same memberships as the navigation's link
    return render(request, "projects/portfolio.html", context)


def ping(request):
    """The cheapest signed-in page: the whole middleware stack and a minimal template, nothing
    else. The benchmark (`make bench`) divides every page's throughput by this one's."""
    return render(request, "projects/ping.html")
