import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from projects.core.models import Membership
from projects.permissions import Role
from projects.registers import services as services_registers
from projects.registers.models import RequirementVersion, Risk, TrainingSession
from projects.tests.factories import milestone


@pytest.fixture(autouse=True)
def _english():
    """Service messages are asserted in English, whatever language an earlier request left active."""
    with translation.override("en"):
        yield


def url(name, **kwargs):
    return reverse(f"projects:{name}", kwargs={"code": "SCRM", **kwargs})


def login(team, role) -> Client:
    client = Client()
    client.force_login(team.user(role))
    return client


# --- Risks ----------------------------------------------------------------------------------------


def test_risk_score_is_probability_times_impact_and_lands_in_its_heat_map_cell(team):
    pm = login(team, Role.PM)
    response = pm.post(
        url("risk_create"),
        {
            "title": "关键用户抵触新系统",
            "probability": "4",
            "impact": "5",
            "response": "reduce",
            "proximity": "month",
            "status": "open",
            "trigger": "试点周报提交率低于60%",
        },
    )
    assert response.status_code == 302
    risk = Risk.objects.get()
    assert risk.score == 20 and risk.level == "high"
    heat_map = pm.get(url("risks")).context["heat_map"]
    row = next(row for row in heat_map if row["impact"] == 5)
    assert [r.title for r in row["cells"][3]["risks"]] == ["关键用户抵触新系统"]
    assert row["cells"][3]["level"] == "high"


def test_a_risk_outside_the_1_to_5_scale_is_refused_and_the_form_keeps_what_was_typed(team):
    response = login(team, Role.CONSULTANT).post(
        url("risk_create"),
        {"title": "数据质量差", "probability": "6", "impact": "3", "response": "reduce", "proximity": "month"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "less than or equal to 5" in page and 'value="数据质量差"' in page


# --- Requirements sign-off ------------------------------------------------------------------------


def _upload(team, title="客户管理需求说明书", content="第一版"):
    return login(team, Role.CONSULTANT).post(
        url("requirement_create"),
        {
            "title": title,
            "kind": "requirements",
            "note": "初稿",
            "file": SimpleUploadedFile("需求.txt", content.encode()),
        },
    )


def test_signing_records_who_and_when_and_freezes_that_version(team, time_machine):
    time_machine.move_to(datetime.datetime(2027, 1, 10, 10, 0, tzinfo=datetime.UTC), tick=False)
    assert _upload(team).status_code == 302
    version = RequirementVersion.objects.get()
    response = login(team, Role.KEY_USER).post(url("requirement_version_sign", pk=version.pk))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.signed_by == team.user(Role.KEY_USER)
    assert version.signed_at == datetime.datetime(2027, 1, 10, 10, 0, tzinfo=datetime.UTC)
    with pytest.raises(ValidationError, match="frozen"):
        services_registers.requirement_version_sign(version=version, signed_by=team.user(Role.SPONSOR))
    services_registers.requirement_version_upload(
        document=version.document,
        file=SimpleUploadedFile("需求.txt", "第二版".encode()),
        note="增加线索分配规则",
        uploaded_by=team.user(Role.PM),
    )
    first, second = sorted(version.document.versions.all(), key=lambda v: v.number)
    assert (first.number, second.number) == (1, 2)
    assert first.is_frozen and not second.is_frozen
    assert first.file.read().decode() == "第一版"


def test_requirement_files_are_served_to_members_only_never_from_a_public_url(team, client):
    _upload(team, content="机密需求")
    version = RequirementVersion.objects.get()
    response = login(team, Role.KEY_USER).get(url("requirement_version_file", pk=version.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode() == "机密需求"
    assert response["Cache-Control"] == "private, no-store"
    assert not Path(version.file.path).is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    with pytest.raises(ValueError):
        version.file.url  # noqa: B018 — no public URL exists
    client.force_login(team.outsider)
    assert client.get(url("requirement_version_file", pk=version.pk)).status_code == 404


def test_an_upload_without_a_file_is_refused_and_keeps_the_title(team):
    response = login(team, Role.PM).post(url("requirement_create"), {"title": "UI原型：商机看板", "kind": "prototype"})
    assert response.status_code == 400
    assert 'value="UI原型：商机看板"' in response.content.decode()


# --- Training -------------------------------------------------------------------------------------


def test_training_coverage_is_the_share_of_required_people_who_attended(team, make_user):
    extra_key_user = make_user(full_name="黄丽")
    Membership.objects.create(project=team.project, user=extra_key_user, role=Role.KEY_USER)
    data_reader = make_user(full_name="财务数据查看人")
    session = services_registers.training_session_save(
        project=team.project,
        topic="客户与商机录入",
        audience_roles=[Role.KEY_USER],
        audience_people=[data_reader],
        trainer="周婷",
        starts_at=timezone.now(),
        duration_minutes=120,
    )
    pm = login(team, Role.PM)
    response = pm.post(url("training_attendance", pk=session.pk), {"attendees": [team.user(Role.KEY_USER).pk]})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == TrainingSession.Status.HELD
    row = pm.get(url("training")).context["rows"][0]
    assert (row.attended_count, row.required_count, row.coverage) == (1, 3, 33)
    assert pm.get(url("training")).context["coverage"] == 33


def test_a_cancelled_session_needs_a_reason_and_is_flagged(team):
    pm = login(team, Role.PM)
    data = {
        "topic": "销售漏斗报表",
        "audience_roles": [Role.KEY_USER],
        "trainer": "周婷",
        "starts_at": "2027-02-01T14:00",
        "duration_minutes": "60",
        "status": "cancelled",
        "status_reason": "",
    }
    response = pm.post(url("training_create"), data)
    assert response.status_code == 400
    assert "Say why the session is postponed or cancelled" in response.content.decode()
    assert 'value="销售漏斗报表"' in response.content.decode()
    data["status_reason"] = "月底冲业绩，销售部要求取消"
    assert pm.post(url("training_create"), data).status_code == 302
    page = pm.get(url("training"))
    assert page.context["flagged"] == 1
    assert "1 session postponed or cancelled" in page.content.decode()
    assert "月底冲业绩，销售部要求取消" in page.content.decode()


def test_a_session_needs_an_audience(team):
    response = login(team, Role.PM).post(
        url("training_create"),
        {
            "topic": "移动端",
            "trainer": "周婷",
            "starts_at": "2027-02-01T14:00",
            "duration_minutes": "60",
            "status": "planned",
        },
    )
    assert response.status_code == 400
    assert "Say who must attend" in response.content.decode()


# --- Setback reviews ------------------------------------------------------------------------------


def test_a_setback_review_goes_to_the_team_and_the_affected_users_once(team, django_capture_on_commit_callbacks):
    missed = milestone(team.project, "需求确认", datetime.date(2027, 1, 15))
    pm = login(team, Role.PM)
    response = pm.post(
        url("setback_create"),
        {
            "title": "需求确认延期两周",
            "milestone": missed.pk,
            "cause": "销售部未按时反馈",
            "responsibility": "项目经理未提前预警，由我承担责任",
            "revised_plan": "需求确认推迟到1月29日",
            "affected_users": [team.user(Role.KEY_USER).pk],
        },
    )
    assert response.status_code == 302
    review = team.project.setback_reviews.get()
    send = url("setback_send", pk=review.pk)
    assert "Add at least one" in pm.post(send, follow=True).content.decode()
    pm.post(
        url("setback_action_add", pk=review.pk),
        {
            "kind": "preventive",
            "description": "每周一检查需求反馈进度",
            "owner": team.user(Role.PM).pk,
            "due_date": "2027-01-20",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert pm.post(send).status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.user.email for m in team.members.values())
    assert "每周一检查需求反馈进度" in mail.outbox[0].body and "由我承担责任" in mail.outbox[0].body
    with pytest.raises(ValidationError, match="already been sent"):
        services_registers.setback_review_send(review=review)


def test_a_setback_review_must_name_what_went_wrong(team):
    response = login(team, Role.PM).post(
        url("setback_create"), {"title": "延期", "cause": "x", "responsibility": "y", "revised_plan": "z"}
    )
    assert response.status_code == 400
    assert "Link the missed milestone or the approved rebaseline" in response.content.decode()


# --- Query counts ---------------------------------------------------------------------------------


def test_register_pages_query_counts_do_not_grow_with_rows(team, make_user, fetch_raise):
    pm = login(team, Role.PM)
    pages = [url("risks"), url("requirements"), url("training"), url("setbacks")]

    def counts():
        result = []
        for path in pages:
            with CaptureQueriesContext(connection) as queries:
                assert pm.get(path).status_code == 200
            result.append(len(queries))
        return result

    def add_rows(n):
        services_registers.risk_save(
            project=team.project, title=f"风险{n}", probability=2, impact=3, owner=team.user(Role.PM)
        )
        document = services_registers.requirement_document_create(
            project=team.project,
            title=f"文档{n}",
            kind="requirements",
            file=SimpleUploadedFile("a.txt", b"x"),
            note="",
            uploaded_by=team.user(Role.PM),
        )
        services_registers.requirement_version_sign(version=document.versions.get(), signed_by=team.user(Role.SPONSOR))
        session = services_registers.training_session_save(
            project=team.project,
            topic=f"培训{n}",
            audience_roles=[Role.KEY_USER],
            audience_people=[make_user()],
            trainer="周婷",
            starts_at=timezone.now(),
            duration_minutes=60,
        )
        services_registers.training_attendance_record(session=session, users=[team.user(Role.KEY_USER)])
        services_registers.setback_review_create(
            project=team.project,
            created_by=team.user(Role.PM),
            title=f"复盘{n}",
            milestone=milestone(team.project, f"M{n}"),
            rebaseline=None,
            cause="c",
            responsibility="r",
            revised_plan="p",
        )

    add_rows(0)
    few = counts()
    for n in range(1, 10):
        add_rows(n)
    assert counts() == few


def test_a_missed_milestone_offers_the_pm_a_setback_review_that_starts_from_it(team, time_machine):
    time_machine.move_to(datetime.datetime(2027, 1, 20, 9, 0, tzinfo=datetime.UTC), tick=False)
    missed = milestone(team.project, "需求确认", datetime.date(2027, 1, 15))
    pm = login(team, Role.PM)
    link = f"{url('setback_create')}?milestone={missed.pk}"
    assert link in pm.get(url("plan")).content.decode()
    assert link not in login(team, Role.CONSULTANT).get(url("plan")).content.decode()
    assert pm.get(link).context["form"]["milestone"].value() == str(missed.pk)
