"""URLs of projects, members, preferences.

`site` patterns sit at the root, `project` ones under /p/<code>/ (see projects/urls.py).
"""

from django.urls import path

from projects.core import views

site = [
    path("", views.my_work, name="my_work"),
    path("projects/", views.my_projects, name="my_projects"),
    path("work/count/", views.my_work_badge, name="my_work_badge"),
    path("projects/new/", views.project_create, name="create"),
    path("preferences/", views.preferences, name="preferences"),
    path("language/", views.set_language, name="set_language"),
]

project = [
    path("", views.project_detail, name="detail"),
    path("settings/", views.project_edit, name="edit"),
    path("members/", views.members, name="members"),
    path("members/invite/", views.member_invite, name="member_invite"),
    path("members/import/", views.member_import, name="member_import"),
    path("members/import/confirm/", views.member_import_confirm, name="member_import_confirm"),
    path("members/<int:pk>/", views.member_edit, name="member_edit"),
    path("members/<int:pk>/end/", views.member_end, name="member_end"),
]
