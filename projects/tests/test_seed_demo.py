from django.core.management import call_command

from projects.models import Membership, Project
from projects.permissions import Role


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
