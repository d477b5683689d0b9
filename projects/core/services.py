"""Writes of the projects app: every view, command and task goes through these."""

from datetime import date

from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.core.accounts import set_password_url
from projects.core.member_import import ImportRowsInvalid, check_rows, invitation_of
from projects.core.models import Membership, Project, User
from projects.escalations.services import escalations_evaluate_soon
from projects.notifications.outbox import email_queue
from projects.permissions import Role
from projects.reporting.dashboard_cache import forget_dashboard


@transaction.atomic
def project_create(
    *,
    created_by: User,
    name: str,
    code: str,
    description: str = "",
    vision: str = "",
    time_zone: str,
    default_language: str,
) -> Project:
    """Create a project; its creator becomes its project manager."""
    project = Project(
        name=name,
        code=code,
        description=description,
        vision=vision,
        time_zone=time_zone,
        default_language=default_language,
    )
    project.full_clean()
    project.save()
    Membership.objects.create(project=project, user=created_by, role=Role.PM, invited_by=created_by)
    return project


@transaction.atomic
def project_update(*, project: Project, **fields) -> Project:
    """The project's settings. Its status is not one of them: closure starts and is signed on the
    closure page (closure.services), a closed project is reopened by closure_reopen (D-CL-5)."""
    if "status" in fields and fields["status"] != project.status:
        raise ValidationError(
            {"status": _("The status changes only through closure: start it, sign it, or reopen the project there.")},
            code="status_by_closure",
        )
    fields.pop("status", None)
    for name, value in fields.items():
        setattr(project, name, value)
    project.full_clean()
    project.save()
    forget_dashboard(project)
    escalations_evaluate_soon(project)  # tolerances and cadences decide what is an exception
    return project


@transaction.atomic
def membership_invite(
    *,
    project: Project,
    invited_by: User,
    email: str,
    full_name: str,
    role: str,
    department: str = "",
    title: str = "",
    active_until: date | None = None,
    is_key: bool = False,
    receives_reports: bool | None = None,
) -> Membership:
    """Add a person to the project, creating their account if needed, and e-mail them.

    A new account has no password: the e-mail carries a link to set one.
    Re-inviting someone whose membership ended reopens that membership.
    """
    user = _user_for_invitation(project=project, email=email, full_name=full_name)
    membership = Membership.objects.select_for_update().filter(project=project, user=user).first()
    if membership is not None and membership.is_active:
        raise ValidationError(
            _("%(name)s is already a member of this project.") % {"name": user}, code="already_member"
        )
    if membership is None:
        membership = Membership(project=project, user=user)
    membership.role = role
    membership.department = department
    membership.title = title
    membership.active_from = timezone.localdate()
    membership.active_until = active_until
    membership.is_key = is_key
    membership.receives_reports = receives_reports
    membership.ended_at = None
    membership.invited_by = invited_by
    membership.invited_at = timezone.now()
    membership.full_clean()
    membership.save()
    _send_invitation(membership)
    return membership


@transaction.atomic
def memberships_import(*, project: Project, invited_by: User, raw_rows: list[dict]) -> list[Membership]:
    """Invite everyone in an uploaded member list, or no one: the rows are checked again (the
    project may have changed since the preview) and one failing invitation undoes them all."""
    preview = check_rows(project, raw_rows)
    if preview.has_errors:
        raise ImportRowsInvalid(preview)
    return [membership_invite(project=project, invited_by=invited_by, **invitation_of(row)) for row in preview.rows]


def _user_for_invitation(*, project: Project, email: str, full_name: str) -> User:
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        # A new account, even if someone added this address, unverified, to their own (issue 17).
        return User.objects.create_user(
            email, None, full_name=full_name, language=project.default_language, time_zone=project.time_zone
        )
    if not user.is_active:
        raise ValidationError(
            _("The account of %(email)s is deactivated; ask a site administrator to reactivate it.") % {"email": email},
            code="inactive_account",
        )
    return user


def _send_invitation(membership: Membership) -> None:
    user = membership.user
    email_queue(
        to=user,
        template="invitation",
        project=membership.project,
        key=f"invitation:{membership.pk}:{membership.invited_at:%Y%m%dT%H%M%S.%f}",
        context={
            "membership": membership,
            "inviter": membership.invited_by,
            "set_password_url": "" if user.has_usable_password() else set_password_url(user),
        },
    )


def _ensure_another_pm(membership: Membership) -> None:
    if membership.role != Role.PM:
        return
    # Locking every PM row serialises two PMs ending each other at the same moment.
    pms = Membership.objects.select_for_update().filter(project=membership.project_id, role=Role.PM)
    if not any(pm.is_active for pm in pms if pm.pk != membership.pk):
        raise ValidationError(
            _("A project needs at least one project manager: appoint another one first."), code="last_pm"
        )


@transaction.atomic
def membership_update(
    *,
    membership: Membership,
    role: str,
    department: str = "",
    title: str = "",
    active_until: date | None = None,
    grants: list[str] | None = None,
    is_key: bool | None = None,
    receives_reports: bool | None = None,
    changed_by: User,
) -> Membership:
    """Change a membership. Nobody changes their own role (separation of duties: a PM who made
    herself sponsor would approve her own requests); every role change is kept in the membership's
    history (who, whose, from → to, when) and the sponsor hears of it (issue 16)."""
    membership = Membership.objects.select_for_update().select_related("user", "project").get(pk=membership.pk)
    old_role = membership.role
    if role != old_role and membership.user_id == changed_by.pk:
        raise ValidationError(
            _("You cannot change your own role: another project manager or a site administrator does it."),
            code="own_role",
        )
    if is_key is not None:
        membership.is_key = is_key
    membership.receives_reports = receives_reports
    if role != old_role:
        _ensure_another_pm(membership)
    membership.role = role
    membership.department = department
    membership.title = title
    membership.active_until = active_until
    if grants is not None:
        membership.grants = sorted(set(grants))
    membership.full_clean()
    membership._history_user = changed_by
    membership.save()
    if role != old_role:
        _announce_role_change(membership, old_role=old_role, changed_by=changed_by)
    escalations_evaluate_soon(membership.project)
    return membership


def _announce_role_change(membership: Membership, *, old_role: str, changed_by: User) -> None:
    """The sponsor(s) hear of every role change, once per recorded change."""
    record = membership.history.order_by("-history_id").first()
    sponsors = Membership.objects.active().filter(project=membership.project, role=Role.SPONSOR).select_related("user")
    for sponsor in sponsors:
        email_queue(
            to=sponsor.user,
            template="role-changed",
            project=membership.project,
            key=f"role-change:{membership.pk}:{record.history_id}",
            context={
                "membership": membership,
                "old_role": Role(old_role),
                "new_role": Role(membership.role),
                "changed_by": changed_by,
                "changed_at": record.history_date,
            },
        )


@transaction.atomic
def membership_end(*, membership: Membership) -> Membership:
    """End a membership now: the person loses access to the project with their next request."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    _ensure_another_pm(membership)
    membership.ended_at = timezone.now()
    membership.save(update_fields=["ended_at"])
    escalations_evaluate_soon(membership.project)
    # Someone left with no project at all has left the programme: sign them out everywhere.
    user = User.objects.get(pk=membership.user_id)
    if not user.is_staff and not Membership.objects.active().filter(user=user).exists():
        user_sessions_end(user=user)
    return membership


def user_sessions_end(*, user: User) -> int:
    """Sign `user` out on every device; returns how many sessions ended.

    The database session backend keeps no index by user, so this decodes the live sessions:
    acceptable for what it serves (deactivation, leaving the programme), never for a page.
    """
    store = Session.get_session_store_class()()
    user_id = str(user.pk)
    ended = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).only("session_key", "session_data")
        if store.decode(session.session_data).get("_auth_user_id") == user_id
    ]
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


@transaction.atomic
def user_deactivate(*, user: User) -> User:
    """The account can no longer sign in, and every open session of it ends now."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    user_sessions_end(user=user)
    return user


@transaction.atomic
def user_preferences_update(*, user: User, full_name: str, language: str, time_zone: str) -> User:
    user.full_name = full_name
    user.language = language
    user.time_zone = time_zone
    user.full_clean()
    user.save(update_fields=["full_name", "language", "time_zone"])
    return user


def user_language_set(*, user: User, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])
