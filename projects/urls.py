from django.urls import path

from projects.api import views as views_api
from projects.core import views
from projects.escalations import views as views_escalations
from projects.notifications import views as views_notifications
from projects.plan import views as views_plan
from projects.registers import views as views_registers
from projects.reporting import views as views_reporting
from projects.steering import views as views_steering

app_name = "projects"


urlpatterns = [
    path("", views.my_projects, name="my_projects"),
    path("projects/new/", views.project_create, name="create"),
    path("preferences/", views.preferences, name="preferences"),
    path("language/", views.set_language, name="set_language"),
    path("api-tokens/", views_api.api_tokens, name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", views_api.api_token_revoke, name="api_token_revoke"),
    path("escalations/", views_escalations.awaiting_me, name="escalations_mine"),
    path("portfolio/", views_reporting.portfolio, name="portfolio"),
    path("ping/", views_reporting.ping, name="ping"),
    path("p/<code:code>/", views.project_detail, name="detail"),
    path("p/<code:code>/dashboard/", views_reporting.project_dashboard, name="dashboard"),
    path("p/<code:code>/escalations/", views_escalations.escalation_list, name="escalations"),
    path("p/<code:code>/reports/", views_reporting.report_list, name="status_reports"),
    path("p/<code:code>/reports/send-now/", views_reporting.report_send_now, name="status_report_send"),
    path("p/<code:code>/reports/<int:pk>/", views_reporting.report_detail, name="status_report"),
    path("p/<code:code>/escalations/new/", views_escalations.escalation_raise, name="escalation_raise"),
    path("p/<code:code>/escalations/<int:pk>/", views_escalations.escalation_detail, name="escalation"),
    path(
        "p/<code:code>/escalations/<int:pk>/acknowledge/",
        views_escalations.escalation_acknowledge,
        name="escalation_acknowledge",
    ),
    path(
        "p/<code:code>/escalations/<int:pk>/resolve/", views_escalations.escalation_resolve, name="escalation_resolve"
    ),
    path("p/<code:code>/settings/", views.project_edit, name="edit"),
    path("p/<code:code>/members/", views.members, name="members"),
    path("p/<code:code>/members/invite/", views.member_invite, name="member_invite"),
    path("p/<code:code>/members/import/", views.member_import, name="member_import"),
    path("p/<code:code>/members/import/confirm/", views.member_import_confirm, name="member_import_confirm"),
    path("p/<code:code>/members/<int:pk>/", views.member_edit, name="member_edit"),
    path("p/<code:code>/members/<int:pk>/end/", views.member_end, name="member_end"),
    # Chat notifications
    path("p/<code:code>/chat/", views_notifications.chat_webhooks, name="chat_webhooks"),
    path("p/<code:code>/chat/<int:pk>/", views_notifications.chat_webhook_edit, name="chat_webhook_edit"),
    path("p/<code:code>/chat/<int:pk>/delete/", views_notifications.chat_webhook_delete, name="chat_webhook_delete"),
    path("p/<code:code>/chat/<int:pk>/test/", views_notifications.chat_webhook_test, name="chat_webhook_test"),
]


urlpatterns += [
    # The plan and its registers
    path("p/<code:code>/plan/", views_plan.plan, name="plan"),
    path("p/<code:code>/plan/phases/new/", views_plan.phase_edit, name="phase_create"),
    path("p/<code:code>/plan/phases/<int:pk>/", views_plan.phase_edit, name="phase_edit"),
    path("p/<code:code>/plan/milestones/new/", views_plan.milestone_edit, name="milestone_create"),
    path("p/<code:code>/plan/milestones/<int:pk>/", views_plan.milestone_edit, name="milestone_edit"),
    path("p/<code:code>/plan/baseline/", views_plan.baseline_set, name="baseline_set"),
    path("p/<code:code>/plan/baselines/", views_plan.baseline_compare, name="baseline_compare"),
    path("p/<code:code>/plan/rebaseline/", views_plan.rebaseline_create, name="rebaseline_create"),
    path("p/<code:code>/plan/rebaseline/<int:pk>/", views_plan.rebaseline_detail, name="rebaseline_detail"),
    path("p/<code:code>/plan/rebaseline/<int:pk>/decide/", views_plan.rebaseline_decide, name="rebaseline_decide"),
    path("p/<code:code>/budget/", views_plan.budget, name="budget"),
    path("p/<code:code>/budget/edit/", views_plan.budget_edit, name="budget_edit"),
    path("p/<code:code>/risks/", views_registers.risks, name="risks"),
    path("p/<code:code>/risks/new/", views_registers.risk_edit, name="risk_create"),
    path("p/<code:code>/risks/export.csv", views_registers.risks_export, {"fmt": "csv"}, name="risks_export_csv"),
    path("p/<code:code>/risks/export.xlsx", views_registers.risks_export, {"fmt": "xlsx"}, name="risks_export_xlsx"),
    path("p/<code:code>/risks/<int:pk>/", views_registers.risk_edit, name="risk_edit"),
    path("p/<code:code>/requirements/", views_registers.requirements, name="requirements"),
    path("p/<code:code>/requirements/new/", views_registers.requirement_create, name="requirement_create"),
    path(
        "p/<code:code>/requirements/<int:pk>/upload/",
        views_registers.requirement_version_upload,
        name="requirement_version_upload",
    ),
    path(
        "p/<code:code>/requirements/versions/<int:pk>/sign/",
        views_registers.requirement_version_sign,
        name="requirement_version_sign",
    ),
    path(
        "p/<code:code>/requirements/versions/<int:pk>/file/",
        views_registers.requirement_version_file,
        name="requirement_version_file",
    ),
    path("p/<code:code>/training/", views_registers.training, name="training"),
    path("p/<code:code>/training/new/", views_registers.training_edit, name="training_create"),
    path("p/<code:code>/training/<int:pk>/", views_registers.training_edit, name="training_edit"),
    path(
        "p/<code:code>/training/<int:pk>/attendance/", views_registers.training_attendance, name="training_attendance"
    ),
    path("p/<code:code>/setbacks/", views_registers.setbacks, name="setbacks"),
    path("p/<code:code>/setbacks/new/", views_registers.setback_create, name="setback_create"),
    path("p/<code:code>/setbacks/<int:pk>/", views_registers.setback_detail, name="setback_detail"),
    path("p/<code:code>/setbacks/<int:pk>/actions/", views_registers.setback_action_add, name="setback_action_add"),
    path("p/<code:code>/setbacks/<int:pk>/send/", views_registers.setback_send, name="setback_send"),
    # The steering committee
    path("p/<code:code>/committee/", views_steering.committee, name="committee"),
    path("p/<code:code>/committee/members/", views_steering.committee_member_add, name="committee_member_add"),
    path(
        "p/<code:code>/committee/members/<int:pk>/remove/",
        views_steering.committee_member_remove,
        name="committee_member_remove",
    ),
    path("p/<code:code>/meetings/new/", views_steering.meeting_edit, name="meeting_create"),
    path("p/<code:code>/meetings/<int:pk>/", views_steering.meeting_detail, name="meeting_detail"),
    path("p/<code:code>/meetings/<int:pk>/edit/", views_steering.meeting_edit, name="meeting_edit"),
    path("p/<code:code>/meetings/<int:pk>/items/", views_steering.agenda_item_add, name="agenda_item_add"),
    path("p/<code:code>/meetings/<int:pk>/proposed/", views_steering.agenda_add_proposed, name="agenda_add_proposed"),
    path(
        "p/<code:code>/meetings/<int:pk>/items/<int:item>/remove/",
        views_steering.agenda_item_remove,
        name="agenda_item_remove",
    ),
    path(
        "p/<code:code>/meetings/<int:pk>/items/<int:item>/decide/",
        views_steering.agenda_item_decide,
        name="agenda_item_decide",
    ),
    path("p/<code:code>/meetings/<int:pk>/publish/", views_steering.meeting_publish, name="meeting_publish"),
    path("p/<code:code>/meetings/<int:pk>/minutes/", views_steering.meeting_minutes, name="meeting_minutes"),
    path("p/<code:code>/meetings/<int:pk>/minutes.pdf", views_steering.meeting_minutes_pdf, name="meeting_minutes_pdf"),
    path("p/<code:code>/meetings/<int:pk>/actions/", views_steering.action_item_add, name="action_item_add"),
    path("p/<code:code>/meetings/<int:pk>/close/", views_steering.meeting_close, name="meeting_close"),
    path(
        "p/<code:code>/actions/export.csv",
        views_steering.action_items_export,
        {"fmt": "csv"},
        name="action_items_export_csv",
    ),
    path(
        "p/<code:code>/actions/export.xlsx",
        views_steering.action_items_export,
        {"fmt": "xlsx"},
        name="action_items_export_xlsx",
    ),
    path("p/<code:code>/actions/<int:pk>/status/", views_steering.action_item_status, name="action_item_status"),
]
