"""The changes app's part of `manage.py seed_scale` (issue 7): 40 change requests per project (at
`scale=1`), spread over the last two years, most of them decided."""

import datetime

from projects.permissions import Role

from .models import ChangeRequest

PER_PROJECT = 40
TITLES = ["报价单增加折扣审批", "客户档案增加行业字段", "商机阶段调整为六段", "移动端支持名片识别", "对接ERP发货状态"]


def load(context) -> None:
    rng, writer = context.rng, context.writer
    status = ChangeRequest.Status
    recent = [status.REQUESTED, status.REQUESTED, status.REJECTED, status.WITHDRAWN, status.CLOSED]
    per_project = max(2, round(PER_PROJECT * min(1.0, context.scale * 10)))
    rows = []
    for project in context.projects:
        requesters = context.people[project.pk][Role.KEY_USER]
        for number in range(1, per_project + 1):
            created = context.moment(
                project, context.today - datetime.timedelta(days=(per_project - number) * 18 + 1), 10
            )
            rows.append(
                {
                    "id": writer.take(ChangeRequest),
                    "project_id": project.pk,
                    "number": number,
                    "requester_id": rng.choice(requesters),
                    "title": f"{rng.choice(TITLES)}（{number}）",
                    "reason": "业务部门在试运行中提出。",
                    "goal": "减少线下沟通，流程在系统中留痕。",
                    "status": status.CLOSED if number < per_project * 0.6 else rng.choice(recent),
                    "created_at": created,
                    "updated_at": created,
                }
            )
    writer.write(ChangeRequest, rows)
