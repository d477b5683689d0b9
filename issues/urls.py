from django.urls import path

from . import compliance_views, views

app_name = "issues"
urlpatterns = [
    path("report/", views.report, name="report"),
    path("report/no-problems/", views.report_no_problems, name="report_no_problems"),
    path("report/link/<str:token>/", views.report_link, name="report_link"),
    path("suggest/", views.suggest, name="suggest"),
    path("issues/", views.issue_list, name="list"),
    path("issues/more-filters/", views.issue_list_more_filters, name="list_more_filters"),
    path("issues/export.csv", views.issue_export, {"fmt": "csv"}, name="export_csv"),
    path("issues/export.xlsx", views.issue_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("issues/<int:number>/", views.issue_detail, name="detail"),
    path("issues/<int:number>/edit/", views.issue_edit, name="edit"),
    path("issues/<int:number>/comment/", views.issue_comment, name="comment"),
    path("issues/<int:number>/screenshots/", views.issue_screenshots_add, name="screenshots_add"),
    path("issues/<int:number>/screenshots/<int:pk>/", views.screenshot, {"variant": "full"}, name="screenshot"),
    path("issues/<int:number>/screenshots/<int:pk>/thumb/", views.screenshot, {"variant": "thumb"}, name="thumbnail"),
    path("issues/<int:number>/publish/", views.article_publish, name="publish"),
    path("issues/<int:number>/<str:action>/", views.issue_action, name="action"),
    path("kb/", views.article_list, name="articles"),
    path("kb/<int:pk>/", views.article_detail, name="article"),
    path("leaderboard/", views.leaderboard, name="leaderboard"),
    path("reporting/", views.issue_settings, name="settings"),
    path("reporting/modules/", views.module_save, name="module_add"),
    path("reporting/modules/<int:pk>/", views.module_save, name="module_edit"),
    path("compliance/", compliance_views.compliance, name="compliance"),
    path("compliance/remind/", compliance_views.compliance_remind, name="compliance_remind"),
    path("reporting/calendar/", compliance_views.calendar, name="calendar"),
    path("reporting/calendar/day/", compliance_views.calendar_day, name="calendar_day"),
    path("reporting/calendar/import/", compliance_views.calendar_import, name="calendar_import"),
    path("reporting/calendar/<str:day>/remove/", compliance_views.calendar_day_remove, name="calendar_day_remove"),
]
