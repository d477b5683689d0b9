"""Exceptions the plan, the memberships and the committee detect themselves (D-ESC-3)."""

from datetime import timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.core.models import Membership
from projects.permissions import Role
from projects.plan.models import BudgetLine, Milestone
from projects.registers.models import TrainingSession
from projects.registry import Detected, EscalationCondition
from projects.steering.models import Meeting

RESPONSE = gettext_lazy("Decide whether to add resources, cut scope or move the date; the PM proposes the response.")


def milestones_beyond_tolerance(project) -> list[Detected]:
    found = []
    milestones = Milestone.objects.filter(project=project, actual_date__isnull=True).select_related("phase")
    for milestone in milestones:
        slip = milestone.slip_days
        if slip <= project.schedule_tolerance_days:
            continue
        found.append(
            Detected(
                instance=f"milestone:{milestone.pk}",
                title=_("Milestone “%(name)s” forecast %(days)s days late") % {"name": milestone.name, "days": slip},
                what_happened=_(
                    "The forecast of “%(name)s” is %(forecast)s, %(days)s days after its baseline %(baseline)s; "
                    "the tolerance is %(tolerance)s days."
                )
                % {
                    "name": milestone.name,
                    "forecast": milestone.forecast_date.isoformat(),
                    "baseline": milestone.baseline_date.isoformat(),
                    "days": slip,
                    "tolerance": project.schedule_tolerance_days,
                },
                consequences=_("%(days)s days of delay on this milestone and on everything that depends on it.")
                % {"days": slip},
                delay_days=slip,
                recommendation=str(RESPONSE),
            )
        )
    return found


def budget_beyond_tolerance(project) -> list[Detected]:
    found = []
    share = Decimal(project.budget_tolerance_percent) / 100
    for line in BudgetLine.objects.filter(project=project):
        over = line.forecast - line.baseline
        if line.baseline <= 0 or over <= line.baseline * share:
            continue
        found.append(
            Detected(
                instance=f"budget:{line.category}",
                title=_("%(category)s forecast %(over)s over budget")
                % {"category": line.get_category_display(), "over": f"{over:,.0f}"},
                what_happened=_("The forecast of %(category)s is %(forecast)s against a baseline of %(baseline)s.")
                % {
                    "category": line.get_category_display(),
                    "forecast": f"{line.forecast:,.0f}",
                    "baseline": f"{line.baseline:,.0f}",
                },
                consequences=_("%(over)s more than budgeted, beyond the tolerance of %(tolerance)s %%.")
                % {"over": f"{over:,.0f}", "tolerance": project.budget_tolerance_percent},
                extra_cost=over,
                recommendation=str(RESPONSE),
            )
        )
    return found


def funding_short(project) -> list[Detected]:
    return [
        Detected(
            instance=f"funding:{line.category}",
            title=_("Funding short: %(category)s") % {"category": line.get_category_display()},
            what_happened=_("The funding of %(category)s is marked short.") % {"category": line.get_category_display()},
            consequences=_("Work paid from this budget may stop."),
            recommendation=_("Approve the missing funds or reduce the scope paid from them."),
        )
        for line in BudgetLine.objects.filter(project=project, funding=BudgetLine.Funding.SHORT)
    ]


def key_person_leaving(project) -> list[Detected]:
    """The sponsor, the PM or a member flagged key, given an end date that has not passed yet."""
    today = timezone.localdate()
    memberships = (
        Membership.objects.filter(project=project, ended_at__isnull=True, active_until__gte=today)
        .filter(Q(role__in=[Role.SPONSOR, Role.PM]) | Q(is_key=True))
        .select_related("user")
    )
    return [
        Detected(
            instance=f"membership:{membership.pk}",
            title=_("Key person leaving: %(name)s") % {"name": membership.user},
            what_happened=_("%(name)s (%(role)s) leaves the project on %(date)s.")
            % {"name": membership.user, "role": membership.get_role_display(), "date": membership.active_until},
            consequences=_("Their knowledge and decisions must be handed over before they leave."),
            recommendation=_("Name a successor and plan the hand-over now."),
        )
        for membership in memberships
    ]


def no_meeting_in_cadence(project) -> list[Detected]:
    now = timezone.now()
    scheduled = Meeting.objects.filter(
        project=project, starts_at__gte=now, starts_at__lte=now + timedelta(days=project.meeting_cadence_days)
    ).exclude(status=Meeting.Status.CLOSED)
    if scheduled.exists():
        return []
    return [
        Detected(
            instance="committee",
            title=_("No steering committee meeting in the next %(days)s days") % {"days": project.meeting_cadence_days},
            what_happened=_("No meeting of the steering committee is scheduled within its cadence."),
            consequences=_("Decisions wait, and leadership loses sight of the project."),
            recommendation=_("Schedule the next meeting and publish its agenda in time."),
        )
    ]


def training_cancelled(project) -> list[Detected]:
    sessions = TrainingSession.objects.filter(project=project, status=TrainingSession.Status.CANCELLED)
    return [
        Detected(
            instance=f"training:{session.pk}",
            title=_("Training cancelled: %(topic)s") % {"topic": session.topic},
            what_happened=_("The session “%(topic)s” was cancelled: %(reason)s")
            % {"topic": session.topic, "reason": session.status_reason},
            consequences=_("Users who must enter or read data will not know how to use the CRM."),
            recommendation=_("Reschedule the session; training must not be dropped for short-term business needs."),
        )
        for session in sessions
    ]


CONDITIONS = [
    EscalationCondition(
        "milestone_beyond_tolerance", gettext_lazy("Milestone beyond tolerance"), milestones_beyond_tolerance
    ),
    EscalationCondition("budget_beyond_tolerance", gettext_lazy("Budget beyond tolerance"), budget_beyond_tolerance),
    EscalationCondition("funding_short", gettext_lazy("Funding short"), funding_short),
    EscalationCondition("key_person_leaving", gettext_lazy("Key person leaving"), key_person_leaving),
    EscalationCondition("no_meeting_in_cadence", gettext_lazy("No committee meeting scheduled"), no_meeting_in_cadence),
    EscalationCondition("training_cancelled", gettext_lazy("Training cancelled"), training_cancelled),
]
