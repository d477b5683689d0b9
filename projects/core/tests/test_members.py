import pytest
from django.core import mail
from django.urls import reverse

from projects.core.models import Membership, User
from projects.notifications.models import OutboundEmail
from projects.permissions import Role


@pytest.fixture
def pm_client(client, team):
    client.force_login(team.user(Role.PM))
    return client


def invite(client, **data):
    payload = {"email": "new.person@example.com", "full_name": "孙悦", "role": Role.KEY_USER, "department": "销售部"}
    payload.update(data)
    return client.post(reverse("projects:member_invite", kwargs={"code": "SCRM"}), payload)


def test_invitation_creates_the_account_and_emails_a_set_password_link(
    pm_client, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(pm_client)
    assert response.status_code == 302
    person = User.objects.get(email="new.person@example.com")
    assert not person.has_usable_password()
    assert person.language == team.project.default_language
    membership = Membership.objects.get(project=team.project, user=person)
    assert membership.role == Role.KEY_USER and membership.is_active
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.person@example.com"]
    assert "华南区销售CRM上线" in message.subject
    assert "https://crmgov.test/accounts/password/reset/key/" in message.body


def test_invited_person_sets_a_password_through_the_link_and_is_signed_in(
    pm_client, client, team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invite(pm_client)
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/key/" in line)
    path = link.strip().removeprefix("https://crmgov.test")
    client.logout()
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else path,
        {"password1": "a-long-new-secret-42", "password2": "a-long-new-secret-42"},
    )
    assert response.status_code == 302
    assert User.objects.get(email="new.person@example.com").check_password("a-long-new-secret-42")
    assert client.get(reverse("projects:detail", kwargs={"code": "SCRM"})).status_code == 200


def test_inviting_an_existing_account_does_not_create_another(pm_client, team, django_capture_on_commit_callbacks):
    other_pm = team.other_membership.user
    with django_capture_on_commit_callbacks(execute=True):
        invite(pm_client, email=other_pm.email.upper(), full_name="ignored")
    assert User.objects.filter(email=other_pm.email).count() == 1
    assert Membership.objects.get(project=team.project, user=other_pm).role == Role.KEY_USER
    assert "/accounts/password/reset/key/" not in mail.outbox[0].body
    assert "https://crmgov.test/p/SCRM/" in mail.outbox[0].body


def test_inviting_a_current_member_is_refused_with_a_clear_message(pm_client, team):
    response = invite(pm_client, email=team.user(Role.CONSULTANT).email)
    assert response.status_code == 400
    assert "already a member" in response.content.decode()
    assert OutboundEmail.objects.count() == 0


def test_invalid_invitation_keeps_what_was_typed(pm_client):
    response = invite(pm_client, email="not-an-address", full_name="孙悦")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid email address" in page
    assert 'value="孙悦"' in page and 'value="not-an-address"' in page


def test_reinviting_an_ended_member_reopens_the_membership(pm_client, team, django_capture_on_commit_callbacks):
    key_user = team.members[Role.KEY_USER]
    pm_client.post(reverse("projects:member_end", kwargs={"code": "SCRM", "pk": key_user.pk}))
    with django_capture_on_commit_callbacks(execute=True):
        invite(pm_client, email=key_user.user.email, role=Role.STEERING)
    key_user.refresh_from_db()
    assert key_user.is_active and key_user.role == Role.STEERING
    assert Membership.objects.filter(project=team.project, user=key_user.user).count() == 1
    assert len(mail.outbox) == 1


def test_pm_changes_a_role(pm_client, team):
    consultant = team.members[Role.CONSULTANT]
    url = reverse("projects:member_edit", kwargs={"code": "SCRM", "pk": consultant.pk})
    response = pm_client.post(url, {"role": Role.STEERING, "department": "IT", "title": "", "active_until": ""})
    assert response.status_code == 302
    consultant.refresh_from_db()
    assert consultant.role == Role.STEERING and consultant.department == "IT"


def test_active_until_before_active_from_is_refused(pm_client, team):
    consultant = team.members[Role.CONSULTANT]
    url = reverse("projects:member_edit", kwargs={"code": "SCRM", "pk": consultant.pk})
    response = pm_client.post(url, {"role": Role.CONSULTANT, "active_until": "2000-01-01"})
    assert response.status_code == 400
    assert "cannot be before" in response.content.decode()


def test_the_last_pm_cannot_be_demoted_or_ended(pm_client, team, make_user):
    from django.core.exceptions import ValidationError

    from projects.core.services import membership_update

    pm = team.members[Role.PM]
    edit = pm_client.post(
        reverse("projects:member_edit", kwargs={"code": "SCRM", "pk": pm.pk}), {"role": Role.KEY_USER}
    )
    assert edit.status_code == 400
    assert "You cannot change your own role" in edit.content.decode()  # issue 16
    administrator = make_user(is_staff=True, is_superuser=True)
    with pytest.raises(ValidationError, match="at least one project manager"):
        membership_update(membership=pm, role=Role.KEY_USER, changed_by=administrator)
    pm_client.post(reverse("projects:member_end", kwargs={"code": "SCRM", "pk": pm.pk}))
    pm.refresh_from_db()
    assert pm.is_active and pm.role == Role.PM


def test_ended_member_loses_access_at_once(pm_client, client, team):
    key_user = team.members[Role.KEY_USER]
    response = pm_client.post(reverse("projects:member_end", kwargs={"code": "SCRM", "pk": key_user.pk}))
    assert response.status_code == 302
    client.force_login(key_user.user)
    assert client.get(reverse("projects:detail", kwargs={"code": "SCRM"})).status_code == 404
    assert b"SCRM" not in client.get(reverse("projects:my_projects")).content


def test_membership_past_its_last_day_gives_no_access(client, team, time_machine):
    import datetime

    key_user = team.members[Role.KEY_USER]
    key_user.active_until = datetime.date(2026, 11, 30)
    key_user.save()
    client.force_login(key_user.user)
    time_machine.move_to(datetime.datetime(2026, 11, 30, 12, tzinfo=datetime.UTC))
    assert client.get(reverse("projects:detail", kwargs={"code": "SCRM"})).status_code == 200
    time_machine.move_to(datetime.datetime(2026, 12, 1, 12, tzinfo=datetime.UTC))
    assert client.get(reverse("projects:detail", kwargs={"code": "SCRM"})).status_code == 404


def test_members_page_query_count_does_not_grow_with_members(pm_client, team, make_user, fetch_raise):
    url = reverse("projects:members", kwargs={"code": "SCRM"})
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert pm_client.get(url).status_code == 200
    for _ in range(15):
        Membership.objects.create(project=team.project, user=make_user(), role=Role.KEY_USER)
    with CaptureQueriesContext(connection) as many:
        assert pm_client.get(url).status_code == 200
    assert len(many) == len(few)


def test_my_projects_lists_only_mine(client, team, fetch_raise):
    client.force_login(team.user(Role.KEY_USER))
    page = client.get(reverse("projects:my_projects")).content.decode()
    assert "华南区销售CRM上线" in page
    assert "Another project" not in page
