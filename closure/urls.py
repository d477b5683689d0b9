from django.urls import path

from . import views

app_name = "closure"
urlpatterns = [
    path("closure/", views.overview, name="overview"),
    path("closure/start/", views.start, name="start"),
    path("closure/successor/", views.successor_set, name="successor_set"),
    path("closure/waive/", views.waive, name="waive"),
    path("closure/waive/request/", views.waiver_request, name="waiver_request"),
    path("closure/waive/refuse/", views.waiver_refuse, name="waiver_refuse"),
    path("closure/reopen/", views.reopen, name="reopen"),
    path("closure/sign/", views.sign, name="sign"),
    path("closure/sops/", views.sops, name="sops"),
    path("closure/sops/new/", views.sop_edit, name="sop_create"),
    path("closure/sops/<int:pk>/", views.sop_edit, name="sop_edit"),
    path("closure/sops/<int:pk>/confirm/", views.sop_confirm, name="sop_confirm"),
    path("closure/items/", views.items, name="items"),
    path("closure/items/compile/", views.items_compile, name="items_compile"),
    path("closure/items/new/", views.item_edit, name="item_create"),
    path("closure/items/<int:pk>/", views.item_detail, name="item_detail"),
    path("closure/items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("closure/items/<int:pk>/message/", views.item_message, name="item_message"),
    path("closure/items/<int:pk>/resolve/", views.item_resolve, name="item_resolve"),
    path("closure/successor/assessment/", views.assessment, name="assessment"),
    path("closure/improvement/", views.improvement, name="improvement"),
    path("closure/improvement/new/", views.improvement_edit, name="improvement_create"),
    path("closure/improvement/<int:pk>/", views.improvement_edit, name="improvement_edit"),
    path("closure/improvement/review/", views.improvement_review, name="improvement_review"),
    path("closure/report/", views.report, name="report"),
    path("closure/report.pdf", views.report_pdf, name="report_pdf"),
    path("closure/lessons/new/", views.lesson_create, name="lesson_create"),
]
