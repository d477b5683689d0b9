from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import services_escalation
from .models import Escalation, EscalationRecipient
from .paging import paginate
from .permissions import Capability, ProjectReadOnly, get_membership_for


class RaiseForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind of event"), choices=Escalation.Kind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    what_happened = forms.CharField(
        label=gettext_lazy("What happened and why"), widget=forms.Textarea(attrs={"rows": 3})
    )
    consequences = forms.CharField(
        label=gettext_lazy("Consequences"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Days, cost and goals affected."),
    )
    delay_days = forms.IntegerField(label=gettext_lazy("Days of delay"), min_value=0, max_value=3650, initial=0)
    extra_cost = forms.DecimalField(
        label=gettext_lazy("Extra cost"), min_value=0, max_digits=14, decimal_places=2, initial=0
    )
    options = forms.CharField(label=gettext_lazy("Options"), widget=forms.Textarea(attrs={"rows": 3}))
    recommendation = forms.CharField(
        label=gettext_lazy("Recommended response"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ResolveForm(forms.Form):
    outcome = forms.CharField(label=gettext_lazy("Outcome"), widget=forms.Textarea(attrs={"rows": 3}))


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
    return render(request, "projects/escalations.html", context)


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


def escalation_detail(request, code, pk, resolve_form=None, status=200):
    membership, escalation = _get(request, code, pk)
    receipt = next((r for r in escalation.recipients.all() if r.user_id == request.user.pk), None)
    context = {
        "project": membership.project,
        "membership": membership,
        "escalation": escalation,
        "receipt": receipt,
        "can_manage": membership.can(Capability.ESCALATIONS_MANAGE),
        "resolve_form": resolve_form or ResolveForm(),
    }
    return render(request, "projects/escalation_detail.html", context, status=status)


def escalation_acknowledge(request, code, pk):
    """The e-mail's link: a page with one button (a GET never changes anything)."""
    membership, escalation = _get(request, code, pk)
    if request.method == "POST":
        if membership.read_only:
            raise ProjectReadOnly(_("This project is closed: it can be read but no longer changed."))
        services_escalation.escalation_acknowledge(escalation=escalation, user=request.user)
        messages.success(request, _("Acknowledged. The project manager sees that you have read it."))
        return redirect(escalation)
    return escalation_detail(request, code, pk)


@require_POST
def escalation_resolve(request, code, pk):
    _membership, escalation = _get(request, code, pk, Capability.ESCALATIONS_MANAGE)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services_escalation.escalation_resolve(escalation=escalation, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Escalation resolved."))
            return redirect(escalation)
    return escalation_detail(request, code, pk, resolve_form=form, status=400)


def escalation_raise(request, code):
    membership = get_membership_for(request, code, Capability.ESCALATIONS_MANAGE)
    form = RaiseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            escalation = services_escalation.escalation_raise(
                project=membership.project, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Escalation sent to leadership."))
            return redirect(escalation)
    context = {"project": membership.project, "membership": membership, "form": form}
    return render(request, "projects/escalation_form.html", context, status=400 if form.errors else 200)


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
    return render(request, "projects/escalations_mine.html", {"receipts": receipts})
