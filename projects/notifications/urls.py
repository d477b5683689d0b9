"""URLs of chat webhooks.

`site` patterns sit at the root, `project` ones under /p/<code>/ (see projects/urls.py).
"""

from django.urls import path

from projects.notifications import views

site = []

project = [
    path("chat/", views.chat_webhooks, name="chat_webhooks"),
    path("chat/<int:pk>/", views.chat_webhook_edit, name="chat_webhook_edit"),
    path("chat/<int:pk>/delete/", views.chat_webhook_delete, name="chat_webhook_delete"),
    path("chat/<int:pk>/test/", views.chat_webhook_test, name="chat_webhook_test"),
]
