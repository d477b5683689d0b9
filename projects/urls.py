from django.urls import path, register_converter

from . import views


class ProjectCodeConverter:
    regex = "[A-Z][A-Z0-9]{1,11}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ProjectCodeConverter, "code")

app_name = "projects"
urlpatterns = [
    path("", views.my_projects, name="my_projects"),
    path("projects/new/", views.project_create, name="create"),
    path("preferences/", views.preferences, name="preferences"),
    path("language/", views.set_language, name="set_language"),
    path("p/<code:code>/", views.project_detail, name="detail"),
    path("p/<code:code>/settings/", views.project_edit, name="edit"),
    path("p/<code:code>/members/", views.members, name="members"),
    path("p/<code:code>/members/invite/", views.member_invite, name="member_invite"),
    path("p/<code:code>/members/<int:pk>/", views.member_edit, name="member_edit"),
    path("p/<code:code>/members/<int:pk>/end/", views.member_end, name="member_end"),
]
