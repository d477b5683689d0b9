"""REST API of the core: projects, memberships, escalations (acknowledge) and status reports (read).

Each endpoint asks for the same capability as the page it mirrors (see the views named below).
"""

import django_filters
from django.db.models import OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from projects.api import services as services_api
from projects.api.models import ApiToken
from projects.api.rest import NewestFirst, ProjectScoped, api_route, id_or_404
from projects.api.serializers import (
    ApiTokenSerializer,
    EscalationDetailSerializer,
    EscalationSerializer,
    MembershipSerializer,
    NewApiTokenSerializer,
    ProjectSerializer,
    RecipientSerializer,
    StatusReportDetailSerializer,
    StatusReportSerializer,
)
from projects.core.accounts import recently_reauthenticated
from projects.core.models import Membership, Project
from projects.escalations import services as services_escalations
from projects.escalations.models import Escalation, EscalationRecipient
from projects.permissions import Capability, ProjectReadOnly
from projects.reporting.models import StatusReport

CODE = OpenApiParameter("code", str, OpenApiParameter.PATH, description="The project's code, e.g. SCRM.")


class ByCode(NewestFirst):
    ordering = ("code",)


@extend_schema_view(list=extend_schema(summary="Your projects"), retrieve=extend_schema(summary="One project"))
class ProjectViewSet(viewsets.ReadOnlyModelViewSet):
    """The projects you are an active member of, with your role."""

    serializer_class = ProjectSerializer
    pagination_class = ByCode
    lookup_field = "code"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Project.objects.none()
        mine = Membership.objects.active().filter(user=self.request.user)
        return Project.objects.filter(memberships__in=mine).annotate(
            role=Subquery(mine.filter(project=OuterRef("pk")).values("role")[:1])
        )

    def retrieve(self, request, *args, **kwargs):
        project = get_object_or_404(self.get_queryset(), code=kwargs["code"])
        return Response(self.get_serializer(project).data)


class ById(NewestFirst):
    ordering = ("id",)


@extend_schema_view(list=extend_schema(summary="Active members of a project", parameters=[CODE]))
class MembershipViewSet(ProjectScoped, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The project's active members."""  # as views.members: MEMBERS_VIEW

    serializer_class = MembershipSerializer
    pagination_class = ById
    capabilities = {"list": Capability.MEMBERS_VIEW}

    def get_queryset(self):
        if self.is_schema():
            return Membership.objects.none()
        return Membership.objects.active().filter(project=self.membership.project).select_related("user")


class EscalationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Escalation.Status.choices)

    class Meta:
        model = Escalation
        fields = ["status"]


class NewestOpened(NewestFirst):
    ordering = ("-opened_at", "-id")


@extend_schema_view(
    list=extend_schema(summary="Escalations of a project", parameters=[CODE]),
    retrieve=extend_schema(summary="One escalation", parameters=[CODE]),
)
class EscalationViewSet(ProjectScoped, viewsets.ReadOnlyModelViewSet):
    """Escalations of the project; those it was sent to acknowledge it."""  # as views_escalation

    pagination_class = NewestOpened
    filterset_class = EscalationFilter
    capabilities = {
        "list": Capability.ESCALATIONS_VIEW,
        "retrieve": Capability.ESCALATIONS_VIEW,
        "acknowledge": Capability.ESCALATIONS_VIEW,
    }

    def get_serializer_class(self):
        return EscalationSerializer if self.action == "list" else EscalationDetailSerializer

    def get_queryset(self):
        if self.is_schema():
            return Escalation.objects.none()
        escalations = (
            Escalation.objects.filter(project=self.membership.project)
            .select_related("responsible")
            .annotate(
                acknowledged_by_me=Subquery(
                    EscalationRecipient.objects.filter(escalation=OuterRef("pk"), user=self.request.user).values(
                        "acknowledged_at"
                    )[:1]
                )
            )
        )
        if self.action != "list":
            receipts = EscalationRecipient.objects.select_related("user").order_by("notified_at", "id")
            escalations = escalations.prefetch_related(Prefetch("recipients", queryset=receipts))
        return escalations

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=id_or_404(self.kwargs["pk"]))

    @extend_schema(
        summary="Acknowledge an escalation sent to you",
        parameters=[CODE],
        request=None,
        responses={200: RecipientSerializer},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, code, pk):
        escalation = self.get_object()
        if self.membership.read_only:
            raise ProjectReadOnly(_("This project is closed: it can be read but no longer changed."))
        receipt = services_escalations.escalation_acknowledge(escalation=escalation, user=request.user)
        return Response(RecipientSerializer(receipt).data, status=status.HTTP_200_OK)


class StatusReportFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=StatusReport.State.choices)

    class Meta:
        model = StatusReport
        fields = ["state"]


class NewestWeek(NewestFirst):
    ordering = ("-period_start", "-id")


@extend_schema_view(
    list=extend_schema(summary="Weekly status reports of a project", parameters=[CODE]),
    retrieve=extend_schema(summary="One status report with its figures", parameters=[CODE]),
)
class StatusReportViewSet(ProjectScoped, viewsets.ReadOnlyModelViewSet):
    """Weekly status reports, read-only."""  # as views_reporting: REPORTS_READ

    pagination_class = NewestWeek
    filterset_class = StatusReportFilter
    capabilities = {"list": Capability.REPORTS_READ, "retrieve": Capability.REPORTS_READ}

    def get_serializer_class(self):
        return StatusReportSerializer if self.action == "list" else StatusReportDetailSerializer

    def get_queryset(self):
        if self.is_schema():
            return StatusReport.objects.none()
        return StatusReport.objects.filter(project=self.membership.project).select_related("project")

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=id_or_404(self.kwargs["pk"]))


@extend_schema_view(
    list=extend_schema(summary="Your API tokens"),
    create=extend_schema(
        summary="Create a token (its secret is in this answer only)", responses={201: NewApiTokenSerializer}
    ),
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Your own personal tokens, as on the API tokens page: e.g. a script rotating its token."""

    serializer_class = ApiTokenSerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user)

    def perform_create(self, serializer):
        token, secret = services_api.api_token_create(user=self.request.user, **serializer.validated_data)
        token.secret = secret
        serializer.instance = token

    def create(self, request, *args, **kwargs):
        if not recently_reauthenticated(request):
            raise PermissionDenied(
                _("Create tokens on the API tokens page, after entering your password: a token cannot make another.")
            )
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return Response(NewApiTokenSerializer(serializer.instance).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Revoke a token", request=None, responses={200: ApiTokenSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk):
        token = get_object_or_404(self.get_queryset(), pk=id_or_404(pk))
        return Response(ApiTokenSerializer(services_api.api_token_revoke(token=token)).data)


urlpatterns = [
    path("tokens/", api_route(ApiTokenViewSet, {"get": "list", "post": "create"}), name="token-list"),
    path("tokens/<int:pk>/revoke/", api_route(ApiTokenViewSet, {"post": "revoke"}), name="token-revoke"),
    path("projects/", api_route(ProjectViewSet, {"get": "list"}), name="project-list"),
    path("projects/<code:code>/", api_route(ProjectViewSet, {"get": "retrieve"}), name="project-detail"),
    path("projects/<code:code>/memberships/", api_route(MembershipViewSet, {"get": "list"}), name="membership-list"),
    path("projects/<code:code>/escalations/", api_route(EscalationViewSet, {"get": "list"}), name="escalation-list"),
    path(
        "projects/<code:code>/escalations/<int:pk>/",
        api_route(EscalationViewSet, {"get": "retrieve"}),
        name="escalation-detail",
    ),
    path(
        "projects/<code:code>/escalations/<int:pk>/acknowledge/",
        api_route(EscalationViewSet, {"post": "acknowledge"}),
        name="escalation-acknowledge",
    ),
    path(
        "projects/<code:code>/status-reports/",
        api_route(StatusReportViewSet, {"get": "list"}),
        name="status-report-list",
    ),
    path(
        "projects/<code:code>/status-reports/<int:pk>/",
        api_route(StatusReportViewSet, {"get": "retrieve"}),
        name="status-report-detail",
    ),
]
