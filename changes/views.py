from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from issues.models import Issue
from projects.core.forms import add_errors
from projects.core.paging import paginate
from projects.core.spreadsheets import MAX_ROWS, csv_response, xlsx_response
from projects.permissions import Capability, get_membership_for
from projects.workflow import step_forms, take_step

from . import forms, services
from .models import ChangeRequest
from .transitions import TRANSITIONS

S = ChangeRequest.Status


def _changes(membership):
    return ChangeRequest.objects.filter(project=membership.project).select_related(
        "project", "requester", "selected_option"
    )


def _filtered(request, membership):
    changes = _changes(membership).order_by("-created_at", "-id")
    status = request.GET.get("status", "")
    if status in S.values:
        changes = changes.filter(status=status)
    query = request.GET.get("q", "").strip()
    if query:
        changes = changes.filter(title__icontains=query)
    return changes


# The columns a list row shows: the rest of each change (texts, other people) stays in the database.
LIST_COLUMNS = ("number", "title", "status", "requester__full_name", "selected_option__cost_estimate")


def _word_rows(changes: list[ChangeRequest], project_code: str, status_labels: dict[str, str]) -> None:
    """Word each row's reference and status once per page, not per cell in the template
    (`get_status_display` translates every choice on each call)."""
    for change in changes:
        change.row_reference = f"{project_code}-CR{change.number:03d}"
        change.status_label = status_labels.get(change.status, change.status)


def change_list(request, code):
    """The pipeline (count and value by state) and the filterable list."""
    membership = get_membership_for(request, code, Capability.PROJECT_VIEW)
    project = membership.project
    status_labels = {value: str(label) for value, label in S.choices}
    by_status = {
        row["status"]: row
        for row in ChangeRequest.objects.filter(project=project)
        .values("status")
        .annotate(count=Count("id"), value=Sum("selected_option__cost_estimate"))
    }
    pipeline = [
        {"status": status, "label": status_labels[status], **by_status.get(status, {"count": 0, "value": None})}
        for status in ChangeRequest.PIPELINE
    ]
    rows = _filtered(request, membership).select_related(None).select_related("requester", "selected_option")
    page = paginate(request, rows.only(*LIST_COLUMNS))
    _word_rows(page.object_list, project.code, status_labels)
    context = {
        "project": project,
        "membership": membership,
        "pipeline": pipeline,
        "page": page,
        "statuses": list(status_labels.items()),
        "can_request": membership.can(Capability.CHANGES_REQUEST),
    }
    return render(request, "changes/change_list.html", context)


def _columns():
    return [
        (_("Number"), lambda c: c.reference),
        (_("Title"), lambda c: c.title),
        (_("Status"), lambda c: c.get_status_display()),
        (_("Requester"), lambda c: c.requester.full_name),
        (_("Goal"), lambda c: c.goal),
        (_("Cost estimate"), lambda c: c.selected_option.cost_estimate if c.selected_option else ""),
        (_("Schedule impact (days)"), lambda c: c.selected_option.schedule_impact_days if c.selected_option else ""),
        (_("Agreed cost"), lambda c: c.agreed_cost or ""),
        (_("Created"), lambda c: timezone.localtime(c.created_at).strftime("%Y-%m-%d")),
    ]


def change_export(request, code, fmt):
    membership = get_membership_for(request, code, Capability.PROJECT_VIEW)
    rows = _filtered(request, membership)[:MAX_ROWS].iterator(chunk_size=2000)
    filename = f"{membership.project.code}-changes-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "xlsx":
        return xlsx_response(filename, membership.project.code, _columns(), rows)
    return csv_response(filename, _columns(), rows)


def change_create(request, code):
    membership = get_membership_for(request, code, Capability.CHANGES_REQUEST)
    project = membership.project
    source_issue = _source_issue(request, membership)
    initial = {"title": source_issue.title, "reason": source_issue.description} if source_issue else None
    form = forms.ChangeRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.change_request_create(
                project=project, requester=request.user, source_issue=source_issue, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(
                request, _("%(ref)s raised. The consultant has been asked for options.") % {"ref": change.reference}
            )
            return redirect(change)
    context = {"project": project, "membership": membership, "form": form, "source_issue": source_issue}
    return render(request, "changes/change_form.html", context, status=400 if form.errors else 200)


def _source_issue(request, membership):
    number = request.GET.get("issue") or request.POST.get("issue")
    if not number:
        return None
    if not str(number).isdigit():
        raise Http404
    return get_object_or_404(
        Issue.objects.visible_to(membership).select_related("project", "consultant"), number=number
    )


def _get_change(request, code, number, capability=Capability.PROJECT_VIEW):
    membership = get_membership_for(request, code, capability)
    change = get_object_or_404(
        _changes(membership).select_related(
            "source_issue", "source_issue__project", "decided_by", "consultant", "rollout_training"
        ),
        number=number,
    )
    return membership, change


def change_detail(request, code, number):
    membership, change = _get_change(request, code, number)
    return _render_change(request, membership, change)


def _render_change(request, membership, change, failed_action=None, failed_form=None, status=200):
    action_forms = step_forms(TRANSITIONS, membership, change, failed_action, failed_form)
    context = {
        "project": membership.project,
        "membership": membership,
        "change": change,
        "options": change.options.select_related("created_by")
        .prefetch_related("affected_milestones")
        .order_by("label", "-version"),
        "feedback": change.feedback.select_related("author", "option"),
        "progress": change.progress.all(),
        "events": change.events.select_related("actor"),
        "pilot_group": change.pilot_group.all(),
        "action_forms": action_forms,
        "actions": TRANSITIONS.actions,
        "failed_action": failed_action,
    }
    return render(request, "changes/change_detail.html", context, status=status)


@require_POST
def change_action(request, code, number, action):
    membership, change = _get_change(request, code, number)
    return take_step(
        request,
        workflow=TRANSITIONS,
        services=services,
        name=action,
        membership=membership,
        obj=change,
        rerender=lambda step, form: _render_change(request, membership, change, step, form, status=400),
    )


def change_settings(request, code):
    membership = get_membership_for(request, code, Capability.CHANGES_APPROVE)
    project = membership.project
    form = forms.ChangeSettingsForm(request.POST or None, instance=services.change_settings_for(project))
    if request.method == "POST" and form.is_valid():
        services.change_settings_update(project=project, **form.cleaned_data)
        messages.success(request, _("Approval limits saved."))
        return redirect("changes:list", code=code)
    context = {"project": project, "membership": membership, "form": form}
    return render(request, "changes/settings.html", context, status=400 if form.errors else 200)
