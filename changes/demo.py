"""Change requests in several states for the demo project (`manage.py seed_demo`)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from projects.core.models import Membership
from projects.permissions import Capability
from projects.plan.models import Milestone

from .models import ChangeEvent, ChangeRequest, ChangeSettings, DevelopmentUpdate, SolutionOption
from .services import next_agenda_propose_pending

S = ChangeRequest.Status

# (title, reason, goal, status, option: (description, custom, cost, days) or None)
REQUESTS = [
    (
        "新建客户时按统一社会信用代码查重",
        "同一客户被不同销售重复录入，最多的一家有三条记录。",
        "每家客户在系统里只有一条记录，负责人清楚。",
        S.CLOSED,
        ("新建和导入客户时按信用代码查重，重复时提示现有负责人", False, "6000", 2),
    ),
    (
        "报价单导出PDF盖章版",
        "客户要求盖章的报价单，现在只能导出Word再手工转换。",
        "销售在手机上就能把盖章报价单发给客户。",
        S.IN_PILOT,
        ("新增PDF报价模板并接入电子签章", True, "18000", 5),
    ),
    (
        "销售漏斗按产品线拆分",
        "管理层需要看各产品线的漏斗，现在只能导出后手工拆分。",
        "周会上直接看到每条产品线的漏斗和赢单率。",
        S.AWAITING_DECISION,
        ("漏斗报表增加产品线维度，并新增产品线仪表盘", True, "65000", 12),
    ),
    (
        "拜访签到增加照片水印",
        "部分拜访记录真实性存疑。",
        "每次拜访都有带时间地点水印的现场照片。",
        S.OPTIONS_PROPOSED,
        ("移动端拍照自动加时间和定位水印", False, "4000", 1),
    ),
    ("客服工单自动分派", "工单靠主管手工分派，高峰期积压。", "新工单在五分钟内分派到合适的客服。", S.REQUESTED, None),
    (
        "合同模板增加英文版",
        "少量外资客户需要英文合同。",
        "外资客户合同可直接生成英文版。",
        S.REJECTED,
        ("新增英文合同模板", True, "30000", 8),
    ),
]


def seed_change_requests(project) -> None:
    members = Membership.objects.active().filter(project=project).select_related("user")
    requesters = [
        m.user for m in members if m.can(Capability.CHANGES_REQUEST) and not m.can(Capability.CHANGES_APPROVE)
    ]
    pm = next(m.user for m in members if m.can(Capability.CHANGES_APPROVE))
    consultant = next(m.user for m in members if m.can(Capability.CHANGES_PROPOSE))
    now = timezone.now()
    for number, (title, reason, goal, status, option) in enumerate(REQUESTS, start=1):
        created = now - datetime.timedelta(days=60 - number * 8)
        change = ChangeRequest.objects.create(
            project=project,
            number=number,
            requester=requesters[number % len(requesters)],
            title=title,
            reason=reason,
            goal=goal,
            status=status,
            consultant=consultant,
            created_at=created,
        )
        history = [(None, S.REQUESTED, change.requester, "")]
        if option:
            description, custom, cost, days = option
            chosen = SolutionOption.objects.create(
                change_request=change,
                label="A",
                description=description,
                needs_custom_development=custom,
                cost_estimate=Decimal(cost),
                schedule_impact_days=days,
                created_by=consultant,
            )
            history.append((S.REQUESTED, S.OPTIONS_PROPOSED, consultant, str(chosen)))
            if status not in (S.REQUESTED, S.OPTIONS_PROPOSED):
                route = ChangeRequest.Route.COMMITTEE if Decimal(cost) > Decimal("20000") else ChangeRequest.Route.PM
                change.selected_option, change.route = chosen, route
                history.append((S.OPTIONS_PROPOSED, S.AWAITING_DECISION, change.requester, str(chosen)))
            if status in (S.CLOSED, S.IN_PILOT, S.REJECTED):
                change.decided_by, change.decided_at = pm, created + datetime.timedelta(days=5)
                if status == S.REJECTED:
                    change.status_reason = change.decision_note = "外资客户占比不足2%，本期不做，二期再评估。"
                    history.append((S.AWAITING_DECISION, S.REJECTED, pm, change.status_reason))
                else:
                    change.impact_applied_at = change.decided_at
                    history.append((S.AWAITING_DECISION, S.APPROVED, pm, ""))
            if status == S.IN_PILOT:
                _pilot(change, pm, created, members, history)
            if status == S.CLOSED:
                change.rollout_date = (created + datetime.timedelta(days=10)).date()
                change.rollout_note = "新建客户时系统会自动查重，发现重复会提示现有负责人。"
                history.append((S.APPROVED, S.CLOSED, pm, ""))
            change.save()
        ChangeEvent.objects.bulk_create(
            ChangeEvent(
                change_request=change,
                actor=actor,
                from_status=before or "",
                to_status=after,
                text=text,
                created_at=created + datetime.timedelta(days=i),
            )
            for i, (before, after, actor, text) in enumerate(history)
        )
    ChangeSettings.objects.update_or_create(project=project, defaults={"last_number": len(REQUESTS)})
    _link_milestones(project)
    next_agenda_propose_pending(project)


def _link_milestones(project) -> None:
    """The big pending change would move the go-live; the piloted one moved the pilot milestone."""
    milestones = list(Milestone.objects.filter(project=project).order_by("baseline_date"))
    if not milestones:
        return
    for option in SolutionOption.objects.filter(change_request__project=project, needs_custom_development=True):
        option.affected_milestones.set(milestones[-1:])


def _pilot(change, pm, created, members, history) -> None:
    change.vendor_quote, change.agreed_cost = Decimal("20000"), Decimal("18000")
    change.expected_delivery = (created + datetime.timedelta(days=20)).date()
    change.delivered_at = created + datetime.timedelta(days=19)
    change.pilot_start = (created + datetime.timedelta(days=21)).date()
    change.pilot_end = (created + datetime.timedelta(days=35)).date()
    change.success_criteria = "试点两周内，10份报价单全部一次生成成功，客户无退回。"
    for day, percent, note in [(8, 30, "模板设计完成"), (14, 70, "电子签章接口联调"), (19, 100, "交付测试环境")]:
        DevelopmentUpdate.objects.create(
            change_request=change,
            date=(created + datetime.timedelta(days=day)).date(),
            percent=percent,
            note=note,
            author=pm,
        )
    change.save()
    change.pilot_group.set([m.user for m in members if m.can(Capability.REPORTS_EXPECTED)][:2])
    history += [
        (S.APPROVED, S.IN_DEVELOPMENT, pm, ""),
        (S.IN_DEVELOPMENT, S.DELIVERED, pm, ""),
        (S.DELIVERED, S.IN_PILOT, pm, ""),
    ]
