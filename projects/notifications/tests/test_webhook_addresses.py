"""Outgoing webhooks reach public addresses only (issue 17): no port scanner for a PM."""

import socket

import pytest
from django.core.exceptions import ValidationError

from projects.notifications import addresses
from projects.notifications import services as services_notifications
from projects.notifications.models import ChatMessage, ChatWebhook
from projects.permissions import Role

PUBLIC = "93.184.216.34"


def save(team, url, platform="generic"):
    return services_notifications.chat_webhook_save(
        project=team.project,
        by=team.user(Role.PM),
        name="群",
        platform=platform,
        url=url,
        secret="a-signing-secret",
        events=["escalation"],
    )


def resolving(monkeypatch, answers: dict[str, list[str]]):
    """Stand-in DNS: each host name answers these addresses; counts the look-ups."""
    lookups = []

    def getaddrinfo(host, port, *args, **kwargs):
        lookups.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port)) for address in answers[host]]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1:8443/hook",
        "https://localhost/hook",
        "https://[::1]/hook",
        "https://0.0.0.0/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.5/hook",
        "https://192.168.1.1/hook",
        "https://[fe80::1]/hook",
        "https://224.0.0.1/hook",
        "https://[::ffff:127.0.0.1]/hook",
    ],
)
def test_a_webhook_to_an_internal_address_is_refused(team, url, settings):
    settings.CHAT_WEBHOOK_ALLOW_LOCAL = False
    with pytest.raises(ValidationError) as refused:
        save(team, url)
    assert "not allowed" in str(refused.value)
    assert not ChatWebhook.objects.exists()


def test_a_name_that_resolves_to_loopback_is_refused(team, monkeypatch, settings):
    settings.CHAT_WEBHOOK_ALLOW_LOCAL = False
    resolving(monkeypatch, {"hooks.evil.example": ["127.0.0.1"]})
    with pytest.raises(ValidationError):
        save(team, "https://hooks.evil.example/x")


def test_a_public_name_is_accepted(team, monkeypatch, settings):
    settings.CHAT_WEBHOOK_ALLOW_LOCAL = False
    resolving(monkeypatch, {"hooks.example.com": [PUBLIC]})
    assert save(team, "https://hooks.example.com/x").pk


def test_a_name_rebound_to_loopback_after_saving_is_not_connected_to(
    team, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.CHAT_WEBHOOK_ALLOW_LOCAL = False
    answers = {"hooks.example.com": [PUBLIC]}
    resolving(monkeypatch, answers)
    webhook = save(team, "https://hooks.example.com/x")
    answers["hooks.example.com"] = ["127.0.0.1"]
    connected = []
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: connected.append(a) or 1 / 0)
    with django_capture_on_commit_callbacks(execute=True):
        message = services_notifications.chat_webhook_test(webhook=webhook)
    message.refresh_from_db()
    assert connected == []
    assert "address not allowed" in message.last_error


def test_delivery_connects_to_the_address_it_checked_without_a_second_lookup(
    team, monkeypatch, settings, django_capture_on_commit_callbacks
):
    settings.CHAT_WEBHOOK_ALLOW_LOCAL = False
    lookups = resolving(monkeypatch, {"hooks.example.com": [PUBLIC]})
    webhook = save(team, "https://hooks.example.com/x")
    lookups.clear()
    connected = []

    def create_connection(address, *args, **kwargs):
        connected.append(address)
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(socket, "create_connection", create_connection)
    with django_capture_on_commit_callbacks(execute=True):
        message = services_notifications.chat_webhook_test(webhook=webhook)
    message.refresh_from_db()
    assert connected == [(PUBLIC, 443)]
    assert lookups == ["hooks.example.com"]
    # The network's own words (refused, reset, certificate) are not shown to the PM.
    assert "could not connect" in message.last_error
    assert "refused" not in message.last_error.lower()
    assert message.status == ChatMessage.Status.QUEUED


def test_every_resolved_address_must_be_public():
    assert addresses.is_public(PUBLIC)
    for address in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "100.64.0.1", "0.0.0.0", "::", "fc00::1", "ff02::1"]:  # noqa: S104 (addresses checked, nothing binds)
        assert not addresses.is_public(address), address


@pytest.mark.parametrize("platform", ["wecom", "dingtalk"])
def test_a_typed_link_in_an_issue_title_stays_text_in_the_group_chat(team, platform):
    """Issue 17: a key user could plant a phishing link in leadership's group chat."""
    notice = services_notifications.ChatNotice(
        title="[请立即重新登录](https://evil.example/login)",
        lines=["<font color=warning>紧急</font> **点这里** [登录](https://evil.example)"],
        path="/p/SCRM/",
    )
    payload = services_notifications.payload_for(platform, notice, project=team.project, event="e", key="k")
    markdown = payload["markdown"].get("content") or payload["markdown"]["text"]
    assert "](https://evil" not in markdown and "<font" not in markdown
    assert "请立即重新登录" in markdown and "紧急" in markdown
    assert markdown.count("](") == 1  # only our own link to the page
