"""The enterprise-scale data set (issue 7, `manage.py seed_scale`): projects, people, plans and
meetings here; each other app loads its part through `registry.scale_seeders`.

Repeatable: one fixed random seed, dates relative to today. At `scale=1`: 50 projects, 5,000
people, 2.5 million daily reports, 200,000 issues (the issues app), change requests (changes).
"""

import datetime
import random
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from projects.core.models import Membership, Project, User
from projects.devdata.bulkload import BulkWriter
from projects.permissions import Role
from projects.plan.models import BudgetLine, Milestone, Phase
from projects.registers.models import Risk
from projects.steering.models import Meeting

SEED = 20261123


PASSWORD = "scale-password-1"  # noqa: S105 — test data; every seeded person's; for the benchmark's logins


CIO = "cio@scale.example.com"


FULL = {"projects": 50, "users": 5_000, "reports": 2_500_000, "issues": 200_000}


# Per project: one sponsor, executive, PM, two steering members, three consultants; the rest key users.
LEADS = [Role.SPONSOR, Role.EXECUTIVE, Role.PM, Role.STEERING, Role.STEERING, Role.CONSULTANT, Role.CONSULTANT]


CITIES = ["华东", "华南", "华北", "西南", "华中", "东北", "西北"]


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"


GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉丹浩凯"


@dataclass
class ScaleContext:
    """What every app's scale seeder gets: the counts, the projects and their people by role."""

    scale: float
    rng: random.Random
    writer: BulkWriter
    today: datetime.date
    projects: list[Project]
    people: dict[int, dict[str, list[int]]] = field(default_factory=dict)  # project id → role → user ids
    log: object = print

    def count(self, what: str) -> int:
        return max(1, round(FULL[what] * self.scale))

    def per_project(self, what: str, index: int) -> int:
        """`what`'s total shared out over the projects, exactly."""
        total, n = self.count(what), len(self.projects)
        return total // n + (1 if index < total % n else 0)

    def moment(self, project: Project, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        zone = zoneinfo.ZoneInfo(project.time_zone)
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=zone)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def load_people(context: ScaleContext, users: int) -> None:
    """Projects, people (each in one project) and their memberships."""
    rng, writer = context.rng, context.writer
    n = len(context.projects)
    password = make_password(PASSWORD)  # hashed once: PBKDF2 per person would take minutes
    since = context.today - datetime.timedelta(days=3 * 365)
    users = max(users, n * (len(LEADS) + 3))
    rows, memberships = [], []
    for index in range(users):
        project = context.projects[index % n]
        slot = index // n
        role = LEADS[slot] if slot < len(LEADS) else Role.KEY_USER
        pk = writer.take(User)
        rows.append(
            {
                "id": pk,
                "email": f"u{index:05d}@scale.example.com",
                "full_name": _name(rng),
                "password": password,
                "language": "zh-hans" if rng.random() < 0.8 else "en",
                "is_active": True,
                "date_joined": timezone.now(),
            }
        )
        memberships.append(
            {
                "id": writer.take(Membership),
                "project_id": project.pk,
                "user_id": pk,
                "role": role,
                "department": f"{rng.choice(CITIES)}销售部",
                "active_from": since,
                "is_key": role == Role.PM,
                "grants": [],
            }
        )
        context.people.setdefault(project.pk, {}).setdefault(role, []).append(pk)
    # The group's CIO: an executive of every project, whose portfolio lists all of them.
    cio = writer.take(User)
    rows.append({"id": cio, "email": CIO, "full_name": "集团信息化总监", "password": password, "is_active": True})
    for project in context.projects:
        memberships.append(
            {
                "id": writer.take(Membership),
                "project_id": project.pk,
                "user_id": cio,
                "role": Role.EXECUTIVE,
                "active_from": since,
                "grants": [],
            }
        )
    writer.write(User, rows)
    writer.write(Membership, memberships)


def create_projects(count: int, today: datetime.date) -> list[Project]:
    projects = [
        Project(
            code=f"S{number:03d}",
            name=f"{CITIES[number % len(CITIES)]}CRM实施项目 {number:02d}",
            description="规模测试数据（seed_scale）。",
        )
        for number in range(1, count + 1)
    ]
    return Project.objects.bulk_create(projects)


def load_plans(context: ScaleContext) -> None:
    """A few phases, milestones, budget lines and risks per project: small, via the ORM."""
    rng, today = context.rng, context.today
    phases, milestones, budgets, risks = [], [], [], []
    for project in context.projects:
        pm = context.people[project.pk][Role.PM][0]
        start = today - datetime.timedelta(days=rng.randint(500, 800))
        for number in range(3):
            phase = Phase(
                project=project,
                name=f"第{number + 1}期",
                goals="按期上线，业务在系统中流转。",
                start_date=start + datetime.timedelta(days=300 * number),
                end_date=start + datetime.timedelta(days=300 * number + 290),
            )
            phases.append(phase)
        for number, name in enumerate(["需求确认", "系统配置完成", "用户验收", "试点上线", "全面上线"]):
            baseline = start + datetime.timedelta(days=180 * (number + 1))
            slip = rng.choice([0, 0, 0, 3, 8, 15])
            milestones.append(
                Milestone(
                    project=project,
                    name=name,
                    owner_id=pm,
                    baseline_date=baseline,
                    forecast_date=baseline + datetime.timedelta(days=slip),
                )
            )
        for category in BudgetLine.Category.values:
            baseline = Decimal(rng.randint(10, 200) * 10_000)
            budgets.append(
                BudgetLine(
                    project=project,
                    category=category,
                    baseline=baseline,
                    forecast=baseline * Decimal(rng.choice(["0.95", "1", "1", "1.05", "1.2"])),
                )
            )
        for number in range(8):
            risks.append(
                Risk(
                    project=project,
                    title=f"风险 {number + 1}：关键用户投入不足",
                    probability=rng.randint(1, 5),
                    impact=rng.randint(1, 5),
                    owner_id=pm,
                )
            )
    Phase.objects.bulk_create(phases)
    Milestone.objects.bulk_create(milestones)
    BudgetLine.objects.bulk_create(budgets)
    Risk.objects.bulk_create(risks)


def load_meetings(context: ScaleContext) -> None:
    """A steering committee meeting every four weeks over the last two years, and the next one."""
    rows = []
    for project in context.projects:
        pm = context.people[project.pk][Role.PM][0]
        for weeks in range(-104, 8, 4):
            day = context.today + datetime.timedelta(weeks=weeks)
            past = weeks < 0
            rows.append(
                {
                    "id": context.writer.take(Meeting),
                    "project_id": project.pk,
                    "title": f"第{weeks // 4 + 27}次项目指导委员会",
                    "starts_at": context.moment(project, day, 14),
                    "location": "总部三楼会议室",
                    "status": Meeting.Status.CLOSED if past else Meeting.Status.DRAFT,
                    "closed_at": context.moment(project, day, 16) if past else None,
                    "created_by_id": pm,
                }
            )
    context.writer.write(Meeting, rows)
