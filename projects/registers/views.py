import mimetypes

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects.core.forms import add_errors
from projects.core.views import edit_page
from projects.permissions import Capability, get_membership_for
from projects.plan.history import history_entries
from projects.registers import exports, selectors
from projects.registers import services as services_registers
from projects.registers.forms import (
    AttendanceForm,
    RequirementDocumentForm,
    RequirementVersionForm,
    RiskForm,
    SetbackActionForm,
    SetbackReviewForm,
    TrainingSessionForm,
)
from projects.registers.models import RequirementDocument, RequirementVersion, Risk, SetbackReview, TrainingSession

# --- Risks ----------------------------------------------------------------------------------------

RISK_HISTORY_FIELDS = [
    "title",
    "description",
    "probability",
    "impact",
    "response",
    "mitigation",
    "trigger",
    "proximity",
    "status",
]


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
    return render(request, "projects/registers/risks.html", context)


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
            services_registers.risk_save(project=project, risk=risk, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Risk saved."))
            return redirect("projects:risks", code=code)
    title = _("Edit risk") if risk else _("New risk")
    extra = {"title": title, "back": "projects:risks"}
    if risk is not None:
        extra["history"] = history_entries(risk.history.all(), RISK_HISTORY_FIELDS)
    return edit_page(request, membership, form, "projects/core/plan_form.html", extra)


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
    return render(request, "projects/registers/requirements.html", context)


def requirement_create(request, code):
    membership = get_membership_for(request, code, Capability.REQUIREMENTS_UPLOAD)
    form = RequirementDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services_registers.requirement_document_create(
            project=membership.project, uploaded_by=request.user, **form.cleaned_data
        )
        messages.success(request, _("Document uploaded as version 1."))
        return redirect("projects:requirements", code=code)
    return edit_page(
        request,
        membership,
        form,
        "projects/core/plan_form.html",
        {"title": _("New requirement document"), "back": "projects:requirements", "multipart": True},
    )


def requirement_version_upload(request, code, pk):
    membership = get_membership_for(request, code, Capability.REQUIREMENTS_UPLOAD)
    document = get_object_or_404(RequirementDocument, pk=pk, project=membership.project)
    form = RequirementVersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        version = services_registers.requirement_version_upload(
            document=document, uploaded_by=request.user, **form.cleaned_data
        )
        messages.success(request, _("Version %(number)s uploaded.") % {"number": version.number})
        return redirect("projects:requirements", code=code)
    title = _("New version of “%(title)s”") % {"title": document.title}
    return edit_page(
        request,
        membership,
        form,
        "projects/core/plan_form.html",
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
        services_registers.requirement_version_sign(version=version, signed_by=request.user)
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
    return render(request, "projects/registers/training.html", context)


def training_edit(request, code, pk=None):
    membership = get_membership_for(request, code, Capability.TRAINING_MANAGE)
    project = membership.project
    session = get_object_or_404(TrainingSession, pk=pk, project=project) if pk else None
    form = TrainingSessionForm(request.POST or None, instance=session, project=project)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services_registers.training_session_save(
                project=project, session=session, audience_people=data.pop("audience_people"), **data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Training session saved."))
            return redirect("projects:training", code=code)
    title = _("Edit training session") if session else _("New training session")
    return edit_page(
        request, membership, form, "projects/core/plan_form.html", {"title": title, "back": "projects:training"}
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
            services_registers.training_attendance_record(session=session, users=form.cleaned_data["attendees"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Attendance recorded."))
            return redirect("projects:training", code=code)
    title = _("Attendance: %(topic)s") % {"topic": session.topic}
    return edit_page(
        request, membership, form, "projects/core/plan_form.html", {"title": title, "back": "projects:training"}
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
    return render(request, "projects/registers/setbacks.html", context)


def setback_create(request, code):
    membership = get_membership_for(request, code, Capability.SETBACKS_MANAGE)
    project = membership.project
    # Linked from a missed milestone or an approved rebaseline: start from it.
    initial = {key: request.GET[key] for key in ("milestone", "rebaseline") if request.GET.get(key, "").isdigit()}
    form = SetbackReviewForm(request.POST or None, project=project, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            review = services_registers.setback_review_create(
                project=project, created_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Review saved. Add the corrective and preventive actions, then send it."))
            return redirect("projects:setback_detail", code=code, pk=review.pk)
    return edit_page(
        request,
        membership,
        form,
        "projects/core/plan_form.html",
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
    return render(request, "projects/registers/setback_detail.html", context, status=status)


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
            services_registers.setback_action_add(review=review, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Action added."))
            return redirect("projects:setback_detail", code=code, pk=pk)
    return _setback_page(request, membership, review, form, status=400)


@require_POST
def setback_send(request, code, pk):
    membership = get_membership_for(request, code, Capability.SETBACKS_MANAGE)
    review = _review_for(membership, pk)
    try:
        services_registers.setback_review_send(review=review)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The review has been sent to the team and the affected users."))
    return redirect("projects:setback_detail", code=code, pk=pk)
