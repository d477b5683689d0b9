"""Three months of daily reports and issues for the demo project (`manage.py seed_demo`).

Repeatable (fixed random seed). Issues are many at first and fewer as the roll-out
stabilises; older ones are resolved or closed, recent ones still being worked on.
"""

import datetime
import random
from zoneinfo import ZoneInfo

from django.utils import timezone

from projects.core.models import Membership
from projects.permissions import Capability, roles_with

from .calendars import WorkingCalendar
from .holidays import years_due
from .models import Article, DailyReport, Issue, IssueEvent, IssueSettings, Module, PointAward
from .services import calendar_fill_years

MODULES = ["客户管理", "线索管理", "商机管理", "报价与合同", "客服工单", "移动端", "报表与仪表盘", "数据导入"]

# (title, what happened, module, category, cause, fix)
STORIES = [
    (
        "客户列表导出Excel时报错",
        "选择全部客户后点“导出”，页面提示“服务器错误”，小于500条时正常。",
        "客户管理",
        "defect",
        "同步导出超时，超过500条即失败",
        "实施方改为后台异步导出，完成后发站内信",
    ),
    (
        "商机阶段修改后无法保存",
        "把商机从“初步接洽”改成“方案报价”，点保存提示权限不足。",
        "商机管理",
        "process",
        "阶段变更需要区域经理审批，流程未告知一线",
        "在流程说明中补充审批环节，并培训",
    ),
    (
        "报价单合计金额与明细不一致",
        "报价单明细加起来是 12,800 元，合计显示 12,000 元。",
        "报价与合同",
        "defect",
        "折扣字段在合计时重复计算",
        "实施方修复合计公式，已回归测试",
    ),
    (
        "手机端拜访签到定位偏差很大",
        "在客户公司楼下签到，定位显示在两公里外。",
        "移动端",
        "user_error",
        "手机未开启高精度定位",
        "设置中开启高精度定位；已写入知识库",
    ),
    (
        "合同审批一直停在区域经理",
        "合同提交三天了，审批状态一直是“区域经理审批中”。",
        "报价与合同",
        "process",
        "区域经理休假，未设置代理审批人",
        "启用审批代理；补充休假代理规则",
    ),
    (
        "同一个客户被重复录入",
        "“广州恒信贸易”在系统里有三条记录，负责人不同。",
        "客户管理",
        "requirement_change",
        "缺少按统一社会信用代码查重",
        "提出变更申请：新建客户时按信用代码查重",
    ),
    (
        "销售漏斗报表和Excel台账对不上",
        "报表显示本月赢单 18 个，台账是 21 个。",
        "报表与仪表盘",
        "user_error",
        "三个赢单未在系统中更新阶段",
        "提醒销售及时更新商机阶段；周会核对",
    ),
    (
        "新线索没有按区域自动分配",
        "深圳来的线索分给了广州的销售。",
        "线索管理",
        "defect",
        "分配规则中深圳区号配置错误",
        "修正分配规则中的区号映射",
    ),
    (
        "客服工单无法关联到客户",
        "新建工单时搜索不到客户名称。",
        "客服工单",
        "user_error",
        "客户名称中有全角括号，搜索时输入了半角",
        "搜索改为忽略括号全半角；培训时说明",
    ),
    (
        "导入历史客户时联系人电话丢失",
        "用模板导入 2000 条客户，联系电话一列全部为空。",
        "数据导入",
        "user_error",
        "导入模板列名与系统字段不一致",
        "使用最新导入模板；知识库已更新",
    ),
    (
        "找不到“转为商机”按钮",
        "线索详情页看不到转为商机的按钮。",
        "线索管理",
        "question",
        "该按钮只对线索负责人显示",
        "由负责人操作或先转移线索负责人",
    ),
    (
        "审批通知短信收不到",
        "提交审批后，审批人没有收到短信提醒。",
        "报价与合同",
        "defect",
        "短信通道签名未备案",
        "实施方完成短信签名备案",
    ),
    (
        "拜访记录上传照片失败",
        "拍照后上传，一直转圈，最后失败。",
        "移动端",
        "user_error",
        "照片过大且网络较差",
        "开启上传前压缩；在Wi-Fi下重试",
    ),
    (
        "看不到下属的客户",
        "我是销售主管，看不到组员负责的客户。",
        "客户管理",
        "process",
        "组织架构中该主管未设置为上级",
        "调整组织架构中的汇报关系",
    ),
    (
        "仪表盘打开很慢",
        "早上打开销售仪表盘要等 20 多秒。",
        "报表与仪表盘",
        "defect",
        "仪表盘实时汇总全部历史数据",
        "改为每小时预计算汇总数据",
    ),
    (
        "希望报价单能导出PDF盖章版",
        "客户要盖章的报价单，现在只能导出Word。",
        "报价与合同",
        "requirement_change",
        "现有模板只支持Word",
        "提出变更申请：增加PDF模板与电子章",
    ),
]


def seed_issue_history(project, *, days: int = 90, seed: int = 20261122) -> None:
    rng = random.Random(seed)  # noqa: S311 — repeatable demo data, not security
    modules = {
        name: Module.objects.get_or_create(project=project, name=name, defaults={"position": i})[0]
        for i, name in enumerate(MODULES)
    }
    settings_row = IssueSettings.objects.get_or_create(project=project)[0]
    members = Membership.objects.active().filter(project=project).select_related("user")
    reporters = [m.user for m in members if m.role in roles_with(Capability.REPORTS_EXPECTED)]
    pm = next(m.user for m in members if m.can(Capability.ISSUES_TRIAGE))
    consultant = next((m.user for m in members if m.can(Capability.ISSUES_RESPOND)), None)
    today = project.local_today()
    start = today - datetime.timedelta(days=days)
    calendar = WorkingCalendar(project, start, today)
    number = settings_row.last_issue_number
    for day in calendar.working_days(start, today - datetime.timedelta(days=1)):
        progress = (day - start).days / days  # 0 at the start of the roll-out, 1 today
        for reporter in reporters:
            if rng.random() > 0.9:
                continue  # missed the report that day
            filed = _at(project, day, 17, rng.randint(0, 55))
            report = DailyReport.objects.create(
                project=project, reporter=reporter, cadence="daily", period_start=day, filed_at=filed
            )
            count = _issues_that_day(rng, progress)
            if count == 0:
                DailyReport.objects.filter(pk=report.pk).update(no_problems=True)
            for _ in range(count):
                number += 1
                story = rng.choice(STORIES)
                _issue(project, report, reporter, number, story, modules, filed, today, rng, pm, consultant)
    IssueSettings.objects.filter(pk=settings_row.pk).update(last_issue_number=number)
    _articles(project, pm)


def _at(project, day, hour, minute):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ZoneInfo(project.time_zone))


def _issues_that_day(rng, progress) -> int:
    # Many problems in the first weeks, few once people know the system.
    expected = 1.2 * (1 - progress) + 0.35
    return sum(rng.random() < expected / 2 for _ in range(2))


def _issue(project, report, reporter, number, story, modules, filed, today, rng, pm, consultant):
    title, description, module, category, cause, fix = story
    age = (today - filed.date()).days
    severity = rng.choices(["critical", "high", "medium", "low"], weights=[1, 3, 5, 3])[0]
    status = _status_for_age(age, rng)
    issue = Issue.objects.create(
        project=project,
        number=number,
        report=report,
        reporter=reporter,
        title=title,
        description=description,
        module=modules[module],
        severity=severity,
        created_at=filed,
        status=status,
    )
    events = [IssueEvent(issue=issue, actor=reporter, kind="created", to_status="new", created_at=filed)]
    if status != "new":
        issue.category = category
        issue.analysis_context = "电话沟通确认：问题可重现，发生在日常录入时。"
        issue.likely_cause = cause
        events.append(_event(issue, pm, "new", "analysing", filed + datetime.timedelta(hours=16)))
    if status == "deferred":
        issue.status_reason = "与二期的报表改造一起处理"
        events.append(_event(issue, pm, "analysing", "deferred", filed + datetime.timedelta(days=2)))
    if (
        status in {"with_consultant", "solution_proposed", "resolved", "closed"}
        and category != "user_error"
        and consultant
    ):
        issue.consultant = consultant
        issue.forwarded_at = filed + datetime.timedelta(days=1)
        issue.forward_summary = f"{title}\n{description}\n可能原因：{cause}"
        events.append(_event(issue, pm, "analysing", "with_consultant", issue.forwarded_at))
    if status in {"solution_proposed", "resolved", "closed"} and issue.consultant:
        issue.solution = fix
        events.append(
            _event(issue, consultant, "with_consultant", "solution_proposed", filed + datetime.timedelta(days=2))
        )
    if status in {"resolved", "closed"}:
        issue.cause, issue.fix = cause, fix
        issue.resolved_at = filed + datetime.timedelta(days=3)
        previous = "solution_proposed" if issue.consultant else "analysing"
        events.append(_event(issue, pm, previous, "resolved", issue.resolved_at))
        PointAward.objects.create(
            project=project,
            user=reporter,
            issue=issue,
            points=getattr(IssueSettings(), f"points_{severity}"),
            awarded_at=issue.resolved_at,
        )
    if status == "closed":
        issue.closed_at = filed + datetime.timedelta(days=4)
        events.append(_event(issue, reporter, "resolved", "closed", issue.closed_at))
    issue.save()
    Issue.objects.filter(pk=issue.pk).update(updated_at=events[-1].created_at)
    IssueEvent.objects.bulk_create(events)


def _event(issue, actor, before, after, when):
    return IssueEvent(issue=issue, actor=actor, kind="status", from_status=before, to_status=after, created_at=when)


def _status_for_age(age: int, rng) -> str:
    if age > 30:
        return rng.choices(["closed", "resolved", "deferred"], weights=[8, 1, 1])[0]
    if age > 10:
        return rng.choices(["closed", "resolved", "solution_proposed", "with_consultant"], weights=[4, 3, 2, 1])[0]
    return rng.choices(
        ["new", "analysing", "with_consultant", "solution_proposed", "resolved"], weights=[3, 3, 2, 1, 1]
    )[0]


def _articles(project, pm) -> None:
    published = set()
    for issue in Issue.objects.filter(project=project, status="closed", category="user_error").order_by("created_at"):
        if issue.title in published:
            continue
        published.add(issue.title)
        Article.objects.create(
            project=project,
            issue=issue,
            title=issue.title,
            symptom=issue.description,
            cause=issue.cause,
            solution=issue.fix,
            module=issue.module,
            published_by=pm,
            published_at=issue.closed_at or timezone.now(),
        )


def seed_calendar(project) -> int:
    """The demo's calendar: the official schedule of last year (its history reaches back 90 days), this
    year and next, as far as the library knows them. Returns how many years were filled."""
    today = project.local_today()
    return len(calendar_fill_years(project=project, years=[today.year - 1, *years_due(today)]))
