"""Who changed the plan, when, from what to what (issue 16 point 11): a bounded, worded list read
from the django-simple-history tables of milestones, budget lines and risks."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

HISTORY_LIMIT = 20


@dataclass
class HistoryEntry:
    who: object  # a User or None (a change by the system)
    when: object  # an aware datetime
    label: str  # what was changed, e.g. the budget line's category; "" for a single object
    created: bool
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (field's verbose name, from, to)


def _shown(record, model_field) -> str:
    value = getattr(record, model_field.attname)
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value)


def history_entries(
    records: QuerySet, fields: list[str], *, label=None, limit: int = HISTORY_LIMIT
) -> list[HistoryEntry]:
    """The last `limit` changes among `records` (historical rows of one model), newest first, each
    with the tracked `fields` that changed. One query, whatever the number of rows: the window read
    is bounded, and a change's previous state is looked up in it."""
    model = records.model.instance_type
    tracked = [model._meta.get_field(name) for name in fields]
    window = list(records.select_related("history_user").order_by("-history_date", "-history_id")[: limit * 3])
    previous, entries = {}, []
    for record in reversed(window):
        before = previous.get(record.id)
        previous[record.id] = record
        if record.history_type == "-":
            continue
        created = record.history_type == "+" or before is None
        if created:
            changes = [(str(f.verbose_name), "", _shown(record, f)) for f in tracked if _shown(record, f) != "—"]
        else:
            changes = [
                (str(f.verbose_name), _shown(before, f), _shown(record, f))
                for f in tracked
                if getattr(before, f.attname) != getattr(record, f.attname)
            ]
        if not changes:
            continue
        entries.append(
            HistoryEntry(
                who=record.history_user,
                when=record.history_date,
                label=label(record) if label else "",
                created=record.history_type == "+",
                changes=changes,
            )
        )
    return list(reversed(entries))[:limit]
