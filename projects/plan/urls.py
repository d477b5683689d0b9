"""URLs of the plan, baselines and the budget.

`site` patterns sit at the root, `project` ones under /p/<code>/ (see projects/urls.py).
"""

from django.urls import path

from projects.plan import views

site = []

project = [
    path("plan/", views.plan, name="plan"),
    path("plan/phases/new/", views.phase_edit, name="phase_create"),
    path("plan/phases/<int:pk>/", views.phase_edit, name="phase_edit"),
    path("plan/milestones/new/", views.milestone_edit, name="milestone_create"),
    path("plan/milestones/<int:pk>/", views.milestone_edit, name="milestone_edit"),
    path("plan/baseline/", views.baseline_set, name="baseline_set"),
    path("plan/baselines/", views.baseline_compare, name="baseline_compare"),
    path("plan/rebaseline/", views.rebaseline_create, name="rebaseline_create"),
    path("plan/rebaseline/<int:pk>/", views.rebaseline_detail, name="rebaseline_detail"),
    path("plan/rebaseline/<int:pk>/decide/", views.rebaseline_decide, name="rebaseline_decide"),
    path("budget/", views.budget, name="budget"),
    path("budget/edit/", views.budget_edit, name="budget_edit"),
]
