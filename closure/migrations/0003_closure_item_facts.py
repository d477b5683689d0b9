"""Closure items compiled from issues and change requests kept their status as words in the
language of whoever compiled them ("Rejected: 成本过高，二期不做", "新问题"). Parse what can be
parsed back into facts (the status value, the reason as typed); keep the rest as typed text."""

from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext, pgettext

LANGUAGES = ("en", "zh-hans")

# The statuses as they were labelled when these rows were written (issues.models, changes.models).
STATUS_LABELS = {
    "issue": {
        "new": "New",
        "analysing": "Analysing",
        "with_consultant": "With consultant",
        "solution_proposed": "Solution proposed",
        "resolved": "Resolved",
        "closed": "Closed",
        "deferred": "Deferred",
        "duplicate": "Duplicate",
        "rejected": "Rejected",
    },
    "change": {
        "requested": "Requested",
        "options_proposed": "Options proposed",
        "revision_requested": "Revision requested",
        "awaiting_decision": "Awaiting decision",
        "approved": "Approved",
        "in_development": "In development",
        "delivered": "Delivered",
        "in_pilot": "In pilot",
        "ready_for_rollout": "Ready for rollout",
        "closed": "Rolled out and closed",
        "rejected": "Rejected",
        "withdrawn": "Withdrawn",
    },
}


def _labels(kind: str) -> dict[str, str]:
    """Every wording of each status, in every language: {label: value}."""
    worded = {}
    for language in LANGUAGES:
        with translation.override(language):
            for value, label in STATUS_LABELS[kind].items():
                # Some labels have since got a context ("state"), so one English word can be two Chinese.
                worded[gettext(label)] = value
                worded[pgettext("state", label)] = value
    return worded


def parse_detail(kind: str, detail: str) -> dict | None:
    """The facts a compiled detail was worded from, or None when it is not such a wording."""
    if kind not in STATUS_LABELS:
        return None
    labels = _labels(kind)
    text = detail.strip()
    if text in labels:
        return {"status": labels[text]}
    for separator in (": ", "："):
        head, found, reason = text.partition(separator)
        if found and head in labels:
            return {"status": labels[head], "reason": reason}
    return None


def forwards(apps, schema_editor):
    ClosureItem = apps.get_model("closure", "ClosureItem")
    items = ClosureItem.objects.filter(kind__in=list(STATUS_LABELS), source_id__isnull=False).exclude(detail="")
    for item in items.iterator():
        facts = parse_detail(item.kind, item.detail)
        if facts is not None:
            item.facts, item.detail = facts, ""
            item.save(update_fields=["facts", "detail"])


def backwards(apps, schema_editor):
    ClosureItem = apps.get_model("closure", "ClosureItem")
    for item in ClosureItem.objects.exclude(facts={}).iterator():
        label = STATUS_LABELS.get(item.kind, {}).get(item.facts.get("status"), item.facts.get("status", ""))
        reason = item.facts.get("reason")
        item.detail = f"{label}: {reason}" if reason else label
        item.facts = {}
        item.save(update_fields=["facts", "detail"])


class Migration(migrations.Migration):
    dependencies = [("closure", "0002_governance")]

    operations = [migrations.RunPython(forwards, backwards)]
