"""Tokens follow the person (issue 17): two-factor, re-authentication, expiry, password and role changes."""

import datetime

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from projects.api.models import ApiToken
from projects.api.services import api_token_create
from projects.core.models import Membership
from projects.core.services import membership_update
from projects.permissions import Role

PROJECTS = reverse("api:project-list")
TOKENS = reverse("api:token-list")


def bearer(secret):
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def required(settings):
    settings.MFA_REQUIRED_FOR_LEADERSHIP = True


def test_a_sponsor_without_two_factor_cannot_use_a_token_when_it_is_required(team, required):
    _token, secret = api_token_create(user=team.user(Role.SPONSOR), name="报表")
    response = bearer(secret).get(reverse("api:escalation-list", kwargs={"code": "SCRM"}))
    assert response.status_code == 401
    assert "two-factor" in response.json()["detail"]


def test_the_sponsors_token_works_once_two_factor_is_set_up(team, required):
    sponsor = team.user(Role.SPONSOR)
    Authenticator.objects.create(user=sponsor, type=Authenticator.Type.TOTP, data={"secret": "x"})
    _token, secret = api_token_create(user=sponsor, name="报表")
    assert bearer(secret).get(PROJECTS).status_code == 200


def test_a_key_users_token_needs_no_two_factor(team, required):
    _token, secret = api_token_create(user=team.user(Role.KEY_USER), name="脚本")
    assert bearer(secret).get(PROJECTS).status_code == 200


def test_a_token_cannot_create_another_token(team):
    _token, secret = api_token_create(user=team.user(Role.PM), name="脚本")
    response = bearer(secret).post(TOKENS, {"name": "更多"}, content_type="application/json")
    assert response.status_code == 403
    assert ApiToken.objects.count() == 1


def test_creating_a_token_on_the_page_asks_for_the_password_again(client, team):
    pm = team.user(Role.PM)
    client.force_login(pm)  # no recent password entry in this session
    response = client.post(reverse("projects:api_tokens"), {"name": "夜间导出"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert not ApiToken.objects.exists()


def reauthenticate(client, user):
    client.force_login(user)
    assert client.post(reverse("account_reauthenticate"), {"password": "password-123"}).status_code == 302


def test_after_entering_the_password_the_token_is_created(client, team):
    pm = team.user(Role.PM)
    reauthenticate(client, pm)
    response = client.post(reverse("projects:api_tokens"), {"name": "夜间导出", "days": 30})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=pm)
    assert round((token.expires_at - token.created_at).total_seconds() / 86400) == 30


def test_a_script_signed_in_with_a_fresh_password_creates_a_token_through_the_api(client, team):
    pm = team.user(Role.PM)
    reauthenticate(client, pm)
    response = client.post(TOKENS, {"name": "新令牌", "days": 7}, content_type="application/json")
    assert response.status_code == 201
    assert bearer(response.json()["secret"]).get(PROJECTS).status_code == 200


def test_a_session_without_a_fresh_password_cannot_create_a_token_through_the_api(client, team):
    client.force_login(team.user(Role.PM))
    response = client.post(TOKENS, {"name": "新令牌"}, content_type="application/json")
    assert response.status_code == 403


def test_a_token_expires_after_90_days_by_default(team):
    token, secret = api_token_create(user=team.user(Role.PM), name="脚本")
    assert token.expires_at.date() == (timezone.now() + datetime.timedelta(days=90)).date()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=91)):
        assert bearer(secret).get(PROJECTS).status_code == 401


def test_a_token_can_be_made_to_expire_sooner(team):
    _token, secret = api_token_create(user=team.user(Role.PM), name="脚本", days=7)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=6)):
        assert bearer(secret).get(PROJECTS).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        assert bearer(secret).get(PROJECTS).status_code == 401


def test_a_token_cannot_outlive_the_maximum(team):
    with pytest.raises(ValueError):
        api_token_create(user=team.user(Role.PM), name="脚本", days=400)


def test_changing_the_password_revokes_every_token(team):
    pm = team.user(Role.PM)
    _token, secret = api_token_create(user=pm, name="脚本")
    pm.set_password("a-new-password-456")
    pm.save()
    assert bearer(secret).get(PROJECTS).status_code == 401


def test_losing_the_role_the_token_was_made_under_revokes_it(team):
    member = team.members[Role.STEERING]
    _token, secret = api_token_create(user=member.user, name="脚本")
    membership_update(membership=member, role=Role.KEY_USER, changed_by=team.user(Role.PM))
    assert bearer(secret).get(PROJECTS).status_code == 401


def test_a_token_made_before_a_promotion_to_executive_stops_working(team, required):
    member = team.members[Role.KEY_USER]
    _token, secret = api_token_create(user=member.user, name="脚本")
    Membership.objects.filter(pk=member.pk).update(role=Role.EXECUTIVE)
    assert bearer(secret).get(PROJECTS).status_code == 401
