"""URLs of the project's search (issue 19).

`site` patterns sit at the root, `project` ones under /p/<code>/ (see projects/urls.py).
"""

from django.urls import path

from projects.search import views

site = []

project = [
    path("search/", views.search, name="search"),
]
