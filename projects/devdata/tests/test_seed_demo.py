from django.core.management import call_command

from projects.core.models import Membership, Project
from projects.permissions import Role
from projects.plan.models import BudgetLine, Milestone, PlanBaseline, RebaselineRequest
from projects.registers.models import Risk, TrainingSession
from projects.steering.models import Meeting


def test_demo_has_a_person_in_every_role_and_loads_once(db, capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    project = Project.objects.get(code="SCRM")
    assert project.name == "华南区销售CRM上线"
    roles = set(Membership.objects.filter(project=project).values_list("role", flat=True))
    assert roles == set(Role)
    assert Membership.objects.filter(project=project).count() == 9
    output = capsys.readouterr().out
    assert "Demo data already loaded." in output
    assert "liu.yang@example.com" in output and "crmgov-demo-2026" in output


def test_demo_is_not_loaded_into_a_database_with_other_projects(db, capsys):
    Project.objects.create(code="REAL", name="A real project")
    call_command("seed_demo")
    assert not Project.objects.filter(code="SCRM").exists()


def test_demo_has_a_plan_budget_risks_training_and_two_past_meetings_with_minutes(db, client):
    call_command("seed_demo")
    project = Project.objects.get(code="SCRM")
    assert project.phases.filter(quick_win=True).count() == 1
    assert Milestone.objects.filter(project=project).count() == 6
    assert BudgetLine.objects.filter(project=project).count() == len(BudgetLine.Category)
    assert PlanBaseline.objects.filter(project=project).count() == 1
    assert RebaselineRequest.objects.get(project=project).delay_days == 12
    assert Risk.objects.filter(project=project).count() == 5
    assert TrainingSession.objects.filter(project=project, status=TrainingSession.Status.POSTPONED).exists()
    past = Meeting.objects.filter(project=project, status=Meeting.Status.CLOSED)
    assert past.count() == 2
    assert all(meeting.items.exclude(minutes="").exists() for meeting in past)
    upcoming = Meeting.objects.get(project=project, status=Meeting.Status.DRAFT)
    assert upcoming.items.filter(linked_kind="rebaseline").exists()
    client.force_login(project.memberships.get(user__email="liu.yang@example.com").user)
    for name in ("plan", "budget", "risks", "training", "committee"):
        assert client.get(f"/p/SCRM/{name}/").status_code == 200, name
