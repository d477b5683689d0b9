from django.core.management import call_command

from issues.models import Article, DailyReport, Issue, IssueSettings


def test_demo_has_three_months_of_consistent_history(db):
    call_command("seed_demo")
    issues = Issue.objects.filter(project__code="SCRM")
    numbers = sorted(issues.values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) > 60
    assert IssueSettings.objects.get(project__code="SCRM").last_issue_number == len(numbers)
    assert DailyReport.objects.filter(no_problems=True).exists()
    assert issues.filter(status="closed").exists() and issues.exclude(status__in=["closed", "resolved"]).exists()
    first = DailyReport.objects.order_by("period_start").first().period_start
    last = DailyReport.objects.order_by("period_start").last().period_start
    assert (last - first).days >= 80
    assert all(issue.cause and issue.fix for issue in issues.filter(status__in=["resolved", "closed"]))
    assert Article.objects.exists()
    call_command("seed_demo")
    assert Issue.objects.filter(project__code="SCRM").count() == len(numbers), "loading twice adds nothing"
