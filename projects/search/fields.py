"""The search column (issue 19)."""

from django.db import models


class SearchTextField(models.TextField):
    """A row's indexed terms, as `projects.search.text.document` writes them: a `tsvector` on
    PostgreSQL (whose text input is exactly that — lexemes separated by spaces — so the same value
    is written on every database and nothing is parsed again), plain text elsewhere."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else super().db_type(connection)
