"""The `projects` URLs: each feature subpackage declares its own (site-wide, and per project under
/p/<code>/); this module only puts them together under the one `projects:` namespace."""

from django.urls import include, path

from projects.api import urls as api
from projects.core import urls as core
from projects.escalations import urls as escalations
from projects.notifications import urls as notifications
from projects.plan import urls as plan
from projects.registers import urls as registers
from projects.reporting import urls as reporting
from projects.search import urls as search
from projects.steering import urls as steering

app_name = "projects"

FEATURES = (core, api, escalations, reporting, plan, registers, steering, notifications, search)

urlpatterns = [pattern for feature in FEATURES for pattern in feature.site] + [
    path("p/<code:code>/", include([pattern for feature in FEATURES for pattern in feature.project])),
]
