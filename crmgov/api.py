"""The REST API's composition: each app's endpoints under /api/v1/, the OpenAPI schema and its docs.

`projects` knows nothing of the other apps; this module, like urls.py, puts them together.
"""

from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

import changes.api
import issues.api
import projects.api.viewsets


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 schema (YAML, or JSON with ?format=json), for anyone signed in or with a token."""


class DocsView(SpectacularSwaggerView):
    """Swagger UI from the sidecar's local assets; templates/drf_spectacular/ adds the CSP nonce."""

    url_name = "api:schema"


urlpatterns = [
    *projects.api.viewsets.urlpatterns,
    *issues.api.urlpatterns,
    *changes.api.urlpatterns,
    path("schema/", login_not_required(SchemaView.as_view()), name="schema"),
    # The docs pages are for people: anonymous visitors go to the login page first.
    path("docs/", login_required(DocsView.as_view()), name="docs"),
]
