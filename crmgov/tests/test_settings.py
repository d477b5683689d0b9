import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, django
django.setup()
from django.conf import settings
from crmgov.celery import app
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "name": str(settings.DATABASES["default"]["NAME"]),
    "broker": app.conf.broker_url,
    "cache": settings.CACHES["default"]["BACKEND"],
    "serializer": app.conf.task_serializer,
    "accept": app.conf.accept_content,
    "acks_late": app.conf.task_acks_late,
    "visibility_timeout": app.conf.broker_transport_options.get("visibility_timeout"),
}))
"""
DEPLOY_VARIABLES = ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "DEBUG", "HTTPS", "EMAIL_URL")


def resolved_settings(tmp_path, **variables):
    environment = {k: v for k, v in os.environ.items() if k not in DEPLOY_VARIABLES}
    environment.update(DJANGO_SETTINGS_MODULE="crmgov.settings", CRMGOV_VAR_DIR=str(tmp_path), **variables)
    output = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


@pytest.mark.slow
def test_with_nothing_set_it_runs_embedded_on_sqlite_and_a_serverless_broker(tmp_path):
    resolved = resolved_settings(tmp_path)
    assert resolved["engine"] == "django.db.backends.sqlite3"
    assert resolved["name"] == str(tmp_path / "crmgov.sqlite3")
    assert resolved["broker"].startswith("filesystem://")
    assert resolved["cache"].endswith("LocMemCache")
    assert resolved["serializer"] == "json" and resolved["accept"] == ["json"]
    assert resolved["acks_late"] is True


@pytest.mark.slow
def test_with_the_variables_set_it_runs_on_postgresql_and_redis(tmp_path):
    resolved = resolved_settings(
        tmp_path,
        DATABASE_URL="postgres://crm:secret@db.internal:5432/crmgov",
        CELERY_BROKER_URL="redis://redis.internal:6379/0",
        REDIS_URL="redis://redis.internal:6379/1",
    )
    assert resolved["engine"] == "django.db.backends.postgresql"
    assert resolved["name"] == "crmgov"
    assert resolved["broker"] == "redis://redis.internal:6379/0"
    assert resolved["cache"].endswith("RedisCache")
    assert resolved["visibility_timeout"] == 7200, "retry countdowns (≤ 1 h) must stay below it"


@pytest.mark.slow
def test_deploy_check_passes_with_production_values(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k not in DEPLOY_VARIABLES}
    environment.update(
        CRMGOV_VAR_DIR=str(tmp_path),
        SECRET_KEY="x" * 20 + "a-long-and-random-production-secret-value-1234567890",
        ALLOWED_HOSTS="crmgov.example.com",
        HTTPS="true",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.example.com:587",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_deploy_check_fails_when_secret_key_is_not_set(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k not in (*DEPLOY_VARIABLES, "SECRET_KEY")}
    environment.update(
        CRMGOV_VAR_DIR=str(tmp_path),
        ALLOWED_HOSTS="crmgov.example.com",
        HTTPS="true",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.example.com:587",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "crmgov.E001" in result.stderr and "SECRET_KEY" in result.stderr


def test_the_public_development_key_is_an_error_only_with_debug_off(settings):
    from crmgov.checks import check_secret_key

    settings.SECRET_KEY = settings.DEVELOPMENT_SECRET_KEY
    settings.DEBUG = False
    assert [error.id for error in check_secret_key(None)] == ["crmgov.E001"]
    settings.DEBUG = True
    assert check_secret_key(None) == []
    settings.DEBUG = False
    settings.SECRET_KEY = "a-long-and-random-production-secret-value-1234567890"
    assert check_secret_key(None) == []


@pytest.mark.django_db  # loading the task modules makes Celery's Django fix-up touch the connection
def test_every_beat_entry_names_a_registered_task():
    from crmgov.celery import app

    app.loader.import_default_modules()
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, name
