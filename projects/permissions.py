"""Roles and what each may do: the only module that knows role names.

Views never test a role. They ask for a capability through the helpers below,
which give an outsider a 404 (the project's existence is not revealed), a
member without the capability a 403, and leave anonymous users to the login
redirect of LoginRequiredMiddleware.
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _


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
    MEMBERS_VIEW = "members.view", _("See the members")
    MEMBERS_MANAGE = "members.manage", _("Invite members, change roles, end memberships")


# The order people are listed in: leadership first, then those who run and use the project.
ROLE_ORDER = {role: position for position, role in enumerate(Role)}


def by_role(memberships) -> list:
    return sorted(memberships, key=lambda m: (ROLE_ORDER.get(m.role, len(ROLE_ORDER)), m.user.full_name))


_EVERY_MEMBER = {Capability.PROJECT_VIEW, Capability.MEMBERS_VIEW}

CAPABILITIES: dict[str, frozenset[str]] = {
    Role.SPONSOR: frozenset(_EVERY_MEMBER),
    Role.EXECUTIVE: frozenset(_EVERY_MEMBER),
    Role.STEERING: frozenset(_EVERY_MEMBER),
    Role.PM: frozenset(_EVERY_MEMBER | {Capability.PROJECT_EDIT, Capability.MEMBERS_MANAGE}),
    Role.CONSULTANT: frozenset(_EVERY_MEMBER),
    Role.KEY_USER: frozenset(_EVERY_MEMBER),
}

# Who hears about the state of the project (status reports, escalations,
# plan announcements go to them by default).
LEADERSHIP_ROLES = frozenset({Role.SPONSOR, Role.EXECUTIVE, Role.STEERING})


def role_can(role: str, capability: str) -> bool:
    return capability in CAPABILITIES.get(role, frozenset())


def roles_with(capability: str) -> list[str]:
    return [role for role, capabilities in CAPABILITIES.items() if capability in capabilities]


def get_membership_for(request: HttpRequest, code: str, capability: str = Capability.PROJECT_VIEW):
    """The requesting user's active membership of project `code`, or 404 / 403."""
    from .models import Membership

    membership = (
        Membership.objects.active().filter(user=request.user, project__code=code).select_related("project").first()
    )
    if membership is None:
        raise Http404
    if not membership.can(capability):
        raise PermissionDenied
    return membership


def get_project_for(request: HttpRequest, code: str, capability: str = Capability.PROJECT_VIEW):
    return get_membership_for(request, code, capability).project
