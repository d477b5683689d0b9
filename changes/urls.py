from django.urls import path

from . import views

app_name = "changes"
urlpatterns = [
    path("changes/", views.change_list, name="list"),
    path("changes/new/", views.change_create, name="create"),
    path("changes/export.csv", views.change_export, {"fmt": "csv"}, name="export_csv"),
    path("changes/export.xlsx", views.change_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("changes/limits/", views.change_settings, name="settings"),
    path("changes/<int:number>/", views.change_detail, name="detail"),
    path("changes/<int:number>/<str:action>/", views.change_action, name="action"),
]
