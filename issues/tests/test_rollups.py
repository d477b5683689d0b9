"""The issues' daily rollup (issue 7): kept exact by the services, equal to the raw counts."""

import datetime
import zoneinfo

import pytest
from django.db import transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncWeek
from django.urls import reverse
from django.utils import timezone

from issues import rollups, services
from issues.dashboard_panels import new_issues_by_project
from issues.models import Issue, IssueDay
from projects.permissions import Role
from projects.reporting.dashboards import week_starts, weekly_series


def _draft(title="导出失败", severity="medium"):
    return services.IssueDraft(title=title, description="报错", module=None, severity=severity, steps="")


def _file(team, **kwargs):
    return services.issue_create(
        project=team.project, reporter=team.user(Role.KEY_USER), report=None, draft=_draft(**kwargs)
    )


def _day(team, moment):
    return rollups.local_day(team.project, moment)


def test_filing_an_issue_counts_it_on_todays_row(team):
    issue = _file(team)
    _file(team)
    row = IssueDay.objects.get(project=team.project, day=_day(team, issue.created_at))
    assert (row.opened, row.resolved) == (2, 0)


def test_resolving_and_reopening_moves_the_resolved_count(team):
    issue = _file(team)
    pm, reporter = team.user(Role.PM), team.user(Role.KEY_USER)
    issue = services.issue_analyse(issue=issue, by=pm, context="用户反馈", likely_cause="配置", category="defect")
    issue = services.issue_resolve(issue=issue, by=pm, cause="权限配置错误", fix="已修改角色权限")
    today = IssueDay.objects.get(project=team.project, day=_day(team, issue.resolved_at))
    assert today.resolved == 1
    services.issue_reopen(issue=issue, by=reporter, reason="还是不行")
    today.refresh_from_db()
    assert today.resolved == 0 and today.opened == 1


def _raw_weekly(project, field, weeks, zone):
    since = datetime.datetime.combine(weeks[0], datetime.time.min, tzinfo=zone)
    counts = (
        Issue.objects.filter(project=project, **{f"{field}__gte": since})
        .annotate(week=TruncWeek(field, tzinfo=zone))
        .values("week")
        .annotate(n=Count("id"))
        .values_list("week", "n")
    )
    return weekly_series(dict(counts), weeks)


def test_dashboard_figures_from_the_rollup_equal_the_raw_aggregates(client, team):
    """The project dashboard and the portfolio read the rollup; the weekly counts they show are
    those the former raw-row aggregation gave."""
    now = timezone.now()
    reporter = team.user(Role.KEY_USER)
    for number in range(1, 61):
        created = now - datetime.timedelta(days=number * 1.37, hours=number % 7)
        resolved = created + datetime.timedelta(days=number % 5) if number % 3 else None
        Issue.objects.create(
            project=team.project,
            number=number,
            reporter=reporter,
            title="问题",
            description="x",
            created_at=created,
            resolved_at=resolved if resolved and resolved < now else None,
        )
    rollups.rebuild(team.project)
    client.force_login(team.user(Role.SPONSOR))
    panels = {
        panel["key"]: panel for panel in client.get(reverse("projects:dashboard", args=["SCRM"])).context["panels"]
    }
    opened, resolved = (series["data"] for series in panels["issue-flow"]["chart"]["series"])
    weeks = week_starts(team.project.local_today())
    zone = zoneinfo.ZoneInfo(team.project.time_zone)
    assert opened == _raw_weekly(team.project, "created_at", weeks, zone)
    assert resolved == _raw_weekly(team.project, "resolved_at", weeks, zone)
    assert sum(opened) > 0 and sum(resolved) > 0
    today = timezone.localdate()
    eight = week_starts(today, 8)
    assert new_issues_by_project([team.project], today)[team.project.pk] == _raw_weekly(
        team.project, "created_at", eight, zone
    )


def test_rebuild_repairs_a_damaged_rollup(team):
    issue = _file(team)
    IssueDay.objects.filter(project=team.project).update(opened=99)
    IssueDay.objects.create(project=team.project, day=datetime.date(2020, 1, 1), opened=5)
    rollups.rebuild(team.project)
    assert list(IssueDay.objects.filter(project=team.project).values_list("day", "opened")) == [
        (_day(team, issue.created_at), 1)
    ]


def test_a_filing_adds_one_to_its_day_and_a_rolled_back_one_nothing(team):
    issue = _file(team)
    day = _day(team, issue.created_at)
    IssueDay.objects.filter(project=team.project, day=day).update(opened=41)  # as if 41 were filed today
    _file(team)
    assert IssueDay.objects.get(project=team.project, day=day).opened == 42
    with pytest.raises(RuntimeError), transaction.atomic():
        _file(team)
        raise RuntimeError("the filing fails after the count")
    assert IssueDay.objects.get(project=team.project, day=day).opened == 42


def test_the_days_first_filing_counts_even_if_another_filing_created_the_row_meanwhile(team, monkeypatch):
    issue = _file(team)  # the other filing: its row (opened 1) exists …
    day = _day(team, issue.created_at)
    update = QuerySet.update
    looks = []

    def not_there_yet(queryset, **fields):  # … but was not there yet when ours looked
        looks.append(queryset.model)
        return 0 if len(looks) == 1 else update(queryset, **fields)

    monkeypatch.setattr(QuerySet, "update", not_there_yet)
    rollups.issue_day_count_opened(project=team.project, moment=issue.created_at)
    assert IssueDay.objects.get(project=team.project, day=day).opened == 2
