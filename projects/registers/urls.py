"""URLs of risks, requirements, training, setbacks.

`site` patterns sit at the root, `project` ones under /p/<code>/ (see projects/urls.py).
"""

from django.urls import path

from projects.registers import views

site = []

project = [
    path("risks/", views.risks, name="risks"),
    path("risks/new/", views.risk_edit, name="risk_create"),
    path("risks/export.csv", views.risks_export, {"fmt": "csv"}, name="risks_export_csv"),
    path("risks/export.xlsx", views.risks_export, {"fmt": "xlsx"}, name="risks_export_xlsx"),
    path("risks/<int:pk>/", views.risk_edit, name="risk_edit"),
    path("requirements/", views.requirements, name="requirements"),
    path("requirements/new/", views.requirement_create, name="requirement_create"),
    path(
        "requirements/<int:pk>/upload/",
        views.requirement_version_upload,
        name="requirement_version_upload",
    ),
    path(
        "requirements/versions/<int:pk>/sign/",
        views.requirement_version_sign,
        name="requirement_version_sign",
    ),
    path(
        "requirements/versions/<int:pk>/file/",
        views.requirement_version_file,
        name="requirement_version_file",
    ),
    path("training/", views.training, name="training"),
    path("training/new/", views.training_edit, name="training_create"),
    path("training/<int:pk>/", views.training_edit, name="training_edit"),
    path("training/<int:pk>/attendance/", views.training_attendance, name="training_attendance"),
    path("setbacks/", views.setbacks, name="setbacks"),
    path("setbacks/new/", views.setback_create, name="setback_create"),
    path("setbacks/<int:pk>/", views.setback_detail, name="setback_detail"),
    path("setbacks/<int:pk>/actions/", views.setback_action_add, name="setback_action_add"),
    path("setbacks/<int:pk>/send/", views.setback_send, name="setback_send"),
]
