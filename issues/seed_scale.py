"""The issues app's part of `manage.py seed_scale` (issue 7): 2.5 million daily reports, 200,000
issues with their history, screenshot metadata (no files) and points, at `scale=1`.

Each key user files on ~92% of working days, newest first, until the project's share of reports
is reached; the project's share of issues is hung on randomly chosen reports; an issue's status
depends on its age (old ones mostly closed)."""

import datetime
import random
import uuid

from projects.permissions import Role
from projects.search.text import document

from .demo import MODULES, STORIES
from .models import DailyReport, Issue, IssueEvent, IssueSettings, Module, PointAward, Screenshot

SEVERITIES = [("critical", 0.05), ("high", 0.2), ("medium", 0.5), ("low", 0.25)]
POINTS = {"critical": 8, "high": 5, "medium": 3, "low": 1}
OLD = [  # the status of an issue older than 30 days
    (Issue.Status.CLOSED, 0.82),
    (Issue.Status.RESOLVED, 0.05),
    (Issue.Status.REJECTED, 0.04),
    (Issue.Status.DUPLICATE, 0.03),
    (Issue.Status.DEFERRED, 0.02),
    (Issue.Status.WITH_CONSULTANT, 0.02),
    (Issue.Status.ANALYSING, 0.02),
]
RECENT = [
    (Issue.Status.NEW, 0.25),
    (Issue.Status.ANALYSING, 0.2),
    (Issue.Status.WITH_CONSULTANT, 0.2),
    (Issue.Status.SOLUTION_PROPOSED, 0.1),
    (Issue.Status.RESOLVED, 0.15),
    (Issue.Status.CLOSED, 0.1),
]
RESOLVED = {Issue.Status.RESOLVED, Issue.Status.CLOSED}


def _pick(rng: random.Random, weighted: list) -> str:
    point, total = rng.random(), 0.0
    for value, weight in weighted:
        total += weight
        if point < total:
            return value
    return weighted[-1][0]


def _filings(rng: random.Random, reporters: list[int], today: datetime.date, count: int) -> list:
    """(day, reporter) of `count` reports, oldest first, on working days before today."""
    filings = []
    day = today
    while len(filings) < count:
        day -= datetime.timedelta(days=1)
        if day.weekday() >= 5:
            continue
        for reporter in reporters:
            if rng.random() < 0.92:
                filings.append((day, reporter))
                if len(filings) == count:
                    break
    filings.reverse()
    return filings


def load(context) -> None:
    rng, writer = context.rng, context.writer
    now = datetime.datetime.now(datetime.UTC)
    IssueSettings.objects.bulk_create([IssueSettings(project=project) for project in context.projects])
    modules = Module.objects.bulk_create(
        [Module(project=p, name=name, position=i) for p in context.projects for i, name in enumerate(MODULES)]
    )
    by_project: dict[int, list[int]] = {}
    for module in modules:
        by_project.setdefault(module.project_id, []).append(module.pk)
    for index, project in enumerate(context.projects):
        people = context.people[project.pk]
        reporters = people[Role.KEY_USER]
        consultants, pm = people[Role.CONSULTANT], people[Role.PM][0]
        filings = _filings(rng, reporters, context.today, context.per_project("reports", index))
        wanted = min(context.per_project("issues", index), len(filings))
        with_issue = set(rng.sample(range(len(filings)), wanted))
        reports, issues, events, shots, awards = [], [], [], [], []
        for position, (day, reporter) in enumerate(filings):
            filed = context.moment(project, day, 17, rng.randint(0, 59))
            report_id = writer.take(DailyReport)
            has_issue = position in with_issue
            reports.append(
                {
                    "id": report_id,
                    "project_id": project.pk,
                    "reporter_id": reporter,
                    "cadence": "daily",
                    "period_start": day,
                    "no_problems": not has_issue,
                    "filed_at": filed,
                    "updated_at": filed,
                    "is_late": rng.random() < 0.03,
                }
            )
            if has_issue:
                number = len(issues) + 1
                issue = _issue(rng, project.pk, number, report_id, reporter, filed, now, by_project[project.pk])
                issue["id"] = writer.take(Issue)
                if issue["status"] not in (Issue.Status.NEW, Issue.Status.ANALYSING):
                    issue["consultant_id"] = rng.choice(consultants)
                issues.append(issue)
                events.extend(_events(writer, issue, pm))
                if rng.random() < 0.3:
                    shots.append(_screenshot(writer, issue))
                if issue["status"] in RESOLVED:
                    awards.append(
                        {
                            "id": writer.take(PointAward),
                            "project_id": project.pk,
                            "user_id": reporter,
                            "issue_id": issue["id"],
                            "points": POINTS[issue["severity"]],
                            "awarded_at": issue["resolved_at"],
                        }
                    )
        writer.write(DailyReport, reports)
        writer.write(Issue, issues)
        writer.write(IssueEvent, events)
        writer.write(Screenshot, shots)
        writer.write(PointAward, awards)
        IssueSettings.objects.filter(project=project).update(last_issue_number=len(issues))


def _issue(rng, project_id, number, report_id, reporter, filed, now, modules) -> dict:
    title, description, _module, category, cause, fix = rng.choice(STORIES)
    severity = _pick(rng, SEVERITIES)
    age = (now - filed).days
    status = _pick(rng, OLD if age > 30 else RECENT)
    resolved_at = closed_at = None
    if status in RESOLVED:
        resolved_at = min(filed + datetime.timedelta(hours=rng.randint(4, 240)), now - datetime.timedelta(hours=1))
        if status == Issue.Status.CLOSED:
            closed_at = min(resolved_at + datetime.timedelta(days=1), now)
    touched = closed_at or resolved_at or filed
    return {
        "project_id": project_id,
        "number": number,
        "report_id": report_id,
        "reporter_id": reporter,
        "title": title,
        "description": description,
        "search_text": document(project_id, title, description),
        "module_id": rng.choice(modules),
        "severity": severity,
        "severity_rank": Issue.SEVERITY_RANK[severity],
        "category": "" if status == Issue.Status.NEW else category,
        "status": status,
        "cause": cause if resolved_at else "",
        "fix": fix if resolved_at else "",
        "resolved_at": resolved_at,
        "closed_at": closed_at,
        "created_at": filed,
        "updated_at": touched,
    }


def _events(writer, issue: dict, pm: int) -> list[dict]:
    created = {
        "id": writer.take(IssueEvent),
        "issue_id": issue["id"],
        "actor_id": issue["reporter_id"],
        "kind": IssueEvent.Kind.CREATED,
        "to_status": Issue.Status.NEW,
        "changes": {},
        "created_at": issue["created_at"],
    }
    if issue["status"] == Issue.Status.NEW:
        return [created]
    moved = {
        "id": writer.take(IssueEvent),
        "issue_id": issue["id"],
        "actor_id": pm,
        "kind": IssueEvent.Kind.STATUS,
        "from_status": Issue.Status.NEW,
        "to_status": issue["status"],
        "changes": {},
        "created_at": issue["updated_at"],
    }
    return [created, moved]


def _screenshot(writer, issue: dict) -> dict:
    name = uuid.UUID(int=issue["id"]).hex  # repeatable; metadata only, no file is written
    return {
        "id": writer.take(Screenshot),
        "issue_id": issue["id"],
        "image": f"screenshots/{issue['project_id']}/{name}.png",
        "thumbnail": f"screenshots/{issue['project_id']}/{name}-thumb.webp",
        "content_type": "image/png",
        "width": 1280,
        "height": 720,
        "size": 150_000 + issue["id"] % 50_000,
        "original_name": "截图.png",
        "uploaded_by_id": issue["reporter_id"],
        "created_at": issue["created_at"],
    }
