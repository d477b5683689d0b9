"""The role → capability map, without the database: what each role may do is decided here, and the
authorization matrix (crmgov/tests/test_authorization.py) checks that every view asks for it."""

import pytest

from projects.permissions import (
    CAPABILITIES,
    GRANTABLE,
    LEADERSHIP_ROLES,
    WRITES,
    Capability,
    Role,
    grantable_choices,
    membership_can,
    role_can,
    roles_with,
)

C = Capability
# Plain strings, as the map is keyed by them: the test does not lean on the Role enum it checks.
SPONSOR, EXECUTIVE, STEERING = "sponsor", "executive", "steering"
PM, CONSULTANT, KEY_USER = "pm", "consultant", "key_user"
EVERY_ROLE = {SPONSOR, EXECUTIVE, STEERING, PM, CONSULTANT, KEY_USER}
LEADERSHIP = {SPONSOR, EXECUTIVE, STEERING}

# The whole map, written out by hand: a change to permissions.py that grants or takes away a
# capability fails here until this table says the same (and the change is meant).
EXPECTED = {
    C.PROJECT_VIEW: EVERY_ROLE,
    C.PROJECT_EDIT: {PM},
    C.MEMBERS_VIEW: EVERY_ROLE,
    C.MEMBERS_MANAGE: {PM},
    C.PLAN_VIEW: EVERY_ROLE,
    C.PLAN_EDIT: {PM},
    C.BUDGET_VIEW: LEADERSHIP | {PM},
    C.REBASELINE_APPROVE: {SPONSOR},
    C.RISKS_VIEW: EVERY_ROLE,
    C.RISKS_EDIT: {PM, CONSULTANT},
    C.REQUIREMENTS_VIEW: EVERY_ROLE,
    C.REQUIREMENTS_UPLOAD: {PM, CONSULTANT},
    C.REQUIREMENTS_SIGN: {SPONSOR, STEERING, KEY_USER},
    C.TRAINING_VIEW: EVERY_ROLE,
    C.TRAINING_MANAGE: {PM, CONSULTANT},
    C.SETBACKS_VIEW: EVERY_ROLE,
    C.SETBACKS_MANAGE: {PM},
    C.COMMITTEE_VIEW: LEADERSHIP | {PM},
    C.MEETINGS_MANAGE: {PM},
    C.MEETINGS_DECIDE: {SPONSOR, STEERING},
    C.ESCALATIONS_VIEW: LEADERSHIP | {PM},
    C.ESCALATIONS_MANAGE: {PM},
    C.REPORTS_READ: LEADERSHIP | {PM},
    C.REPORTS_MANAGE: {PM},
    C.DASHBOARD_VIEW: LEADERSHIP | {PM},
    C.REPORTS_FILE: {PM, KEY_USER},
    C.REPORTS_EXPECTED: {KEY_USER},
    C.COMPLIANCE_VIEW: LEADERSHIP | {PM},
    C.ISSUES_VIEW_ALL: LEADERSHIP | {PM, KEY_USER},
    C.ISSUES_TRIAGE: {PM},
    C.ISSUES_RESPOND: {CONSULTANT},
    C.ISSUES_COMMENT: {PM, CONSULTANT, KEY_USER},
    C.ISSUES_CONFIGURE: {PM},
    C.KB_PUBLISH: {PM},
    C.CHANGES_REQUEST: {PM, KEY_USER},
    C.CHANGES_PROPOSE: {CONSULTANT},
    C.CHANGES_APPROVE: {PM},
    C.CLOSURE_VIEW: EVERY_ROLE,
    C.CLOSURE_CONTRIBUTE: EVERY_ROLE,
    C.CLOSURE_CONFIRM: EVERY_ROLE - {CONSULTANT},
    C.CLOSURE_MANAGE: {PM},
    C.CLOSURE_REVIEW: {CONSULTANT},
    C.CLOSURE_SIGN: {SPONSOR},
    # Issue 16: the sponsor reopens a closed project; the sponsor closes an escalation with a note.
    C.CLOSURE_REOPEN: {SPONSOR},
    C.ESCALATIONS_CLOSE: {SPONSOR},
    C.TWO_FACTOR_REQUIRED: {SPONSOR, EXECUTIVE},
}


def test_the_expected_table_names_every_capability_once():
    assert set(EXPECTED) == set(Capability)


@pytest.mark.parametrize("capability", list(Capability), ids=lambda capability: capability.value)
def test_each_capability_goes_to_exactly_the_expected_roles(capability):
    assert set(roles_with(capability)) == EXPECTED[capability]


def test_the_map_knows_every_role_and_nothing_else():
    assert set(CAPABILITIES) == EVERY_ROLE == {role.value for role in Role}
    for role, capabilities in CAPABILITIES.items():
        assert capabilities <= set(Capability), role


def test_every_role_sees_the_project_and_its_members():
    for role in Role:
        assert role_can(role, C.PROJECT_VIEW), role
        assert role_can(role, C.MEMBERS_VIEW), role


def test_every_capability_is_granted_to_at_least_one_role():
    assert [capability for capability in Capability if not roles_with(capability)] == []


def test_only_leadership_receive_escalations_to_acknowledge():
    # Escalations are sent to (and acknowledged by) LEADERSHIP_ROLES; the PM reads and resolves them.
    assert LEADERSHIP_ROLES == LEADERSHIP
    assert set(roles_with(C.ESCALATIONS_VIEW)) - set(roles_with(C.ESCALATIONS_MANAGE)) == LEADERSHIP
    assert roles_with(C.ESCALATIONS_MANAGE) == [PM]


def test_the_key_user_files_and_comments_but_cannot_triage():
    assert role_can(KEY_USER, C.REPORTS_FILE)
    assert role_can(KEY_USER, C.ISSUES_COMMENT)
    assert not role_can(KEY_USER, C.ISSUES_TRIAGE)
    assert not role_can(KEY_USER, C.ISSUES_CONFIGURE)


def test_the_consultant_sees_only_forwarded_issues():
    assert not role_can(CONSULTANT, C.ISSUES_VIEW_ALL)
    assert role_can(CONSULTANT, C.ISSUES_RESPOND)


def test_the_pm_may_not_decide_sign_or_approve_a_rebaseline():
    for capability in (C.MEETINGS_DECIDE, C.REQUIREMENTS_SIGN, C.REBASELINE_APPROVE, C.CLOSURE_SIGN):
        assert not role_can(PM, capability), capability


def test_an_unknown_role_may_do_nothing():
    assert not any(role_can("intern", capability) for capability in Capability)


def test_a_grant_adds_only_grantable_capabilities():
    assert not role_can(KEY_USER, C.BUDGET_VIEW)
    assert membership_can(KEY_USER, [C.BUDGET_VIEW], C.BUDGET_VIEW)
    assert not membership_can(KEY_USER, [C.PLAN_EDIT], C.PLAN_EDIT)
    assert not membership_can(KEY_USER, None, C.BUDGET_VIEW)
    assert {value for value, _label in grantable_choices()} == set(GRANTABLE)


def test_reading_capabilities_are_not_writes():
    # A closed project keeps every reading capability (WRITES lists what it loses).
    reads = {C.PROJECT_VIEW, C.MEMBERS_VIEW, C.PLAN_VIEW, C.ISSUES_VIEW_ALL, C.CLOSURE_VIEW, C.REPORTS_READ}
    assert not reads & WRITES
    assert set(Capability) >= WRITES
