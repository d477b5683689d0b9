"""Test settings and shared fixtures. The suite runs on SQLite or, with DATABASE_URL set, PostgreSQL."""

import contextlib
import datetime
import itertools
import uuid

import pytest
from django.conf import settings
from django.utils import translation

_emails = itertools.count(1)
# Memberships of the test team start early, so tests may move the clock back.
SINCE = datetime.date(2026, 1, 1)


def pytest_configure(config):
    # One fast hasher: PBKDF2's 1.2 million iterations would dominate the suite.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = True
    settings.WHITENOISE_USE_FINDERS = True
    settings.SITE_URL = "https://crmgov.test"
    # Tests move the clock and sign in sponsors without TOTP: the security tests turn these on.
    settings.SESSION_IDLE_TIMEOUT = 0
    settings.MFA_REQUIRED_FOR_LEADERSHIP = False
    # Chat webhook tests post to a local HTTP server standing in for each platform.
    settings.CHAT_WEBHOOK_ALLOW_LOCAL = True
    # On the embedded SQLite each worker's test database is made from the models (15–20 s less a
    # run than replaying the migrations, which SQLite does by rebuilding tables); the PostgreSQL run
    # (DATABASE_URL set, as in CI) applies every migration, data migrations included.
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        config.option.nomigrations = True
    from crmgov.celery import app

    # Tasks run in-process when enqueued (after commit); real brokers are exercised in test_celery.
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Each test its own cache key space: on Redis the cache is shared by parallel test workers,
    so clearing it would wipe another test's counters."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": uuid.uuid4().hex}}


@pytest.fixture
def empty_cache(settings):
    """empty_cache() → this test's cache is empty: a new key space. Never `cache.clear()`: on Redis
    it flushes the database every parallel test worker shares (crmgov/tests/test_cache.py)."""

    def empty() -> None:
        settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": uuid.uuid4().hex}}

    return empty


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploaded private files (requirement documents) go to a per-test directory."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def no_lazy_loads():
    """A context manager: inside it, lazy loading of a related object raises (wrap requests only)."""
    from django.db.models import query
    from django.db.models.fetch_modes import FETCH_RAISE

    @contextlib.contextmanager
    def raising():
        saved = query.DEFAULT_FETCH_MODE
        query.DEFAULT_FETCH_MODE = FETCH_RAISE
        try:
            yield
        finally:
            query.DEFAULT_FETCH_MODE = saved

    return raising


@pytest.fixture
def fetch_raise(monkeypatch):
    """Lazy loading of a related object raises, so a page cannot hide an N+1 query."""
    from django.db.models import query
    from django.db.models.fetch_modes import FETCH_RAISE

    monkeypatch.setattr(query, "DEFAULT_FETCH_MODE", FETCH_RAISE)


def create_user(email=None, **fields):
    """A user with the test password; also for class-level data (`Team(create_user)` in setUpTestData)."""
    from projects.core.models import User

    fields.setdefault("full_name", "测试用户")
    fields.setdefault("language", "en")
    email = email or f"person{next(_emails)}@example.com"
    return User.objects.create_user(email, "password-123", **fields)


@pytest.fixture
def make_user(db):
    return create_user


class Team:
    """A project with one member in every role, and the people around it."""

    def __init__(self, make_user):
        from projects.core.models import Membership, Project
        from projects.permissions import Role

        self.project = Project.objects.create(code="SCRM", name="华南区销售CRM上线")
        self.other_project = Project.objects.create(code="OTHER", name="Another project")
        self.members = {}
        for role in Role:
            # English names whatever language an earlier test left active in this thread.
            with translation.override("en"):
                user = make_user(f"{role.value}@example.com", full_name=str(role.label))
            self.members[role.value] = Membership.objects.create(
                project=self.project, user=user, role=role, active_from=SINCE
            )
        self.outsider = make_user("outsider@example.com", full_name="Outsider")
        other_pm = make_user("other-pm@example.com", full_name="Other PM")
        self.other_membership = Membership.objects.create(
            project=self.other_project, user=other_pm, role=Role.PM, active_from=SINCE
        )

    def user(self, role: str):
        return self.members[role].user


@pytest.fixture
def team(db, make_user):
    return Team(make_user)


@pytest.fixture
def api_client(db):
    """A test client for the REST API, authenticated by a new personal token of `user`."""
    from django.test import Client

    from projects.api.services import api_token_create

    def make(user):
        _token, secret = api_token_create(user=user, name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make
