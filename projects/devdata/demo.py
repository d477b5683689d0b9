"""The demo project's plan, registers and steering committee (seed_demo), in realistic Chinese.

`load_plan_demo(project)` runs after the people and their memberships exist; it finds them by
e-mail. Dates are relative to today, so the demo always shows a project in flight.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from projects.core.models import Project, User
from projects.permissions import Role
from projects.plan import services as services_plan
from projects.plan.models import BudgetLine
from projects.registers import services as services_registers
from projects.registers.models import TrainingAttendance
from projects.steering import services as services_steering
from projects.steering.models import ActionItem, AgendaItem, CommitteeMember, Meeting


def load_plan_demo(project: Project) -> None:
    people = {
        user.email.split("@")[0]: user
        for user in User.objects.filter(memberships__project=project, email__endswith="@example.com")
    }
    _load_plan(project, people)
    _load_committee(project, people)


def _days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def _at(days: int, hour: int) -> datetime.datetime:
    day = _days(days)
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour, 0))


def _load_plan(project: Project, p: dict) -> None:
    """Three phases, quick win first; milestones, budget, baseline v1, a slip and its rebaseline request."""
    project.cost_of_delay_per_day = Decimal("8000")
    project.schedule_tolerance_days = 5
    project.budget_tolerance_percent = Decimal("10")
    project.agenda_notice_days = 3
    project.meeting_cadence_days = 30
    project.save()
    phases = [
        (
            "一期：线索与客户档案",
            "三个销售部的线索和客户档案全部进入CRM，停止使用Excel台账。",
            "线索录入、分配、客户档案、查重",
            True,
            -90,
            30,
        ),
        (
            "二期：商机与报价",
            "商机阶段和报价在系统中流转，销售漏斗每周自动生成。",
            "商机管理、报价审批、漏斗报表",
            False,
            31,
            120,
        ),
        (
            "三期：客服工单",
            "客服部在CRM中受理投诉和回访，和销售共享客户视图。",
            "工单、回访、满意度调查",
            False,
            121,
            200,
        ),
    ]
    saved = []
    for name, goals, scope, quick_win, start, end in phases:
        saved.append(
            services_plan.phase_save(
                project=project,
                name=name,
                goals=goals,
                scope=scope,
                quick_win=quick_win,
                start_date=_days(start),
                end_date=_days(end),
                status="in_progress" if start < 0 else "planned",
            )
        )
    milestones = [
        ("需求确认签字", 0, -60, -60, -58, "zhou.ting"),
        ("数据迁移：客户档案导入", 0, -20, -12, -12, "zhao.qiang"),
        ("一期试点上线（广州销售一部）", 0, 10, 22, None, "liu.yang"),
        ("一期华南区全面上线", 0, 30, 40, None, "liu.yang"),
        ("商机与报价上线", 1, 120, 126, None, "liu.yang"),
        ("客服工单上线", 2, 200, 200, None, "wu.lei"),
    ]
    for name, phase, baseline, _forecast, actual, owner in milestones:
        services_plan.milestone_save(
            project=project,
            name=name,
            phase=saved[phase],
            owner=p[owner],
            baseline_date=_days(baseline),
            forecast_date=_days(baseline),
            actual_date=_days(actual) if actual is not None else None,
        )
    budget = {
        BudgetLine.Category.LICENCES: ("360000", "360000", "180000", "360000", "approved"),
        BudgetLine.Category.SERVICES: ("450000", "450000", "200000", "520000", "approved"),
        BudgetLine.Category.CUSTOM: ("150000", "60000", "20000", "190000", "pending"),
        BudgetLine.Category.TRAINING: ("80000", "30000", "12000", "80000", "approved"),
        BudgetLine.Category.STAFF: ("240000", "0", "90000", "250000", "approved"),
        BudgetLine.Category.OTHER: ("40000", "5000", "5000", "35000", "short"),
    }
    services_plan.budget_update(
        project=project,
        lines={
            category: {
                "baseline": Decimal(values[0]),
                "committed": Decimal(values[1]),
                "actual": Decimal(values[2]),
                "forecast": Decimal(values[3]),
                "funding": values[4],
            }
            for category, values in budget.items()
        },
    )
    services_plan.baseline_set_initial(
        project=project, approved_by=p["wang.jianguo"], reason="项目启动会确认的计划和预算"
    )
    for m in project.milestones.select_related("phase", "owner"):
        forecast = next(f for name, _ph, _b, f, _a, _o in milestones if name == m.name)
        services_plan.milestone_save(
            project=project,
            milestone=m,
            name=m.name,
            phase=m.phase,
            owner=m.owner,
            forecast_date=_days(forecast),
            actual_date=m.actual_date,
        )
    services_plan.rebaseline_request_create(
        project=project,
        requested_by=p["liu.yang"],
        reason="客户档案数据质量比预期差，清洗和查重多用了8天；试点需相应推迟。请求以当前预测作为新基线。",
        extra_cost=Decimal("35000"),
    )
    risks = [
        (
            "销售人员抵触录入，继续用Excel",
            4,
            5,
            "zhang.wei",
            "reduce",
            "总经理在启动会上宣布Excel台账停用日期；录入量纳入周会点评",
            "试点第二周录入率低于60%",
            "imminent",
        ),
        (
            "客户档案重复、字段缺失",
            4,
            4,
            "zhao.qiang",
            "reduce",
            "迁移前按手机号和公司名查重，销售部确认后导入",
            "查重后重复率高于5%",
            "month",
        ),
        (
            "实施顾问更换，项目知识流失",
            2,
            4,
            "liu.yang",
            "transfer",
            "合同约定顾问更换需提前一个月通知并交接",
            "云帆软件通知人员变动",
            "quarter",
        ),
        (
            "报价审批定制开发超预算",
            3,
            3,
            "chen.min",
            "avoid",
            "优先使用标准审批流，定制需求走变更评审",
            "顾问报价高于5万元",
            "quarter",
        ),
        ("月底业绩压力挤占培训时间", 3, 2, "li.hua", "accept", "培训安排在每月第二周，避开月底", "", "later"),
    ]
    for title, prob, impact, owner, response, mitigation, trigger, proximity in risks:
        services_registers.risk_save(
            project=project,
            title=title,
            probability=prob,
            impact=impact,
            owner=p[owner],
            response=response,
            mitigation=mitigation,
            trigger=trigger,
            proximity=proximity,
        )
    sessions = [
        ("CRM基础：客户档案与线索录入", [Role.KEY_USER], "周婷", -30, 120, "held", ""),
        ("移动端拜访记录", [Role.KEY_USER], "周婷", -10, 60, "postponed", "月底冲业绩，销售部要求改到下月第二周"),
        ("管理层看板与销售漏斗", [Role.SPONSOR, Role.EXECUTIVE, Role.STEERING], "刘洋", 14, 60, "planned", ""),
        ("客服工单受理", [Role.KEY_USER], "周婷", 130, 90, "planned", ""),
    ]
    for topic, roles, trainer, day, minutes, status, reason in sessions:
        session = services_registers.training_session_save(
            project=project,
            topic=topic,
            audience_roles=roles,
            trainer=trainer,
            starts_at=_at(day, 14),
            duration_minutes=minutes,
            status=status,
            status_reason=reason,
            audience_people=[p["chen.min"]] if day == -30 else [],
        )
        if status == "held":
            TrainingAttendance.objects.bulk_create(
                [TrainingAttendance(session=session, user=p[name]) for name in ("zhang.wei", "huang.li")]
            )


def _load_committee(project: Project, p: dict) -> None:
    """The committee, two past meetings with minutes and decisions, and the next one in draft."""
    for name, role, department in [
        ("wang.jianguo", CommitteeMember.CommitteeRole.CHAIR, "总经办"),
        ("li.hua", CommitteeMember.CommitteeRole.SPONSOR, "销售中心"),
        ("chen.min", CommitteeMember.CommitteeRole.MEMBER, "财务部"),
        ("zhao.qiang", CommitteeMember.CommitteeRole.MEMBER, "信息技术部"),
        ("liu.yang", CommitteeMember.CommitteeRole.SECRETARY, "信息技术部"),
    ]:
        services_steering.committee_member_add(
            project=project, user=p[name], committee_role=role, department=department
        )
    past = [
        (
            "第一次指导委员会：项目启动",
            -75,
            [
                (
                    "项目愿景、范围与分期",
                    "liu.yang",
                    "确认分三期实施，一期以线索和客户档案为速赢目标。",
                    "approved",
                    "同意分期方案，一期必须在一季度内见效。",
                ),
                (
                    "预算与资金到位",
                    "chen.min",
                    "许可和实施服务资金已批；定制开发资金待二期需求明确后再批。",
                    "deferred",
                    "定制开发预算待二期需求签字后再议。",
                ),
            ],
            [
                ("发布Excel台账停用通知", "wang.jianguo", -60, ActionItem.Status.DONE),
                ("确定各销售部关键用户名单", "li.hua", -68, ActionItem.Status.DONE),
            ],
        ),
        (
            "第二次指导委员会：需求签字与数据迁移",
            -40,
            [
                (
                    "一期需求说明书签字情况",
                    "zhou.ting",
                    "三个销售部已签字，客服部意见已纳入三期。",
                    "approved",
                    "需求冻结，后续变更走变更流程。",
                ),
                (
                    "客户档案数据质量问题",
                    "zhao.qiang",
                    "查重发现约8%重复档案，需销售部逐条确认。",
                    "approved",
                    "同意延长数据清洗一周，由各销售部经理负责确认。",
                ),
            ],
            [
                ("各销售部确认重复客户档案", "li.hua", -25, ActionItem.Status.OPEN),
                ("提交试点上线检查清单", "liu.yang", 5, ActionItem.Status.OPEN),
            ],
        ),
    ]
    for title, day, items, actions in past:
        meeting = Meeting.objects.create(
            project=project,
            title=title,
            starts_at=_at(day, 14),
            duration_minutes=90,
            location="广州总部12楼第一会议室",
            status=Meeting.Status.CLOSED,
            published_at=_at(day - 5, 10),
            closed_at=_at(day, 16),
            created_by=p["liu.yang"],
        )
        meeting.attendees.set(
            [p[n] for n in ("wang.jianguo", "li.hua", "chen.min", "zhao.qiang", "liu.yang", "zhou.ting")]
        )
        for order, (item_title, presenter, minutes, outcome, rationale) in enumerate(items, 1):
            AgendaItem.objects.create(
                meeting=meeting,
                order=order,
                title=item_title,
                presenter=p[presenter],
                minutes_allotted=20,
                decision_required=True,
                minutes=minutes,
                outcome=outcome,
                rationale=rationale,
                decided_by=p["wang.jianguo"],
                decided_at=meeting.starts_at,
            )
        for action_title, owner, due, status in actions:
            ActionItem.objects.create(
                project=project,
                meeting=meeting,
                title=action_title,
                owner=p[owner],
                due_date=_days(due),
                status=status,
                completed_at=meeting.closed_at if status == ActionItem.Status.DONE else None,
            )
    upcoming = services_steering.meeting_create(
        project=project,
        created_by=p["liu.yang"],
        title="第三次指导委员会：试点准备与基线调整",
        starts_at=_at(12, 14),
        duration_minutes=90,
        location="广州总部12楼第一会议室",
        online_url="https://meeting.example.com/scrm-sc-3",
    )
    services_steering.agenda_item_add(
        meeting=upcoming, title="一期试点准备情况", presenter=p["liu.yang"], minutes_allotted=20
    )
