"""E-mail addresses change only once the new one is verified (issue 17: takeover of future invitations)."""

from django.core import mail
from django.urls import reverse

from projects.core import services
from projects.core.models import Membership, User
from projects.notifications.models import OutboundEmail
from projects.permissions import Role

EMAIL = reverse("account_email")


def signed_in_again(client, user):
    client.force_login(user)
    assert client.post(reverse("account_reauthenticate"), {"password": "password-123"}).status_code == 302
    return client


def test_an_unverified_address_cannot_be_made_primary(client, team, make_user):
    former = make_user("former@example.com")  # an account with no project at all
    signed_in_again(client, former)
    client.post(EMAIL, {"action_add": "", "email": "newcomer@example.com"})
    client.post(EMAIL, {"action_primary": "", "email": "newcomer@example.com"})
    former.refresh_from_db()
    assert former.email == "former@example.com"


def test_an_invitation_to_an_address_someone_added_unverified_goes_to_a_new_account(client, team, make_user):
    former = make_user("former@example.com")
    signed_in_again(client, former)
    client.post(EMAIL, {"action_add": "", "email": "newcomer@example.com"})
    client.post(EMAIL, {"action_primary": "", "email": "newcomer@example.com"})
    membership = services.membership_invite(
        project=team.project,
        invited_by=team.user(Role.PM),
        email="newcomer@example.com",
        full_name="新同事",
        role=Role.KEY_USER,
    )
    assert membership.user != former
    assert not Membership.objects.filter(user=former).exists()
    assert User.objects.get(email="newcomer@example.com").full_name == "新同事"


def test_adding_an_address_sends_a_verification_link_to_it(client, team, make_user, django_capture_on_commit_callbacks):
    person = make_user("person@example.com")
    signed_in_again(client, person)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(EMAIL, {"action_add": "", "email": "new.address@example.com"})
    assert response.status_code in (200, 302)
    queued = OutboundEmail.objects.get(template="account-email-confirmation")
    assert queued.to_email == "new.address@example.com"
    assert "/accounts/confirm-email/" in queued.body_text
    assert len(mail.outbox) == 1


def test_adding_another_accounts_address_looks_like_any_other_address(client, team, make_user):
    person = make_user("person@example.com")
    signed_in_again(client, person)
    response = client.post(EMAIL, {"action_add": "", "email": "pm@example.com"})
    assert response.status_code in (200, 302)  # never a 500, and nothing that tells the account exists
    person.refresh_from_db()
    assert person.email == "person@example.com"


def test_the_email_page_asks_for_the_password_again(client, team, make_user):
    person = make_user("person@example.com")
    client.force_login(person)
    response = client.post(EMAIL, {"action_add": "", "email": "new.address@example.com"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
