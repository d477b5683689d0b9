import threading

import pytest
from django.db import connection

from issues import services
from issues.models import Issue
from projects.permissions import Role


def draft(title):
    return services.IssueDraft(title=title, description="描述", severity="medium")


def test_numbers_follow_each_other_per_project(team):
    reporter = team.user(Role.KEY_USER)
    first = services.issue_create(project=team.project, reporter=reporter, report=None, draft=draft("一"))
    second = services.issue_create(project=team.project, reporter=reporter, report=None, draft=draft("二"))
    other = services.issue_create(
        project=team.other_project, reporter=team.other_membership.user, report=None, draft=draft("其他")
    )
    assert (first.number, second.number, other.number) == (1, 2, 1)
    assert second.reference == "SCRM-0002" and other.reference == "OTHER-0001"


def test_a_number_is_never_reused_after_a_deletion(team):
    reporter = team.user(Role.KEY_USER)
    services.issue_create(project=team.project, reporter=reporter, report=None, draft=draft("一"))
    last = services.issue_create(project=team.project, reporter=reporter, report=None, draft=draft("二"))
    last.delete()
    again = services.issue_create(project=team.project, reporter=reporter, report=None, draft=draft("三"))
    assert again.number == 3


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_parallel_reporters_never_get_the_same_number(team):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need a server database; SQLite serialises every write")
    reporters = [team.user(Role.KEY_USER), team.user(Role.PM)]
    errors, per_thread = [], 10

    def file_many(reporter):
        try:
            for n in range(per_thread):
                services.issue_create(project=team.project, reporter=reporter, report=None, draft=draft(f"并发 {n}"))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=file_many, args=(reporters[i % 2],)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Issue.objects.filter(project=team.project).values_list("number", flat=True))
    assert numbers == list(range(1, 6 * per_thread + 1))
