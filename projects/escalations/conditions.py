"""Exceptions the plan, the memberships and the committee detect themselves (D-ESC-3).

Each condition stores the facts of an instance (`params`) and words them when read, in the
reader's language; its loss estimate (D-PLAN-6) follows the rules in docs/status-rules.md.
"""

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
from projects.registry import Detected, EscalationCondition, Wording
from projects.steering.models import Meeting

RESPONSE = gettext_lazy("Decide whether to add resources, cut scope or move the date; the PM proposes the response.")

# Loss-estimate defaults where the data holds no figure (docs/status-rules.md, "Loss estimates").
KEY_PERSON_REPLACEMENT_DAYS = 10  # finding and briefing a successor
KEY_PERSON_LEFT_WINDOW_DAYS = 14  # a key person who left at once stays an exception this long
TRAINING_RESCHEDULE_DAYS = 7  # announcing and holding a replacement session


def money(amount) -> str:
    return f"{Decimal(amount):,.0f}"


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


# --- Milestones ----------------------------------------------------------------------------------


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
                params={
                    "name": milestone.name,
                    "forecast": milestone.forecast_date.isoformat(),
                    "baseline": milestone.baseline_date.isoformat(),
                    "days": slip,
                    "tolerance": project.schedule_tolerance_days,
                },
                delay_days=slip,
                magnitude=slip,
                material_step=max(project.schedule_tolerance_days, 1),
                unit="days",
            )
        )
    return found


def word_milestone(params: dict) -> Wording:
    return Wording(
        title=_("Milestone “%(name)s” forecast %(days)s days late") % params,
        what_happened=_(
            "The forecast of “%(name)s” is %(forecast)s, %(days)s days after its baseline %(baseline)s; "
            "the tolerance is %(tolerance)s days."
        )
        % params,
        consequences=_("%(days)s days of delay on this milestone and on everything that depends on it.") % params,
        recommendation=str(RESPONSE),
    )


# --- Budget ---------------------------------------------------------------------------------------


def _tolerance_amount(project, line: BudgetLine) -> Decimal:
    return line.baseline * Decimal(project.budget_tolerance_percent) / 100


def budget_beyond_tolerance(project) -> list[Detected]:
    found = []
    for line in BudgetLine.objects.filter(project=project):
        over = line.forecast - line.baseline
        tolerance = _tolerance_amount(project, line)
        if line.baseline <= 0 or over <= tolerance:
            continue
        found.append(
            Detected(
                instance=f"budget:{line.category}",
                params={
                    "category": line.category,
                    "over": str(over),
                    "forecast": str(line.forecast),
                    "baseline": str(line.baseline),
                    "tolerance": str(project.budget_tolerance_percent),
                },
                extra_cost=over,
                magnitude=over,
                material_step=max(tolerance, Decimal(1)),
                unit="money",
            )
        )
    return found


def word_budget(params: dict) -> Wording:
    category = _label(BudgetLine.Category, params["category"])
    return Wording(
        title=_("%(category)s forecast %(over)s over budget") % {"category": category, "over": money(params["over"])},
        what_happened=_("The forecast of %(category)s is %(forecast)s against a baseline of %(baseline)s.")
        % {"category": category, "forecast": money(params["forecast"]), "baseline": money(params["baseline"])},
        consequences=_("%(over)s more than budgeted, beyond the tolerance of %(tolerance)s %%.")
        % {"over": money(params["over"]), "tolerance": params["tolerance"]},
        recommendation=str(RESPONSE),
    )


def funding_short(project) -> list[Detected]:
    """The budget holds no figure for the funds approved, so the shortfall is what is still to be
    paid from the line: forecast − actual (docs/status-rules.md)."""
    found = []
    for line in BudgetLine.objects.filter(project=project, funding=BudgetLine.Funding.SHORT):
        shortfall = max(line.forecast - line.actual, Decimal(0))
        found.append(
            Detected(
                instance=f"funding:{line.category}",
                params={"category": line.category, "shortfall": str(shortfall)},
                extra_cost=shortfall,
                magnitude=shortfall,
                material_step=max(_tolerance_amount(project, line), Decimal(1)),
                unit="money",
            )
        )
    return found


def word_funding(params: dict) -> Wording:
    category = _label(BudgetLine.Category, params["category"])
    return Wording(
        title=_("Funding short: %(category)s") % {"category": category},
        what_happened=_("The funding of %(category)s is marked short; %(amount)s is still to be paid from it.")
        % {"category": category, "amount": money(params.get("shortfall", 0))},
        consequences=_("Work paid from this budget may stop."),
        recommendation=_("Approve the missing funds or reduce the scope paid from them."),
    )


# --- People ---------------------------------------------------------------------------------------


def key_person_leaving(project) -> list[Detected]:
    """The sponsor, the PM or a member flagged key, given an end date that has not passed yet, or
    removed at once within the last KEY_PERSON_LEFT_WINDOW_DAYS days."""
    today = timezone.localdate()
    left_since = timezone.now() - timedelta(days=KEY_PERSON_LEFT_WINDOW_DAYS)
    memberships = (
        Membership.objects.filter(project=project)
        .filter(Q(ended_at__isnull=True, active_until__gte=today) | Q(ended_at__gte=left_since))
        .filter(Q(role__in=[Role.SPONSOR, Role.PM]) | Q(is_key=True))
        .select_related("user")
    )
    found = []
    for membership in memberships:
        left = membership.ended_at is not None
        day = timezone.localdate(membership.ended_at) if left else membership.active_until
        found.append(
            Detected(
                instance=f"membership:{membership.pk}",
                params={"name": str(membership.user), "role": membership.role, "date": day.isoformat(), "left": left},
                delay_days=KEY_PERSON_REPLACEMENT_DAYS,
            )
        )
    return found


def word_key_person(params: dict) -> Wording:
    facts = {"name": params["name"], "role": _label(Role, params["role"]), "date": params["date"]}
    if params.get("left"):
        what = _("%(name)s (%(role)s) left the project on %(date)s.") % facts
    else:
        what = _("%(name)s (%(role)s) leaves the project on %(date)s.") % facts
    return Wording(
        title=_("Key person leaving: %(name)s") % facts,
        what_happened=what,
        consequences=_("Their knowledge and decisions must be handed over before they leave."),
        recommendation=_("Name a successor and plan the hand-over now."),
    )


# --- Steering committee and training --------------------------------------------------------------


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
            params={"days": project.meeting_cadence_days},
            # Decisions wait at least until a meeting can be held with its agenda published in time.
            delay_days=project.agenda_notice_days,
        )
    ]


def word_no_meeting(params: dict) -> Wording:
    return Wording(
        title=_("No steering committee meeting in the next %(days)s days") % params,
        what_happened=_("No meeting of the steering committee is scheduled within its cadence."),
        consequences=_("Decisions wait, and leadership loses sight of the project."),
        recommendation=_("Schedule the next meeting and publish its agenda in time."),
    )


def training_cancelled(project) -> list[Detected]:
    sessions = TrainingSession.objects.filter(project=project, status=TrainingSession.Status.CANCELLED)
    return [
        Detected(
            instance=f"training:{session.pk}",
            params={"topic": session.topic, "reason": session.status_reason},
            delay_days=TRAINING_RESCHEDULE_DAYS,
        )
        for session in sessions
    ]


def word_training(params: dict) -> Wording:
    return Wording(
        title=_("Training cancelled: %(topic)s") % params,
        what_happened=_("The session “%(topic)s” was cancelled: %(reason)s") % params,
        consequences=_("Users who must enter or read data will not know how to use the CRM."),
        recommendation=_("Reschedule the session; training must not be dropped for short-term business needs."),
    )


CONDITIONS = [
    EscalationCondition(
        "milestone_beyond_tolerance",
        gettext_lazy("Milestone beyond tolerance"),
        milestones_beyond_tolerance,
        word_milestone,
    ),
    EscalationCondition(
        "budget_beyond_tolerance", gettext_lazy("Budget beyond tolerance"), budget_beyond_tolerance, word_budget
    ),
    EscalationCondition("funding_short", gettext_lazy("Funding short"), funding_short, word_funding),
    EscalationCondition("key_person_leaving", gettext_lazy("Key person leaving"), key_person_leaving, word_key_person),
    EscalationCondition(
        "no_meeting_in_cadence", gettext_lazy("No committee meeting scheduled"), no_meeting_in_cadence, word_no_meeting
    ),
    EscalationCondition("training_cancelled", gettext_lazy("Training cancelled"), training_cancelled, word_training),
]
