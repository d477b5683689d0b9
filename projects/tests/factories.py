"""Plan and committee objects for tests: one of each kind in a project, built through the services."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from projects.core.models import Project, User
from projects.permissions import Role
from projects.plan import services as services_plan
from projects.plan.models import Milestone, Phase, RebaselineRequest
from projects.registers import services as services_registers
from projects.registers.models import RequirementDocument, RequirementVersion, Risk, SetbackReview, TrainingSession
from projects.steering import services as services_steering
from projects.steering.models import ActionItem, AgendaItem, CommitteeMember, Meeting

D = datetime.date


PILOT = D(2027, 3, 1)


def milestone(project: Project, name="试点上线", baseline=PILOT, forecast=None, **fields) -> Milestone:
    return services_plan.milestone_save(
        project=project,
        name=name,
        phase=fields.pop("phase", None),
        owner=fields.pop("owner", None),
        baseline_date=baseline,
        forecast_date=forecast or baseline,
        **fields,
    )


def baselined_plan(project: Project, by: User, *, slip_days=0, cost_of_delay=Decimal("5000")) -> list[Milestone]:
    """Two milestones, a training budget line, baseline v1, then a forecast slip on the second."""
    project.cost_of_delay_per_day = cost_of_delay
    project.save(update_fields=["cost_of_delay_per_day"])
    first = milestone(project, "需求确认", D(2027, 1, 15))
    second = milestone(project, "华南区全面上线", D(2027, 4, 30))
    services_plan.budget_update(
        project=project,
        lines={"training": {"baseline": Decimal("80000"), "committed": 0, "actual": 0, "forecast": Decimal("80000")}},
    )
    services_plan.baseline_set_initial(project=project, approved_by=by, reason="启动会确认的计划")
    if slip_days:
        second = services_plan.milestone_save(
            project=project,
            milestone=second,
            name=second.name,
            phase=None,
            owner=None,
            forecast_date=second.baseline_date + datetime.timedelta(days=slip_days),
        )
    return [first, second]


@dataclass
class PlanObjects:
    phase: Phase
    milestone: Milestone
    rebaseline: RebaselineRequest
    risk: Risk
    document: RequirementDocument
    version: RequirementVersion
    session: TrainingSession
    review: SetbackReview
    committee_member: CommitteeMember
    meeting: Meeting
    item: AgendaItem
    action: ActionItem


def plan_objects(project: Project, pm: User, member: User) -> PlanObjects:
    """One object of every kind in `project`; the meeting's agenda is published with one item."""
    phase = services_plan.phase_save(
        project=project, name="一期：销售线索", goals="线索统一录入", start_date=D(2027, 1, 1), end_date=D(2027, 3, 31)
    )
    milestones = baselined_plan(project, pm, slip_days=10)
    rebaseline = services_plan.rebaseline_request_create(
        project=project, requested_by=pm, reason="数据迁移延期", extra_cost=Decimal("20000")
    )
    risk = services_registers.risk_save(project=project, title="关键用户抵触", probability=3, impact=4, owner=pm)
    document = services_registers.requirement_document_create(
        project=project,
        title="销售线索需求说明书",
        kind=RequirementDocument.Kind.REQUIREMENTS,
        file=SimpleUploadedFile("leads.txt", "线索需求 v1".encode()),
        note="初稿",
        uploaded_by=pm,
    )
    session = services_registers.training_session_save(
        project=project,
        topic="线索录入",
        audience_roles=[Role.KEY_USER],
        trainer="周婷",
        starts_at=timezone.now() + datetime.timedelta(days=20),
        duration_minutes=90,
    )
    review = services_registers.setback_review_create(
        project=project,
        created_by=pm,
        title="需求确认延期",
        milestone=milestones[0],
        rebaseline=None,
        cause="业务部门未按时反馈",
        responsibility="项目经理承担",
        revised_plan="延后两周",
    )
    committee_member = services_steering.committee_member_add(
        project=project, user=member, committee_role=CommitteeMember.CommitteeRole.MEMBER
    )
    meeting = services_steering.meeting_create(
        project=project,
        created_by=pm,
        title="第一次指导委员会",
        starts_at=timezone.now() + datetime.timedelta(days=10),
        duration_minutes=90,
        location="总部会议室",
    )
    services_steering.meeting_publish(meeting=meeting, published_by=pm)
    item = meeting.items.get()
    action = services_steering.action_item_add(
        meeting=meeting, title="提交数据迁移计划", owner=pm, due_date=D(2027, 1, 10)
    )
    return PlanObjects(
        phase=phase,
        milestone=milestones[0],
        rebaseline=rebaseline,
        risk=risk,
        document=document,
        version=document.versions.get(),
        session=session,
        review=review,
        committee_member=committee_member,
        meeting=meeting,
        item=item,
        action=action,
    )
