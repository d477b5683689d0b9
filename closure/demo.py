"""A second demo project, in closure: every gate in a realistic state (some passed, some not, one waived)."""

import datetime
from decimal import Decimal

from changes import services as change_services
from changes.models import ChangeRequest
from issues import services as issue_services
from projects.core.models import Membership, Project, User
from projects.permissions import Role
from projects.plan.models import BudgetLine, Milestone, Phase, PlanBaseline

from . import services
from .models import ASSESSED_AREAS, Area, ClosureItem, Gate

CODE = "GZSVC"
# (e-mail of a person seed_demo created, role on this project, department)
PEOPLE = [
    ("wang.jianguo@example.com", Role.SPONSOR, "总经办"),
    ("chen.min@example.com", Role.STEERING, "财务部"),
    ("liu.yang@example.com", Role.PM, "信息技术部"),
    ("zhou.ting@example.com", Role.CONSULTANT, "云帆软件（实施方）"),
    ("zhang.wei@example.com", Role.KEY_USER, "客户服务部"),
    ("wu.lei@example.com", Role.KEY_USER, "客户服务部"),
    ("huang.li@example.com", Role.KEY_USER, "广州销售一部"),
]
STARTED_DAYS_AGO = 200


def seed_closing_project(first_project: Project) -> None:
    if Project.objects.filter(code=CODE).exists():
        return
    people = {user.email: user for user in User.objects.filter(email__in=[email for email, *_ in PEOPLE])}
    if len(people) != len(PEOPLE):
        return
    project = Project.objects.create(
        code=CODE,
        name="广州客服中心CRM二期",
        description="二期：把广州客服中心的工单、回访和投诉处理搬进CRM，与一期的客户档案打通。",
        vision="客服人员在一个界面里看到客户的全部历史，投诉在24小时内有人跟进。",
        time_zone=first_project.time_zone,
    )
    today = project.local_today()
    started = today - datetime.timedelta(days=STARTED_DAYS_AGO)
    for email, role, department in PEOPLE:
        Membership.objects.create(
            project=project, user=people[email], role=role, department=department, active_from=started
        )
    pm, consultant = people["liu.yang@example.com"], people["zhou.ting@example.com"]
    sponsor, zhang, wu = (
        people["wang.jianguo@example.com"],
        people["zhang.wei@example.com"],
        people["wu.lei@example.com"],
    )
    _plan(project, today, pm)
    _issues_and_changes(project, pm, zhang, wu)
    closure = services.closure_start(project=project, by=pm)
    _sops(project, pm, zhang, sponsor)
    _items(project, pm, consultant, zhang, wu)
    _successor(closure, zhang, consultant)
    _roadmap(project, closure, pm, zhang, consultant)
    services.gate_waive(
        closure=closure,
        gate=Gate.SUCCESSOR,
        reason="张伟的数据分析能力还在培养中，顾问合同延长三个月按月远程支持，二期按期结项。",
        by=sponsor,
    )
    services.lesson_add(
        project=project,
        logged_by=pm,
        event="工单模块上线前一周才发现回访规则各组不一致",
        effect="上线推迟9天，加班整理规则",
        cause="业务流程没有在需求阶段由各组书面确认",
        early_warning="需求评审会上客服二组缺席两次",
        recommendation="需求确认时每个相关部门签字，缺席即升级给发起人",
    )
    services.lesson_add(
        project=project,
        logged_by=consultant,
        event="投诉升级的短信接口在试点期间频繁超时",
        effect="试点延长两周",
        cause="短信网关的并发限制未在方案阶段评估",
        early_warning="压测报告中接口响应时间已超过2秒",
        recommendation="对外接口在方案阶段做容量评估并写入验收标准",
    )


def _plan(project: Project, today: datetime.date, pm: User) -> None:
    def day(n: int) -> datetime.date:
        return today - datetime.timedelta(days=STARTED_DAYS_AGO - n)

    Phase.objects.create(
        project=project,
        name="工单与回访",
        goals="客服工单全部进入CRM",
        start_date=day(0),
        end_date=day(90),
        status=Phase.Status.DONE,
        quick_win=True,
    )
    Phase.objects.create(
        project=project,
        name="投诉闭环",
        goals="投诉24小时内有人跟进",
        scope="投诉升级、短信通知、满意度回访",
        start_date=day(91),
        end_date=day(180),
        status=Phase.Status.DONE,
    )
    Phase.objects.create(
        project=project,
        name="知识库门户",
        goals="客户自助查询常见问题",
        scope="对外知识库门户（移到三年计划）",
        start_date=day(150),
        end_date=day(200),
        status=Phase.Status.PLANNED,
    )
    milestones = [
        ("工单模块上线", day(60), day(69), day(69)),
        ("投诉闭环上线", day(150), day(164), day(164)),
        ("二期验收", day(195), day(200), None),
    ]
    for name, baseline, forecast, actual in milestones:
        Milestone.objects.create(
            project=project, name=name, owner=pm, baseline_date=baseline, forecast_date=forecast, actual_date=actual
        )
    for category, baseline, actual in [
        (BudgetLine.Category.LICENCES, 180000, 180000),
        (BudgetLine.Category.SERVICES, 320000, 352000),
        (BudgetLine.Category.CUSTOM, 90000, 118000),
        (BudgetLine.Category.TRAINING, 30000, 26000),
    ]:
        BudgetLine.objects.create(
            project=project,
            category=category,
            baseline=Decimal(baseline),
            committed=Decimal(actual),
            actual=Decimal(actual),
            forecast=Decimal(actual),
            funding=BudgetLine.Funding.APPROVED,
        )
    PlanBaseline.objects.create(
        project=project,
        version=1,
        reason="二期启动时的基线",
        milestones=[
            {"id": m.pk, "name": m.name, "date": m.baseline_date.isoformat()}
            for m in Milestone.objects.filter(project=project)
        ],
        budget=[
            {"category": line.category, "amount": str(line.baseline)}
            for line in BudgetLine.objects.filter(project=project)
        ],
        approved_by=pm,
    )


def _issues_and_changes(project: Project, pm: User, zhang: User, wu: User) -> None:
    draft = issue_services.IssueDraft
    issue_services.issue_create(
        project=project,
        reporter=wu,
        report=None,
        draft=draft(
            title="夜间工单偶尔无法自动分派", description="23点后提交的工单停留在待分派队列", severity="medium"
        ),
    )
    deferred = issue_services.issue_create(
        project=project,
        reporter=zhang,
        report=None,
        draft=draft(title="回访报表不能按坐席导出", description="只能按班组导出", severity="low"),
    )
    issue_services.issue_defer(issue=deferred, by=pm, reason="报表改造放到三年计划第一年")
    rejected = change_services.change_request_create(
        project=project,
        requester=zhang,
        title="投诉单自动识别客户情绪",
        reason="人工判断情绪不稳定",
        goal="高风险投诉自动标红",
    )
    ChangeRequest.objects.filter(pk=rejected.pk).update(
        status=ChangeRequest.Status.REJECTED, status_reason="成本过高，二期不做"
    )


def _sops(project: Project, pm: User, zhang: User, sponsor: User) -> None:
    handling = services.sop_save(
        project=project,
        process="客户投诉处理",
        procedure=(
            "1. 坐席登记投诉并选择类别\n2. 系统按类别分派给责任组\n3. 责任组24小时内联系客户\n4. 结案后三天内回访"
        ),
        document="",
        owner_department="客户服务部",
        version="1.2",
        departments=["客户服务部", "广州销售一部"],
        users_trained=True,
        improver=zhang,
    )
    services.sop_confirm(sop=handling, department="客户服务部", by=zhang)
    services.sop_confirm(sop=handling, department="广州销售一部", by=sponsor)
    services.sop_save(
        project=project,
        process="满意度回访",
        procedure="",
        document="共享盘 /客服中心/SOP/满意度回访v1.0.docx",
        owner_department="客户服务部",
        version="1.0",
        departments=["客户服务部", "市场部"],
        users_trained=False,
        improver=zhang,
    )


def _items(project: Project, pm: User, consultant: User, zhang: User, wu: User) -> None:
    items = list(ClosureItem.objects.filter(project=project).order_by("pk"))
    for item in items:
        knows = item.kind != ClosureItem.Kind.ISSUE
        services.closure_item_save(
            project=project,
            by=pm,
            item=item,
            owner=zhang,
            company_knows=knows,
            interim_handling="按现有流程人工处理，每月复核一次" if knows else "",
        )
    special = services.closure_item_save(
        project=project,
        by=pm,
        title="大客户集体投诉（每年一两次）",
        detail="涉及多个门店、需法务参与的集体投诉",
        interim_handling="由客服经理线下牵头，CRM里只登记主单",
        owner=wu,
        company_knows=False,
    )
    services.item_message_add(
        item=special, author=pm, text="集体投诉在CRM里能否把子单挂到主单下？", from_consultant=False
    )
    services.item_message_add(
        item=special,
        author=consultant,
        text="可以用“关联工单”功能：主单建好后在子单里选择关联，我下周远程演示一次。",
        from_consultant=True,
    )


def _successor(closure, zhang: User, consultant: User) -> None:
    services.closure_set_successor(closure=closure, successor=zhang, readiness_threshold=4)
    scores = {area: 4 for area in ASSESSED_AREAS} | {Area.ANALYTICS: 2, Area.ADMINISTRATION: 3}
    gaps = services.self_assessment_submit(
        closure=closure,
        by=zhang,
        scores=scores,
        gaps="工单分派规则在哪里配置\n回访报表的数据口径",
    )
    services.item_message_add(item=gaps[0], author=zhang, text="分派规则改了以后要重启服务吗？", from_consultant=False)
    services.item_message_add(
        item=gaps[0], author=consultant, text="不需要，保存后立即生效；在“系统设置 > 分派”里。", from_consultant=True
    )
    services.item_resolve(item=gaps[0], by=zhang)


def _roadmap(project: Project, closure, pm: User, zhang: User, consultant: User) -> None:
    rows = [
        (1, "回访报表按坐席、班组两级导出", Area.SERVICE, "", zhang),
        (1, "对外知识库门户上线", Area.SERVICE, "扩展到客户自助服务", zhang),
        (2, "客服数据与销售线索打通，投诉客户转化为潜在商机", Area.PROSPECTS, "扩展到广州销售一部、二部", pm),
        (3, "客户流失预警分析", Area.ANALYTICS, "扩展到深圳客服中心", pm),
    ]
    for year, objective, area, extension, owner in rows:
        services.improvement_save(
            project=project, year=year, objective=objective, area=area, scope_extension=extension, owner=owner
        )
    services.improvement_review(
        closure=closure,
        author=consultant,
        text="三年计划覆盖了分析和商机开发，第三年的流失预警建议提前做数据准备。同意。",
        approves=True,
    )
