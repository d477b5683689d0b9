"""The Redis cache degrades to no cache while Redis is unreachable: pages answer, slower."""

import socket

import pytest
from django.urls import reverse

from crmgov.cache import DegradingRedisCache
from projects.permissions import Role


def _dead_redis_url() -> str:
    with socket.socket() as probe:  # a port nobody listens on: connections are refused
        probe.bind(("127.0.0.1", 0))
        return f"redis://127.0.0.1:{probe.getsockname()[1]}/0"


OPTIONS = {"OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}


def test_reads_miss_and_writes_are_dropped_while_redis_is_down():
    cache = DegradingRedisCache(_dead_redis_url(), OPTIONS)
    cache.set("figures", 42)
    assert cache.get("figures") is None
    assert cache.get("figures", "default") == "default"
    assert cache.get_many(["figures", "other"]) == {}
    assert cache.set_many({"a": 1}) == []
    assert cache.add("lock", True) is True, "a lock taken while Redis is down must not block its caller"
    assert cache.delete("figures") is False
    assert cache.has_key("figures") is False


def test_errors_other_than_an_unreachable_redis_are_not_hidden():
    cache = DegradingRedisCache(_dead_redis_url(), OPTIONS)
    with pytest.raises(TypeError):
        cache.get()


def test_dashboards_and_login_answer_while_redis_is_down(client, team, settings, make_user):
    settings.CACHES = {"default": {"BACKEND": "crmgov.cache.DegradingRedisCache", "LOCATION": _dead_redis_url()}}
    client.force_login(team.user(Role.SPONSOR))
    assert client.get(reverse("projects:portfolio")).status_code == 200
    assert client.get(reverse("projects:dashboard", args=[team.project.code])).status_code == 200
    client.logout()
    make_user("someone@example.com")
    answer = client.post(reverse("account_login"), {"login": "someone@example.com", "password": "password-123"})
    assert answer.status_code == 302, "the login rate limit lives in the cache; its outage must not block logins"


def test_no_test_clears_the_shared_cache():
    """`cache.clear()` on Redis flushes the database the parallel test workers share: another
    worker's cached count vanished mid-test (test_my_work, on PostgreSQL + Redis). Tests use the
    `empty_cache` fixture, a key space of their own."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for folder in ("changes", "closure", "crmgov", "issues", "projects")
        for path in (root / folder).rglob("test_*.py")
        if "cache.clear()" in path.read_text(encoding="utf-8").replace("never cache.clear()", "")
        and path.name != "test_cache.py"
    ]
    assert not offenders, offenders
