from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

# Uploaded files are never served from a public URL: each app serves its own
# files through a view that checks project membership.
urlpatterns = [
    # One way in: the admin's own login form would skip allauth's second factor and rate limits.
    path(
        "admin/login/",
        login_not_required(RedirectView.as_view(pattern_name="account_login", query_string=True)),
    ),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include(("crmgov.api", "api"))),
    path("", include("projects.urls")),
    path("p/<code:code>/", include("issues.urls")),
    path("p/<code:code>/", include("changes.urls")),
    path("p/<code:code>/", include("closure.urls")),
]

# A database outage answers 503 with a page that says the request was not saved.
handler500 = "projects.core.errors.server_error"
