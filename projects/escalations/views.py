from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects.core.forms import add_errors
from projects.core.paging import paginate
from projects.escalations import services as services_escalations
from projects.escalations.forms import RaiseForm, ResolveForm
from projects.escalations.models import Escalation, EscalationRecipient
from projects.permissions import Capability, ProjectReadOnly, get_membership_for


def escalation_list(request, code):
    membership = get_membership_for(request, code, Capability.ESCALATIONS_VIEW)
    escalations = (
        Escalation.objects.filter(project=membership.project)
        .select_related("project", "responsible")
        .annotate(
            acknowledged=Exists(
                EscalationRecipient.objects.filter(escalation=OuterRef("pk"), acknowledged_at__isnull=False)
            )
        )
        .order_by("status", "-opened_at", "-id")
    )
    context = {
        "project": membership.project,
        "membership": membership,
        "page": paginate(request, escalations, per_page=30),
        "can_manage": membership.can(Capability.ESCALATIONS_MANAGE),
    }
    return render(request, "projects/escalations/escalations.html", context)


def _get(request, code, pk, capability=Capability.ESCALATIONS_VIEW):
    membership = get_membership_for(request, code, capability)
    escalation = get_object_or_404(
        Escalation.objects.select_related("project", "responsible", "resolved_by").prefetch_related(
            Prefetch("recipients", queryset=EscalationRecipient.objects.select_related("user").order_by("notified_at"))
        ),
        pk=pk,
        project=membership.project,
    )
    return membership, escalation


def _may_resolve(membership) -> bool:
    """The PM resolves; the sponsor closes with a note (issue 16)."""
    return membership.can(Capability.ESCALATIONS_MANAGE) or membership.can(Capability.ESCALATIONS_CLOSE)


def escalation_detail(request, code, pk, resolve_form=None, status=200):
    membership, escalation = _get(request, code, pk)
    receipt = next((r for r in escalation.recipients.all() if r.user_id == request.user.pk), None)
    context = {
        "project": membership.project,
        "membership": membership,
        "escalation": escalation,
        "receipt": receipt,
        "can_manage": _may_resolve(membership),
        "resolve_form": resolve_form or ResolveForm(),
    }
    return render(request, "projects/escalations/escalation_detail.html", context, status=status)


def escalation_acknowledge(request, code, pk):
    """The e-mail's link: a page with one button (a GET never changes anything)."""
    membership, escalation = _get(request, code, pk)
    if request.method == "POST":
        if membership.read_only:
            raise ProjectReadOnly(_("This project is closed: it can be read but no longer changed."))
        services_escalations.escalation_acknowledge(escalation=escalation, user=request.user)
        messages.success(request, _("Acknowledged. The project manager sees that you have read it."))
        return redirect(escalation)
    return escalation_detail(request, code, pk)


@require_POST
def escalation_resolve(request, code, pk):
    membership = get_membership_for(request, code, Capability.ESCALATIONS_VIEW)
    if not _may_resolve(membership):
        get_membership_for(request, code, Capability.ESCALATIONS_MANAGE)  # refuses: 403, or read-only
    _membership, escalation = _get(request, code, pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services_escalations.escalation_resolve(escalation=escalation, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Escalation resolved."))
            return redirect(escalation)
    return escalation_detail(request, code, pk, resolve_form=form, status=400)


def escalation_raise(request, code):
    membership = get_membership_for(request, code, Capability.ESCALATIONS_MANAGE)
    form = RaiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            escalation = services_escalations.escalation_raise(
                project=membership.project, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Escalation sent to leadership."))
            return redirect(escalation)
    context = {"project": membership.project, "membership": membership, "form": form}
    return render(request, "projects/escalations/escalation_form.html", context, status=400 if form.errors else 200)


def awaiting_me(request):
    """Escalations sent to me that I have not acknowledged, across my projects."""
    receipts = (
        EscalationRecipient.objects.filter(
            user=request.user, acknowledged_at__isnull=True, escalation__status=Escalation.Status.OPEN
        )
        .filter(escalation__project__memberships__in=request.user.memberships.active())
        .select_related("escalation", "escalation__project")
        .order_by("-escalation__opened_at")
    )
    return render(request, "projects/escalations/escalations_mine.html", {"receipts": receipts})
