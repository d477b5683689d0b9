"""URLs of escalations.

`site` patterns sit at the root, `project` ones under /p/<code>/ (see projects/urls.py).
"""

from django.urls import path

from projects.escalations import views

site = [
    path("escalations/", views.awaiting_me, name="escalations_mine"),
]

project = [
    path("escalations/", views.escalation_list, name="escalations"),
    path("escalations/new/", views.escalation_raise, name="escalation_raise"),
    path("escalations/<int:pk>/", views.escalation_detail, name="escalation"),
    path(
        "escalations/<int:pk>/acknowledge/",
        views.escalation_acknowledge,
        name="escalation_acknowledge",
    ),
    path("escalations/<int:pk>/resolve/", views.escalation_resolve, name="escalation_resolve"),
]
