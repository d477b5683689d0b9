"""Serializers of the REST API for the core: what a client reads. Writes go through services."""

from django.conf import settings
from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from projects.api.models import ApiToken
from projects.core.models import Membership, Project, User
from projects.escalations.models import Escalation, EscalationRecipient
from projects.reporting import services as services_reporting
from projects.reporting.models import StatusReport


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "full_name"]


class ProjectSerializer(serializers.ModelSerializer):
    role = serializers.CharField(read_only=True, help_text="Your role in the project.")

    class Meta:
        model = Project
        fields = ["code", "name", "description", "vision", "status", "time_zone", "default_language", "role"]


class MemberPersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "full_name", "email"]


class MembershipSerializer(serializers.ModelSerializer):
    person = MemberPersonSerializer(source="user", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "person", "role", "department", "title", "active_from", "active_until", "is_key"]


class RecipientSerializer(serializers.ModelSerializer):
    person = PersonSerializer(source="user", read_only=True)

    class Meta:
        model = EscalationRecipient
        fields = ["person", "notified_at", "acknowledged_at"]


class EscalationSerializer(serializers.ModelSerializer):
    responsible = PersonSerializer(read_only=True)
    # Worded in the reader's language from the escalation's facts (or as the PM typed them).
    title = serializers.CharField(read_only=True)
    what_happened = serializers.CharField(read_only=True)
    consequences = serializers.CharField(read_only=True)
    recommendation = serializers.CharField(read_only=True)
    loss = serializers.DecimalField(max_digits=20, decimal_places=2, read_only=True)
    acknowledged_by_me = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When you acknowledged it; null if not yet or not sent to you."
    )

    class Meta:
        model = Escalation
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "automatic",
            "level",
            "what_happened",
            "consequences",
            "delay_days",
            "extra_cost",
            "cost_of_delay_per_day",
            "loss",
            "options",
            "recommendation",
            "responsible",
            "opened_at",
            "second_notice_at",
            "resolved_at",
            "outcome",
            "acknowledged_by_me",
        ]


class EscalationDetailSerializer(EscalationSerializer):
    recipients = RecipientSerializer(many=True, read_only=True)

    class Meta(EscalationSerializer.Meta):
        fields = [*EscalationSerializer.Meta.fields, "recipients"]


class StatusReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatusReport
        fields = ["id", "period_start", "state", "overall", "narrative", "created_at", "sent_at"]


class StatusReportDetailSerializer(StatusReportSerializer):
    figures = serializers.SerializerMethodField(help_text="The report's sections in your language.")

    class Meta(StatusReportSerializer.Meta):
        fields = [*StatusReportSerializer.Meta.fields, "figures"]

    @extend_schema_field({"type": "object", "additionalProperties": True})
    def get_figures(self, report) -> dict:
        return services_reporting.figures_for(report, get_language())


class ApiTokenSerializer(serializers.ModelSerializer):
    days = serializers.IntegerField(
        write_only=True,
        required=False,
        min_value=1,
        max_value=settings.API_TOKEN_MAX_DAYS,
        help_text="How many days the token lives (at most, and by default, API_TOKEN_MAX_DAYS).",
    )

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at", "days"]
        read_only_fields = ["prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]


class NewApiTokenSerializer(ApiTokenSerializer):
    secret = serializers.CharField(read_only=True, help_text="The token itself: shown this once, never again.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "secret"]
