"""Roles and what each may do: the only module that knows role names.

Views never test a role. They ask for a capability through the helpers below,
which give an outsider a 404 (the project's existence is not revealed), a
member without the capability a 403, and leave anonymous users to the login
redirect of LoginRequiredMiddleware.
"""

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from projects.core.security_log import authorization_refused


class Role(models.TextChoices):
    SPONSOR = "sponsor", _("Sponsor")
    EXECUTIVE = "executive", _("Executive")
    STEERING = "steering", _("Steering committee member")
    PM = "pm", _("Project manager")
    CONSULTANT = "consultant", _("Consultant")
    KEY_USER = "key_user", _("Key user")


class Capability(models.TextChoices):
    PROJECT_VIEW = "project.view", _("See the project")
    PROJECT_EDIT = "project.edit", _("Edit the project's settings")
    # The plan, its registers and the steering committee.
    PLAN_VIEW = "plan.view", _("See the plan, milestones and baselines")
    PLAN_EDIT = "plan.edit", _("Edit phases, milestones, forecasts and the budget; request a rebaseline")
    BUDGET_VIEW = "budget.view", _("See the budget")
    ESCALATIONS_VIEW = "escalations.view", _("See the project's escalations")
    REPORTS_READ = "reports.read", _("Read the status reports")
    REPORTS_MANAGE = "reports.manage", _("Write the narrative of status reports and send them")
    ESCALATIONS_MANAGE = "escalations.manage", _("Raise and resolve escalations")
    ESCALATIONS_CLOSE = "escalations.close", _("Close an escalation with a note")
    REBASELINE_APPROVE = "rebaseline.approve", _("Approve or reject a rebaseline request")
    RISKS_VIEW = "risks.view", _("See the risk register")
    RISKS_EDIT = "risks.edit", _("Record and update risks")
    REQUIREMENTS_VIEW = "requirements.view", _("See and download requirement documents and prototypes")
    REQUIREMENTS_UPLOAD = "requirements.upload", _("Upload requirement documents and prototypes")
    REQUIREMENTS_SIGN = "requirements.sign", _("Sign off a requirement version")
    TRAINING_VIEW = "training.view", _("See the training plan")
    TRAINING_MANAGE = "training.manage", _("Plan training sessions and record attendance")
    SETBACKS_VIEW = "setbacks.view", _("See setback reviews")
    SETBACKS_MANAGE = "setbacks.manage", _("Write and send setback reviews")
    COMMITTEE_VIEW = "committee.view", _("See the steering committee, its meetings and minutes")
    MEETINGS_MANAGE = "meetings.manage", _("Set up the committee, draft and publish agendas, record minutes")
    MEETINGS_DECIDE = "meetings.decide", _("Decide agenda items in a committee meeting")
    MEMBERS_VIEW = "members.view", _("See the members")
    MEMBERS_MANAGE = "members.manage", _("Invite members, change roles, end memberships")
    REPORTS_FILE = "reports.file", _("File the daily issue report")
    REPORTS_EXPECTED = "reports.expected", _("Is expected to file the daily report")
    COMPLIANCE_VIEW = "compliance.view", _("See who filed their reports")
    ISSUES_VIEW_ALL = "issues.view_all", _("See every issue of the project")
    ISSUES_TRIAGE = "issues.triage", _("Analyse, forward, resolve and close issues")
    ISSUES_RESPOND = "issues.respond", _("Answer issues forwarded to them")
    ISSUES_COMMENT = "issues.comment", _("Comment on issues")
    ISSUES_CONFIGURE = "issues.configure", _("Set the reporting calendar, cadence and CRM modules")
    KB_PUBLISH = "kb.publish", _("Publish knowledge-base articles")
    CHANGES_REQUEST = "changes.request", _("Raise change requests")
    CHANGES_PROPOSE = "changes.propose", _("Propose and revise solution options")
    CHANGES_APPROVE = (
        "changes.approve",
        _("Approve changes within the project's limits; run development, pilot and rollout"),
    )
    DASHBOARD_VIEW = "dashboard.view", _("See the dashboards")
    # Closure (D-CL-1…5).
    CLOSURE_VIEW = "closure.view", _("See the closure checklist and the end-project report")
    CLOSURE_MANAGE = "closure.manage", _("Start closure; keep the SOPs, outstanding items and improvement plan")
    CLOSURE_REVIEW = "closure.review", _("Answer outstanding items and review the improvement plan")
    CLOSURE_CONFIRM = "closure.confirm", _("Confirm a business procedure for one's department")
    CLOSURE_CONTRIBUTE = "closure.contribute", _("Log lessons learned")
    CLOSURE_SIGN = "closure.sign", _("Waive closure gates and sign the project's acceptance")
    # The one change a closed project accepts, so not among WRITES (issue 16).
    CLOSURE_REOPEN = "closure.reopen", _("Reopen a closed project, with a reason")
    # Not a permission but a duty: with MFA_REQUIRED_FOR_LEADERSHIP on, these roles sign in with TOTP.
    TWO_FACTOR_REQUIRED = "account.two_factor", _("Must sign in with two-factor authentication")


# The order people are listed in: leadership first, then those who run and use the project.
ROLE_ORDER = {role: position for position, role in enumerate(Role)}


def by_role(memberships) -> list:
    return sorted(memberships, key=lambda m: (ROLE_ORDER.get(m.role, len(ROLE_ORDER)), m.user.full_name))


_EVERY_MEMBER = {Capability.PROJECT_VIEW, Capability.MEMBERS_VIEW}


_LEADERSHIP = _EVERY_MEMBER | {Capability.ISSUES_VIEW_ALL, Capability.COMPLIANCE_VIEW}


CAPABILITIES: dict[str, frozenset[str]] = {
    Role.SPONSOR: frozenset(_LEADERSHIP),
    Role.EXECUTIVE: frozenset(_LEADERSHIP),
    Role.STEERING: frozenset(_LEADERSHIP),
    Role.PM: frozenset(
        _LEADERSHIP
        | {
            Capability.PROJECT_EDIT,
            Capability.MEMBERS_MANAGE,
            Capability.REPORTS_FILE,
            Capability.ISSUES_TRIAGE,
            Capability.ISSUES_COMMENT,
            Capability.ISSUES_CONFIGURE,
            Capability.KB_PUBLISH,
            Capability.CHANGES_REQUEST,
            Capability.CHANGES_APPROVE,
        }
    ),
    # The consultant sees only the issues forwarded to them (no ISSUES_VIEW_ALL).
    Role.CONSULTANT: frozenset(
        _EVERY_MEMBER | {Capability.ISSUES_RESPOND, Capability.ISSUES_COMMENT, Capability.CHANGES_PROPOSE}
    ),
    Role.KEY_USER: frozenset(
        _EVERY_MEMBER
        | {
            Capability.REPORTS_FILE,
            Capability.REPORTS_EXPECTED,
            Capability.ISSUES_VIEW_ALL,
            Capability.ISSUES_COMMENT,
            Capability.CHANGES_REQUEST,
        }
    ),
}


# Who hears about the state of the project (status reports, escalations,
# plan announcements go to them by default).
LEADERSHIP_ROLES = frozenset({Role.SPONSOR, Role.EXECUTIVE, Role.STEERING})


# The plan, its registers and the steering committee, added to each role's capabilities above.
# Everyone reads the plan and registers; leadership and the PM read the budget and the
# committee; sponsor and steering members decide; the business (not the PM) signs requirements.
_PLAN_READERS = {
    Capability.PLAN_VIEW,
    Capability.RISKS_VIEW,
    Capability.REQUIREMENTS_VIEW,
    Capability.TRAINING_VIEW,
    Capability.SETBACKS_VIEW,
}


_PLAN_LEADERSHIP = _PLAN_READERS | {Capability.BUDGET_VIEW, Capability.COMMITTEE_VIEW}


_PLAN_DECIDERS = _PLAN_LEADERSHIP | {Capability.MEETINGS_DECIDE, Capability.REQUIREMENTS_SIGN}


_PLAN_CAPABILITIES: dict[str, set[str]] = {
    Role.SPONSOR: _PLAN_DECIDERS | {Capability.REBASELINE_APPROVE},
    Role.EXECUTIVE: _PLAN_LEADERSHIP,
    Role.STEERING: _PLAN_DECIDERS,
    Role.PM: _PLAN_LEADERSHIP
    | {
        Capability.PLAN_EDIT,
        Capability.RISKS_EDIT,
        Capability.REQUIREMENTS_UPLOAD,
        Capability.TRAINING_MANAGE,
        Capability.SETBACKS_MANAGE,
        Capability.MEETINGS_MANAGE,
    },
    Role.CONSULTANT: _PLAN_READERS
    | {Capability.RISKS_EDIT, Capability.REQUIREMENTS_UPLOAD, Capability.TRAINING_MANAGE},
    Role.KEY_USER: _PLAN_READERS | {Capability.REQUIREMENTS_SIGN},
}


# Escalations: leadership receives and reads them; the PM raises, resolves and answers for them.
_ESCALATION_CAPABILITIES: dict[str, set[str]] = {
    # The sponsor closes an escalation with a note, e.g. before accepting the project (issue 16).
    Role.SPONSOR: {
        Capability.ESCALATIONS_VIEW,
        Capability.ESCALATIONS_CLOSE,
        Capability.REPORTS_READ,
        Capability.DASHBOARD_VIEW,
    },
    Role.EXECUTIVE: {Capability.ESCALATIONS_VIEW, Capability.REPORTS_READ, Capability.DASHBOARD_VIEW},
    Role.STEERING: {Capability.ESCALATIONS_VIEW, Capability.REPORTS_READ, Capability.DASHBOARD_VIEW},
    Role.PM: {
        Capability.DASHBOARD_VIEW,
        Capability.ESCALATIONS_VIEW,
        Capability.ESCALATIONS_MANAGE,
        Capability.REPORTS_READ,
        Capability.REPORTS_MANAGE,
    },
}


CAPABILITIES = {
    role: frozenset(capabilities | _PLAN_CAPABILITIES.get(role, set()) | _ESCALATION_CAPABILITIES.get(role, set()))
    for role, capabilities in CAPABILITIES.items()
}


# Closure, added to each role's capabilities like the plan's above: everyone reads it and logs
# lessons; the business confirms its procedures; the PM runs it; the consultant answers and
# reviews; the sponsor waives gates and signs. The successor is a person, not a role (closure.models).
_CLOSURE_READERS = {Capability.CLOSURE_VIEW, Capability.CLOSURE_CONTRIBUTE}


_CLOSURE_BUSINESS = _CLOSURE_READERS | {Capability.CLOSURE_CONFIRM}


_CLOSURE_CAPABILITIES: dict[str, set[str]] = {
    Role.SPONSOR: _CLOSURE_BUSINESS | {Capability.CLOSURE_SIGN, Capability.CLOSURE_REOPEN},
    Role.EXECUTIVE: _CLOSURE_BUSINESS,
    Role.STEERING: _CLOSURE_BUSINESS,
    Role.PM: _CLOSURE_BUSINESS | {Capability.CLOSURE_MANAGE},
    Role.CONSULTANT: _CLOSURE_READERS | {Capability.CLOSURE_REVIEW},
    Role.KEY_USER: _CLOSURE_BUSINESS,
}


CAPABILITIES = {
    role: frozenset(capabilities | _CLOSURE_CAPABILITIES.get(role, set()))
    for role, capabilities in CAPABILITIES.items()
}


# Those who approve money, rebaselines and acceptance sign in with a second factor (issue 9).
_TWO_FACTOR_ROLES = {Role.SPONSOR, Role.EXECUTIVE}


CAPABILITIES = {
    role: capabilities | ({Capability.TWO_FACTOR_REQUIRED} if role in _TWO_FACTOR_ROLES else set())
    for role, capabilities in CAPABILITIES.items()
}


# Everything that changes a project. A closed project is read-only: its members keep every
# reading capability and lose these (get_membership_for marks the membership read-only).
# A new writing capability belongs here; test_read_only checks every POST URL against it.
WRITES = frozenset(
    {
        Capability.PROJECT_EDIT,
        Capability.PLAN_EDIT,
        Capability.REBASELINE_APPROVE,
        Capability.RISKS_EDIT,
        Capability.REQUIREMENTS_UPLOAD,
        Capability.REQUIREMENTS_SIGN,
        Capability.TRAINING_MANAGE,
        Capability.SETBACKS_MANAGE,
        Capability.MEETINGS_MANAGE,
        Capability.MEETINGS_DECIDE,
        Capability.MEMBERS_MANAGE,
        Capability.REPORTS_FILE,
        Capability.ISSUES_TRIAGE,
        Capability.ISSUES_RESPOND,
        Capability.ISSUES_COMMENT,
        Capability.ISSUES_CONFIGURE,
        Capability.KB_PUBLISH,
        Capability.CHANGES_REQUEST,
        Capability.CHANGES_PROPOSE,
        Capability.CHANGES_APPROVE,
        Capability.CLOSURE_MANAGE,
        Capability.CLOSURE_REVIEW,
        Capability.CLOSURE_CONFIRM,
        Capability.CLOSURE_CONTRIBUTE,
        Capability.CLOSURE_SIGN,
        Capability.ESCALATIONS_MANAGE,
        Capability.ESCALATIONS_CLOSE,
        Capability.REPORTS_MANAGE,
    }
)


class ProjectReadOnly(PermissionDenied):
    """A write on a closed project: the 403 page says why."""


# Capabilities a PM may grant to one membership beyond its role (Membership.grants),
# e.g. the budget to a key user who owns the training budget.
GRANTABLE = frozenset({Capability.BUDGET_VIEW, Capability.COMMITTEE_VIEW})


def role_can(role: str, capability: str) -> bool:
    return capability in CAPABILITIES.get(role, frozenset())


def membership_can(role: str, grants, capability: str) -> bool:
    """The role's capabilities plus any grantable capability granted to this one membership."""
    return role_can(role, capability) or (capability in GRANTABLE and capability in (grants or ()))


def grantable_choices() -> list[tuple[str, str]]:
    return [(capability.value, capability.label) for capability in Capability if capability in GRANTABLE]


def roles_with(capability: str) -> list[str]:
    return [role for role, capabilities in CAPABILITIES.items() if capability in capabilities]


def get_membership_for(request: HttpRequest, code: str, capability: str = Capability.PROJECT_VIEW):
    """The requesting user's active membership of project `code`, or 404 / 403."""
    Membership = apps.get_model("projects", "Membership")  # by name: projects.core.models imports this module
    # `current()`, not `active()`: the user's own account is known to be active, so no join to it.
    memberships = Membership.objects.current().filter(user_id=request.user.pk, project__code=code)
    membership = memberships.select_related("project").first() if request.user.is_active else None
    if membership is None:
        authorization_refused(request, status=404, capability=capability)
        raise Http404
    # Read-only once closed: `can` then refuses every write, so pages also hide their buttons.
    membership.read_only = membership.project.status == membership.project.Status.CLOSED
    if not membership.can(capability):
        authorization_refused(request, status=403, capability=capability)
        if (
            membership.read_only
            and capability in WRITES
            and membership_can(membership.role, membership.grants, capability)
        ):
            raise ProjectReadOnly(_("This project is closed: it can be read but no longer changed."))
        raise PermissionDenied
    return membership


def get_project_for(request: HttpRequest, code: str, capability: str = Capability.PROJECT_VIEW):
    return get_membership_for(request, code, capability).project


def two_factor_required(user) -> bool:
    """Whether any active membership of `user` has a role that must use two-factor authentication."""
    Membership = apps.get_model("projects", "Membership")  # by name: projects.core.models imports this module
    roles = roles_with(Capability.TWO_FACTOR_REQUIRED)
    return Membership.objects.active().filter(user=user, role__in=roles).exists()
