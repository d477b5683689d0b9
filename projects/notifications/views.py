"""Chat notifications of a project: the PM adds group robots and webhooks and picks their events."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects.core.forms import add_errors
from projects.notifications import services as services_notifications
from projects.notifications.forms import ChatWebhookForm
from projects.notifications.models import ChatMessage, ChatWebhook
from projects.permissions import Capability, get_membership_for

RECENT_MESSAGES = 20


def chat_webhooks(request, code):
    """The project's webhooks, their recent messages, and the form to add one."""
    membership = get_membership_for(request, code, Capability.PROJECT_EDIT)
    form = ChatWebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _save(request, membership, form):
        messages.success(request, _("Webhook added. Send a test message to check it."))
        return redirect("projects:chat_webhooks", code=code)
    return _render_list(request, membership, form, status=400 if form.errors else 200)


def _render_list(request, membership, form, status=200):
    project = membership.project
    recent = ChatMessage.objects.filter(webhook__project=project).select_related("webhook")[:RECENT_MESSAGES]
    context = {
        "project": project,
        "membership": membership,
        "webhooks": list(ChatWebhook.objects.filter(project=project)),
        "recent": list(recent),
        "form": form,
    }
    return render(request, "projects/notifications/chat_webhooks.html", context, status=status)


def _save(request, membership, form, webhook=None):
    try:
        return services_notifications.chat_webhook_save(
            project=membership.project, by=request.user, webhook=webhook, **form.cleaned_data
        )
    except ValidationError as error:
        add_errors(form, error)
        return None


def chat_webhook_edit(request, code, pk):
    membership = get_membership_for(request, code, Capability.PROJECT_EDIT)
    webhook = get_object_or_404(ChatWebhook, pk=pk, project=membership.project)
    initial = {
        "name": webhook.name,
        "platform": webhook.platform,
        "events": webhook.events,
        "is_active": webhook.is_active,
    }
    form = ChatWebhookForm(request.POST or None, initial=initial, webhook=webhook)
    if request.method == "POST" and form.is_valid() and _save(request, membership, form, webhook):
        messages.success(request, _("Webhook saved."))
        return redirect("projects:chat_webhooks", code=code)
    context = {"project": membership.project, "membership": membership, "webhook": webhook, "form": form}
    return render(request, "projects/notifications/chat_webhook_form.html", context, status=400 if form.errors else 200)


@require_POST
def chat_webhook_delete(request, code, pk):
    membership = get_membership_for(request, code, Capability.PROJECT_EDIT)
    webhook = get_object_or_404(ChatWebhook, pk=pk, project=membership.project)
    services_notifications.chat_webhook_delete(webhook=webhook)
    messages.success(request, _("Webhook removed."))
    return redirect("projects:chat_webhooks", code=code)


@require_POST
def chat_webhook_test(request, code, pk):
    membership = get_membership_for(request, code, Capability.PROJECT_EDIT)
    webhook = get_object_or_404(ChatWebhook, pk=pk, project=membership.project)
    services_notifications.chat_webhook_test(webhook=webhook)
    messages.success(request, _("Test message queued; its result appears below in a moment."))
    return redirect("projects:chat_webhooks", code=code)
