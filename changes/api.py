"""REST API of change requests: the same capabilities as the pages (views.change_list, change_create)."""

import django_filters
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from issues.models import Issue
from projects.api.rest import IdFilter, ProjectScoped, api_route, id_or_404
from projects.permissions import Capability

from . import services
from .models import ChangeRequest
from .serializers import ChangeRequestCreateSerializer, ChangeRequestSerializer

CODE = OpenApiParameter("code", str, OpenApiParameter.PATH, description="The project's code, e.g. SCRM.")


class ChangeRequestFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ChangeRequest.Status.choices)
    requester = IdFilter(field_name="requester")
    created_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = ChangeRequest
        fields = []


@extend_schema_view(
    list=extend_schema(summary="Change requests", parameters=[CODE]),
    retrieve=extend_schema(summary="One change request", parameters=[CODE]),
    create=extend_schema(
        summary="Raise a change request",
        parameters=[CODE],
        request=ChangeRequestCreateSerializer,
        responses={201: ChangeRequestSerializer},
    ),
)
class ChangeRequestViewSet(ProjectScoped, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ChangeRequestSerializer
    filterset_class = ChangeRequestFilter
    capabilities = {"create": Capability.CHANGES_REQUEST}

    def get_queryset(self):
        if self.is_schema():
            return ChangeRequest.objects.none()
        return ChangeRequest.objects.filter(project=self.membership.project).select_related(
            "project", "requester", "consultant", "source_issue"
        )

    def get_object(self):
        return get_object_or_404(self.get_queryset(), number=id_or_404(self.kwargs["number"]))

    def create(self, request, *args, **kwargs):
        membership = self.membership
        serializer = ChangeRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        number = data.pop("source_issue", None)
        source_issue = None
        if number is not None:
            source_issue = Issue.objects.visible_to(membership).filter(number=number).first()
            if source_issue is None:
                raise ValidationError({"source_issue": [_("No such issue in this project.")]})
        change = services.change_request_create(
            project=membership.project, requester=request.user, source_issue=source_issue, **data
        )
        change = self.get_queryset().get(pk=change.pk)
        return Response(self.get_serializer(change).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path(
        "projects/<code:code>/change-requests/",
        api_route(ChangeRequestViewSet, {"get": "list", "post": "create"}),
        name="change-request-list",
    ),
    path(
        "projects/<code:code>/change-requests/<int:number>/",
        api_route(ChangeRequestViewSet, {"get": "retrieve"}),
        name="change-request-detail",
    ),
]
