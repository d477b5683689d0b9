from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.core.models import Membership, Project, User
from projects.notifications.outbox import email_queue
from projects.plan.models import Milestone, RebaselineRequest
from projects.plan.services import record_by
from projects.registers.models import (
    RequirementDocument,
    RequirementVersion,
    Risk,
    SetbackAction,
    SetbackReview,
    TrainingAttendance,
    TrainingSession,
)
from projects.reporting.dashboard_cache import forget_dashboard

# --- Risks --------------------------------------------------------------------------------------


@transaction.atomic
def risk_save(*, project: Project, risk: Risk | None = None, by: User | None = None, **fields) -> Risk:
    risk = risk or Risk(project=project)
    for name, value in fields.items():
        setattr(risk, name, value)
    risk.full_clean(exclude=["score"])
    record_by(risk, by)
    risk.save()
    forget_dashboard(project)
    return risk


# --- Requirements sign-off (D-PLAN-7) ------------------------------------------------------------


@transaction.atomic
def requirement_document_create(
    *, project: Project, title: str, kind: str, file, note: str, uploaded_by: User
) -> RequirementDocument:
    document = RequirementDocument(project=project, title=title, kind=kind)
    document.full_clean()
    document.save()
    requirement_version_upload(document=document, file=file, note=note, uploaded_by=uploaded_by)
    return document


@transaction.atomic
def requirement_version_upload(
    *, document: RequirementDocument, file, note: str, uploaded_by: User
) -> RequirementVersion:
    """A new version never replaces an old one: signed versions stay frozen as they were."""
    document = RequirementDocument.objects.select_for_update().get(pk=document.pk)
    number = (document.versions.aggregate(Max("number"))["number__max"] or 0) + 1
    version = RequirementVersion(document=document, number=number, note=note, uploaded_by=uploaded_by)
    version.file.save(file.name, file, save=False)
    version.save()
    return version


@transaction.atomic
def requirement_version_sign(*, version: RequirementVersion, signed_by: User) -> RequirementVersion:
    version = RequirementVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_frozen:
        raise ValidationError(_("This version is already signed and frozen."))
    version.signed_by = signed_by
    version.signed_at = timezone.now()
    version.save(update_fields=["signed_by", "signed_at"])
    return version


# --- Training (D-PLAN-9) -------------------------------------------------------------------------


@transaction.atomic
def training_session_save(
    *, project: Project, session: TrainingSession | None = None, audience_people=(), **fields
) -> TrainingSession:
    session = session or TrainingSession(project=project)
    for name, value in fields.items():
        setattr(session, name, value)
    if session.is_flagged and not session.status_reason.strip():
        raise ValidationError({"status_reason": _("Say why the session is postponed or cancelled.")})
    session.full_clean()
    session.save()
    session.audience_people.set(audience_people)
    return session


@transaction.atomic
def training_attendance_record(*, session: TrainingSession, users) -> None:
    """Record who attended; recording attendance means the session was held."""
    if session.status == TrainingSession.Status.CANCELLED:
        raise ValidationError(_("A cancelled session has no attendance."))
    TrainingAttendance.objects.filter(session=session).delete()
    TrainingAttendance.objects.bulk_create([TrainingAttendance(session=session, user=user) for user in users])
    if session.status != TrainingSession.Status.HELD:
        session.status = TrainingSession.Status.HELD
        session.status_reason = ""
        session.save(update_fields=["status", "status_reason"])


# --- Setback reviews (D-ESC-5) -------------------------------------------------------------------


@transaction.atomic
def setback_review_create(
    *,
    project: Project,
    created_by: User,
    title: str,
    milestone: Milestone | None,
    rebaseline: RebaselineRequest | None,
    cause: str,
    responsibility: str,
    revised_plan: str,
    affected_users=(),
) -> SetbackReview:
    if milestone is None and rebaseline is None:
        raise ValidationError(_("Link the missed milestone or the approved rebaseline this review is about."))
    review = SetbackReview(
        project=project,
        created_by=created_by,
        title=title,
        milestone=milestone,
        rebaseline=rebaseline,
        cause=cause,
        responsibility=responsibility,
        revised_plan=revised_plan,
    )
    review.full_clean()
    review.save()
    review.affected_users.set(affected_users)
    return review


@transaction.atomic
def setback_action_add(
    *, review: SetbackReview, kind: str, description: str, owner: User, due_date: date
) -> SetbackAction:
    if review.sent_at is not None:
        raise ValidationError(_("The review has been sent; its actions can no longer change."))
    action = SetbackAction(review=review, kind=kind, description=description, owner=owner, due_date=due_date)
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def setback_review_send(*, review: SetbackReview) -> SetbackReview:
    """Send the review to every member and to the affected users, once."""
    review = SetbackReview.objects.select_for_update().select_related("project").get(pk=review.pk)
    if review.sent_at is not None:
        raise ValidationError(_("This review has already been sent."))
    if not review.actions.exists():
        raise ValidationError(_("Add at least one corrective or preventive action before sending."))
    actions = list(review.actions.select_related("owner"))
    recipients = {
        m.user.pk: m.user for m in Membership.objects.active().filter(project=review.project).select_related("user")
    }
    recipients.update({user.pk: user for user in review.affected_users.filter(is_active=True)})
    for user in recipients.values():
        email_queue(
            to=user,
            template="setback-review",
            project=review.project,
            key=f"setback-review:{review.pk}",
            context={"review": review, "actions": actions},
        )
    review.sent_at = timezone.now()
    review.save(update_fields=["sent_at"])
    return review
