"""URLs of dashboards, portfolio, status reports.

`site` patterns sit at the root, `project` ones under /p/<code>/ (see projects/urls.py).
"""

from django.urls import path

from projects.reporting import views

site = [
    path("portfolio/", views.portfolio, name="portfolio"),
    path("ping/", views.ping, name="ping"),
]

project = [
    path("dashboard/", views.project_dashboard, name="dashboard"),
    path("reports/", views.report_list, name="status_reports"),
    path("reports/send-now/", views.report_send_now, name="status_report_send"),
    path("reports/<int:pk>/", views.report_detail, name="status_report"),
]
