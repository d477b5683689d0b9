"""Chat notifications: WeCom, DingTalk and Feishu group robots and generic JSON webhooks.

`chat_notify` renders a business event once, in the project's language, and queues one
ChatMessage per webhook that subscribed to it, in the caller's transaction and with an
idempotency key `chat:<webhook>:<business fact>`. After commit a task runs `chat_deliver`,
which claims, retries and sweeps the row with the e-mail outbox's own code (outbox.py) and
posts it in the platform's format. A webhook that is down only delays its own messages:
nothing here runs inside the business write but the INSERT.
"""

import base64
import contextlib
import hashlib
import hmac
import http.client
import json
import logging
import time
import urllib.parse
import uuid
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from projects.core.formatting import money, status_label
from projects.core.models import Project, User
from projects.notifications import addresses
from projects.notifications.addresses import AddressNotAllowed
from projects.notifications.models import ChatEvent, ChatMessage, ChatWebhook
from projects.notifications.outbox import Delivery, claim, mark_sent, record_failure, requeue, sweep, wake_on_commit

log = logging.getLogger(__name__)

# Enqueued by name: its module (`projects.notifications.tasks`) imports this one.
DELIVER_CHAT_MESSAGE = "projects.notifications.tasks.deliver_chat_message"


OFFICIAL_HOSTS = {
    ChatWebhook.Platform.WECOM: {"qyapi.weixin.qq.com"},
    ChatWebhook.Platform.DINGTALK: {"oapi.dingtalk.com"},
    ChatWebhook.Platform.FEISHU: {"open.feishu.cn", "open.larksuite.com"},
}


MAX_LINES = 20


MAX_TEXT = 3500  # WeCom allows 4,096 bytes of markdown; DingTalk and Feishu a little more


RESPONSE_LIMIT = 64 * 1024


@dataclass(frozen=True)
class ChatNotice:
    """A business event as a chat message: a title, a few lines and the page it is about."""

    title: str
    lines: list[str] = field(default_factory=list)
    path: str = ""
    link_text: str = ""

    @property
    def url(self) -> str:
        return f"{settings.SITE_URL}{self.path}" if self.path else settings.SITE_URL

    @property
    def text(self) -> str:
        return "\n".join(self.lines[:MAX_LINES])[:MAX_TEXT]


# --- Validation -------------------------------------------------------------------------------


def validate_webhook_url(platform: str, url: str) -> None:
    """https to the platform's own host (any host for a generic webhook); plain http only to this
    machine, and only where CHAT_WEBHOOK_ALLOW_LOCAL is on (DEBUG, tests)."""
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    if addresses.local_allowed(parts):
        return
    if parts.scheme != "https" or not host:
        raise ValidationError({"url": _("The address must start with https://.")}, code="https")
    official = OFFICIAL_HOSTS.get(platform)
    if official and host not in official:
        raise ValidationError(
            {
                "url": _("This is not an address of that platform (expected %(hosts)s).")
                % {"hosts": ", ".join(sorted(official))}
            },
            code="host",
        )
    try:
        addresses.check_url(url)
    except AddressNotAllowed:
        raise ValidationError(
            {"url": _("This address is not allowed: webhooks reach public internet addresses only.")},
            code="address_not_allowed",
        ) from None


def _clean_events(events: list[str]) -> list[str]:
    unknown = set(events) - set(ChatEvent.values)
    if unknown or not events:
        raise ValidationError({"events": _("Choose at least one event.")}, code="events")
    return [event for event in ChatEvent.values if event in events]


# --- Managing webhooks ------------------------------------------------------------------------


@transaction.atomic
def chat_webhook_save(
    *,
    project: Project,
    by: User,
    webhook: ChatWebhook | None = None,
    name: str,
    platform: str,
    url: str = "",
    secret: str = "",
    events: list[str],
    is_active: bool = True,
) -> ChatWebhook:
    """Add or change a webhook. On a change, an empty address or secret keeps the stored one
    (they are never shown back)."""
    if webhook is None:
        webhook = ChatWebhook(project=project, created_by=by)
        if not url:
            raise ValidationError({"url": _("Enter the webhook address.")}, code="required")
    platform_changed = webhook.platform != platform
    webhook.name = name
    webhook.platform = platform
    webhook.events = _clean_events(events)
    webhook.is_active = is_active
    if url:
        webhook.url = url
    elif platform_changed:
        raise ValidationError({"url": _("Enter the address again when changing the platform.")}, code="required")
    if secret:
        webhook.secret = secret
    validate_webhook_url(platform, webhook.url)
    if platform == ChatWebhook.Platform.GENERIC and not webhook.secret:
        raise ValidationError({"secret": _("A generic webhook needs a signing secret.")}, code="secret")
    webhook.full_clean()
    webhook.save()
    return webhook


@transaction.atomic
def chat_webhook_delete(*, webhook: ChatWebhook) -> None:
    webhook.delete()


@transaction.atomic
def chat_webhook_test(*, webhook: ChatWebhook) -> ChatMessage | None:
    """A test message, so the PM sees at once whether the robot answers."""
    project = webhook.project
    with _project_locale(project):
        notice = ChatNotice(
            title=_("[%(code)s] Test message from crmgov") % {"code": project.code},
            lines=[_("This group will receive: %(events)s.") % {"events": ", ".join(webhook.event_labels())}],
            path=project.get_absolute_url(),
            link_text=_("Open the project"),
        )
        return _queue(webhook, "test", f"test:{uuid.uuid4().hex}", notice, project)


# --- Queueing ---------------------------------------------------------------------------------


@contextlib.contextmanager
def _project_locale(project: Project):
    """The project's language and time zone, for a message everyone in the group reads."""
    with translation.override(project.default_language), timezone.override(zoneinfo.ZoneInfo(project.time_zone)):
        yield


def chat_subscribed(project: Project, event: str) -> bool:
    """Whether any active webhook of the project wants this event (to skip building a message)."""
    return any(event in w.events for w in ChatWebhook.objects.filter(project=project, is_active=True))


@transaction.atomic
def chat_notify(*, project: Project, event: str, fact: str, notice: Callable[[], ChatNotice]) -> list[ChatMessage]:
    """Queue the event for every active webhook of the project that subscribed to it.

    `fact` names the business event (`escalation:12:level-1`); `notice` builds the message and is
    called in the project's language only if some webhook wants it.
    """
    webhooks = [w for w in ChatWebhook.objects.filter(project=project, is_active=True) if event in w.events]
    if not webhooks:
        return []
    with _project_locale(project):
        rendered = notice()
        return [_queue(webhook, event, fact, rendered, project) for webhook in webhooks]


def _queue(webhook: ChatWebhook, event: str, fact: str, notice: ChatNotice, project: Project) -> ChatMessage:
    key = f"chat:{webhook.pk}:{fact}"
    existing = ChatMessage.objects.filter(key=key).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            message = ChatMessage.objects.create(
                webhook=webhook,
                key=key,
                event=event,
                payload=payload_for(webhook.platform, notice, project=project, event=event, key=key),
            )
    except IntegrityError:
        return ChatMessage.objects.get(key=key)
    wake_on_commit(DELIVER_CHAT_MESSAGE, message.pk)
    return message


# --- Formats ----------------------------------------------------------------------------------


# Characters that start markdown (or the HTML WeCom's markdown accepts) in a line someone typed, as
# their full-width forms: they read the same, and a title like "[请立即重新登录](https://evil…)" cannot
# become a link in leadership's group chat (issue 17). Backslash escapes are not honoured by WeCom.
_MARKDOWN_LITERAL = str.maketrans(
    {"[": "［", "]": "］", "<": "＜", ">": "＞", "*": "＊", "_": "＿", "`": "｀", "#": "＃"}
)


def markdown_literal(text: str) -> str:
    return text.translate(_MARKDOWN_LITERAL)


def payload_for(platform: str, notice: ChatNotice, *, project: Project, event: str, key: str) -> dict:
    """The message in the platform's own format, without the signature."""
    link_text = notice.link_text or _("Open in crmgov")
    if platform == ChatWebhook.Platform.WECOM:
        text = markdown_literal(notice.text)
        content = f"**{markdown_literal(notice.title)}**\n{text}\n[{link_text}]({notice.url})"
        return {"msgtype": "markdown", "markdown": {"content": content}}
    if platform == ChatWebhook.Platform.DINGTALK:
        body = "\n\n".join(markdown_literal(line) for line in notice.lines[:MAX_LINES])[:MAX_TEXT]
        text = f"#### {markdown_literal(notice.title)}\n\n{body}\n\n[{link_text}]({notice.url})"
        return {"msgtype": "markdown", "markdown": {"title": notice.title, "text": text}}
    if platform == ChatWebhook.Platform.FEISHU:
        rows = [[{"tag": "text", "text": line}] for line in notice.lines[:MAX_LINES]]
        rows.append([{"tag": "a", "text": link_text, "href": notice.url}])
        locale = "zh_cn" if translation.get_language().startswith("zh") else "en_us"
        return {"msg_type": "post", "content": {"post": {locale: {"title": notice.title, "content": rows}}}}
    return {
        "event": event,
        "project": {"code": project.code, "name": project.name},
        "title": notice.title,
        "text": notice.text,
        "url": notice.url,
        "id": key,
        "language": translation.get_language(),
    }


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """加签: base64(HMAC-SHA256(secret, "timestamp\\nsecret")), URL-encoded as the query wants it."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def feishu_sign(secret: str, timestamp: int) -> str:
    """Feishu signs an empty message with the key "timestamp\\nsecret"."""
    digest = hmac.new(f"{timestamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def generic_signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class OutgoingRequest:
    url: str
    body: bytes
    headers: dict


def build_request(message: ChatMessage, webhook: ChatWebhook, now: float | None = None) -> OutgoingRequest:
    """The signed request of one attempt: signatures carry the time, so each attempt signs anew."""
    now = time.time() if now is None else now
    payload = dict(message.payload)
    url = webhook.url
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "crmgov"}
    platform = webhook.platform
    if platform == ChatWebhook.Platform.DINGTALK and webhook.secret:
        timestamp_ms = int(now * 1000)
        separator = "&" if urllib.parse.urlsplit(url).query else "?"
        url = f"{url}{separator}timestamp={timestamp_ms}&sign={dingtalk_sign(webhook.secret, timestamp_ms)}"
    elif platform == ChatWebhook.Platform.FEISHU and webhook.secret:
        timestamp = int(now)
        payload = {"timestamp": str(timestamp), "sign": feishu_sign(webhook.secret, timestamp), **payload}
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    if platform == ChatWebhook.Platform.GENERIC:
        timestamp = int(now)
        headers |= {
            "X-Crmgov-Event": message.event,
            "X-Crmgov-Delivery": message.key,
            "X-Crmgov-Timestamp": str(timestamp),
            "X-Crmgov-Signature": f"sha256={generic_signature(webhook.secret, timestamp, body)}",
        }
    return OutgoingRequest(url=url, body=body, headers=headers)


# --- Delivery ---------------------------------------------------------------------------------


class ChatRejected(Exception):
    """The endpoint answered, but not with success (an HTTP error or the platform's error code)."""


class WebhookOff(Exception):
    pass


DELIVERY_ERRORS = (OSError, http.client.HTTPException, ChatRejected, AddressNotAllowed)


def _post(request: OutgoingRequest) -> None:
    if urllib.parse.urlsplit(request.url).scheme not in {"http", "https"}:
        raise ChatRejected("only http(s) addresses are posted to")
    status, answer = addresses.post(
        request.url,
        request.body,
        request.headers,
        timeout=settings.CHAT_WEBHOOK_TIMEOUT_SECONDS,
        limit=RESPONSE_LIMIT,
    )
    if status >= 300:
        raise ChatRejected(f"HTTP {status}")
    _check_answer(answer)


def _check_answer(answer: bytes) -> None:
    """WeCom and DingTalk answer HTTP 200 with `errcode`, Feishu with `code` (older: `StatusCode`)."""
    try:
        data = json.loads(answer or b"{}")
    except ValueError:
        return  # a generic endpoint may answer with anything; its 2xx is the success
    if not isinstance(data, dict):
        return
    for field_name, message_name in (("errcode", "errmsg"), ("code", "msg"), ("StatusCode", "StatusMessage")):
        code = data.get(field_name)
        if code not in (None, 0, "0"):
            raise ChatRejected(f"{field_name} {code}: {data.get(message_name, '')}"[:500])


def chat_deliver(*, message_id: int) -> Delivery:
    """Post one queued message if it is due and nobody else holds it."""
    if not claim(ChatMessage, message_id):
        return Delivery(sent=False)
    message = ChatMessage.objects.select_related("webhook").get(pk=message_id)
    webhook = message.webhook
    if not webhook.is_active:
        return record_failure(ChatMessage, message, WebhookOff("the webhook is switched off"), retry=False)
    try:
        _post(build_request(message, webhook))
    except DELIVERY_ERRORS as error:
        log.warning(
            "Chat message %s to webhook %s failed (attempt %s): %r", message.pk, webhook.pk, message.attempts, error
        )
        # What the PM reads: our own words, never the network's (refused, reset, certificate …).
        if isinstance(error, ChatRejected | AddressNotAllowed):
            shown = error
        else:
            shown = ChatRejected("timed out" if isinstance(error, TimeoutError) else "could not connect")
        return record_failure(ChatMessage, message, shown, retry=not isinstance(error, AddressNotAllowed))
    mark_sent(ChatMessage, message_id)
    return Delivery(sent=True)


def chat_resend(*, message_ids: list[int]) -> int:
    """Put failed (or sent) messages back in the queue, from the admin."""
    return requeue(ChatMessage, message_ids, DELIVER_CHAT_MESSAGE)


def chat_outbox_sweep() -> list[int]:
    return sweep(ChatMessage)


# --- The business events of this app ----------------------------------------------------------


def escalation_notify(escalation, level: int, *, worsened: dict | None = None) -> None:
    project = escalation.project
    fact = f"escalation:{escalation.pk}:level-{level}"
    if worsened:
        fact = f"escalation:{escalation.pk}:worsened:{worsened['after']}"

    def notice() -> ChatNotice:
        prefix = _("[Second notice]") + " " if level > 1 else ""
        if worsened:
            prefix = _("[Worsened]") + " "
        lines = [escalation.what_happened, _("Consequences: %(text)s") % {"text": escalation.consequences}]
        if escalation.delay_days:
            lines.append(_("Delay: %(days)s days") % {"days": escalation.delay_days})
        if escalation.extra_cost:
            lines.append(_("Extra cost: %(amount)s") % {"amount": money(escalation.extra_cost)})
        if escalation.recommendation:
            lines.append(_("Recommended: %(text)s") % {"text": escalation.recommendation})
        return ChatNotice(
            title=prefix + _("Escalation %(code)s: %(title)s") % {"code": project.code, "title": escalation.title},
            lines=lines,
            path=reverse("projects:escalation", kwargs={"code": project.code, "pk": escalation.pk}),
            link_text=_("Open the escalation"),
        )

    chat_notify(project=project, event=ChatEvent.ESCALATION, fact=fact, notice=notice)


def status_report_notify(report, figures_of: Callable[[str], dict]) -> None:
    project = report.project

    def notice() -> ChatNotice:
        figures = figures_of(translation.get_language())
        lines = [_("Overall: %(status)s") % {"status": status_label(figures.get("overall"))}]
        for section in figures.get("sections", []):
            if section.get("status"):
                lines.append(f"{section['label']}: {status_label(section['status'])}")
        if report.narrative:
            lines.append(report.narrative)
        week = report.period_start.isoformat()
        return ChatNotice(
            title=_("Status report %(code)s, week of %(week)s") % {"code": project.code, "week": week},
            lines=lines,
            path=reverse("projects:status_report", kwargs={"code": project.code, "pk": report.pk}),
            link_text=_("Read the report"),
        )

    chat_notify(
        project=project,
        event=ChatEvent.STATUS_REPORT,
        fact=f"status-report:{project.pk}:{report.period_start}",
        notice=notice,
    )


def meeting_agenda_notify(meeting, items) -> None:
    project = meeting.project

    def notice() -> ChatNotice:
        starts = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")
        lines = [_("When: %(time)s") % {"time": starts}]
        if meeting.location:
            lines.append(_("Where: %(place)s") % {"place": meeting.location})
        lines += [
            _("%(n)s. %(title)s (%(minutes)s min)") % {"n": n, "title": item.title, "minutes": item.minutes_allotted}
            for n, item in enumerate(items, 1)
        ]
        return ChatNotice(
            title=_("Agenda: %(title)s, %(date)s") % {"title": meeting.title, "date": starts},
            lines=lines,
            path=reverse("projects:meeting_detail", kwargs={"code": project.code, "pk": meeting.pk}),
            link_text=_("Open the agenda"),
        )

    chat_notify(project=project, event=ChatEvent.MEETING_AGENDA, fact=f"meeting-agenda:{meeting.pk}", notice=notice)
