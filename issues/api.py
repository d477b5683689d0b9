"""REST API of daily reports and issues (with screenshots); the same capabilities as the pages
(views.report, compliance_views.compliance, views.issue_list, views.screenshot)."""

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from projects.api.rest import IdFilter, NewestFirst, ProjectScoped, api_route, id_or_404
from projects.permissions import Capability

from . import services
from .models import DailyReport, Issue, Screenshot
from .serializers import (
    DailyReportSerializer,
    IssueCreateSerializer,
    IssueDetailSerializer,
    IssueSerializer,
    NoProblemsSerializer,
    validate_report_day,
)

CODE = OpenApiParameter("code", str, OpenApiParameter.PATH, description="The project's code, e.g. SCRM.")


class DailyReportFilter(django_filters.FilterSet):
    period_from = django_filters.DateFilter(field_name="period_start", lookup_expr="gte")
    period_to = django_filters.DateFilter(field_name="period_start", lookup_expr="lte")
    reporter = IdFilter(field_name="reporter")
    no_problems = django_filters.BooleanFilter()

    class Meta:
        model = DailyReport
        fields = []


class NewestPeriod(NewestFirst):
    ordering = ("-period_start", "-id")


@extend_schema_view(
    list=extend_schema(
        summary="Daily reports",
        description="Everyone's for those who see compliance, otherwise your own.",
        parameters=[CODE],
    ),
    create=extend_schema(
        summary="File a report with no problems",
        description="Issues are filed with POST …/issues/, which also files the report.",
        parameters=[CODE],
        request=NoProblemsSerializer,
        responses={201: DailyReportSerializer},
    ),
)
class DailyReportViewSet(ProjectScoped, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = DailyReportSerializer
    pagination_class = NewestPeriod
    filterset_class = DailyReportFilter
    capabilities = {"create": Capability.REPORTS_FILE}

    def get_queryset(self):
        if self.is_schema():
            return DailyReport.objects.none()
        membership = self.membership
        reports = DailyReport.objects.filter(project=membership.project).select_related("reporter")
        if membership.can(Capability.COMPLIANCE_VIEW):
            pass
        elif membership.can(Capability.REPORTS_EXPECTED):
            reports = reports.filter(reporter=membership.user_id)
        else:
            raise PermissionDenied
        issues = Issue.objects.only("id", "number", "report_id").order_by("number")
        return reports.prefetch_related(Prefetch("issues", queryset=issues))

    def create(self, request, *args, **kwargs):
        project = self.membership.project
        serializer = NoProblemsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        day = validate_report_day(project, serializer.validated_data.get("day"))
        report = services.report_no_problems(project=project, reporter=request.user, day=day)
        report = self.get_queryset().get(pk=report.pk)
        return Response(DailyReportSerializer(report, context=self.get_serializer_context()).data, status=201)


class IssueFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Issue.Status.choices)
    severity = django_filters.MultipleChoiceFilter(choices=Issue.Severity.choices)
    category = django_filters.ChoiceFilter(choices=Issue.Category.choices)
    reporter = IdFilter(field_name="reporter")
    consultant = IdFilter(field_name="consultant")
    module = IdFilter(field_name="module")
    created_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = Issue
        fields = []


@extend_schema_view(
    list=extend_schema(summary="Issues you may see", parameters=[CODE]),
    retrieve=extend_schema(summary="One issue with its screenshots", parameters=[CODE]),
    create=extend_schema(
        summary="File an issue (in your daily report)",
        parameters=[CODE],
        request={"multipart/form-data": IssueCreateSerializer, "application/json": IssueCreateSerializer},
        responses={201: IssueDetailSerializer},
    ),
)
class IssueViewSet(ProjectScoped, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """A consultant sees only the issues forwarded to them, as on the pages."""

    filterset_class = IssueFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    capabilities = {"create": Capability.REPORTS_FILE}

    def get_serializer_class(self):
        return IssueSerializer if self.action == "list" else IssueDetailSerializer

    def get_queryset(self):
        if self.is_schema():
            return Issue.objects.none()
        issues = Issue.objects.visible_to(self.membership).select_related("project", "module", "reporter", "consultant")
        if self.action != "list":
            issues = issues.prefetch_related(
                Prefetch("screenshots", queryset=Screenshot.objects.order_by("created_at", "id"))
            )
        return issues

    def get_object(self):
        return get_object_or_404(self.get_queryset(), number=id_or_404(self.kwargs["number"]))

    def create(self, request, *args, **kwargs):
        project = self.membership.project
        serializer = IssueCreateSerializer(data=request.data, project=project)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        day = data.pop("day", None) or project.local_today()
        issue = services.report_add_issue(
            project=project, reporter=request.user, day=day, draft=services.IssueDraft(**data)
        )
        issue = self.get_queryset().get(pk=issue.pk)
        return Response(self.get_serializer(issue).data, status=status.HTTP_201_CREATED)


class ScreenshotView(ProjectScoped, viewsets.GenericViewSet):
    """The image of a screenshot, for whoever may see the issue."""  # as views.screenshot

    variant = "full"

    @extend_schema(
        summary="Download a screenshot",
        parameters=[CODE],
        responses={(200, "image/*"): OpenApiResponse(OpenApiTypes.BINARY)},
    )
    def download(self, request, code, number, pk):
        issue = get_object_or_404(Issue.objects.visible_to(self.membership), number=id_or_404(number))
        shot = get_object_or_404(Screenshot, pk=id_or_404(pk), issue=issue)
        thumb = self.variant == "thumb"
        stored = shot.thumbnail if thumb else shot.image
        response = FileResponse(stored.open("rb"), content_type="image/webp" if thumb else shot.content_type)
        response["Cache-Control"] = "private, max-age=86400"
        return response


class ThumbnailView(ScreenshotView):
    variant = "thumb"


urlpatterns = [
    path(
        "projects/<code:code>/daily-reports/",
        api_route(DailyReportViewSet, {"get": "list", "post": "create"}),
        name="daily-report-list",
    ),
    path("projects/<code:code>/issues/", api_route(IssueViewSet, {"get": "list", "post": "create"}), name="issue-list"),
    path(
        "projects/<code:code>/issues/<int:number>/", api_route(IssueViewSet, {"get": "retrieve"}), name="issue-detail"
    ),
    path(
        "projects/<code:code>/issues/<int:number>/screenshots/<int:pk>/",
        api_route(ScreenshotView, {"get": "download"}),
        name="issue-screenshot",
    ),
    path(
        "projects/<code:code>/issues/<int:number>/screenshots/<int:pk>/thumbnail/",
        api_route(ThumbnailView, {"get": "download"}),
        name="issue-thumbnail",
    ),
]
