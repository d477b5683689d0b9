"""`manage.py seed_scale` (issue 7) at a tiny scale, and `rebuild_rollups`; the benchmark's
baseline page."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from projects.core.models import Membership, Project, User
from projects.devdata.seed_scale import CIO
from projects.reporting.models import StatusSnapshot

Issue = apps.get_model("issues", "Issue")
IssueDay = apps.get_model("issues", "IssueDay")
DailyReport = apps.get_model("issues", "DailyReport")


def _seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_scale", scale=0.002, stdout=out, **options)
    return out.getvalue()


def _fingerprint() -> list:
    return list(Issue.objects.order_by("project__code", "number").values_list("title", "severity", "status"))[:200]


@pytest.mark.django_db(transaction=True)
def test_seed_scale_loads_the_counts_asked_for_repeatably_and_fills_the_rollups():
    _seed()
    assert DailyReport.objects.count() == 5_000 and Issue.objects.count() == 400
    assert Project.objects.count() == 2 and User.objects.count() == 21  # 20 people and the CIO
    assert Membership.objects.filter(user__email=CIO).count() == 2
    assert sum(IssueDay.objects.values_list("opened", flat=True)) == 400
    assert StatusSnapshot.objects.filter(language="zh-hans").count() == 2
    first = _fingerprint()
    with pytest.raises(CommandError, match="not empty"):
        _seed()
    _seed(flush=True)
    assert _fingerprint() == first  # the same data again: one fixed random seed


@pytest.mark.django_db(transaction=True)
def test_rebuild_rollups_restores_a_damaged_rollup():
    _seed()
    expected = sorted(IssueDay.objects.values_list("project_id", "day", "opened", "resolved"))
    IssueDay.objects.all().delete()
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert sorted(IssueDay.objects.values_list("project_id", "day", "opened", "resolved")) == expected


def test_the_ping_page_shows_only_who_is_signed_in(client, team):
    user = team.user("key_user")
    client.force_login(user)
    response = client.get(reverse("projects:ping"))
    assert response.status_code == 200
    assert user.full_name in response.content.decode() and team.project.name not in response.content.decode()
