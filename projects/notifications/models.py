"""Group-chat robots and generic webhooks a project posts to, and the messages queued for them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from projects.core.models import Project

# The plan and the steering committee live in their own modules; importing them here registers them.


class OutboxRow(models.Model):
    """What every outbox table has: one delivery's lifecycle, moved only by the conditional
    UPDATEs of outbox.py (claim, mark_sent, record_failure, sweep)."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("state", "Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", pgettext_lazy("state", "Sent")
        FAILED = "failed", pgettext_lazy("delivery", "Failed")

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    lease_expires_at = models.DateTimeField(_("lease expires"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(pgettext_lazy("time", "sent"), null=True, blank=True)

    class Meta:
        abstract = True


class OutboundEmail(OutboxRow):
    """One e-mail to one person, written in the same transaction as the change it reports.

    The table, not the broker, is the record of what must be sent: the key makes
    a second write of the same business fact a no-op, and a row only moves
    queued → sending → sent (or back to queued for a retry) by conditional
    UPDATEs, so two workers can never both send it.
    """

    key = models.CharField(
        _("idempotency key"),
        max_length=200,
        help_text=_("Built from business facts; one e-mail per key and recipient."),
    )
    template = models.CharField(_("template"), max_length=100)
    project = models.ForeignKey(
        Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("project")
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    to_email = models.EmailField(_("to"))
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"))
    # [{"filename": …, "mimetype": …, "text": …} or {…, "base64": …}], e.g. a calendar invitation.
    attachments = models.JSONField(_("attachments"), default=list, blank=True)

    class Meta:
        verbose_name = _("outbound e-mail")
        verbose_name_plural = _("outbox")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["key", "to_email"], name="outbox_one_email_per_key_and_recipient"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["project", "-created_at"], name="outbox_project_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.to_email}: {self.subject}"


class ChatEvent(models.TextChoices):
    ESCALATION = "escalation", _("Escalations")
    STATUS_REPORT = "status_report", _("Status reports")
    OVERDUE_ISSUES = "overdue_issues", _("Overdue issues")
    MEETING_AGENDA = "meeting_agenda", _("Meeting agendas")


class ChatWebhook(models.Model):
    class Platform(models.TextChoices):
        WECOM = "wecom", _("WeCom group robot")
        DINGTALK = "dingtalk", _("DingTalk custom robot")
        FEISHU = "feishu", _("Feishu custom bot")
        GENERIC = "generic", _("Generic JSON webhook")

    project = models.ForeignKey(
        "projects.Project", models.CASCADE, related_name="chat_webhooks", verbose_name=_("project")
    )
    name = models.CharField(
        pgettext_lazy("thing", "name"), max_length=100, help_text=_("Which group or system this is, e.g. 项目群.")
    )
    platform = models.CharField(_("platform"), max_length=10, choices=Platform.choices)
    # The robot's address carries its access key: never shown back in full after saving.
    url = models.URLField(_("webhook address"), max_length=500)
    secret = models.CharField(
        _("signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk 加签 and Feishu signature verification; required for generic webhooks."),
    )
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(pgettext_lazy("switched on", "active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("added by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("chat webhook")
        verbose_name_plural = _("chat webhooks")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_platform_display()})"

    @property
    def masked_url(self) -> str:
        """Scheme and host, then only the last four characters of the key."""
        scheme, _sep, rest = self.url.partition("://")
        host = rest.split("/", 1)[0].split("?", 1)[0]
        return f"{scheme}://{host}/…{self.url[-4:]}"

    def event_labels(self) -> list[str]:
        labels = dict(ChatEvent.choices)
        return [str(labels[event]) for event in self.events if event in labels]


class ChatMessage(OutboxRow):
    """One message to one webhook: the chat counterpart of OutboundEmail, with the same lifecycle
    (queued → sending → sent, back to queued for a retry, failed after the last attempt), claimed
    and retried by the same code in outbox.py."""

    webhook = models.ForeignKey(ChatWebhook, models.CASCADE, related_name="messages", verbose_name=_("webhook"))
    key = models.CharField(
        _("idempotency key"),
        max_length=200,
        unique=True,
        help_text=_("chat:<webhook>:<business event>; one message per key."),
    )
    event = models.CharField(_("event"), max_length=20)
    # The platform's message without its signature, which is computed at each attempt.
    payload = models.JSONField(_("payload"))

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="chat_message_due"),
            models.Index(fields=["webhook", "-created_at"], name="chat_message_webhook_recent"),
        ]

    def __str__(self) -> str:
        return self.key
