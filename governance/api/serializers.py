"""Serializers of the governance API (proposals, votes, results, audit log)."""

from __future__ import annotations

from auditlog.models import LogEntry
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.serializers import ListFilterSerializer, StrictInputSerializer
from governance.models import Proposal, ProposalStatus, Vote
from governance.services import CHOICE_MAX_LENGTH, MAX_CHOICES


class ProposalInputSerializer(StrictInputSerializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField()
    choices = serializers.ListField(
        child=serializers.CharField(max_length=CHOICE_MAX_LENGTH), required=False, max_length=MAX_CHOICES
    )
    voting_starts_at = serializers.DateTimeField(required=False, help_text="Default: now. Also the weight snapshot.")
    voting_ends_at = serializers.DateTimeField()
    publish = serializers.BooleanField(default=True, help_text="False keeps it a draft.")


class ProposalFilterSerializer(ListFilterSerializer):
    status = serializers.ChoiceField(choices=ProposalStatus.choices, required=False)


class VoteInputSerializer(StrictInputSerializer):
    choice = serializers.CharField(max_length=CHOICE_MAX_LENGTH)


class AuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="public_name")


class ResultsOutputSerializer(serializers.Serializer):
    """Live while active (tally of the votes so far); final once closed."""

    final = serializers.BooleanField()
    tally = serializers.DictField(child=serializers.DecimalField(max_digits=40, decimal_places=18))
    total_weight = serializers.DecimalField(max_digits=40, decimal_places=18)
    total_staked_at_snapshot = serializers.DecimalField(max_digits=40, decimal_places=18, allow_null=True)
    quorum_share = serializers.DecimalField(max_digits=5, decimal_places=4)
    quorum_met = serializers.BooleanField(allow_null=True)
    outcome = serializers.CharField(allow_blank=True)
    winning_choice = serializers.CharField(allow_blank=True)


class ProposalOutputSerializer(serializers.ModelSerializer):
    author = AuthorSerializer(read_only=True)
    # Always present (the schema requires it): lists annotate it in the query
    # (``selectors.proposal_list``); one proposal (detail, create, publish, cancel) counts it.
    vote_count = serializers.SerializerMethodField()

    class Meta:
        model = Proposal
        fields = (
            "id",
            "title",
            "body",
            "author",
            "status",
            "choices",
            "voting_starts_at",
            "voting_ends_at",
            "snapshot_at",
            "quorum_share",
            "quorum_met",
            "outcome",
            "winning_choice",
            "vote_count",
            "published_at",
            "closed_at",
            "canceled_at",
            "created_at",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(min_value=0))
    def get_vote_count(self, proposal) -> int:
        annotated = getattr(proposal, "vote_count", None)
        return annotated if annotated is not None else proposal.votes.count()


class VoteOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Vote
        fields = ("id", "proposal", "choice", "weight", "created_at", "updated_at")
        read_only_fields = fields


class AuditLogOutputSerializer(serializers.ModelSerializer):
    action = serializers.SerializerMethodField()
    model = serializers.SerializerMethodField()
    actor = serializers.IntegerField(source="actor_id", allow_null=True)
    changes = serializers.JSONField()
    additional_data = serializers.JSONField()

    class Meta:
        model = LogEntry
        fields = (
            "id",
            "timestamp",
            "action",
            "model",
            "object_pk",
            "object_repr",
            "actor",
            "actor_email",
            "remote_addr",
            "cid",
            "changes",
            "additional_data",
        )
        read_only_fields = fields

    def get_action(self, obj: LogEntry) -> str:
        return dict(LogEntry.Action.choices).get(obj.action, str(obj.action))

    def get_model(self, obj: LogEntry) -> str:
        return f"{obj.content_type.app_label}.{obj.content_type.model}"
