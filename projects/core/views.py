import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from projects.core import services, work
from projects.core.forms import (
    InviteForm,
    MembershipForm,
    PreferencesForm,
    ProjectForm,
    ProjectSettingsForm,
    add_errors,
    form_status,
)
from projects.core.member_import import (
    MAX_BYTES,
    ImportFileError,
    ImportRowsInvalid,
    check_rows,
    read_rows,
    template_rows,
)
from projects.core.models import Membership
from projects.core.spreadsheets import csv_response, xlsx_response
from projects.escalations.models import Escalation, EscalationRecipient
from projects.permissions import Capability, by_role, get_membership_for
from projects.registry import decisions_waiting_for


def my_projects(request):
    memberships = (
        Membership.objects.active().filter(user=request.user).select_related("project").order_by("project__name")
    )
    awaiting = EscalationRecipient.objects.filter(
        user=request.user, acknowledged_at__isnull=True, escalation__status=Escalation.Status.OPEN
    ).count()
    return render(request, "projects/core/my_projects.html", {"memberships": memberships, "awaiting": awaiting})


def my_work(request):
    """What waits for me across all my projects (issue 19), each item one tap from where to act."""
    groups = work.my_work(request.user)
    memberships = (
        Membership.objects.active().filter(user=request.user).select_related("project").order_by("project__name")
    )
    context = {
        "groups": groups,
        "my_work_count": sum(len(group.items) for group in groups),
        "memberships": memberships,
    }
    return render(request, "projects/core/my_work.html", context)


@require_GET
def my_work_badge(request):
    """htmx: the top bar's count, when no page had it cached (projects.core.work)."""
    return render(request, "projects/core/_my_work_badge.html", {"count": work.my_work_count(request.user)})


def project_create(request):
    if not request.user.is_staff:
        raise PermissionDenied
    form = ProjectForm(request.POST or None, initial={"time_zone": request.user.time_zone})
    if request.method == "POST" and form.is_valid():
        project = services.project_create(created_by=request.user, **form.cleaned_data)
        messages.success(request, _("Project %(code)s created. Invite its members next.") % {"code": project.code})
        return redirect("projects:members", code=project.code)
    return render(request, "projects/core/project_form.html", {"form": form})


def project_detail(request, code):
    membership = get_membership_for(request, code, Capability.PROJECT_VIEW)
    project = membership.project
    team = (
        Membership.objects.active().filter(project=project).select_related("user").order_by("role", "user__full_name")
    )
    context = {
        "project": project,
        "membership": membership,
        "team": team,
        "waiting": decisions_waiting_for(membership),
    }
    return render(request, "projects/core/project_detail.html", context)


def project_edit(request, code):
    membership = get_membership_for(request, code, Capability.PROJECT_EDIT)
    project = membership.project
    form = ProjectSettingsForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        services.project_update(project=project, **form.cleaned_data)
        messages.success(request, _("Project settings saved."))
        return redirect(project)
    return render(
        request, "projects/core/project_settings.html", {"project": project, "membership": membership, "form": form}
    )


def members(request, code):
    membership = get_membership_for(request, code, Capability.MEMBERS_VIEW)
    return _render_members(request, membership, InviteForm())


def _render_members(request, membership, invite_form, status=200):
    project = membership.project
    rows = by_role(Membership.objects.filter(project=project).select_related("user"))
    can_manage = membership.can(Capability.MEMBERS_MANAGE)
    active, former = [], []
    for row in rows:
        (active if row.is_active and row.user.is_active else former).append(row)
    context = {
        "project": project,
        "membership": membership,
        "active_members": active,
        "former_members": former if can_manage else [],
        "can_manage": can_manage,
        "invite_form": invite_form,
    }
    return render(request, "projects/core/members.html", context, status=status)


def member_invite(request, code):
    membership = get_membership_for(request, code, Capability.MEMBERS_MANAGE)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invited = services.membership_invite(
                project=membership.project, invited_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("%(name)s has been invited by e-mail.") % {"name": invited.user})
            return redirect("projects:members", code=code)
    return _render_members(request, membership, form, status=400 if form.errors else 200)


def member_edit(request, code, pk):
    membership = get_membership_for(request, code, Capability.MEMBERS_MANAGE)
    member = get_object_or_404(Membership.objects.select_related("user"), pk=pk, project=membership.project)
    form = MembershipForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(membership=member, changed_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Membership of %(name)s saved.") % {"name": member.user})
            return redirect("projects:members", code=code)
    context = {"project": membership.project, "membership": membership, "member": member, "form": form}
    return render(request, "projects/core/member_form.html", context, status=400 if form.errors else 200)


@require_POST
def member_end(request, code, pk):
    membership = get_membership_for(request, code, Capability.MEMBERS_MANAGE)
    member = get_object_or_404(Membership.objects.select_related("user"), pk=pk, project=membership.project)
    try:
        services.membership_end(membership=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s no longer has access to this project.") % {"name": member.user})
    return redirect("projects:members", code=code)


# --- Importing members from a file ---------------------------------------------------------------

IMPORT_SESSION_KEY = "member-import:{code}"


def member_import(request, code):
    """Upload → preview with every row's problems; the checked rows wait in the session for
    the confirmation, so the file is not uploaded twice."""
    membership = get_membership_for(request, code, Capability.MEMBERS_MANAGE)
    context = {"project": membership.project, "membership": membership}
    if request.GET.get("template") in {"csv", "xlsx"}:
        return _import_template(membership.project, request.GET["template"])
    if request.method != "POST":
        return render(request, "projects/core/member_import.html", context)
    upload = request.FILES.get("file")
    if upload is None:
        context["file_error"] = _("Choose a .csv or .xlsx file.")
        return render(request, "projects/core/member_import.html", context, status=400)
    try:
        if upload.size > MAX_BYTES:
            raise ImportFileError(_("The file is larger than 1 MB."))
        raw_rows = read_rows(upload.name, upload.read())
    except ImportFileError as error:
        context["file_error"] = str(error)
        return render(request, "projects/core/member_import.html", context, status=400)
    preview = check_rows(membership.project, raw_rows)
    token = uuid.uuid4().hex
    if not preview.has_errors:
        request.session[IMPORT_SESSION_KEY.format(code=code)] = {"token": token, "rows": raw_rows}
    context |= {"preview": preview, "token": token, "filename": upload.name}
    return render(request, "projects/core/member_import.html", context)


@require_POST
def member_import_confirm(request, code):
    membership = get_membership_for(request, code, Capability.MEMBERS_MANAGE)
    stored = request.session.get(IMPORT_SESSION_KEY.format(code=code))
    if not stored or stored["token"] != request.POST.get("token"):
        messages.error(request, _("This preview has expired; upload the file again."))
        return redirect("projects:member_import", code=code)
    context = {"project": membership.project, "membership": membership}
    try:
        imported = services.memberships_import(
            project=membership.project, invited_by=request.user, raw_rows=stored["rows"]
        )
    except ImportRowsInvalid as invalid:
        context |= {"preview": invalid.preview, "changed": True}
        return render(request, "projects/core/member_import.html", context, status=400)
    except ValidationError as error:
        context["file_error"] = " ".join(error.messages)
        return render(request, "projects/core/member_import.html", context, status=400)
    del request.session[IMPORT_SESSION_KEY.format(code=code)]
    messages.success(request, _("%(count)s people have been invited by e-mail.") % {"count": len(imported)})
    return redirect("projects:members", code=code)


def _import_template(project, fmt: str):
    headers, example = template_rows()
    columns = [(title, lambda row, n=n: row[n]) for n, title in enumerate(headers)]
    filename = f"{project.code}-members.{fmt}"
    if fmt == "xlsx":
        return xlsx_response(filename, _("Members"), columns, [example])
    return csv_response(filename, columns, [example])


def preferences(request):
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_preferences_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your preferences have been saved."))
        return redirect("projects:preferences")
    return render(request, "projects/core/preferences.html", {"form": form})


@login_not_required
@require_POST
def set_language(request):
    """Django's language switch, which also remembers the choice on the person's account."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_language_set(user=request.user, language=language)
    return django_set_language(request)


def edit_page(request, membership, form, template, extra=None, status=None):
    context = {"project": membership.project, "membership": membership, "form": form, **(extra or {})}
    return render(request, template, context, status=status if status is not None else form_status(form))
