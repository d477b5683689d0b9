"""The Celery app. Its settings and the whole beat schedule live here, in one place."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crmgov.settings")

app = Celery("crmgov")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    # A delivery task is acknowledged only once it has finished, and given back
    # to the queue if its worker dies: with the outbox's conditional claim this
    # means a lost worker delays an e-mail but never loses or doubles it.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_soft_time_limit=60,
    task_time_limit=90,
    broker_connection_retry_on_startup=True,
    timezone="Asia/Shanghai",
    enable_utc=True,
)

# Run exactly one beat. Each entry is a small dispatcher that reads what is due
# from the database and is idempotent, so a missed tick catches up on the next
# one and a doubled tick is harmless.
app.conf.beat_schedule = {
    # Remind owners of steering committee action items due today or overdue.
    "action-item-reminders": {
        "task": "projects.steering.tasks.dispatch_action_item_reminders",
        "schedule": 15 * 60.0,
    },
    # Detect exceptions (D-ESC-3) in every open project; renotify unacknowledged escalations.
    "escalations": {
        "task": "projects.escalations.tasks.dispatch_escalations",
        "schedule": 5 * 60.0,
    },
    # Draft each project's weekly status report ahead of time, send it at its local time.
    "status-reports": {
        "task": "projects.reporting.tasks.dispatch_status_reports",
        "schedule": 5 * 60.0,
    },
    # The portfolio's rollup of each open project's live status (issue 7).
    "status-snapshots": {
        "task": "projects.reporting.tasks.refresh_status_snapshots",
        "schedule": 5 * 60.0,
    },
    # Re-queue outbox e-mails whose broker message was lost or whose worker died.
    "outbox-sweep": {
        "task": "projects.notifications.tasks.sweep_outbox",
        "schedule": 60.0,
    },
    # The same for chat messages (WeCom, DingTalk, Feishu, generic webhooks).
    "chat-outbox-sweep": {
        "task": "projects.notifications.tasks.sweep_chat_outbox",
        "schedule": 60.0,
    },
    # Daily-report reminders, the PM's daily digest and the knowledge digest. Each project's
    # times and working days are read from the database; outbox keys carry the local date,
    # so a later tick on the same day catches up and a doubled tick sends nothing twice.
    "issues-daily-mail": {
        "task": "issues.tasks.dispatch_daily_mail",
        "schedule": 300.0,
    },
    # The official holidays and make-up working days (调休) of this year and the next, filled into each
    # open project's working calendar once the chinese-calendar library knows them: new projects, and a
    # new year after the library is upgraded. Each project's year is filled once, keeping the PM's days.
    "calendar-fill": {
        "task": "issues.tasks.dispatch_calendar_fill",
        "schedule": 3600.0,
    },
}

# Each app's tasks, and those of the `projects` subpackages that have any (one app, several packages).
# The web process imports them too, once Django is ready (`ProjectsConfig.ready`): services enqueue
# tasks by name, and an eager run (tests, development without a worker) needs them registered.
TASK_PACKAGES = [
    "issues",
    "changes",
    "closure",
    "projects.notifications",
    "projects.escalations",
    "projects.reporting",
    "projects.steering",
]
app.autodiscover_tasks(lambda: TASK_PACKAGES)
