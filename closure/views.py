"""Pages of closure: resolve the member's access, validate, call a service, redirect or render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects.core.forms import add_errors
from projects.core.models import Membership, Project
from projects.permissions import Capability, get_membership_for
from projects.reporting.pdf import document_pdf

from . import forms, services
from .gates import closure_state
from .models import Closure, ClosureItem, ImprovementItem, Sop
from .report import end_report


def _status(form) -> int:
    return 400 if form.errors else 200


def _closure(request, code, capability=Capability.CLOSURE_VIEW):
    """The membership and the project's closure; 404 until closure has been started."""
    membership = get_membership_for(request, code, capability)
    closure = Closure.objects.filter(project=membership.project).select_related("project", "successor").first()
    if closure is None:
        raise Http404
    return membership, closure


def _page(request, membership, template, context, status=200):
    return render(
        request, template, {"project": membership.project, "membership": membership, **context}, status=status
    )


def _form_page(request, membership, form, title, back, status=None):
    return _page(
        request,
        membership,
        "closure/form.html",
        {"form": form, "title": title, "back": back},
        status=status if status is not None else _status(form),
    )


def _error_back(request, error: ValidationError, to: str, **kwargs):
    messages.error(request, " ".join(error.messages))
    return redirect(to, **kwargs)


# --- The checklist --------------------------------------------------------------------------------


def overview(request, code):
    membership = get_membership_for(request, code, Capability.CLOSURE_VIEW)
    return _render_overview(request, membership)


def _render_overview(
    request, membership, *, successor_form=None, waiver_form=None, refuse_form=None, sign_form=None, reopen_form=None
):
    """The checklist; a refused form comes back bound, with its errors and what was typed (400)."""
    project = membership.project
    state = closure_state(project)
    waiver_forms = {gate.gate: forms.WaiverForm(initial={"gate": gate.gate}) for gate in state.gates}
    if waiver_form is not None and waiver_form.data.get("gate") in waiver_forms:
        waiver_forms[waiver_form.data["gate"]] = waiver_form
    refuse_forms = {gate.gate: forms.RefuseWaiverForm(initial={"gate": gate.gate}) for gate in state.gates}
    if refuse_form is not None and refuse_form.data.get("gate") in refuse_forms:
        refuse_forms[refuse_form.data["gate"]] = refuse_form
    failed = waiver_form if waiver_form is not None else refuse_form
    context = {
        "state": state,
        "can_manage": membership.can(Capability.CLOSURE_MANAGE),
        "can_sign": membership.can(Capability.CLOSURE_SIGN),
        "can_reopen": project.status == Project.Status.CLOSED and services.may_reopen(request.user, project),
        "successor_form": successor_form
        or (forms.SuccessorForm(instance=state.closure, project=project) if state.closure else None),
        "waiver_forms": waiver_forms,
        "refuse_forms": refuse_forms,
        "failed_gate": failed.data.get("gate") if failed is not None else None,
        "failed_errors": failed.non_field_errors() if failed is not None else [],
        "sign_form": sign_form or forms.SignForm(),
        "reopen_form": reopen_form or forms.ReopenForm(),
        "reopenings": state.closure.reopenings.select_related("reopened_by") if state.closure else [],
    }
    forms_sent = (successor_form, waiver_form, refuse_form, sign_form, reopen_form)
    refused = any(form is not None and form.errors for form in forms_sent)
    return _page(request, membership, "closure/overview.html", context, status=400 if refused else 200)


@require_POST
def start(request, code):
    membership = get_membership_for(request, code, Capability.CLOSURE_MANAGE)
    try:
        services.closure_start(project=membership.project, by=request.user)
    except ValidationError as error:
        return _error_back(request, error, "closure:overview", code=code)
    messages.success(request, _("Closure started: the outstanding items have been compiled from the data."))
    return redirect("closure:overview", code=code)


@require_POST
def successor_set(request, code):
    membership, closure = _closure(request, code, Capability.CLOSURE_MANAGE)
    form = forms.SuccessorForm(request.POST, instance=Closure.objects.get(pk=closure.pk), project=closure.project)
    if form.is_valid():
        try:
            services.closure_set_successor(closure=closure, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
    if form.errors:
        return _render_overview(request, membership, successor_form=form)
    messages.success(request, _("Successor saved."))
    return redirect("closure:overview", code=code)


@require_POST
def waive(request, code):
    membership, closure = _closure(request, code, Capability.CLOSURE_SIGN)
    form = forms.WaiverForm(request.POST)
    if form.is_valid():
        try:
            services.gate_waive(closure=closure, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
    if form.errors:
        return _render_overview(request, membership, waiver_form=form)
    messages.success(request, _("Gate waived."))
    return redirect("closure:overview", code=code)


@require_POST
def waiver_request(request, code):
    """The PM asks the sponsor to waive a gate (issue 16)."""
    membership, closure = _closure(request, code, Capability.CLOSURE_MANAGE)
    form = forms.WaiverForm(request.POST)
    if form.is_valid():
        try:
            services.gate_waiver_request(closure=closure, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
    if form.errors:
        return _render_overview(request, membership, waiver_form=form)
    messages.success(request, _("Waiver requested: the sponsor has been told."))
    return redirect("closure:overview", code=code)


@require_POST
def waiver_refuse(request, code):
    membership, closure = _closure(request, code, Capability.CLOSURE_SIGN)
    form = forms.RefuseWaiverForm(request.POST)
    if form.is_valid():
        try:
            services.gate_waiver_refuse(
                closure=closure, gate=form.cleaned_data["gate"], note=form.cleaned_data["note"], by=request.user
            )
        except ValidationError as error:
            add_errors(form, error)
    if form.errors:
        return _render_overview(request, membership, refuse_form=form)
    messages.success(request, _("Waiver refused."))
    return redirect("closure:overview", code=code)


def reopen(request, code):
    """Reopen a closed project: its sponsor, or a site administrator who need not be a member."""
    if request.user.is_superuser:
        project = get_object_or_404(Project, code=code)
        membership = Membership.objects.current().filter(user=request.user, project=project).first()
    else:
        membership = get_membership_for(request, code, Capability.CLOSURE_REOPEN)
        project = membership.project
    form = forms.ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.closure_reopen(project=project, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("The project is reopened: it is in closure again, and every member is told."))
            if membership is None:
                return redirect(reverse("admin:projects_project_change", args=[project.pk]))
            return redirect("closure:overview", code=code)
    context = {"project": project, "membership": membership, "form": form}
    return render(request, "closure/reopen.html", context, status=_status(form))


@require_POST
def sign(request, code):
    membership, closure = _closure(request, code, Capability.CLOSURE_SIGN)
    form = forms.SignForm(request.POST)
    if form.is_valid():
        try:
            services.closure_sign(closure=closure, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_errors(form, error)
    if form.errors:
        return _render_overview(request, membership, sign_form=form)
    messages.success(request, _("Accepted. The project is closed and stays readable for its members."))
    return redirect("closure:report", code=code)


# --- SOPs -----------------------------------------------------------------------------------------


def sops(request, code):
    membership, _closure_row = _closure(request, code)
    state = closure_state(membership.project)
    context = {
        "state": state,
        "gate": state.gate("sops"),
        "can_manage": membership.can(Capability.CLOSURE_MANAGE),
        "can_confirm": membership.can(Capability.CLOSURE_CONFIRM),
        "my_department": membership.department,
    }
    return _page(request, membership, "closure/sops.html", context)


def sop_edit(request, code, pk=None):
    membership, closure = _closure(request, code, Capability.CLOSURE_MANAGE)
    sop = get_object_or_404(Sop, pk=pk, project=closure.project) if pk else None
    form = forms.SopForm(request.POST or None, instance=sop, project=closure.project)
    if request.method == "POST" and form.is_valid():
        try:
            services.sop_save(project=closure.project, sop=sop, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Procedure saved."))
            return redirect("closure:sops", code=code)
    return _form_page(request, membership, form, _("Edit procedure") if sop else _("New procedure"), "closure:sops")


@require_POST
def sop_confirm(request, code, pk):
    _membership, closure = _closure(request, code, Capability.CLOSURE_CONFIRM)
    sop = get_object_or_404(Sop.objects.select_related("project"), pk=pk, project=closure.project)
    form = forms.ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the department you confirm for."))
        return redirect("closure:sops", code=code)
    try:
        services.sop_confirm(sop=sop, department=form.cleaned_data["department"], by=request.user)
    except ValidationError as error:
        return _error_back(request, error, "closure:sops", code=code)
    messages.success(request, _("Confirmed."))
    return redirect("closure:sops", code=code)


# --- Outstanding items and the threads with the consultant -------------------------------------------


def items(request, code):
    membership, _closure_row = _closure(request, code)
    state = closure_state(membership.project)
    context = {
        "state": state,
        "gate": state.gate("outstanding"),
        "can_manage": membership.can(Capability.CLOSURE_MANAGE),
    }
    return _page(request, membership, "closure/items.html", context)


@require_POST
def items_compile(request, code):
    _membership, closure = _closure(request, code, Capability.CLOSURE_MANAGE)
    try:
        added = services.outstanding_compile(project=closure.project, by=request.user)
    except ValidationError as error:
        return _error_back(request, error, "closure:items", code=code)
    messages.success(request, _("%(count)s item(s) added from the data.") % {"count": added})
    return redirect("closure:items", code=code)


def item_edit(request, code, pk=None):
    membership, closure = _closure(request, code, Capability.CLOSURE_MANAGE)
    item = (
        get_object_or_404(ClosureItem.objects.exclude(kind=ClosureItem.Kind.GAP), pk=pk, project=closure.project)
        if pk
        else None
    )
    form = forms.ItemForm(request.POST or None, instance=item, project=closure.project)
    if request.method == "POST" and form.is_valid():
        try:
            services.closure_item_save(project=closure.project, by=request.user, item=item, **form.service_fields())
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Item saved."))
            return redirect("closure:items", code=code)
    title = _("Edit outstanding item") if item else _("Special or rare process")
    return _form_page(request, membership, form, title, "closure:items")


def _item(request, code, pk, capability=Capability.CLOSURE_VIEW):
    membership, closure = _closure(request, code, capability)
    item = get_object_or_404(
        ClosureItem.objects.select_related("project", "owner", "resolved_by"), pk=pk, project=closure.project
    )
    return membership, closure, item


def _may_discuss(membership, closure, item) -> bool:
    """The PM and the consultant; on a gap, the successor too."""
    if membership.can(Capability.CLOSURE_MANAGE) or membership.can(Capability.CLOSURE_REVIEW):
        return True
    writes = membership.can(Capability.CLOSURE_CONTRIBUTE)
    return writes and item.kind == ClosureItem.Kind.GAP and closure.successor_id == membership.user_id


def _may_resolve(membership, closure, item) -> bool:
    if item.kind == ClosureItem.Kind.GAP:
        return membership.can(Capability.CLOSURE_CONTRIBUTE) and closure.successor_id == membership.user_id
    return membership.can(Capability.CLOSURE_MANAGE)


def _render_item(request, membership, closure, item, form=None, status=200):
    context = {
        "item": item,
        "closure": closure,
        "thread": item.messages.select_related("author"),
        "form": form or forms.MessageForm(),
        "can_discuss": _may_discuss(membership, closure, item) and item.needs_consultant and not item.resolved_at,
        "can_resolve": _may_resolve(membership, closure, item) and item.needs_consultant and not item.resolved_at,
        "back": "closure:assessment" if item.kind == ClosureItem.Kind.GAP else "closure:items",
    }
    return _page(request, membership, "closure/item_detail.html", context, status=status)


def item_detail(request, code, pk):
    membership, closure, item = _item(request, code, pk)
    return _render_item(request, membership, closure, item)


@require_POST
def item_message(request, code, pk):
    membership, closure, item = _item(request, code, pk, Capability.CLOSURE_CONTRIBUTE)
    if not _may_discuss(membership, closure, item):
        raise PermissionDenied
    form = forms.MessageForm(request.POST)
    if form.is_valid():
        try:
            services.item_message_add(
                item=item,
                author=request.user,
                text=form.cleaned_data["text"],
                from_consultant=membership.can(Capability.CLOSURE_REVIEW),
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            return redirect(item)
    return _render_item(request, membership, closure, item, form=form, status=400)


@require_POST
def item_resolve(request, code, pk):
    membership, closure, item = _item(request, code, pk, Capability.CLOSURE_CONTRIBUTE)
    if not _may_resolve(membership, closure, item):
        raise PermissionDenied
    try:
        services.item_resolve(item=item, by=request.user)
    except ValidationError as error:
        return _error_back(request, error, "closure:item_detail", code=code, pk=pk)
    messages.success(request, _("Resolved with the consultant."))
    return redirect(item)


# --- The successor's self-assessment --------------------------------------------------------------


def assessment(request, code):
    membership, closure = _closure(request, code)
    is_successor = closure.successor_id == request.user.pk and membership.can(Capability.CLOSURE_CONTRIBUTE)
    if request.method == "POST" and not is_successor:
        raise PermissionDenied
    state = closure_state(closure.project)
    form = forms.AssessmentForm(request.POST or None, scores=state.scores) if is_successor else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            added = services.self_assessment_submit(
                closure=closure, by=request.user, scores=form.scores(), gaps=form.cleaned_data["gaps"]
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("Self-assessment saved; %(count)s point(s) to resolve with the consultant.") % {"count": len(added)},
            )
            return redirect("closure:assessment", code=code)
    context = {"state": state, "gate": state.gate("successor"), "form": form, "areas": state.score_rows}
    return _page(request, membership, "closure/assessment.html", context, status=_status(form) if form else 200)


# --- The improvement plan ---------------------------------------------------------------------------


def improvement(request, code):
    membership, closure = _closure(request, code)
    return _render_improvement(request, membership, closure)


def _render_improvement(request, membership, closure, review_form=None):
    state = closure_state(closure.project)
    context = {
        "state": state,
        "closure": state.closure,
        "gate": state.gate("improvement"),
        "comments": state.plan_comments(),
        "can_manage": membership.can(Capability.CLOSURE_MANAGE),
        "review_form": review_form or (forms.ReviewForm() if membership.can(Capability.CLOSURE_REVIEW) else None),
    }
    status = 400 if review_form is not None and review_form.errors else 200
    return _page(request, membership, "closure/improvement.html", context, status=status)


def improvement_edit(request, code, pk=None):
    membership, closure = _closure(request, code, Capability.CLOSURE_MANAGE)
    item = get_object_or_404(ImprovementItem, pk=pk, project=closure.project) if pk else None
    form = forms.ImprovementForm(request.POST or None, instance=item, project=closure.project)
    if request.method == "POST" and form.is_valid():
        try:
            services.improvement_save(project=closure.project, item=item, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Improvement saved; the consultant reviews the plan again."))
            return redirect("closure:improvement", code=code)
    title = _("Edit improvement") if item else _("New improvement")
    return _form_page(request, membership, form, title, "closure:improvement")


@require_POST
def improvement_review(request, code):
    membership, closure = _closure(request, code, Capability.CLOSURE_REVIEW)
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.improvement_review(closure=closure, author=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
    if form.errors:
        return _render_improvement(request, membership, closure, review_form=form)
    messages.success(request, _("Review saved."))
    return redirect("closure:improvement", code=code)


# --- The end-project report and the lessons log -------------------------------------------------------


def report(request, code):
    membership = get_membership_for(request, code, Capability.CLOSURE_VIEW)
    context = {
        **end_report(membership.project),
        "can_log": membership.can(Capability.CLOSURE_CONTRIBUTE),
    }
    return _page(request, membership, "closure/report.html", context)


def report_pdf(request, code):
    membership = get_membership_for(request, code, Capability.CLOSURE_VIEW)
    project = membership.project
    pdf = document_pdf("closure/report_pdf.html", end_report(project), project=project, language=get_language())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{project.code}-end-project-report.pdf"'
    return response


def lesson_create(request, code):
    membership = get_membership_for(request, code, Capability.CLOSURE_CONTRIBUTE)
    form = forms.LessonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.lesson_add(project=membership.project, logged_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Lesson logged."))
            return redirect("closure:report", code=code)
    return _form_page(request, membership, form, _("Log a lesson"), "closure:report")
