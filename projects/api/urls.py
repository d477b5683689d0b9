"""URLs of personal API tokens.

`site` patterns sit at the root, `project` ones under /p/<code>/ (see projects/urls.py).
"""

from django.urls import path

from projects.api import views

site = [
    path("api-tokens/", views.api_tokens, name="api_tokens"),
    path("api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]

project = []
