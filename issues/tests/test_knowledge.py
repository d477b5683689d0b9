import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from issues import selectors, services
from issues.models import Article
from projects.permissions import Role


def resolved(team, issue):
    services.issue_analyse(
        issue=issue, by=team.user(Role.PM), context="上下文", likely_cause="操作错误", category="user_error"
    )
    return services.issue_resolve(issue=issue, by=team.user(Role.PM), cause="未选择客户类型", fix="先选客户类型再导出")


def test_publishing_a_resolved_issue_prefills_the_article(client, team, file_issue):
    issue = resolved(team, file_issue(title="导出按钮是灰色的"))
    client.force_login(team.user(Role.PM))
    url = reverse("issues:publish", kwargs={"code": "SCRM", "number": issue.number})
    form = client.get(url).content.decode()
    assert "先选客户类型再导出" in form
    response = client.post(
        url,
        {
            "title": "导出按钮是灰色的",
            "symptom": "导出按钮不可点",
            "cause": "未选择客户类型",
            "solution": "先选客户类型",
        },
    )
    assert response.status_code == 302
    article = Article.objects.get()
    assert article.issue == issue and article.published_by == team.user(Role.PM)
    assert client.get(url).status_code == 200 and "already has an article" not in client.get(url).content.decode()
    again = client.post(url, {"title": "x", "symptom": "x", "cause": "x", "solution": "x"})
    assert again.status_code == 400 and Article.objects.count() == 1


def test_an_open_issue_cannot_be_published(team, file_issue):
    issue = file_issue()
    with pytest.raises(services.ValidationError):
        services.article_publish(
            project=team.project,
            by=team.user(Role.PM),
            issue=issue,
            title="t",
            symptom="s",
            cause="c",
            solution="s",
            module=None,
        )


@pytest.mark.parametrize("query, found", [("导出", True), ("EXPORT", True), ("合同", False)])
def test_articles_are_searchable_in_chinese_and_english(client, team, query, found):
    Article.objects.create(
        project=team.project,
        title="客户 export 超时",
        symptom="导出三千条客户时超时",
        cause="同步导出",
        solution="分批导出",
    )
    client.force_login(team.user(Role.KEY_USER))
    page = client.get(reverse("issues:articles", kwargs={"code": "SCRM"}), {"q": query}).content.decode()
    assert ("客户 export 超时" in page) is found


def test_articles_of_another_project_are_not_found(client, team):
    other = Article.objects.create(project=team.other_project, title="别的项目", symptom="s", cause="c", solution="s")
    client.force_login(team.user(Role.KEY_USER))
    assert client.get(reverse("issues:article", kwargs={"code": "SCRM", "pk": other.pk})).status_code == 404


def test_the_leaderboard_month_follows_the_local_calendar(team, file_issue, time_machine):
    time_machine.move_to(datetime.datetime(2026, 10, 31, 17, 30, tzinfo=datetime.UTC))  # 1 November in Shanghai
    resolved(team, file_issue(severity="low"))
    assert [row.points for row in selectors.leaderboard(team.project, datetime.date(2026, 11, 1))] == [1]
    assert selectors.leaderboard(team.project, datetime.date(2026, 10, 1)) == []


def test_monthly_leaderboard(client, team, file_issue, time_machine):
    time_machine.move_to(datetime.datetime(2026, 10, 15, 3, tzinfo=datetime.UTC))
    resolved(team, file_issue(severity="critical"))
    time_machine.move_to(datetime.datetime(2026, 11, 15, 3, tzinfo=datetime.UTC))
    resolved(team, file_issue(severity="low"))
    resolved(team, file_issue(severity="high", reporter=team.user(Role.PM)))
    november = selectors.leaderboard(team.project, datetime.date(2026, 11, 1))
    assert [(row.name, row.points) for row in november] == [("Project manager", 5), ("Key user", 1)]
    october = selectors.leaderboard(team.project, datetime.date(2026, 10, 1))
    assert [(row.name, row.points) for row in october] == [("Key user", 8)]
    client.force_login(team.user(Role.KEY_USER))
    page = client.get(reverse("issues:leaderboard", kwargs={"code": "SCRM"}), {"month": "2026-10"}).content.decode()
    assert "Key user" in page and ">8 points<" in page
    team.user(Role.KEY_USER).__class__.objects.filter(pk=team.user(Role.KEY_USER).pk).update(language="zh-hans")
    with translation.override("en"):  # the page activates Chinese; the next test must not inherit it
        page = client.get(reverse("issues:leaderboard", kwargs={"code": "SCRM"}), {"month": "2026-10"})
    assert ">8 分<" in page.content.decode()  # points have a unit
