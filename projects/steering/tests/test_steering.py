import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from crmgov.celery import app
from projects import registry
from projects.notifications.models import OutboundEmail
from projects.permissions import Role
from projects.plan import services as services_plan
from projects.plan.models import RebaselineRequest
from projects.steering import services as services_steering
from projects.steering.models import ActionItem, AgendaItem, CommitteeMember, Meeting
from projects.steering.tasks import dispatch_action_item_reminders
from projects.tests.factories import baselined_plan

D = datetime.date


SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


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


@pytest.fixture
def committee(team):
    for role, committee_role in [
        (Role.SPONSOR, CommitteeMember.CommitteeRole.SPONSOR),
        (Role.STEERING, CommitteeMember.CommitteeRole.CHAIR),
        (Role.PM, CommitteeMember.CommitteeRole.SECRETARY),
    ]:
        services_steering.committee_member_add(
            project=team.project, user=team.user(role), committee_role=committee_role
        )
    return team


@pytest.fixture
def now(time_machine):
    moment = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=SHANGHAI)
    time_machine.move_to(moment, tick=False)
    return moment


def meeting(team, *, starts_at, title="第三次指导委员会") -> Meeting:
    return services_steering.meeting_create(
        project=team.project,
        created_by=team.user(Role.PM),
        title=title,
        starts_at=starts_at,
        duration_minutes=90,
        location="广州总部 12 楼会议室",
    )


def pending_rebaseline(team) -> RebaselineRequest:
    baselined_plan(team.project, team.user(Role.PM), slip_days=10)
    return services_plan.rebaseline_request_create(
        project=team.project, requested_by=team.user(Role.PM), reason="数据迁移延期", extra_cost=Decimal("20000")
    )


def test_items_waiting_for_a_decision_are_proposed_for_the_next_agenda(committee, now):
    request = pending_rebaseline(committee)
    first = meeting(committee, starts_at=now + datetime.timedelta(days=7))
    item = first.items.get()
    assert (item.linked_kind, item.linked_id, item.decision_required) == ("rebaseline", request.pk, True)
    assert item.title == "重新基线：延误 10 天，损失 70,000.00"  # in the project's language, for the whole committee
    second = meeting(committee, starts_at=now + datetime.timedelta(days=14), title="下一次")
    assert not second.items.exists()  # already on an open agenda


def test_an_agenda_cannot_be_published_later_than_the_notice_period(committee, now, django_capture_on_commit_callbacks):
    committee.project.agenda_notice_days = 3
    committee.project.save()
    pm = login(committee, Role.PM)
    soon = meeting(committee, starts_at=now + datetime.timedelta(days=3, minutes=-1))
    services_steering.agenda_item_add(meeting=soon, title="项目进展汇报")
    response = pm.post(url("meeting_publish", pk=soon.pk), follow=True)
    assert "at least 3 days before the meeting" in response.content.decode()
    soon.refresh_from_db()
    assert soon.status == Meeting.Status.DRAFT and OutboundEmail.objects.count() == 0

    in_time = meeting(committee, starts_at=now + datetime.timedelta(days=3), title="按时")
    services_steering.agenda_item_add(meeting=in_time, title="项目进展汇报")
    with django_capture_on_commit_callbacks(execute=True):
        pm.post(url("meeting_publish", pk=in_time.pk))
    in_time.refresh_from_db()
    assert in_time.status == Meeting.Status.PUBLISHED


def test_publishing_emails_the_committee_the_agenda_with_a_calendar_invitation(
    committee, now, django_capture_on_commit_callbacks
):
    item_meeting = meeting(committee, starts_at=now + datetime.timedelta(days=10))
    services_steering.agenda_item_add(
        meeting=item_meeting, title="一期验收", presenter=committee.user(Role.PM), minutes_allotted=20
    )
    with django_capture_on_commit_callbacks(execute=True):
        services_steering.meeting_publish(meeting=item_meeting, published_by=committee.user(Role.PM))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        committee.user(role).email for role in (Role.SPONSOR, Role.STEERING, Role.PM)
    )
    message = mail.outbox[0]
    assert "一期验收" in message.body
    (filename, ics, mimetype) = message.attachments[0]
    assert filename == "invitation.ics" and mimetype.startswith("text/calendar")
    assert "METHOD:REQUEST" in ics and "DTSTART:20270311T010000Z" in ics
    assert "SUMMARY:第三次指导委员会" in ics and "一期验收" in ics


def test_publishing_twice_sends_the_agenda_once(committee, now):
    draft = meeting(committee, starts_at=now + datetime.timedelta(days=10))
    services_steering.agenda_item_add(meeting=draft, title="汇报")
    services_steering.meeting_publish(meeting=draft, published_by=committee.user(Role.PM))
    with pytest.raises(ValidationError, match="published"):
        services_steering.meeting_publish(meeting=draft, published_by=committee.user(Role.PM))
    assert OutboundEmail.objects.count() == 3


def _published_with_rebaseline(committee, now):
    request = pending_rebaseline(committee)
    published = meeting(committee, starts_at=now + datetime.timedelta(days=5))
    services_steering.meeting_publish(meeting=published, published_by=committee.user(Role.PM))
    return published, published.items.get(), request


def _in_the_meeting(time_machine, held: Meeting) -> None:
    time_machine.move_to(held.starts_at + datetime.timedelta(minutes=10), tick=False)


def test_decisions_and_closing_wait_for_the_meeting_to_start(committee, now, time_machine):
    published, item, request = _published_with_rebaseline(committee, now)
    with pytest.raises(ValidationError, match="not started"):
        services_steering.agenda_item_decide(
            item=item, outcome="approved", rationale="提前决定", decided_by=committee.user(Role.SPONSOR)
        )
    with pytest.raises(ValidationError, match="not started"):
        services_steering.meeting_close(meeting=published, closed_by=committee.user(Role.PM))
    request.refresh_from_db()
    assert request.status == RebaselineRequest.Status.PENDING
    _in_the_meeting(time_machine, published)
    _defer(committee, item)
    services_steering.meeting_close(meeting=published, closed_by=committee.user(Role.PM))


def _defer(committee, item) -> None:
    """A meeting closes only once each decision is taken or explicitly deferred (issue 16)."""
    services_steering.agenda_item_decide(
        item=item, outcome="deferred", rationale="下次再议", decided_by=committee.user(Role.SPONSOR)
    )


def test_a_committee_decision_on_a_linked_rebaseline_changes_the_baseline_version(committee, now, time_machine):
    published, item, request = _published_with_rebaseline(committee, now)
    _in_the_meeting(time_machine, published)
    steering = login(committee, Role.STEERING)
    response = steering.post(
        url("agenda_item_decide", pk=published.pk, item=item.pk),
        {f"item{item.pk}-outcome": "approved", f"item{item.pk}-rationale": "同意延期两周，范围不变"},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RebaselineRequest.Status.APPROVED
    assert request.baseline.version == 2 and request.decided_by == committee.user(Role.STEERING)
    item.refresh_from_db()
    assert item.outcome == "approved" and item.rationale == "同意延期两周，范围不变"


def test_a_rejected_item_rejects_the_request_and_a_deferred_one_comes_back_next_time(committee, now, time_machine):
    published, item, request = _published_with_rebaseline(committee, now)
    _in_the_meeting(time_machine, published)
    services_steering.agenda_item_decide(
        item=item, outcome="deferred", rationale="补充损失测算", decided_by=committee.user(Role.SPONSOR)
    )
    request.refresh_from_db()
    assert request.status == RebaselineRequest.Status.PENDING
    services_steering.meeting_close(meeting=published, closed_by=committee.user(Role.PM))
    following = meeting(committee, starts_at=now + datetime.timedelta(days=20), title="下一次")
    again = following.items.get()
    assert again.linked_id == request.pk
    services_steering.meeting_publish(meeting=following, published_by=committee.user(Role.PM))
    _in_the_meeting(time_machine, following)
    services_steering.agenda_item_decide(
        item=again, outcome="rejected", rationale="先赶工", decided_by=committee.user(Role.SPONSOR)
    )
    request.refresh_from_db()
    assert request.status == RebaselineRequest.Status.REJECTED


def test_a_decision_needs_a_rationale_and_keeps_the_choice(committee, now, time_machine):
    published, item, _request = _published_with_rebaseline(committee, now)
    _in_the_meeting(time_machine, published)
    response = login(committee, Role.SPONSOR).post(
        url("agenda_item_decide", pk=published.pk, item=item.pk), {f"item{item.pk}-outcome": "approved"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required" in page
    chosen = re.search(rf'<input[^>]*name="item{item.pk}-outcome"[^>]*value="approved"[^>]*>', page).group(0)
    assert "checked" in chosen


def test_other_apps_register_their_objects_for_committee_decisions(committee, now, time_machine):
    decided = []

    def pending(project):
        return [registry.PendingDecision("change", 7, "CR-7 客户分级改造", "/p/SCRM/changes/7/")]

    def describe(project, ids):
        return {7: pending(project)[0]}

    def decide(**kwargs):
        decided.append(kwargs)

    provider = registry.DecisionProvider("change", "Change request", pending, decide, describe)
    with registry.decision_providers.temporarily(provider):
        published = meeting(committee, starts_at=now + datetime.timedelta(days=5))
        item = published.items.get(linked_kind="change")
        services_steering.meeting_publish(meeting=published, published_by=committee.user(Role.PM))
        _in_the_meeting(time_machine, published)
        services_steering.agenda_item_decide(
            item=item, outcome="approved", rationale="超过阈值，批准", decided_by=committee.user(Role.STEERING)
        )
        assert decided == [
            {
                "project": committee.project,
                "object_id": 7,
                "outcome": "approved",
                "rationale": "超过阈值，批准",
                "decided_by": committee.user(Role.STEERING),
            }
        ]
        page = login(committee, Role.PM).get(url("meeting_detail", pk=published.pk)).content.decode()
        assert "CR-7 客户分级改造" in page and "/p/SCRM/changes/7/" in page


def test_closing_locks_the_minutes_and_emails_them_with_a_chinese_pdf(
    committee, now, django_capture_on_commit_callbacks, time_machine
):
    published, item, _request = _published_with_rebaseline(committee, now)
    pm = login(committee, Role.PM)
    response = pm.post(
        url("meeting_minutes", pk=published.pk),
        {
            "attendees": [committee.user(Role.SPONSOR).pk, committee.user(Role.PM).pk],
            f"minutes_{item.pk}": "讨论了数据迁移延期的原因",
        },
    )
    assert response.status_code == 302
    services_steering.action_item_add(
        meeting=published, title="提交赶工方案", owner=committee.user(Role.PM), due_date=D(2027, 3, 20)
    )
    mail.outbox.clear()
    _in_the_meeting(time_machine, published)
    _defer(committee, item)
    with django_capture_on_commit_callbacks(execute=True):
        pm.post(url("meeting_close", pk=published.pk))
    published.refresh_from_db()
    assert published.is_locked
    assert len(mail.outbox) == 3
    message = mail.outbox[0]
    assert "讨论了数据迁移延期的原因" in message.body
    _filename, pdf, mimetype = message.attachments[0]
    assert mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "讨论了数据迁移延期的原因" in text and "提交赶工方案" in text
    with pytest.raises(ValidationError, match="locked"):
        services_steering.meeting_record(meeting=published, attendees=[], minutes={item.pk: "改写"})
    item.refresh_from_db()
    assert item.minutes == "讨论了数据迁移延期的原因"


def test_members_download_the_minutes_as_pdf_in_their_language(committee, now, time_machine):
    published, item, _request = _published_with_rebaseline(committee, now)
    _in_the_meeting(time_machine, published)
    services_steering.meeting_record(meeting=published, attendees=[], minutes={item.pk: "同意延期"})
    _defer(committee, item)
    services_steering.meeting_close(meeting=published, closed_by=committee.user(Role.PM))
    sponsor = committee.user(Role.SPONSOR)
    sponsor.language = "zh-hans"
    sponsor.save()
    response = login(committee, Role.SPONSOR).get(url("meeting_minutes_pdf", pk=published.pk))
    assert response["Content-Type"] == "application/pdf"
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    text = page.extract_text()
    assert "华南区销售CRM上线" in text and "同意延期" in text and "出席" in text
    fonts = {font.get_object()["/BaseFont"].split("+")[-1] for font in page["/Resources"]["/Font"].values()}
    assert fonts <= {"Noto-Sans-CJK-SC", "Noto-Sans-CJK-SC-Bold"}, fonts


def test_action_item_owners_are_reminded_when_due_and_when_overdue_once_a_day(committee, time_machine):
    time_machine.move_to(datetime.datetime(2027, 3, 1, 9, 0, tzinfo=SHANGHAI), tick=False)
    published = meeting(committee, starts_at=datetime.datetime(2027, 3, 10, 14, 0, tzinfo=SHANGHAI))
    services_steering.agenda_item_add(meeting=published, title="汇报")
    services_steering.meeting_publish(meeting=published, published_by=committee.user(Role.PM))
    action = services_steering.action_item_add(
        meeting=published, title="提交赶工方案", owner=committee.user(Role.CONSULTANT), due_date=D(2027, 3, 12)
    )
    OutboundEmail.objects.all().delete()

    def keys():
        return sorted(OutboundEmail.objects.values_list("key", flat=True))

    time_machine.move_to(datetime.datetime(2027, 3, 11, 23, 0, tzinfo=SHANGHAI), tick=False)
    dispatch_action_item_reminders.delay()
    assert keys() == []
    time_machine.move_to(datetime.datetime(2027, 3, 12, 8, 0, tzinfo=SHANGHAI), tick=False)
    dispatch_action_item_reminders.delay()
    dispatch_action_item_reminders.delay()
    assert keys() == [f"action-item-due:{action.pk}:2027-03-12"]
    time_machine.move_to(datetime.datetime(2027, 3, 13, 8, 0, tzinfo=SHANGHAI), tick=False)
    dispatch_action_item_reminders.delay()
    time_machine.move_to(datetime.datetime(2027, 3, 14, 8, 0, tzinfo=SHANGHAI), tick=False)
    dispatch_action_item_reminders.delay()
    assert keys() == [f"action-item-due:{action.pk}:2027-03-12", f"action-item-overdue:{action.pk}:2027-03-13"]
    overdue = OutboundEmail.objects.get(key__startswith="action-item-overdue")
    assert overdue.to_email == committee.user(Role.CONSULTANT).email and "1 day overdue" in overdue.body_text
    services_steering.action_item_set_status(action=action, status=ActionItem.Status.DONE)
    time_machine.move_to(datetime.datetime(2027, 3, 20, 8, 0, tzinfo=SHANGHAI), tick=False)
    dispatch_action_item_reminders.delay()
    assert len(keys()) == 2


def test_the_reminder_dispatcher_is_in_the_one_beat_schedule():
    entries = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "projects.steering.tasks.dispatch_action_item_reminders" in entries


def test_committee_page_flags_a_project_without_a_meeting_within_its_cadence(committee, now):
    committee.project.meeting_cadence_days = 30
    committee.project.save()
    pm = login(committee, Role.PM)
    assert pm.get(url("committee")).context["cadence_missed"]
    meeting(committee, starts_at=now + datetime.timedelta(days=31))
    assert pm.get(url("committee")).context["cadence_missed"]
    meeting(committee, starts_at=now + datetime.timedelta(days=29), title="月度会")
    response = pm.get(url("committee"))
    assert not response.context["cadence_missed"]
    assert "cadence-flag" not in response.content.decode()


def test_committee_page_shows_open_and_overdue_action_items(committee, now, time_machine):
    past = meeting(committee, starts_at=now + datetime.timedelta(days=5))
    services_steering.agenda_item_add(meeting=past, title="汇报")
    services_steering.meeting_publish(meeting=past, published_by=committee.user(Role.PM))
    services_steering.action_item_add(
        meeting=past, title="逾期的任务", owner=committee.user(Role.PM), due_date=D(2027, 3, 8)
    )
    services_steering.action_item_add(
        meeting=past, title="未到期的任务", owner=committee.user(Role.PM), due_date=D(2027, 4, 8)
    )
    time_machine.move_to(datetime.datetime(2027, 3, 10, 9, 0, tzinfo=SHANGHAI), tick=False)
    response = login(committee, Role.EXECUTIVE).get(url("committee"))
    assert [a.title for a in response.context["open_actions"]] == ["逾期的任务", "未到期的任务"]
    assert [a.title for a in response.context["overdue_actions"]] == ["逾期的任务"]
    assert "1 overdue" in response.content.decode()
    assert [m.title for m in response.context["past"]] == ["第三次指导委员会"]


def test_meeting_needs_a_place_or_a_link_and_keeps_what_was_typed(committee):
    response = login(committee, Role.PM).post(
        url("meeting_create"), {"title": "第四次会议", "starts_at": "2027-04-01T14:00", "duration_minutes": "90"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Give a place or an online link" in page and 'value="第四次会议"' in page


def test_committee_and_meeting_pages_query_counts_do_not_grow_with_rows(committee, now, fetch_raise):
    pm = login(committee, Role.PM)
    published, _item, _request = _published_with_rebaseline(committee, now)
    services_steering.action_item_add(
        meeting=published, title="A0", owner=committee.user(Role.PM), due_date=D(2027, 3, 2)
    )

    def counts():
        result = []
        for path in (url("committee"), url("meeting_detail", pk=published.pk)):
            with CaptureQueriesContext(connection) as queries:
                assert pm.get(path).status_code == 200
            result.append(len(queries))
        return result

    few = counts()
    AgendaItem.objects.bulk_create(
        [
            AgendaItem(meeting=published, title=f"议题{n}", order=n + 2, presenter=committee.user(Role.PM))
            for n in range(8)
        ]
    )
    for n in range(8):
        services_steering.action_item_add(
            meeting=published, title=f"A{n + 1}", owner=committee.user(Role.CONSULTANT), due_date=D(2027, 3, 2 + n)
        )
        meeting(committee, starts_at=now + datetime.timedelta(days=40 + n), title=f"会议{n}")
    services_steering.meeting_record(
        meeting=published, attendees=[committee.user(Role.SPONSOR), committee.user(Role.STEERING)], minutes={}
    )
    assert counts() == few


def test_the_calendar_invitation_folds_long_chinese_lines_within_75_octets(committee, now):
    long_meeting = meeting(committee, starts_at=now + datetime.timedelta(days=10), title="指导委员会" * 12)
    services_steering.agenda_item_add(meeting=long_meeting, title="关于华南区客户档案数据迁移与清洗工作的专项汇报" * 3)
    services_steering.meeting_publish(meeting=long_meeting, published_by=committee.user(Role.PM))
    ics = OutboundEmail.objects.first().attachments[0]["text"]
    lines = ics.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = ics.replace("\r\n ", "")
    assert f"SUMMARY:{'指导委员会' * 12}" in unfolded


def test_an_item_the_sponsor_decided_meanwhile_cannot_be_decided_again_only_deferred(committee, now, time_machine):
    published, item, request = _published_with_rebaseline(committee, now)
    services_plan.rebaseline_decide(
        request=request, outcome="approved", rationale="紧急，先批", decided_by=committee.user(Role.SPONSOR)
    )
    _in_the_meeting(time_machine, published)
    with pytest.raises(ValidationError, match="already been decided"):
        services_steering.agenda_item_decide(
            item=item, outcome="rejected", rationale="不同意", decided_by=committee.user(Role.STEERING)
        )
    services_steering.agenda_item_decide(
        item=item, outcome="deferred", rationale="发起人已批准，仅通报", decided_by=committee.user(Role.STEERING)
    )
    request.refresh_from_db()
    item.refresh_from_db()
    assert request.status == RebaselineRequest.Status.APPROVED and request.baseline.version == 2
    assert item.outcome == "deferred"


def test_an_attendee_named_with_quotes_and_a_semicolon_reaches_the_calendar_intact(committee, now):
    import icalendar

    from projects.steering.calendars import meeting_invitation

    class Attendee:
        full_name = 'Li "Hua"; PM'
        email = "li.hua@example.com"

    invited = meeting(committee, starts_at=now + datetime.timedelta(days=10), title="指导委员会, 第三次; 会议")
    ics = meeting_invitation(invited, description="议程：\n1. 汇报", attendees=[Attendee()])
    event = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
    attendee = event["ATTENDEE"]
    assert attendee.params["CN"] == 'Li "Hua"; PM'
    assert str(attendee) == "mailto:li.hua@example.com"
    assert str(event["SUMMARY"]) == "指导委员会, 第三次; 会议"
    assert str(event["DESCRIPTION"]) == "议程：\n1. 汇报"
