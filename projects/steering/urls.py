"""URLs of the steering committee, meetings, action items.

`site` patterns sit at the root, `project` ones under /p/<code>/ (see projects/urls.py).
"""

from django.urls import path

from projects.steering import views

site = []

project = [
    path("committee/", views.committee, name="committee"),
    path("committee/members/", views.committee_member_add, name="committee_member_add"),
    path(
        "committee/members/<int:pk>/remove/",
        views.committee_member_remove,
        name="committee_member_remove",
    ),
    path("meetings/new/", views.meeting_edit, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/items/", views.agenda_item_add, name="agenda_item_add"),
    path("meetings/<int:pk>/proposed/", views.agenda_add_proposed, name="agenda_add_proposed"),
    path(
        "meetings/<int:pk>/items/<int:item>/remove/",
        views.agenda_item_remove,
        name="agenda_item_remove",
    ),
    path(
        "meetings/<int:pk>/items/<int:item>/decide/",
        views.agenda_item_decide,
        name="agenda_item_decide",
    ),
    path("meetings/<int:pk>/publish/", views.meeting_publish, name="meeting_publish"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/minutes.pdf", views.meeting_minutes_pdf, name="meeting_minutes_pdf"),
    path("meetings/<int:pk>/actions/", views.action_item_add, name="action_item_add"),
    path("meetings/<int:pk>/close/", views.meeting_close, name="meeting_close"),
    path(
        "actions/export.csv",
        views.action_items_export,
        {"fmt": "csv"},
        name="action_items_export_csv",
    ),
    path(
        "actions/export.xlsx",
        views.action_items_export,
        {"fmt": "xlsx"},
        name="action_items_export_xlsx",
    ),
    path("actions/<int:pk>/status/", views.action_item_status, name="action_item_status"),
]
