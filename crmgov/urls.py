from django.contrib import admin
from django.urls import include, path

# Uploaded files are never served from a public URL: each app serves its own
# files through a view that checks project membership.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include(("crmgov.api", "api"))),
    path("", include("projects.urls")),
    path("p/<code:code>/", include("issues.urls")),
    path("p/<code:code>/", include("changes.urls")),
    path("p/<code:code>/", include("closure.urls")),
]

# A database outage answers 503 with a page that says the request was not saved.
handler500 = "projects.views_errors.server_error"
