"""The migration steps that give a table its search column (issue 19): fill it for the rows that
exist, in batches (200,000 issues are never read at once, and each batch commits on its own in a
non-atomic migration), then build the PostgreSQL GIN index over `text.vector()` once, after the fill
(one sorted build, not row-by-row maintenance). SQLite gets the column only: it scans."""

from django.db import migrations, transaction

from .text import document, vector

BATCH = 2_000


def fill(app_label: str, model_name: str, fields: tuple[str, ...], column: str = "search_text"):
    """RunPython: every row's `column` from its `fields`, `BATCH` rows at a time in id order."""

    def forwards(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        alias = schema_editor.connection.alias
        rows = model.objects.using(alias).order_by("pk")
        last = 0
        while True:
            batch = list(rows.filter(pk__gt=last).values_list("pk", *fields)[:BATCH])
            if not batch:
                return
            with transaction.atomic(using=alias):
                model.objects.using(alias).bulk_update(
                    [model(pk=pk, **{column: document(*texts)}) for pk, *texts in batch], [column], batch_size=500
                )
            last = batch[-1][0]

    return migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)


def gin_index(app_label: str, model_name: str, name: str, column: str = "search_text"):
    """RunPython: the GIN index the searches use on PostgreSQL; nothing elsewhere."""

    def index():
        from django.contrib.postgres.indexes import GinIndex  # PostgreSQL only (needs psycopg)

        return GinIndex(vector(column), name=name)

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.add_index(apps.get_model(app_label, model_name), index())

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.remove_index(apps.get_model(app_label, model_name), index())

    return migrations.RunPython(forwards, backwards)
