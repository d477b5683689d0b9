"""Serializers of the REST API for change requests. Writes go through changes.services."""

from rest_framework import serializers

from projects.api.serializers import PersonSerializer

from .models import ChangeRequest


class ChangeRequestSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    requester = PersonSerializer(read_only=True)
    consultant = PersonSerializer(read_only=True, allow_null=True)
    source_issue = serializers.IntegerField(
        source="source_issue.number", read_only=True, allow_null=True, help_text="Number of the issue it came from."
    )

    class Meta:
        model = ChangeRequest
        fields = [
            "number",
            "reference",
            "title",
            "reason",
            "goal",
            "status",
            "requester",
            "consultant",
            "source_issue",
            "route",
            "decision_note",
            "decided_at",
            "agreed_cost",
            "expected_delivery",
            "rollout_date",
            "created_at",
            "updated_at",
        ]


class ChangeRequestCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    reason = serializers.CharField()
    goal = serializers.CharField(help_text="What you want to be able to do once it is done (required).")
    source_issue = serializers.IntegerField(
        required=False, min_value=1, max_value=2**31 - 1, help_text="Number of an issue this change comes from."
    )
