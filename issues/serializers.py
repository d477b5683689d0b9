"""Serializers of the REST API for daily reports and issues. Writes go through issues.services."""

import datetime

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.api.serializers import PersonSerializer

from .models import DailyReport, Issue, Module, Screenshot
from .screenshots import MAX_PER_ISSUE

# As the report page: a missed day may be filed late, but not more than about a year back.
LATE_FILING_DAYS = 400


def validate_report_day(project, day: datetime.date | None) -> datetime.date:
    today = project.local_today()
    if day is None:
        return today
    if day > today:
        raise serializers.ValidationError(_("The day cannot be in the future."))
    if day < today - datetime.timedelta(days=LATE_FILING_DAYS):
        raise serializers.ValidationError(_("The day is too long ago to be reported."))
    return day


class DailyReportSerializer(serializers.ModelSerializer):
    reporter = PersonSerializer(read_only=True)
    period_end = serializers.DateField(read_only=True)
    issues = serializers.SerializerMethodField(help_text="Numbers of the issues filed in this report.")

    class Meta:
        model = DailyReport
        fields = [
            "id",
            "reporter",
            "cadence",
            "period_start",
            "period_end",
            "no_problems",
            "is_late",
            "filed_at",
            "issues",
        ]

    def get_issues(self, report) -> list[int]:
        return [issue.number for issue in report.issues.all()]


class NoProblemsSerializer(serializers.Serializer):
    day = serializers.DateField(
        required=False, help_text="A day of the period being reported (a missed one is filed late); default today."
    )


class ScreenshotSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Download the image (same authentication as the API).")
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Screenshot
        fields = [
            "id",
            "content_type",
            "width",
            "height",
            "size",
            "original_name",
            "created_at",
            "url",
            "thumbnail_url",
        ]

    def _url(self, shot, name) -> str:
        issue = self.context["issue"]
        path = reverse(name, kwargs={"code": issue.project.code, "number": issue.number, "pk": shot.pk})
        return self.context["request"].build_absolute_uri(path)

    def get_url(self, shot) -> str:
        return self._url(shot, "api:issue-screenshot")

    def get_thumbnail_url(self, shot) -> str:
        return self._url(shot, "api:issue-thumbnail")


class ModuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Module
        fields = ["id", "name"]


class IssueSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    reporter = PersonSerializer(read_only=True)
    consultant = PersonSerializer(read_only=True, allow_null=True)
    module = ModuleSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Issue
        fields = [
            "number",
            "reference",
            "title",
            "status",
            "severity",
            "category",
            "module",
            "reporter",
            "consultant",
            "created_at",
            "updated_at",
            "resolved_at",
            "closed_at",
        ]


class IssueDetailSerializer(IssueSerializer):
    screenshots = serializers.SerializerMethodField()

    class Meta(IssueSerializer.Meta):
        fields = [
            *IssueSerializer.Meta.fields,
            "description",
            "steps",
            "likely_cause",
            "solution",
            "cause",
            "fix",
            "status_reason",
            "screenshots",
        ]

    @extend_schema_field(ScreenshotSerializer(many=True))
    def get_screenshots(self, issue) -> list:
        context = {**self.context, "issue": issue}
        return ScreenshotSerializer(issue.screenshots.all(), many=True, context=context).data


class IssueCreateSerializer(serializers.Serializer):
    """What the report page asks for; the screenshots are checked and cleaned by the service."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField()
    severity = serializers.ChoiceField(choices=Issue.Severity.choices, default=Issue.Severity.MEDIUM)
    module = serializers.PrimaryKeyRelatedField(queryset=Module.objects.none(), required=False, allow_null=True)
    steps = serializers.CharField(required=False, allow_blank=True, default="")
    day = serializers.DateField(required=False, help_text="The day the issue belongs to; default today.")
    screenshots = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        max_length=MAX_PER_ISSUE,
        help_text="PNG, JPEG or WEBP, up to 10 MB each (multipart/form-data, repeat the field).",
    )

    def __init__(self, *args, project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        if project is not None:
            self.fields["module"].queryset = Module.objects.filter(project=project, is_active=True)

    def validate_day(self, day):
        return validate_report_day(self.project, day)
