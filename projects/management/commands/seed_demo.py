"""Load one realistic CRM roll-out with a person in every role. Safe to run again."""

import datetime

from django.core.management.base import BaseCommand
from django.db import transaction

from projects.core.models import Membership, Project, User
from projects.permissions import Role
from projects.registry import demo_seeders, rollups

DEMO_PASSWORD = "crmgov-demo-2026"  # noqa: S105 — printed for the demo on purpose
DEMO_CODE = "SCRM"
# The demo project has been running this long: the apps load this much history.
DEMO_HISTORY_DAYS = 92

# (e-mail, name, role, department, job title)
PEOPLE = [
    ("wang.jianguo@example.com", "王建国", Role.SPONSOR, "总经办", "总经理"),
    ("li.hua@example.com", "李华", Role.EXECUTIVE, "销售中心", "销售副总裁"),
    ("chen.min@example.com", "陈敏", Role.STEERING, "财务部", "财务经理"),
    ("zhao.qiang@example.com", "赵强", Role.STEERING, "信息技术部", "IT经理"),
    ("liu.yang@example.com", "刘洋", Role.PM, "信息技术部", "CRM项目经理"),
    ("zhou.ting@example.com", "周婷", Role.CONSULTANT, "云帆软件（实施方）", "实施顾问"),
    ("zhang.wei@example.com", "张伟", Role.KEY_USER, "广州销售一部", "销售主管"),
    ("huang.li@example.com", "黄丽", Role.KEY_USER, "深圳销售二部", "销售代表"),
    ("wu.lei@example.com", "吴磊", Role.KEY_USER, "客户服务部", "客服专员"),
]
ADMIN = ("admin@example.com", "系统管理员")


class Command(BaseCommand):
    help = "Load the demo project 华南区销售CRM上线 with Chinese-named users in all six roles."

    def handle(self, *args, **options):
        if Project.objects.filter(code=DEMO_CODE).exists():
            self.stdout.write("Demo data already loaded.")
        elif Project.objects.exists():
            self.stdout.write("The database already holds projects; demo data not loaded.")
            return
        else:
            self._load()
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self._print_logins()

    @transaction.atomic
    def _load(self) -> None:
        admin_email, admin_name = ADMIN
        User.objects.create_superuser(admin_email, DEMO_PASSWORD, full_name=admin_name)
        project = Project.objects.create(
            code=DEMO_CODE,
            name="华南区销售CRM上线",
            description="在华南区三个销售部和客服部上线新的CRM系统，替换现有的Excel客户台账。",
            vision="让华南区每一位销售和客服在同一个系统里看到完整的客户信息，销售漏斗每周自动更新，"
            "管理层不再等月底的手工报表。",
            time_zone="Asia/Shanghai",
            default_language="zh-hans",
        )
        started = project.local_today() - datetime.timedelta(days=DEMO_HISTORY_DAYS)
        for email, name, role, department, title in PEOPLE:
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name)
            Membership.objects.create(
                project=project, user=user, role=role, department=department, title=title, active_from=started
            )
        for seeder in demo_seeders:
            seeder.load(project)
        for rollup in rollups:
            rollup.rebuild(project)

    def _print_logins(self) -> None:
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        rows = [(ADMIN[0], ADMIN[1], "site administrator")] + [
            (email, name, Role(role).label) for email, name, role, *_ in PEOPLE
        ]
        for email, name, role in rows:
            self.stdout.write(f"  {email:<28} {name:<6} {role}")
        self.stdout.write("")
