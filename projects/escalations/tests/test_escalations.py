import datetime
from decimal import Decimal

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from projects.escalations import services as services_escalations
from projects.escalations.models import Escalation, EscalationRecipient
from projects.escalations.services import escalations_evaluate, escalations_renotify
from projects.permissions import Role
from projects.plan import services as services_plan


def slipping_milestone(team, project, slip_days):
    return services_plan.milestone_save(
        project=project,
        name="全员上线",
        phase=None,
        owner=None,
        baseline_date=datetime.date(2027, 3, 1),
        forecast_date=datetime.date(2027, 3, 1) + datetime.timedelta(days=slip_days),
    )


def test_a_milestone_beyond_tolerance_is_escalated_once_to_leadership(
    team, project, django_capture_on_commit_callbacks
):
    slipping_milestone(team, project, 12)
    with django_capture_on_commit_callbacks(execute=True):
        first = escalations_evaluate(project=project)
    assert len(first.opened) == 1
    escalation = first.opened[0]
    assert escalation.kind == "milestone_beyond_tolerance" and escalation.delay_days == 12
    assert escalation.loss == Decimal("60000"), "12 days × 5,000 per day"
    assert escalation.responsible == team.user(Role.PM)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "executive@example.com",
        "sponsor@example.com",
        "steering@example.com",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        again = escalations_evaluate(project=project)
    assert again.opened == [] and again.cleared == []
    assert Escalation.objects.count() == 1 and len(mail.outbox) == 3, "re-evaluating changes nothing"


def test_within_tolerance_nothing_is_escalated(team, project):
    slipping_milestone(team, project, 5)
    assert escalations_evaluate(project=project).opened == []


def test_it_resolves_itself_when_the_condition_clears(team, project):
    milestone = slipping_milestone(team, project, 12)
    escalation = escalations_evaluate(project=project).opened[0]
    services_plan.milestone_save(
        project=project,
        milestone=milestone,
        name=milestone.name,
        phase=None,
        owner=None,
        baseline_date=milestone.baseline_date,
        forecast_date=datetime.date(2027, 3, 2),
    )
    evaluation = escalations_evaluate(project=project)
    escalation.refresh_from_db()
    assert evaluation.cleared == [escalation] or escalation in evaluation.cleared
    assert escalation.status == "resolved" and escalation.outcome
    services_plan.milestone_save(
        project=project,
        milestone=milestone,
        name=milestone.name,
        phase=None,
        owner=None,
        baseline_date=milestone.baseline_date,
        forecast_date=datetime.date(2027, 3, 20),
    )
    assert len(escalations_evaluate(project=project).opened) == 1, "slipping again is a new exception"


def test_resolved_by_the_pm_it_is_not_raised_again_while_the_condition_holds(team, project):
    slipping_milestone(team, project, 12)
    escalation = escalations_evaluate(project=project).opened[0]
    services_escalations.escalation_resolve(escalation=escalation, by=team.user(Role.PM), outcome="委员会同意延期")
    assert escalations_evaluate(project=project).opened == []


def test_unacknowledged_it_goes_again_to_the_sponsor_once(
    team, project, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(timezone.now())
    slipping_milestone(team, project, 12)
    with django_capture_on_commit_callbacks(execute=True):
        escalation = escalations_evaluate(project=project).opened[0]
    mail.outbox.clear()
    time_machine.shift(datetime.timedelta(hours=23))
    assert escalations_renotify(project=project) == []
    time_machine.shift(datetime.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert escalations_renotify(project=project) == [escalation]
        assert escalations_renotify(project=project) == []
    assert [m.to for m in mail.outbox] == [["sponsor@example.com"]]
    assert mail.outbox[0].subject.startswith("[Second notice]")
    escalation.refresh_from_db()
    assert escalation.level == 2 and escalation.second_notice_at is not None


def test_an_acknowledged_escalation_is_not_renotified(team, project, time_machine):
    time_machine.move_to(timezone.now())
    slipping_milestone(team, project, 12)
    escalation = escalations_evaluate(project=project).opened[0]
    services_escalations.escalation_acknowledge(escalation=escalation, user=team.user(Role.EXECUTIVE))
    time_machine.shift(datetime.timedelta(hours=30))
    assert escalations_renotify(project=project) == []


def test_acknowledge_from_the_email_link(client, team, project, django_capture_on_commit_callbacks):
    slipping_milestone(team, project, 12)
    with django_capture_on_commit_callbacks(execute=True):
        assert escalations_evaluate(project=project).opened
    message = next(m for m in mail.outbox if m.to == ["executive@example.com"])
    link = next(line for line in message.body.splitlines() if "/acknowledge/" in line).strip()
    path = link.removeprefix("https://crmgov.test")
    assert client.get(path).status_code == 302, "the link requires login"
    client.force_login(team.user(Role.EXECUTIVE))
    page = client.get(path)
    assert page.status_code == 200 and "Acknowledge" in page.content.decode()
    assert EscalationRecipient.objects.get(user=team.user(Role.EXECUTIVE)).acknowledged_at is None, (
        "GET changes nothing"
    )
    assert client.post(path).status_code == 302
    assert EscalationRecipient.objects.get(user=team.user(Role.EXECUTIVE)).acknowledged_at is not None
    client.force_login(team.user(Role.PM))
    assert client.post(path).status_code == 403, "only those it was sent to acknowledge"


def test_awaiting_my_acknowledgement(client, team, project):
    slipping_milestone(team, project, 12)
    escalation = escalations_evaluate(project=project).opened[0]
    client.force_login(team.user(Role.SPONSOR))
    page = client.get(reverse("projects:escalations_mine")).content.decode()
    assert escalation.title in page
    services_escalations.escalation_acknowledge(escalation=escalation, user=team.user(Role.SPONSOR))
    assert escalation.title not in client.get(reverse("projects:escalations_mine")).content.decode()


def test_the_pm_raises_one_by_hand(client, team, project, django_capture_on_commit_callbacks):
    client.force_login(team.user(Role.PM))
    url = reverse("projects:escalation_raise", kwargs={"code": "SCRM"})
    data = {
        "kind": "key_person",
        "title": "客户方项目负责人离职",
        "what_happened": "销售部的项目负责人下月离职",
        "consequences": "需求确认会推迟两周",
        "delay_days": "10",
        "extra_cost": "20000",
        "options": "A. 由副经理接任；B. 暂停需求确认",
        "recommendation": "A",
    }
    assert client.post(url, {**data, "delay_days": "-1"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)
    escalation = Escalation.objects.get()
    assert response.status_code == 302 and not escalation.automatic
    assert escalation.loss == Decimal("70000"), "10 × 5,000 + 20,000"
    assert len(mail.outbox) == 3


def test_the_email_is_in_each_recipients_language(team, project, django_capture_on_commit_callbacks):
    sponsor = team.user(Role.SPONSOR)
    sponsor.language = "zh-hans"
    sponsor.save()
    slipping_milestone(team, project, 12)
    with django_capture_on_commit_callbacks(execute=True):
        escalations_evaluate(project=project)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert (
        "升级" in by_recipient["sponsor@example.com"].subject or "上报" in by_recipient["sponsor@example.com"].subject
    )
    assert "损失估算" in by_recipient["sponsor@example.com"].body
    assert "Loss estimate" in by_recipient["executive@example.com"].body


def test_other_apps_contribute_conditions(team, project, file_issue_factory=None):
    from issues import services as issue_services

    issue = issue_services.issue_create(
        project=project,
        reporter=team.user(Role.KEY_USER),
        report=None,
        draft=issue_services.IssueDraft(title="无法登录", description="所有人", severity="critical"),
    )
    from issues.models import Issue

    Issue.objects.filter(pk=issue.pk).update(created_at=timezone.now() - datetime.timedelta(days=4))
    kinds = {e.kind for e in escalations_evaluate(project=project).opened}
    assert "blocker_issue" in kinds


def test_a_closed_project_is_not_evaluated(team, project):
    slipping_milestone(team, project, 12)
    project.status = project.Status.CLOSED
    project.save()
    assert escalations_evaluate(project=project).opened == []


def test_evaluation_runs_after_a_relevant_change(team, project, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        slipping_milestone(team, project, 12)
    assert Escalation.objects.filter(kind="milestone_beyond_tolerance").count() == 1


def test_escalation_pages_query_counts_do_not_grow(client, team, project, no_lazy_loads):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from projects.registry import Detected

    def raise_one(n):
        return services_escalations.escalation_open(
            project=project,
            kind="other",
            detected=Detected(instance="", title=f"事项 {n}", what_happened="x", consequences="y"),
            automatic=False,
        )

    first = raise_one(0)
    client.force_login(team.user(Role.SPONSOR))
    urls = [
        reverse("projects:escalations", kwargs={"code": "SCRM"}),
        first.get_absolute_url(),
        reverse("projects:escalations_mine"),
    ]
    few = []
    for url in urls:
        with no_lazy_loads(), CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        few.append(len(queries))
    for n in range(1, 8):
        raise_one(n)
    for url, count in zip(urls, few, strict=True):
        with no_lazy_loads(), CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) == count, url


def test_low_compliance_for_several_working_days(team, project, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 19, 10, tzinfo=datetime.UTC))  # a Thursday
    project.compliance_threshold_percent = 80
    project.save()
    opened = escalations_evaluate(project=project).opened
    assert [e.kind for e in opened] == ["low_compliance"]
    assert "11-18" in opened[0].what_happened


def test_a_key_person_given_an_end_date_is_escalated(team, project):
    from projects.core.services import membership_update

    pm = team.members[Role.PM]
    membership_update(
        membership=pm,
        role=Role.PM,
        active_until=timezone.localdate() + datetime.timedelta(days=20),
        changed_by=team.user(Role.SPONSOR),
    )
    assert [e.kind for e in escalations_evaluate(project=project).opened] == ["key_person_leaving"]
