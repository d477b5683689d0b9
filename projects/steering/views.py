"""Pages of the steering committee: the committee, meetings, agendas, decisions, minutes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects.core.forms import add_errors, project_people
from projects.core.views import edit_page
from projects.permissions import Capability, get_membership_for
from projects.plan.forms import DecisionForm
from projects.registry import pending_decisions
from projects.steering import exports, selectors
from projects.steering import services as services_steering
from projects.steering.forms import (
    ActionItemForm,
    ActionStatusForm,
    AgendaItemForm,
    CommitteeMemberForm,
    MeetingForm,
    MinutesForm,
)
from projects.steering.models import ActionItem, AgendaItem, CommitteeMember, Meeting
from projects.steering.pdf import minutes_pdf


def committee(request, code):
    membership = get_membership_for(request, code, Capability.COMMITTEE_VIEW)
    project = membership.project
    can_manage = membership.can(Capability.MEETINGS_MANAGE)
    context = {
        "project": project,
        "membership": membership,
        "can_manage": can_manage,
        "member_form": CommitteeMemberForm(project=project) if can_manage else None,
        **selectors.committee_overview(project),
    }
    return render(request, "projects/steering/committee.html", context)


def action_items_export(request, code, fmt):
    membership = get_membership_for(request, code, Capability.COMMITTEE_VIEW)
    return exports.action_items_export(membership.project, fmt)


@require_POST
def committee_member_add(request, code):
    membership = get_membership_for(request, code, Capability.MEETINGS_MANAGE)
    project = membership.project
    form = CommitteeMemberForm(request.POST, project=project)
    if form.is_valid():
        try:
            services_steering.committee_member_add(project=project, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Committee member added."))
            return redirect("projects:committee", code=code)
    context = {
        "project": project,
        "membership": membership,
        "can_manage": True,
        "member_form": form,
        **selectors.committee_overview(project),
    }
    return render(request, "projects/steering/committee.html", context, status=400)


@require_POST
def committee_member_remove(request, code, pk):
    membership = get_membership_for(request, code, Capability.MEETINGS_MANAGE)
    member = get_object_or_404(CommitteeMember, pk=pk, project=membership.project)
    services_steering.committee_member_remove(member=member)
    messages.success(request, _("Committee member removed."))
    return redirect("projects:committee", code=code)


def meeting_edit(request, code, pk=None):
    membership = get_membership_for(request, code, Capability.MEETINGS_MANAGE)
    project = membership.project
    meeting = get_object_or_404(Meeting, pk=pk, project=project) if pk else None
    form = MeetingForm(request.POST or None, instance=meeting)
    if request.method == "POST" and form.is_valid():
        try:
            if meeting is None:
                meeting = services_steering.meeting_create(
                    project=project, created_by=request.user, **form.cleaned_data
                )
            else:
                services_steering.meeting_update(meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Meeting saved."))
            return redirect("projects:meeting_detail", code=code, pk=meeting.pk)
    title = _("Edit meeting") if pk else _("New meeting")
    return edit_page(
        request, membership, form, "projects/core/plan_form.html", {"title": title, "back": "projects:committee"}
    )


def _meeting_for(membership, pk):
    return get_object_or_404(Meeting.objects.select_related("project"), pk=pk, project=membership.project)


def _meeting_page(request, membership, meeting, *, item_form=None, action_form=None, decision_forms=None, status=200):
    project = membership.project
    can_manage = membership.can(Capability.MEETINGS_MANAGE)
    agenda = selectors.meeting_agenda(meeting)
    proposed = []
    if can_manage and meeting.status == Meeting.Status.DRAFT:
        proposed = selectors.pending_not_on_agenda(project, pending_decisions(project))
    decision_forms = decision_forms or {}
    for item in agenda["items"]:
        item.decision_form = decision_forms.get(item.pk) or DecisionForm(prefix=f"item{item.pk}")
    context = {
        "project": project,
        "membership": membership,
        "meeting": meeting,
        "can_manage": can_manage,
        "can_decide": membership.can(Capability.MEETINGS_DECIDE),
        "proposed": proposed,
        "deadline": meeting.publish_deadline(project.agenda_notice_days),
        "started": meeting.starts_at <= timezone.now(),
        "item_form": item_form or AgendaItemForm(project=project),
        "action_form": action_form or ActionItemForm(project=project),
        "status_form": ActionStatusForm(),
        **agenda,
    }
    return render(request, "projects/steering/meeting_detail.html", context, status=status)


def meeting_detail(request, code, pk):
    membership = get_membership_for(request, code, Capability.COMMITTEE_VIEW)
    return _meeting_page(request, membership, _meeting_for(membership, pk))


@require_POST
def agenda_item_add(request, code, pk):
    membership = get_membership_for(request, code, Capability.MEETINGS_MANAGE)
    meeting = _meeting_for(membership, pk)
    form = AgendaItemForm(request.POST, project=membership.project)
    if form.is_valid():
        try:
            services_steering.agenda_item_add(meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Agenda item added."))
            return redirect("projects:meeting_detail", code=code, pk=pk)
    return _meeting_page(request, membership, meeting, item_form=form, status=400)


@require_POST
def agenda_add_proposed(request, code, pk):
    membership = get_membership_for(request, code, Capability.MEETINGS_MANAGE)
    meeting = _meeting_for(membership, pk)
    added = services_steering.agenda_add_pending(meeting=meeting)
    messages.success(request, _("%(count)s items waiting for a decision added.") % {"count": len(added)})
    return redirect("projects:meeting_detail", code=code, pk=pk)


def _item_for(membership, meeting_pk, item_pk):
    return get_object_or_404(
        AgendaItem.objects.select_related("meeting__project"),
        pk=item_pk,
        meeting_id=meeting_pk,
        meeting__project=membership.project,
    )


@require_POST
def agenda_item_remove(request, code, pk, item):
    membership = get_membership_for(request, code, Capability.MEETINGS_MANAGE)
    agenda_item = _item_for(membership, pk, item)
    try:
        services_steering.agenda_item_remove(item=agenda_item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("projects:meeting_detail", code=code, pk=pk)


@require_POST
def meeting_publish(request, code, pk):
    membership = get_membership_for(request, code, Capability.MEETINGS_MANAGE)
    meeting = _meeting_for(membership, pk)
    try:
        services_steering.meeting_publish(meeting=meeting, published_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Agenda published and sent to the committee with a calendar invitation."))
    return redirect("projects:meeting_detail", code=code, pk=pk)


def meeting_minutes(request, code, pk):
    membership = get_membership_for(request, code, Capability.MEETINGS_MANAGE)
    meeting = _meeting_for(membership, pk)
    items = list(meeting.items.all())
    form = MinutesForm(request.POST or None, meeting=meeting, items=items, people=project_people(meeting.project))
    if request.method == "POST" and form.is_valid():
        try:
            services_steering.meeting_record(
                meeting=meeting, attendees=form.cleaned_data["attendees"], minutes=form.minutes()
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Minutes saved."))
            return redirect("projects:meeting_detail", code=code, pk=pk)
    title = _("Minutes: %(title)s") % {"title": meeting.title}
    return edit_page(
        request, membership, form, "projects/core/plan_form.html", {"title": title, "back": "projects:committee"}
    )


@require_POST
def agenda_item_decide(request, code, pk, item):
    membership = get_membership_for(request, code, Capability.MEETINGS_DECIDE)
    agenda_item = _item_for(membership, pk, item)
    meeting = agenda_item.meeting
    form = DecisionForm(request.POST, prefix=f"item{agenda_item.pk}")
    if form.is_valid():
        try:
            services_steering.agenda_item_decide(item=agenda_item, decided_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("projects:meeting_detail", code=code, pk=pk)
    return _meeting_page(request, membership, meeting, decision_forms={agenda_item.pk: form}, status=400)


@require_POST
def action_item_add(request, code, pk):
    membership = get_membership_for(request, code, Capability.MEETINGS_MANAGE)
    meeting = _meeting_for(membership, pk)
    form = ActionItemForm(request.POST, project=membership.project)
    if form.is_valid():
        try:
            services_steering.action_item_add(meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Action item added."))
            return redirect("projects:meeting_detail", code=code, pk=pk)
    return _meeting_page(request, membership, meeting, action_form=form, status=400)


@require_POST
def action_item_status(request, code, pk):
    membership = get_membership_for(request, code, Capability.MEETINGS_MANAGE)
    action = get_object_or_404(ActionItem, pk=pk, project=membership.project)
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        services_steering.action_item_set_status(action=action, status=form.cleaned_data["status"])
        messages.success(request, _("Action item updated."))
    else:
        messages.error(request, _("Choose a status."))
    if request.POST.get("from_meeting"):
        return redirect("projects:meeting_detail", code=code, pk=action.meeting_id)
    return redirect("projects:committee", code=code)


@require_POST
def meeting_close(request, code, pk):
    membership = get_membership_for(request, code, Capability.MEETINGS_MANAGE)
    meeting = _meeting_for(membership, pk)
    try:
        services_steering.meeting_close(meeting=meeting, closed_by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Meeting closed: the minutes are locked and have been sent."))
    return redirect("projects:meeting_detail", code=code, pk=pk)


def meeting_minutes_pdf(request, code, pk):
    membership = get_membership_for(request, code, Capability.COMMITTEE_VIEW)
    meeting = _meeting_for(membership, pk)
    content = minutes_pdf(meeting, selectors.meeting_agenda(meeting), language=request.LANGUAGE_CODE)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="minutes-{meeting.pk}.pdf"'
    return response
