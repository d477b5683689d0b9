"""Pages of the plan and its registers: resolve the member's access, validate, call a service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects.core.forms import add_errors
from projects.core.views import edit_page
from projects.permissions import Capability, get_membership_for
from projects.plan import selectors
from projects.plan import services as services_plan
from projects.plan.forms import ApprovalForm, BaselineForm, BudgetForm, MilestoneForm, PhaseForm, RebaselineRequestForm
from projects.plan.history import history_entries
from projects.plan.models import BudgetLine, Milestone, Phase, PlanBaseline, RebaselineRequest

MILESTONE_HISTORY_FIELDS = ["name", "baseline_date", "forecast_date", "actual_date"]
BUDGET_HISTORY_FIELDS = ["baseline", "committed", "actual", "forecast", "funding"]

# --- Plan -----------------------------------------------------------------------------------------


def plan(request, code):
    membership = get_membership_for(request, code, Capability.PLAN_VIEW)
    project = membership.project
    context = {
        "project": project,
        "membership": membership,
        "can_edit": membership.can(Capability.PLAN_EDIT),
        "can_review": membership.can(Capability.SETBACKS_MANAGE),
        "baseline_form": BaselineForm(),
        **selectors.plan_overview(project),
    }
    return render(request, "projects/plan/plan.html", context)


def phase_edit(request, code, pk=None):
    membership = get_membership_for(request, code, Capability.PLAN_EDIT)
    phase = get_object_or_404(Phase, pk=pk, project=membership.project) if pk else None
    form = PhaseForm(request.POST or None, instance=phase)
    if request.method == "POST" and form.is_valid():
        try:
            services_plan.phase_save(project=membership.project, phase=phase, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Phase saved."))
            return redirect("projects:plan", code=code)
    title = _("Edit phase") if phase else _("New phase")
    return edit_page(request, membership, form, "projects/core/plan_form.html", {"title": title})


def milestone_edit(request, code, pk=None):
    membership = get_membership_for(request, code, Capability.PLAN_EDIT)
    project = membership.project
    milestone = get_object_or_404(Milestone, pk=pk, project=project) if pk else None
    locked = milestone is not None and services_plan.is_baselined(project)
    form = MilestoneForm(request.POST or None, instance=milestone, project=project, baseline_locked=locked)
    if request.method == "POST" and form.is_valid():
        try:
            services_plan.milestone_save(project=project, milestone=milestone, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Milestone saved."))
            return redirect("projects:plan", code=code)
    title = _("Edit milestone") if milestone else _("New milestone")
    extra = {"title": title}
    if milestone is not None:
        extra["history"] = history_entries(milestone.history.all(), MILESTONE_HISTORY_FIELDS)
    return edit_page(request, membership, form, "projects/core/plan_form.html", extra)


@require_POST
def baseline_set(request, code):
    membership = get_membership_for(request, code, Capability.PLAN_EDIT)
    form = BaselineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for the baseline."))
        return redirect("projects:plan", code=code)
    try:
        services_plan.baseline_set_initial(
            project=membership.project, approved_by=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Baseline version 1 set. From now on the plan changes only by rebaselining."))
    return redirect("projects:plan", code=code)


def baseline_compare(request, code):
    membership = get_membership_for(request, code, Capability.PLAN_VIEW)
    project = membership.project
    versions = list(PlanBaseline.objects.filter(project=project).select_related("approved_by"))
    context = {
        "project": project,
        "membership": membership,
        "can_see_budget": membership.can(Capability.BUDGET_VIEW),
        **selectors.baseline_comparison(project, versions),
    }
    return render(request, "projects/plan/baseline_compare.html", context)


def rebaseline_create(request, code):
    membership = get_membership_for(request, code, Capability.PLAN_EDIT)
    project = membership.project
    form = RebaselineRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rebaseline = services_plan.rebaseline_request_create(
                project=project, requested_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Rebaseline request sent for a decision."))
            return redirect("projects:rebaseline_detail", code=code, pk=rebaseline.pk)
    overview = selectors.plan_overview(project)
    return edit_page(
        request, membership, form, "projects/plan/rebaseline_form.html", {"milestones": overview["milestones"]}
    )


def _rebaseline_page(request, membership, rebaseline, form, status=200):
    context = {
        "project": membership.project,
        "membership": membership,
        "rebaseline": rebaseline,
        "can_approve": membership.can(Capability.REBASELINE_APPROVE),
        "can_review": membership.can(Capability.SETBACKS_MANAGE),
        "can_see_budget": membership.can(Capability.BUDGET_VIEW),
        "proposed_budget": [
            {**row, "label": BudgetLine.Category(row["category"]).label}
            for row in rebaseline.proposal.get("budget", [])
            if row["category"] in BudgetLine.Category.values
        ],
        "form": form,
    }
    return render(request, "projects/plan/rebaseline_detail.html", context, status=status)


def rebaseline_detail(request, code, pk):
    membership = get_membership_for(request, code, Capability.PLAN_VIEW)
    rebaseline = get_object_or_404(
        RebaselineRequest.objects.select_related("requested_by", "decided_by", "baseline"),
        pk=pk,
        project=membership.project,
    )
    return _rebaseline_page(request, membership, rebaseline, ApprovalForm())


@require_POST
def rebaseline_decide(request, code, pk):
    membership = get_membership_for(request, code, Capability.REBASELINE_APPROVE)
    rebaseline = get_object_or_404(
        RebaselineRequest.objects.select_related("requested_by", "decided_by", "baseline"),
        pk=pk,
        project=membership.project,
    )
    form = ApprovalForm(request.POST)
    if form.is_valid():
        try:
            services_plan.rebaseline_decide(request=rebaseline, decided_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("projects:rebaseline_detail", code=code, pk=pk)
    return _rebaseline_page(request, membership, rebaseline, form, status=400)


# --- Budget ---------------------------------------------------------------------------------------


def budget(request, code):
    membership = get_membership_for(request, code, Capability.BUDGET_VIEW)
    project = membership.project
    context = {
        "project": project,
        "membership": membership,
        "can_edit": membership.can(Capability.PLAN_EDIT),
        **selectors.budget_overview(project),
        "history": history_entries(
            BudgetLine.history.filter(project_id=project.pk),
            BUDGET_HISTORY_FIELDS,
            label=lambda record: record.get_category_display(),
        ),
    }
    return render(request, "projects/plan/budget.html", context)


def budget_edit(request, code):
    membership = get_membership_for(request, code, Capability.PLAN_EDIT)
    if not membership.can(Capability.BUDGET_VIEW):
        raise Http404
    project = membership.project
    lines = selectors.budget_overview(project)["lines"]
    form = BudgetForm(request.POST or None, lines=lines, baseline_locked=services_plan.is_baselined(project))
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            services_plan.budget_update(project=project, lines=form.cleaned_data, by=request.user)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Budget saved."))
            return redirect("projects:budget", code=code)
    context = {"project": project, "membership": membership, "form": form, "errors": errors}
    status = 400 if request.method == "POST" else 200
    return render(request, "projects/plan/budget_form.html", context, status=status)
