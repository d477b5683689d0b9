"""The REST API's common parts: errors, paging and the project a request is about.

Every endpoint resolves its project through permissions.get_membership_for, exactly as the pages
do: an outsider gets 404, a member without the capability 403; a request without a valid token
(or session) gets 401 before anything is looked up.
"""

import django_filters
from django import forms
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions, pagination
from rest_framework.views import exception_handler

from projects.api.authentication import TokenAuthentication
from projects.permissions import Capability, ProjectReadOnly, get_membership_for

# Larger ids than a database integer column holds are simply not found (rather than an overflow).
MAX_ID = 2**31 - 1


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = TokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal API token (Account → API tokens)."}


def handle_exception(exc, context):
    """DRF's handler, plus the errors our services raise: Django's ValidationError becomes a 400
    with its messages, a closed project's refusal a 403 that says why."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, ProjectReadOnly):
        exc = exceptions.PermissionDenied(str(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    return exception_handler(exc, context)


class NewestFirst(pagination.CursorPagination):
    """Keyset paging on an indexed key: a page costs the same on the first and the thousandth page."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class IdFilter(django_filters.NumberFilter):
    """A filter by a related object's id: integers only, within what the database column holds."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


def id_or_404(value) -> int:
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise Http404
    return number


class ProjectScoped:
    """The one mixin of our API views: the membership of the project in the URL, checked for the
    capability the action needs (`capabilities`: action → capability, default PROJECT_VIEW)."""

    capabilities: dict[str, str] = {}

    def capability(self) -> str:
        return self.capabilities.get(getattr(self, "action", None) or "", Capability.PROJECT_VIEW)

    @property
    def membership(self):
        if not hasattr(self, "_membership"):
            self._membership = get_membership_for(self.request, self.kwargs["code"], self.capability())
        return self._membership

    def is_schema(self) -> bool:
        return getattr(self, "swagger_fake_view", False)


def api_route(viewset, actions: dict):
    """A viewset's view for one URL. The API authenticates by token or session itself, so an
    anonymous request gets 401 instead of the pages' login redirect."""
    return login_not_required(viewset.as_view(actions))
