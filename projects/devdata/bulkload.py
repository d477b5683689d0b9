"""Loading millions of rows fast (`manage.py seed_scale`): COPY on PostgreSQL, batched bulk_create
elsewhere. Rows are dicts by attribute name (`project_id`, not `project`); missing fields take their
model default. Ids are assigned here, so rows can point at rows written earlier in the same run."""

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Max

BATCH = 5_000


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value) -> str:
    """Any value in PostgreSQL's COPY text format (the slow, general case)."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False).translate(_ESCAPES)
    return str(value).translate(_ESCAPES)


def _converter(field: models.Field):
    """The fastest formatter for one column: millions of rows go through these."""
    if isinstance(field, (models.AutoField, models.IntegerField, models.ForeignKey)) and not field.null:
        return str
    if isinstance(field, models.BooleanField) and not field.null:
        return {True: "t", False: "f"}.__getitem__
    if isinstance(field, models.DateTimeField) and not field.null:
        return datetime.datetime.isoformat
    return _text


@dataclass
class BulkWriter:
    written: dict[str, int] = field(default_factory=dict)
    _next_ids: dict[type, int] = field(default_factory=dict)
    _dropped: dict[type, list[str]] = field(default_factory=dict)  # model → CREATE INDEX statements

    @property
    def copies(self) -> bool:
        return connection.vendor == "postgresql"

    def next_id(self, model: type[models.Model]) -> int:
        """The id the next row of `model` gets; callers put it in their rows (`"id": writer.take(model)`)."""
        if model not in self._next_ids:
            self._next_ids[model] = (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        return self._next_ids[model]

    def take(self, model: type[models.Model]) -> int:
        pk = self.next_id(model)
        self._next_ids[model] = pk + 1
        return pk

    def write(self, model: type[models.Model], rows: Iterable[dict]) -> int:
        fields = [f for f in model._meta.concrete_fields if not f.generated]
        defaults = {f.attname: (None if f.primary_key else f.get_default()) for f in fields}
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                defaults[f.attname] = datetime.datetime.now(datetime.UTC)
        names = [f.attname for f in fields]
        if self.copies and not self._dropped:
            self._skip_foreign_key_triggers()
        if self.copies and model not in self._dropped:
            self._drop_indexes(model)
        count = self._copy(model, names, defaults, rows) if self.copies else self._create(model, defaults, rows)
        self.written[model._meta.label] = self.written.get(model._meta.label, 0) + count
        return count

    def _copy(self, model, names, defaults, rows) -> int:
        fields = [model._meta.get_field(n) for n in names]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        converters = list(zip(names, [_converter(f) for f in fields], [_text(defaults[n]) for n in names], strict=True))
        count = 0
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            lines = []
            for row in rows:
                lines.append("\t".join([convert(row[n]) if n in row else blank for n, convert, blank in converters]))
                count += 1
                if len(lines) >= BATCH:
                    copy.write("\n".join(lines) + "\n")
                    lines = []
            if lines:
                copy.write("\n".join(lines) + "\n")
        return count

    def _create(self, model, defaults, rows) -> int:
        count, batch = 0, []
        for row in rows:
            batch.append(model(**{**defaults, **row}))
            count += 1
            if len(batch) >= BATCH:
                model.objects.bulk_create(batch)
                batch = []
        if batch:
            model.objects.bulk_create(batch)
        return count

    def _skip_foreign_key_triggers(self) -> None:
        """The rows are consistent by construction; checking millions of deferred foreign keys at
        commit would take longer than writing them (pg_restore --disable-triggers does the same).
        Needs a superuser; without one the checks simply run."""
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:
            return

    def _drop_indexes(self, model) -> None:
        """Drop the table's plain (non-unique) indexes until `finish`: building an index once over
        millions of sorted rows is several times faster than updating it row by row."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i"
                " JOIN pg_class c ON c.relname = i.indexname JOIN pg_index x ON x.indexrelid = c.oid"
                " WHERE i.tablename = %s AND NOT x.indisunique AND NOT x.indisprimary",
                [model._meta.db_table],
            )
            found = cursor.fetchall()
            for name, _definition in found:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        self._dropped[model] = [definition for _name, definition in found]

    def finish(self) -> None:
        """Rebuild the dropped indexes; move the id sequences past the ids assigned here."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(self._next_ids))
        with connection.cursor() as cursor:
            if self._dropped:
                # Check the deferred foreign keys now: an index cannot be built on a table with
                # pending trigger events.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for definitions in self._dropped.values():
                for definition in definitions:
                    cursor.execute(definition)
            for statement in statements:
                cursor.execute(statement)
