from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from projects.core import services
from projects.core.models import Membership, Project, User
from projects.notifications import outbox
from projects.notifications import services as services_notifications
from projects.notifications.models import ChatMessage, OutboundEmail


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "language", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "language"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "language", "time_zone"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]
    actions = ["deactivate"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            services.user_sessions_end(user=obj)

    @admin.action(description=_("Deactivate the selected accounts and sign them out"))
    def deactivate(self, request, queryset):
        users = list(queryset.filter(is_active=True))
        for user in users:
            services.user_deactivate(user=user)
        count = len(users)
        self.message_user(
            request,
            ngettext("%(count)d account deactivated.", "%(count)d accounts deactivated.", count) % {"count": count},
            messages.SUCCESS,
        )


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "project"
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "department", "title", "active_from", "active_until", "ended_at"]


@admin.register(Project)
class ProjectAdmin(SimpleHistoryAdmin):
    """The status is shown, never edited here: it moves only through closure (start, sign, reopen),
    where the checklist, the signature, the record and the e-mails are (D-CL-5; issue 16)."""

    list_display = ["code", "name", "status", "time_zone", "created_at"]
    readonly_fields = ["status"]
    list_filter = ["status"]
    search_fields = ["code", "name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "project", "role", "department", "active_from", "active_until", "ended_at"]
    list_filter = ["role", "project"]
    search_fields = ["user__email", "user__full_name", "project__code"]
    autocomplete_fields = ["user", "project", "invited_by"]

    def save_model(self, request, obj, form, change):
        new_role = obj.role
        if change and "role" in form.changed_data:
            obj.role = form.initial["role"]
            super().save_model(request, obj, form, change)
            _change_role(request, obj, new_role)
        else:
            super().save_model(request, obj, form, change)


def _change_role(request, membership: Membership, role: str) -> None:
    """Through the service, keeping the membership's other fields as saved."""
    membership = Membership.objects.get(pk=membership.pk)
    try:
        services.membership_update(
            membership=membership,
            role=role,
            department=membership.department,
            title=membership.title,
            active_until=membership.active_until,
            is_key=membership.is_key,
            receives_reports=membership.receives_reports,
            changed_by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "to_email", "subject", "template", "status", "attempts", "sent_at"]
    list_filter = ["status", "template", "language"]
    search_fields = ["to_email", "subject", "key"]
    date_hierarchy = "created_at"
    list_select_related = ["project"]
    readonly_fields = [field.name for field in OutboundEmail._meta.fields]
    actions = ["resend"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Send the selected e-mails again"))
    def resend(self, request, queryset):
        count = outbox.email_resend(email_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(count)d e-mail queued again.", "%(count)d e-mails queued again.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(ChatMessage)
class ChatMessageAdmin(admin.ModelAdmin):
    """Chat messages; the webhook's address and secret are not shown (they carry its keys)."""

    list_display = ["created_at", "key", "event", "status", "attempts", "sent_at"]
    list_filter = ["status", "event"]
    search_fields = ["key"]
    date_hierarchy = "created_at"
    fields = ["key", "event", "payload", "status", "attempts", "next_attempt_at", "last_error", "created_at", "sent_at"]
    readonly_fields = fields
    actions = ["resend"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Send the selected chat messages again"))
    def resend(self, request, queryset):
        count = services_notifications.chat_resend(message_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", count) % {"count": count},
            messages.SUCCESS,
        )
