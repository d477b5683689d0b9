"""Chat notifications, posted to a real local HTTP server standing in for each platform."""

import base64
import datetime
import hashlib
import hmac
import json

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from projects.escalations import services as services_escalations
from projects.escalations.models import Escalation
from projects.notifications import services as services_notifications
from projects.notifications.models import ChatMessage, ChatWebhook
from projects.notifications.tasks import sweep_chat_outbox
from projects.permissions import Role
from projects.reporting import services as services_reporting
from projects.steering import services as services_steering
from projects.steering.models import CommitteeMember
from projects.tests.chat_server import ChatServer

ALL_EVENTS = ["escalation", "status_report", "overdue_issues", "meeting_agenda"]


@pytest.fixture
def server():
    with ChatServer() as running:
        yield running


def add_webhook(team, server, platform, *, path="/hook", secret="", events=ALL_EVENTS, project=None):
    return services_notifications.chat_webhook_save(
        project=project or team.project,
        by=team.user(Role.PM),
        name=f"{platform} 项目群",
        platform=platform,
        url=server.url(path),
        secret=secret,
        events=events,
    )


def raise_escalation(team, project=None):
    return services_escalations.escalation_raise(
        project=project or team.project,
        by=team.user(Role.PM),
        kind=Escalation.Kind.OTHER,
        title="上线延期",
        what_happened="数据迁移未完成",
        consequences="上线推迟 10 天",
        delay_days=10,
    )


def escalation_url(escalation):
    return f"https://crmgov.test/p/SCRM/escalations/{escalation.pk}/"


# --- Formats and signatures ------------------------------------------------------------------


def test_wecom_gets_a_markdown_message_in_the_projects_language(team, server, django_capture_on_commit_callbacks):
    add_webhook(team, server, "wecom", path="/cgi-bin/webhook/send")
    with django_capture_on_commit_callbacks(execute=True):
        escalation = raise_escalation(team)
    [request] = server.received
    assert request.path == "/cgi-bin/webhook/send"
    assert request.headers["content-type"].startswith("application/json")
    assert list(request.json) == ["msgtype", "markdown"]
    assert request.json["msgtype"] == "markdown"
    assert list(request.json["markdown"]) == ["content"]
    content = request.json["markdown"]["content"]
    assert content.startswith("**风险上报 SCRM：上线延期**\n数据迁移未完成\n")
    assert content.endswith(f"]({escalation_url(escalation)})")
    assert ChatMessage.objects.get().status == ChatMessage.Status.SENT


def test_an_english_project_gets_english_messages(team, server, django_capture_on_commit_callbacks):
    team.project.default_language = "en"
    team.project.save()
    add_webhook(team, server, "wecom")
    with django_capture_on_commit_callbacks(execute=True):
        raise_escalation(team)
    assert server.received[0].json["markdown"]["content"].startswith("**Escalation SCRM: 上线延期**")


def test_dingtalk_gets_markdown_with_a_valid_signature(team, server, django_capture_on_commit_callbacks):
    secret = "SEC0123456789abcdef"
    add_webhook(team, server, "dingtalk", path="/robot/send?access_token=tok123", secret=secret)
    with django_capture_on_commit_callbacks(execute=True):
        escalation = raise_escalation(team)
    [request] = server.received
    assert request.path == "/robot/send"
    assert request.query["access_token"] == "tok123"
    timestamp = request.query["timestamp"]
    assert abs(int(timestamp) - timezone.now().timestamp() * 1000) < 60_000  # milliseconds
    expected = base64.b64encode(hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest())
    assert request.query["sign"] == expected.decode()  # the query is URL-decoded by the server
    assert request.json == {
        "msgtype": "markdown",
        "markdown": {
            "title": "风险上报 SCRM：上线延期",
            "text": request.json["markdown"]["text"],
        },
    }
    text = request.json["markdown"]["text"]
    assert text.startswith("#### 风险上报 SCRM：上线延期\n\n数据迁移未完成\n\n")
    assert escalation_url(escalation) in text


def test_dingtalk_without_a_secret_is_not_signed(team, server, django_capture_on_commit_callbacks):
    add_webhook(team, server, "dingtalk", path="/robot/send?access_token=tok123")
    with django_capture_on_commit_callbacks(execute=True):
        raise_escalation(team)
    assert server.received[0].query == {"access_token": "tok123"}


def test_feishu_gets_a_post_with_a_valid_signature(team, server, django_capture_on_commit_callbacks):
    secret = "feishu-secret"
    add_webhook(team, server, "feishu", path="/open-apis/bot/v2/hook/abc", secret=secret)
    with django_capture_on_commit_callbacks(execute=True):
        escalation = raise_escalation(team)
    body = server.received[0].json
    assert set(body) == {"timestamp", "sign", "msg_type", "content"}
    assert body["msg_type"] == "post"
    timestamp = body["timestamp"]
    assert abs(int(timestamp) - timezone.now().timestamp()) < 60  # seconds
    key = f"{timestamp}\n{secret}".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    post = body["content"]["post"]["zh_cn"]
    assert post["title"] == "风险上报 SCRM：上线延期"
    assert post["content"][0] == [{"tag": "text", "text": "数据迁移未完成"}]
    assert post["content"][-1] == [
        {"tag": "a", "text": post["content"][-1][0]["text"], "href": escalation_url(escalation)}
    ]


def test_generic_webhook_is_signed_over_timestamp_and_body(team, server, django_capture_on_commit_callbacks):
    secret = "s3cret"
    webhook = add_webhook(team, server, "generic", secret=secret)
    with django_capture_on_commit_callbacks(execute=True):
        escalation = raise_escalation(team)
    [request] = server.received
    timestamp = request.headers["x-crmgov-timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    assert request.headers["x-crmgov-signature"] == f"sha256={expected}"
    key = f"chat:{webhook.pk}:escalation:{escalation.pk}:level-1"
    assert request.headers["x-crmgov-delivery"] == key
    assert request.headers["x-crmgov-event"] == "escalation"
    assert request.json == {
        "event": "escalation",
        "project": {"code": "SCRM", "name": "华南区销售CRM上线"},
        "title": "风险上报 SCRM：上线延期",
        "text": request.json["text"],
        "url": escalation_url(escalation),
        "id": key,
        "language": "zh-hans",
    }
    assert request.json["text"].startswith("数据迁移未完成\n")


# --- Events ----------------------------------------------------------------------------------


def test_only_subscribed_active_webhooks_of_the_project_get_the_event(team, server, django_capture_on_commit_callbacks):
    add_webhook(team, server, "wecom", path="/wants", events=["escalation"])
    add_webhook(team, server, "wecom", path="/reports-only", events=["status_report"])
    off = add_webhook(team, server, "wecom", path="/off")
    off.is_active = False
    off.save()
    add_webhook(team, server, "wecom", path="/other-project", project=team.other_project)
    with django_capture_on_commit_callbacks(execute=True):
        raise_escalation(team)
    assert [r.path for r in server.received] == ["/wants"]


def test_a_second_notice_is_a_second_message(team, server, django_capture_on_commit_callbacks, time_machine):
    add_webhook(team, server, "wecom")
    with django_capture_on_commit_callbacks(execute=True):
        raise_escalation(team)
    time_machine.move_to(timezone.now() + datetime.timedelta(hours=team.project.escalation_ack_hours + 1))
    with django_capture_on_commit_callbacks(execute=True):
        services_escalations.escalations_renotify(project=team.project)
        services_escalations.escalations_renotify(project=team.project)
    assert len(server.received) == 2
    assert server.received[1].json["markdown"]["content"].startswith("**【二次通知】")


def test_the_status_report_is_posted_once(team, server, django_capture_on_commit_callbacks):
    add_webhook(team, server, "wecom")
    week = datetime.date(2026, 11, 16)
    with django_capture_on_commit_callbacks(execute=True):
        report = services_reporting.status_report_send(project=team.project, period_start=week)
    with django_capture_on_commit_callbacks(execute=True):
        services_reporting.status_report_send(project=team.project, period_start=week)
    [request] = server.received
    content = request.json["markdown"]["content"]
    assert content.startswith("**状态报告 SCRM，2026-11-16 所在周**")
    assert f"https://crmgov.test/p/SCRM/reports/{report.pk}/" in content


def test_a_published_agenda_is_posted_with_its_items(team, server, django_capture_on_commit_callbacks):
    add_webhook(team, server, "feishu", events=["meeting_agenda"])
    pm = team.user(Role.PM)
    services_steering.committee_member_add(
        project=team.project, user=team.user(Role.SPONSOR), committee_role=CommitteeMember.CommitteeRole.MEMBER
    )
    meeting = services_steering.meeting_create(
        project=team.project,
        created_by=pm,
        title="第一次指导委员会",
        starts_at=timezone.now() + datetime.timedelta(days=10),
        duration_minutes=90,
        location="总部会议室",
    )
    services_steering.agenda_item_add(meeting=meeting, title="预算追加", minutes_allotted=15)
    with django_capture_on_commit_callbacks(execute=True):
        services_steering.meeting_publish(meeting=meeting, published_by=pm)
    post = server.received[0].json["content"]["post"]["zh_cn"]
    assert post["title"].startswith("议程：第一次指导委员会，")
    texts = [row[0]["text"] for row in post["content"]]
    assert "1. 预算追加（15 分钟）" in texts
    assert post["content"][-1][0]["href"] == f"https://crmgov.test/p/SCRM/meetings/{meeting.pk}/"


# --- Durability ------------------------------------------------------------------------------


def test_an_http_error_is_retried_later(team, server, django_capture_on_commit_callbacks, time_machine):
    add_webhook(team, server, "wecom")
    server.answer(500, b"oops")
    with django_capture_on_commit_callbacks(execute=True):
        raise_escalation(team)
    message = ChatMessage.objects.get()
    assert message.status == ChatMessage.Status.QUEUED
    assert message.attempts == 1 and "HTTP 500" in message.last_error
    assert message.next_attempt_at > timezone.now()
    time_machine.move_to(message.next_attempt_at + datetime.timedelta(minutes=5))
    sweep_chat_outbox()
    message.refresh_from_db()
    assert message.status == ChatMessage.Status.SENT
    assert len(server.received) == 2
    assert server.received[0].body == server.received[1].body


@pytest.mark.parametrize(
    ("platform", "error"),
    [
        ("wecom", b'{"errcode":93000,"errmsg":"invalid webhook url"}'),
        ("dingtalk", b'{"errcode":310000,"errmsg":"sign not match"}'),
        ("feishu", b'{"code":19021,"msg":"sign match fail or timestamp is not within one hour"}'),
    ],
)
def test_a_platform_error_code_is_retried(team, server, django_capture_on_commit_callbacks, platform, error):
    add_webhook(team, server, platform, secret="SECabc")
    server.answer(200, error)
    with django_capture_on_commit_callbacks(execute=True):
        raise_escalation(team)
    message = ChatMessage.objects.get()
    assert message.status == ChatMessage.Status.QUEUED
    assert str(json.loads(error).get("errcode", json.loads(error).get("code"))) in message.last_error


def test_it_gives_up_after_the_last_attempt(team, server, django_capture_on_commit_callbacks, time_machine):
    add_webhook(team, server, "wecom")
    for _ in range(10):
        server.answer(502, b"")
    with django_capture_on_commit_callbacks(execute=True):
        raise_escalation(team)
    message = ChatMessage.objects.get()
    while message.status == ChatMessage.Status.QUEUED:
        time_machine.move_to(message.next_attempt_at + datetime.timedelta(minutes=5))
        sweep_chat_outbox()
        message.refresh_from_db()
    assert message.status == ChatMessage.Status.FAILED
    assert len(server.received) == message.attempts == 8


def test_a_redirect_is_not_followed(team, server, django_capture_on_commit_callbacks):
    add_webhook(team, server, "generic", secret="s")
    server.answer(302, b"", headers={"Location": server.url("/elsewhere")})
    with django_capture_on_commit_callbacks(execute=True):
        raise_escalation(team)
    assert [r.path for r in server.received] == ["/hook"]
    assert "HTTP 302" in ChatMessage.objects.get().last_error


def test_a_slow_endpoint_times_out_and_is_retried(team, server, settings, django_capture_on_commit_callbacks):
    settings.CHAT_WEBHOOK_TIMEOUT_SECONDS = 0.2
    add_webhook(team, server, "wecom")
    server.answer(200, delay=1)
    with django_capture_on_commit_callbacks(execute=True):
        raise_escalation(team)
    message = ChatMessage.objects.get()
    assert message.status == ChatMessage.Status.QUEUED
    assert "timed out" in message.last_error.lower()


def test_a_failing_webhook_blocks_neither_the_escalation_nor_its_emails(team, django_capture_on_commit_callbacks):
    with ChatServer() as gone:
        url = gone.url("/hook")
    # The server is closed: the connection is refused.
    services_notifications.chat_webhook_save(
        project=team.project, by=team.user(Role.PM), name="群", platform="wecom", url=url, events=ALL_EVENTS
    )
    with django_capture_on_commit_callbacks(execute=True):
        escalation = raise_escalation(team)
    assert Escalation.objects.filter(pk=escalation.pk).exists()
    assert {m.to[0] for m in mail.outbox} == {"sponsor@example.com", "executive@example.com", "steering@example.com"}
    message = ChatMessage.objects.get()
    assert message.status == ChatMessage.Status.QUEUED and message.last_error


def test_the_sweeper_delivers_a_message_whose_worker_died(
    team, server, django_capture_on_commit_callbacks, time_machine
):
    add_webhook(team, server, "wecom")
    with django_capture_on_commit_callbacks(execute=False):
        raise_escalation(team)  # the wake-up task is lost
    message = ChatMessage.objects.get()
    ChatMessage.objects.filter(pk=message.pk).update(
        status=ChatMessage.Status.SENDING, lease_expires_at=timezone.now() + datetime.timedelta(minutes=5)
    )
    server.received.clear()
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=10))
    sweep_chat_outbox()  # releases the lease
    sweep_chat_outbox()  # and, once past the grace period, delivers
    time_machine.move_to(timezone.now() + datetime.timedelta(minutes=5))
    sweep_chat_outbox()
    message.refresh_from_db()
    assert message.status == ChatMessage.Status.SENT
    assert len(server.received) == 1


def test_two_workers_cannot_both_post_a_message(team, server, django_capture_on_commit_callbacks):
    add_webhook(team, server, "wecom")
    with django_capture_on_commit_callbacks(execute=False):
        raise_escalation(team)
    message = ChatMessage.objects.get()
    assert services_notifications.chat_deliver(message_id=message.pk).sent is True
    assert services_notifications.chat_deliver(message_id=message.pk).sent is False
    assert len(server.received) == 1


def test_nothing_is_queued_when_the_business_change_rolls_back(team, server, django_capture_on_commit_callbacks):
    from django.db import transaction

    add_webhook(team, server, "wecom")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        raise_escalation(team)
        raise RuntimeError
    assert not ChatMessage.objects.exists()
    assert not server.received


# --- Addresses and secrets ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "url"),
    [
        ("wecom", "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x"),
        ("wecom", "https://evil.example.com/cgi-bin/webhook/send?key=x"),
        ("dingtalk", "https://qyapi.weixin.qq.com/robot/send?access_token=x"),
        ("feishu", "ftp://open.feishu.cn/hook/x"),
        ("generic", "http://hooks.example.com/in"),
    ],
)
def test_addresses_must_be_https_to_the_platforms_host(team, platform, url):
    with pytest.raises(ValidationError) as error:
        services_notifications.chat_webhook_save(
            project=team.project,
            by=team.user(Role.PM),
            name="群",
            platform=platform,
            url=url,
            secret="s",
            events=["escalation"],
        )
    assert "url" in error.value.error_dict


def test_official_addresses_are_accepted(team):
    for platform, url in [
        ("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6"),
        ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=abc"),
        ("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/abc"),
        ("generic", "https://hooks.example.com/in"),
    ]:
        services_notifications.chat_webhook_save(
            project=team.project,
            by=team.user(Role.PM),
            name=platform,
            platform=platform,
            url=url,
            secret="s",
            events=["escalation"],
        )
    assert ChatWebhook.objects.count() == 4


def test_plain_http_to_this_machine_only_where_allowed(team, settings):
    settings.CHAT_WEBHOOK_ALLOW_LOCAL = False
    with pytest.raises(ValidationError):
        services_notifications.chat_webhook_save(
            project=team.project,
            by=team.user(Role.PM),
            name="群",
            platform="wecom",
            url="http://127.0.0.1:9/x",
            events=["escalation"],
        )


def test_a_generic_webhook_needs_a_secret(team):
    with pytest.raises(ValidationError) as error:
        services_notifications.chat_webhook_save(
            project=team.project,
            by=team.user(Role.PM),
            name="ERP",
            platform="generic",
            url="https://erp.example.com/in",
            events=["escalation"],
        )
    assert "secret" in error.value.error_dict


# --- The PM's page -----------------------------------------------------------------------------


def test_the_pm_adds_a_webhook_and_never_sees_its_key_or_secret_again(client, team):
    client.force_login(team.user(Role.PM))
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
    response = client.post(
        reverse("projects:chat_webhooks", kwargs={"code": "SCRM"}),
        {
            "name": "项目群",
            "platform": "dingtalk",
            "url": url.replace("qyapi.weixin.qq.com/cgi-bin/webhook", "oapi.dingtalk.com/robot"),
            "secret": "SECverysecretvalue",
            "events": ["escalation", "status_report"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    webhook = ChatWebhook.objects.get()
    assert webhook.events == ["escalation", "status_report"] and webhook.secret == "SECverysecretvalue"
    page = client.get(reverse("projects:chat_webhooks", kwargs={"code": "SCRM"})).content.decode()
    edit = client.get(reverse("projects:chat_webhook_edit", kwargs={"code": "SCRM", "pk": webhook.pk})).content.decode()
    for html in (page, edit):
        assert "693a91f6-7xxx" not in html and "SECverysecretvalue" not in html
    assert "https://oapi.dingtalk.com/…5aaa" in page


def test_saving_with_empty_address_and_secret_keeps_them(client, team, server):
    webhook = add_webhook(team, server, "generic", secret="keep-me")
    client.force_login(team.user(Role.PM))
    response = client.post(
        reverse("projects:chat_webhook_edit", kwargs={"code": "SCRM", "pk": webhook.pk}),
        {"name": "ERP", "platform": "generic", "url": "", "secret": "", "events": ["overdue_issues"]},
    )
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert (webhook.name, webhook.url, webhook.secret, webhook.events, webhook.is_active) == (
        "ERP",
        server.url("/hook"),
        "keep-me",
        ["overdue_issues"],
        False,
    )


def test_an_invalid_webhook_comes_back_with_its_errors(client, team):
    client.force_login(team.user(Role.PM))
    response = client.post(
        reverse("projects:chat_webhooks", kwargs={"code": "SCRM"}),
        {"name": "群", "platform": "wecom", "url": "https://example.com/x", "events": ["escalation"]},
    )
    assert response.status_code == 400
    assert "qyapi.weixin.qq.com" in response.content.decode()
    assert not ChatWebhook.objects.exists()


def test_a_test_message_reaches_the_group(client, team, server, django_capture_on_commit_callbacks):
    webhook = add_webhook(team, server, "wecom")
    client.force_login(team.user(Role.PM))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("projects:chat_webhook_test", kwargs={"code": "SCRM", "pk": webhook.pk}))
    assert "SCRM" in server.received[0].json["markdown"]["content"]
    page = client.get(reverse("projects:chat_webhooks", kwargs={"code": "SCRM"}))
    assert ChatMessage.objects.get().key in page.content.decode()


def test_the_webhook_page_query_count_does_not_grow(client, team, server, django_assert_max_num_queries, no_lazy_loads):
    client.force_login(team.user(Role.PM))
    url = reverse("projects:chat_webhooks", kwargs={"code": "SCRM"})
    webhook = add_webhook(team, server, "wecom")
    services_notifications.chat_webhook_test(webhook=webhook)
    client.get(url)
    with no_lazy_loads(), django_assert_max_num_queries(12) as few:
        client.get(url)
    for n in range(5):
        services_notifications.chat_webhook_test(webhook=add_webhook(team, server, "wecom", path=f"/{n}"))
    with no_lazy_loads(), django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_removing_a_webhook(client, team, server):
    webhook = add_webhook(team, server, "wecom")
    client.force_login(team.user(Role.PM))
    client.post(reverse("projects:chat_webhook_delete", kwargs={"code": "SCRM", "pk": webhook.pk}))
    assert not ChatWebhook.objects.exists()


def test_a_failed_message_can_be_sent_again_from_the_admin(team, server, django_capture_on_commit_callbacks):
    webhook = add_webhook(team, server, "wecom")
    server.answer(404, b"")
    with django_capture_on_commit_callbacks(execute=True):
        message = services_notifications.chat_webhook_test(webhook=webhook)
    ChatMessage.objects.filter(pk=message.pk).update(status=ChatMessage.Status.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        assert services_notifications.chat_resend(message_ids=[message.pk]) == 1
    message.refresh_from_db()
    assert message.status == ChatMessage.Status.SENT and len(server.received) == 2


def test_a_broker_outage_neither_fails_the_event_nor_loses_the_chat_message(
    team, server, django_capture_on_commit_callbacks
):
    """As for e-mails: the wake-up after commit may fail; the row waits for the sweeper."""
    from unittest import mock

    from django.db import transaction
    from kombu.exceptions import OperationalError

    from projects.notifications.tasks import deliver_chat_message

    add_webhook(team, server, ChatWebhook.Platform.GENERIC, secret="s3cret")
    with (
        mock.patch.object(deliver_chat_message, "apply_async", side_effect=OperationalError("Redis is down")),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        services_notifications.chat_notify(
            project=team.project,
            event="escalation",
            fact="escalation:1:level-1",
            notice=lambda: services_notifications.ChatNotice(title="上报"),
        )
    assert ChatMessage.objects.get().status == ChatMessage.Status.QUEUED
