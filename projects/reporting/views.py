"""The dashboards (issue 7): read-only pages for leadership and the PM."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects.core.forms import add_errors
from projects.permissions import Capability, get_membership_for
from projects.reporting import dashboards
from projects.reporting import services as services_reporting
from projects.reporting.forms import NarrativeForm
from projects.reporting.models import StatusReport


def project_dashboard(request, code):
    membership = get_membership_for(request, code, Capability.DASHBOARD_VIEW)
    body, as_of = dashboards.project_dashboard_body(membership)
    context = {"project": membership.project, "membership": membership, "body": body, "as_of": as_of}
    return render(request, "projects/reporting/dashboard.html", context)


def portfolio(request):
    """Every project where the user may see the dashboard, on one screen; empty for the others."""
    context = dashboards.portfolio(request.user, get_language())
    context["sees_portfolio"] = bool(context["cards"])  # the same memberships as the navigation's link
    return render(request, "projects/reporting/portfolio.html", context)


def ping(request):
    """The cheapest signed-in page: the whole middleware stack and a minimal template, nothing
    else. The benchmark (`make bench`) divides every page's throughput by this one's."""
    return render(request, "projects/reporting/ping.html")


def report_list(request, code):
    """The archive, with the trend of the last nine reports."""
    membership = get_membership_for(request, code, Capability.REPORTS_READ)
    project = membership.project
    reports = list(
        StatusReport.objects.filter(project=project).select_related("project").order_by("-period_start")[:52]
    )
    language = get_language()
    trend = [
        {"report": report, "figures": services_reporting.figures_for(report, language)}
        for report in reversed([r for r in reports if r.state == StatusReport.State.SENT][:9])
    ]
    context = {
        "project": project,
        "membership": membership,
        "reports": reports,
        "trend": trend,
        "dimensions": [s for s in (trend[-1]["figures"]["sections"] if trend else []) if s["status"]],
        "schedule": services_reporting.schedule_for(project),
        "can_manage": membership.can(Capability.REPORTS_MANAGE),
    }
    return render(request, "projects/reporting/status_reports.html", context)


def report_detail(request, code, pk):
    membership = get_membership_for(request, code, Capability.REPORTS_READ)
    report = get_object_or_404(StatusReport.objects.select_related("project"), pk=pk, project=membership.project)
    can_manage = membership.can(Capability.REPORTS_MANAGE)
    form = NarrativeForm(request.POST or None, initial={"narrative": report.narrative})
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                services_reporting.status_report_narrate(report=report, **form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Narrative saved; it goes out with the report."))
                return redirect(report)
    figures = services_reporting.figures_for(report, get_language())
    if report.state == StatusReport.State.DRAFT:
        figures = services_reporting.build(membership.project, report.period_start, get_language())
    context = {
        "project": membership.project,
        "membership": membership,
        "report": report,
        "figures": figures,
        "form": form,
        "can_manage": can_manage,
    }
    return render(request, "projects/reporting/status_report.html", context, status=400 if form.errors else 200)


@require_POST
def report_send_now(request, code):
    """Send this week's report now; a second click sends nothing more."""
    membership = get_membership_for(request, code, Capability.REPORTS_MANAGE)
    plan = services_reporting.schedule_for(membership.project)
    report = services_reporting.status_report_send(project=membership.project, period_start=plan.period_start)
    messages.success(request, _("This week's report has been sent."))
    return redirect(report)
