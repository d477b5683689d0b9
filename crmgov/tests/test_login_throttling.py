"""Login throttling by account and IP together (issue 17): a stranger's wrong passwords cannot lock
a person out, and an office behind one NAT address is not locked out by its own morning logins."""

from django.test import Client
from django.urls import reverse

from projects.permissions import Role

LOGIN = reverse("account_login")
PASSWORD = "password-123"
OFFICE = "198.51.100.7"  # the customer's NAT address
STRANGER = "203.0.113.66"


def attempt(client, email, password):
    return client.post(LOGIN, {"login": email, "password": password})


def logged_in(response) -> bool:
    return response.status_code == 302 and not response.url.startswith(LOGIN)


def refused_as_too_many(response) -> bool:
    return response.status_code == 429 or "Too many failed login attempts" in response.content.decode()


def test_a_strangers_wrong_passwords_do_not_lock_the_person_out(team):
    pm = team.user(Role.PM)
    stranger = Client(REMOTE_ADDR=STRANGER)
    for _ in range(8):
        attempt(stranger, pm.email, "guessing-wrong")
    assert refused_as_too_many(attempt(stranger, pm.email, "guessing-wrong-again"))
    # The stranger is throttled even if the next guess is right.
    assert not logged_in(attempt(stranger, pm.email, PASSWORD))

    assert logged_in(attempt(Client(REMOTE_ADDR=OFFICE), pm.email, PASSWORD))


def test_five_wrong_passwords_from_ones_own_address_still_throttle(team):
    pm = team.user(Role.PM)
    office = Client(REMOTE_ADDR=OFFICE)
    for _ in range(5):
        assert not refused_as_too_many(attempt(office, pm.email, "guessing-wrong"))
    assert refused_as_too_many(attempt(office, pm.email, "guessing-wrong"))


def test_forty_colleagues_behind_one_address_all_log_in_despite_typos(team, make_user):
    colleagues = [make_user() for _ in range(40)]
    for person in colleagues:
        office = Client(REMOTE_ADDR=OFFICE)
        assert not logged_in(attempt(office, person.email, "typo-" + PASSWORD))
        assert logged_in(attempt(office, person.email, PASSWORD)), person.email
