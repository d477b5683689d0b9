"""The search column of issues and articles (issue 19): added, filled for the existing rows in
batches, then indexed (GIN, PostgreSQL only). Not atomic: each batch of the fill commits on its own,
so 200,000 issues are neither read at once nor held in one transaction."""

from django.db import migrations

import projects.search.fields
from projects.search.indexing import fill, gin_index


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("issues", "0005_issue_list_status_index_in_list_order"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_text",
            field=projects.search.fields.SearchTextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="issue",
            name="search_text",
            field=projects.search.fields.SearchTextField(blank=True, default="", editable=False),
        ),
        fill("issues", "Issue", ("title", "description")),
        fill("issues", "Article", ("title", "symptom", "cause", "solution")),
        gin_index("issues", "Issue", "issue_search"),
        gin_index("issues", "Article", "article_search"),
    ]
