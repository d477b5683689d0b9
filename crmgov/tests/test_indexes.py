"""Every filter and sort column of the list pages and dashboards is indexed (issue 7).

Each entry: a table, and the columns a page filters and sorts on, in order; the database (as
migrated, read by introspection, on SQLite and PostgreSQL alike) must hold an index whose leading
columns are exactly those, so the page reads an index range instead of scanning the table.
"""

import pytest
from django.apps import apps
from django.db import connection

FILTERED_AND_SORTED = [
    # The issue list (issues/filters.py): every filter, then the sort, within one project.
    ("issues.Issue", ["project_id", "created_at", "id"]),  # newest / oldest first, age filter
    ("issues.Issue", ["project_id", "status", "created_at"]),
    ("issues.Issue", ["project_id", "severity_rank", "created_at"]),  # most severe first
    ("issues.Issue", ["project_id", "updated_at"]),  # recently updated
    ("issues.Issue", ["project_id", "number"]),  # by number, and the number search
    ("issues.Issue", ["project_id", "reporter_id", "created_at"]),
    ("issues.Issue", ["project_id", "consultant_id", "status"]),
    ("issues.Issue", ["project_id", "category", "created_at"]),
    ("issues.Issue", ["project_id", "module_id", "created_at"]),
    ("issues.Issue", ["project_id", "resolved_at"]),  # the daily rollup's recount
    # Daily reports: a project's reports by period (compliance), a reporter's own.
    ("issues.DailyReport", ["project_id", "period_start", "id"]),
    ("issues.DailyReport", ["reporter_id", "period_start"]),
    ("issues.Article", ["project_id", "published_at"]),
    ("issues.IssueEvent", ["issue_id", "created_at", "id"]),
    ("issues.IssueDay", ["project_id", "day"]),
    # Change requests: the list, its status filter, the requester's own.
    ("changes.ChangeRequest", ["project_id", "created_at", "id"]),
    ("changes.ChangeRequest", ["project_id", "status", "created_at"]),
    ("changes.ChangeRequest", ["project_id", "requester_id", "created_at"]),
    ("changes.ChangeRequest", ["project_id", "number"]),
    # The project's own lists and the dashboards.
    ("projects.Escalation", ["project_id", "status", "opened_at"]),
    ("projects.StatusReport", ["project_id", "period_start"]),
    ("projects.StatusSnapshot", ["project_id", "language"]),
    ("projects.Meeting", ["project_id", "starts_at"]),
    ("projects.Milestone", ["project_id", "baseline_date"]),
    ("projects.Risk", ["project_id", "status"]),
    ("projects.Membership", ["user_id", "project_id"]),
    ("projects.OutboundEmail", ["status", "next_attempt_at"]),
]


def _indexes(table: str) -> list[list[str]]:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return [c["columns"] for c in constraints.values() if c["index"] or c["unique"] or c["primary_key"]]


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "columns"), FILTERED_AND_SORTED, ids=lambda v: v if isinstance(v, str) else "")
def test_filter_and_sort_columns_lead_an_index(label, columns):
    table = apps.get_model(label)._meta.db_table
    indexes = _indexes(table)
    assert any(index[: len(columns)] == columns for index in indexes), (
        f"{label}: no index starts with {columns}; found {indexes}"
    )


@pytest.mark.django_db
def test_a_missing_index_is_noticed():
    assert not any(index[:2] == ["project_id", "title"] for index in _indexes("issues_issue"))
