"""Pages of the plan and its registers: resolve the member's access, validate, call a service."""

import mimetypes

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import exports, selectors, services_plan
from .forms_plan import (
    ApprovalForm,
    AttendanceForm,
    BaselineForm,
    BudgetForm,
    MilestoneForm,
    PhaseForm,
    RebaselineRequestForm,
    RequirementDocumentForm,
    RequirementVersionForm,
    RiskForm,
    SetbackActionForm,
    SetbackReviewForm,
    TrainingSessionForm,
)
from .models import (
    BudgetLine,
    Milestone,
    Phase,
    PlanBaseline,
    RebaselineRequest,
    RequirementDocument,
    RequirementVersion,
    Risk,
    SetbackReview,
    TrainingSession,
)
from .permissions import Capability, get_membership_for


def _status(form) -> int:
    return 400 if form.errors else 200


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


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
    return render(request, "projects/plan.html", context)


def _edit_page(request, membership, form, template, extra=None, status=None):
    context = {"project": membership.project, "membership": membership, "form": form, **(extra or {})}
    return render(request, template, context, status=status if status is not None else _status(form))


def phase_edit(request, code, pk=None):
    membership = get_membership_for(request, code, Capability.PLAN_EDIT)
    phase = get_object_or_404(Phase, pk=pk, project=membership.project) if pk else None
    form = PhaseForm(request.POST or None, instance=phase)
    if request.method == "POST" and form.is_valid():
        try:
            services_plan.phase_save(project=membership.project, phase=phase, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Phase saved."))
            return redirect("projects:plan", code=code)
    title = _("Edit phase") if phase else _("New phase")
    return _edit_page(request, membership, form, "projects/plan_form.html", {"title": title})


def milestone_edit(request, code, pk=None):
    membership = get_membership_for(request, code, Capability.PLAN_EDIT)
    project = membership.project
    milestone = get_object_or_404(Milestone, pk=pk, project=project) if pk else None
    locked = milestone is not None and services_plan.is_baselined(project)
    form = MilestoneForm(request.POST or None, instance=milestone, project=project, baseline_locked=locked)
    if request.method == "POST" and form.is_valid():
        try:
            services_plan.milestone_save(project=project, milestone=milestone, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Milestone saved."))
            return redirect("projects:plan", code=code)
    title = _("Edit milestone") if milestone else _("New milestone")
    return _edit_page(request, membership, form, "projects/plan_form.html", {"title": title})


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
    return render(request, "projects/baseline_compare.html", context)


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
            _add_errors(form, error)
        else:
            messages.success(request, _("Rebaseline request sent for a decision."))
            return redirect("projects:rebaseline_detail", code=code, pk=rebaseline.pk)
    overview = selectors.plan_overview(project)
    return _edit_page(
        request, membership, form, "projects/rebaseline_form.html", {"milestones": overview["milestones"]}
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
    return render(request, "projects/rebaseline_detail.html", context, status=status)


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
            form.add_error(None, error)
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
    }
    return render(request, "projects/budget.html", context)


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
            services_plan.budget_update(project=project, lines=form.cleaned_data)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Budget saved."))
            return redirect("projects:budget", code=code)
    context = {"project": project, "membership": membership, "form": form, "errors": errors}
    status = 400 if request.method == "POST" else 200
    return render(request, "projects/budget_form.html", context, status=status)


# --- Risks ----------------------------------------------------------------------------------------


def risks(request, code):
    membership = get_membership_for(request, code, Capability.RISKS_VIEW)
    project = membership.project
    rows = list(Risk.objects.filter(project=project).select_related("owner"))
    context = {
        "project": project,
        "membership": membership,
        "risks": rows,
        "heat_map": selectors.risk_heat_map(rows),
        "can_edit": membership.can(Capability.RISKS_EDIT),
    }
    return render(request, "projects/risks.html", context)


def risks_export(request, code, fmt):
    membership = get_membership_for(request, code, Capability.RISKS_VIEW)
    return exports.risks_export(membership.project, fmt)


def risk_edit(request, code, pk=None):
    membership = get_membership_for(request, code, Capability.RISKS_EDIT)
    project = membership.project
    risk = get_object_or_404(Risk, pk=pk, project=project) if pk else None
    form = RiskForm(request.POST or None, instance=risk, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            services_plan.risk_save(project=project, risk=risk, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Risk saved."))
            return redirect("projects:risks", code=code)
    title = _("Edit risk") if risk else _("New risk")
    return _edit_page(request, membership, form, "projects/plan_form.html", {"title": title, "back": "projects:risks"})


# --- Requirements sign-off ------------------------------------------------------------------------


def requirements(request, code):
    membership = get_membership_for(request, code, Capability.REQUIREMENTS_VIEW)
    project = membership.project
    documents = list(
        RequirementDocument.objects.filter(project=project).prefetch_related(
            "versions__uploaded_by", "versions__signed_by"
        )
    )
    context = {
        "project": project,
        "membership": membership,
        "documents": documents,
        "can_upload": membership.can(Capability.REQUIREMENTS_UPLOAD),
        "can_sign": membership.can(Capability.REQUIREMENTS_SIGN),
        "version_form": RequirementVersionForm(),
    }
    return render(request, "projects/requirements.html", context)


def requirement_create(request, code):
    membership = get_membership_for(request, code, Capability.REQUIREMENTS_UPLOAD)
    form = RequirementDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services_plan.requirement_document_create(
            project=membership.project, uploaded_by=request.user, **form.cleaned_data
        )
        messages.success(request, _("Document uploaded as version 1."))
        return redirect("projects:requirements", code=code)
    return _edit_page(
        request,
        membership,
        form,
        "projects/plan_form.html",
        {"title": _("New requirement document"), "back": "projects:requirements", "multipart": True},
    )


def requirement_version_upload(request, code, pk):
    membership = get_membership_for(request, code, Capability.REQUIREMENTS_UPLOAD)
    document = get_object_or_404(RequirementDocument, pk=pk, project=membership.project)
    form = RequirementVersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        version = services_plan.requirement_version_upload(
            document=document, uploaded_by=request.user, **form.cleaned_data
        )
        messages.success(request, _("Version %(number)s uploaded.") % {"number": version.number})
        return redirect("projects:requirements", code=code)
    title = _("New version of “%(title)s”") % {"title": document.title}
    return _edit_page(
        request,
        membership,
        form,
        "projects/plan_form.html",
        {"title": title, "back": "projects:requirements", "multipart": True},
    )


def _version_for(membership, pk):
    return get_object_or_404(
        RequirementVersion.objects.select_related("document"), pk=pk, document__project=membership.project
    )


@require_POST
def requirement_version_sign(request, code, pk):
    membership = get_membership_for(request, code, Capability.REQUIREMENTS_SIGN)
    version = _version_for(membership, pk)
    try:
        services_plan.requirement_version_sign(version=version, signed_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Signed: version %(number)s is now frozen.") % {"number": version.number})
    return redirect("projects:requirements", code=code)


def requirement_version_file(request, code, pk):
    """Files only for members, through this check: never a public media URL."""
    membership = get_membership_for(request, code, Capability.REQUIREMENTS_VIEW)
    version = _version_for(membership, pk)
    try:
        handle = version.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    content_type = mimetypes.guess_type(version.filename)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=version.filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Training -------------------------------------------------------------------------------------


def training(request, code):
    membership = get_membership_for(request, code, Capability.TRAINING_VIEW)
    project = membership.project
    context = {
        "project": project,
        "membership": membership,
        "can_manage": membership.can(Capability.TRAINING_MANAGE),
        **selectors.training_overview(project),
    }
    return render(request, "projects/training.html", context)


def training_edit(request, code, pk=None):
    membership = get_membership_for(request, code, Capability.TRAINING_MANAGE)
    project = membership.project
    session = get_object_or_404(TrainingSession, pk=pk, project=project) if pk else None
    form = TrainingSessionForm(request.POST or None, instance=session, project=project)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services_plan.training_session_save(
                project=project, session=session, audience_people=data.pop("audience_people"), **data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Training session saved."))
            return redirect("projects:training", code=code)
    title = _("Edit training session") if session else _("New training session")
    return _edit_page(
        request, membership, form, "projects/plan_form.html", {"title": title, "back": "projects:training"}
    )


def training_attendance(request, code, pk):
    membership = get_membership_for(request, code, Capability.TRAINING_MANAGE)
    session = get_object_or_404(TrainingSession, pk=pk, project=membership.project)
    people = selectors.training_required_people(session)
    form = AttendanceForm(
        request.POST or None,
        people=people,
        initial={"attendees": list(session.attendance.values_list("user_id", flat=True))},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_plan.training_attendance_record(session=session, users=form.cleaned_data["attendees"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Attendance recorded."))
            return redirect("projects:training", code=code)
    title = _("Attendance: %(topic)s") % {"topic": session.topic}
    return _edit_page(
        request, membership, form, "projects/plan_form.html", {"title": title, "back": "projects:training"}
    )


# --- Setback reviews ------------------------------------------------------------------------------


def setbacks(request, code):
    membership = get_membership_for(request, code, Capability.SETBACKS_VIEW)
    project = membership.project
    reviews = list(
        SetbackReview.objects.filter(project=project).select_related("created_by", "milestone", "rebaseline")
    )
    context = {
        "project": project,
        "membership": membership,
        "reviews": reviews,
        "can_manage": membership.can(Capability.SETBACKS_MANAGE),
    }
    return render(request, "projects/setbacks.html", context)


def setback_create(request, code):
    membership = get_membership_for(request, code, Capability.SETBACKS_MANAGE)
    project = membership.project
    # Linked from a missed milestone or an approved rebaseline: start from it.
    initial = {key: request.GET[key] for key in ("milestone", "rebaseline") if request.GET.get(key, "").isdigit()}
    form = SetbackReviewForm(request.POST or None, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            review = services_plan.setback_review_create(project=project, created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Review saved. Add the corrective and preventive actions, then send it."))
            return redirect("projects:setback_detail", code=code, pk=review.pk)
    return _edit_page(
        request,
        membership,
        form,
        "projects/plan_form.html",
        {"title": _("New setback review"), "back": "projects:setbacks"},
    )


def _setback_page(request, membership, review, action_form, status=200):
    context = {
        "project": membership.project,
        "membership": membership,
        "review": review,
        "actions": list(review.actions.select_related("owner")),
        "affected": list(review.affected_users.order_by("full_name")),
        "can_manage": membership.can(Capability.SETBACKS_MANAGE),
        "action_form": action_form,
    }
    return render(request, "projects/setback_detail.html", context, status=status)


def _review_for(membership, pk):
    return get_object_or_404(
        SetbackReview.objects.select_related("created_by", "milestone", "rebaseline"), pk=pk, project=membership.project
    )


def setback_detail(request, code, pk):
    membership = get_membership_for(request, code, Capability.SETBACKS_VIEW)
    review = _review_for(membership, pk)
    return _setback_page(request, membership, review, SetbackActionForm(project=membership.project))


@require_POST
def setback_action_add(request, code, pk):
    membership = get_membership_for(request, code, Capability.SETBACKS_MANAGE)
    review = _review_for(membership, pk)
    form = SetbackActionForm(request.POST, project=membership.project)
    if form.is_valid():
        try:
            services_plan.setback_action_add(review=review, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Action added."))
            return redirect("projects:setback_detail", code=code, pk=pk)
    return _setback_page(request, membership, review, form, status=400)


@require_POST
def setback_send(request, code, pk):
    membership = get_membership_for(request, code, Capability.SETBACKS_MANAGE)
    review = _review_for(membership, pk)
    try:
        services_plan.setback_review_send(review=review)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The review has been sent to the team and the affected users."))
    return redirect("projects:setback_detail", code=code, pk=pk)
