"""Serializers of the challenges and badges API. Amounts travel as decimal strings."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from challenges.models import (
    Badge,
    Challenge,
    ChallengePhase,
    FeeDestination,
    Reward,
    Submission,
    SubmissionStatus,
    UserBadge,
    Visibility,
)
from core.amounts import AmountSerializerField, amount_out
from core.serializers import LinkField, ListFilterSerializer, StrictInputSerializer, datetime_out


class UserRefSerializer(serializers.Serializer):
    """Public identity only: never the email."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="public_name")


class ChallengeOutputSerializer(serializers.ModelSerializer):
    phase = serializers.CharField(read_only=True)
    is_open = serializers.BooleanField(read_only=True)
    entry_fee = AmountSerializerField(read_only=True)
    entry_fee_to = serializers.ChoiceField(
        choices=FeeDestination.choices, read_only=True, help_text="Where entry fees go: revenue or the prize escrow."
    )
    prize_pool = AmountSerializerField(read_only=True)
    prize_paid = AmountSerializerField(read_only=True)
    prize_split = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Challenge
        fields = (
            "slug",
            "title",
            "description",
            "rules",
            "category",
            "tags",
            "status",
            "phase",
            "is_open",
            "visibility",
            "starts_at",
            "ends_at",
            "entry_fee",
            "entry_fee_to",
            "prize_pool",
            "prize_split",
            "prize_paid",
            "max_submissions_per_user",
            "created_at",
        )
        read_only_fields = fields


#: The columns ``challenge_items`` reads: the serializer's fields but the two it computes.
CHALLENGE_COLUMNS: tuple[str, ...] = tuple(
    name for name in ChallengeOutputSerializer.Meta.fields if name not in ("phase", "is_open")
)


def challenge_items(rows: Iterable[dict[str, Any]], *, now: datetime) -> list[dict[str, Any]]:
    """``.values(*CHALLENGE_COLUMNS)`` rows as ``ChallengeOutputSerializer(many=True)``
    renders them, without its per-field machinery and the model instances (see
    ``wallets.api.serializers``, "list items without a serializer"; tested equal in
    challenges/tests/api/test_list_items.py). ``phase`` is the model's own rule
    (``Challenge.phase_at``) at ``now``, the instant the list was filtered at, so
    ``?status=open`` never returns an item whose ``phase`` says otherwise."""
    tz = timezone.get_current_timezone()
    items = []
    for row in rows:
        phase = Challenge.phase_at(
            SimpleNamespace(status=row["status"], starts_at=row["starts_at"], ends_at=row["ends_at"]), now
        )
        items.append(
            {
                "slug": row["slug"],
                "title": row["title"],
                "description": row["description"],
                "rules": row["rules"],
                "category": row["category"],
                "tags": row["tags"],
                "status": row["status"],
                "phase": phase,
                "is_open": phase == ChallengePhase.OPEN,
                "visibility": row["visibility"],
                "starts_at": datetime_out(row["starts_at"], tz),
                "ends_at": datetime_out(row["ends_at"], tz),
                "entry_fee": amount_out(row["entry_fee"]),
                "entry_fee_to": row["entry_fee_to"],
                "prize_pool": amount_out(row["prize_pool"]),
                "prize_split": [None if part is None else str(part) for part in row["prize_split"]],
                "prize_paid": amount_out(row["prize_paid"]),
                "max_submissions_per_user": row["max_submissions_per_user"],
                "created_at": datetime_out(row["created_at"], tz),
            }
        )
    return items


class ChallengeFilterSerializer(ListFilterSerializer):
    status = serializers.ChoiceField(choices=ChallengePhase.choices, required=False, help_text="The phase.")
    category = serializers.CharField(required=False, max_length=40)
    tag = serializers.CharField(required=False, max_length=40)
    open = serializers.BooleanField(required=False)


class ChallengeCreateInputSerializer(StrictInputSerializer):
    slug = serializers.SlugField(max_length=80)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField()
    rules = serializers.CharField(required=False, allow_blank=True, default="")
    category = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False, default=list)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    entry_fee = AmountSerializerField(required=False, default="0", allow_zero=True)
    entry_fee_to = serializers.ChoiceField(
        choices=FeeDestination.choices,
        required=False,
        default=FeeDestination.REVENUE,
        help_text="Where entry fees go: the platform's revenue, or this challenge's prize escrow.",
    )
    prize_pool = AmountSerializerField(required=False, default="0", allow_zero=True)
    prize_split = serializers.ListField(child=AmountSerializerField(), required=False, default=list)
    max_submissions_per_user = serializers.IntegerField(
        required=False, default=1, min_value=1, max_value=4294967295
    )  # the column: INT UNSIGNED
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False, default=Visibility.PUBLIC)
    status = serializers.ChoiceField(choices=[("draft", "Draft"), ("scheduled", "Scheduled")], default="draft")


class SubmissionOutputSerializer(serializers.ModelSerializer):
    user = UserRefSerializer(read_only=True)
    challenge = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    # Blank when there is none: a plain string in the schema (an empty string is not a "uri").
    link = serializers.CharField(read_only=True)

    class Meta:
        model = Submission
        fields = (
            "id",
            "challenge",
            "user",
            "sequence",
            "title",
            "content",
            "link",
            "status",
            "score",
            "rank",
            "review_note",
            "submitted_at",
            "reviewed_at",
        )
        read_only_fields = fields


class SubmissionStaffOutputSerializer(SubmissionOutputSerializer):
    """What moderators see in the review queue: who reviewed, and from where it came."""

    reviewer = UserRefSerializer(read_only=True, allow_null=True)

    class Meta(SubmissionOutputSerializer.Meta):
        fields = (*SubmissionOutputSerializer.Meta.fields, "reviewer", "submitter_ip")
        read_only_fields = fields


class SubmissionFilterSerializer(ListFilterSerializer):
    status = serializers.ChoiceField(choices=SubmissionStatus.choices, required=False)


class SubmissionCreateInputSerializer(StrictInputSerializer):
    title = serializers.CharField(max_length=200)
    content = serializers.CharField(required=False, allow_blank=True, default="")
    link = LinkField(required=False, default="")


class SubmissionUpdateInputSerializer(StrictInputSerializer):
    title = serializers.CharField(max_length=200, required=False)
    content = serializers.CharField(required=False, allow_blank=True)
    link = LinkField(required=False)


#: A score as the schema says it: a decimal string, no sign, up to 8 + 4 digits (the column).
SCORE_PATTERN = r"^[0-9]{1,8}(?:\.[0-9]{1,4})?$"


@extend_schema_field({"type": "string", "format": "decimal", "pattern": SCORE_PATTERN})
class ScoreField(serializers.DecimalField):
    """A review score: a decimal string matching ``SCORE_PATTERN`` (DRF's own pattern
    admitted ``"-"`` and its field took JSON numbers the schema does not list)."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=12, decimal_places=4, min_value=0, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or not re.fullmatch(SCORE_PATTERN, data):
            self.fail("invalid")
        return super().to_internal_value(data)


class ReviewInputSerializer(StrictInputSerializer):
    status = serializers.ChoiceField(choices=[("accepted", "Accepted"), ("rejected", "Rejected")])
    score = ScoreField(required=False, allow_null=True)
    review_note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class LeaderboardEntrySerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    submission_id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    user = UserRefSerializer()
    score = serializers.DecimalField(max_digits=12, decimal_places=4)
    submitted_at = serializers.DateTimeField()
    reward = serializers.SerializerMethodField()

    def get_reward(self, obj: Submission) -> str | None:
        reward = getattr(obj, "reward", None)
        return None if reward is None else str(reward.amount)


class RewardsInputSerializer(StrictInputSerializer):
    submission_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, allow_empty=False, default=None
    )


class RewardOutputSerializer(serializers.ModelSerializer):
    amount = AmountSerializerField(read_only=True)
    submission_id = serializers.IntegerField(read_only=True)
    transaction_id = serializers.IntegerField(read_only=True)
    user = UserRefSerializer(source="submission.user", read_only=True)

    class Meta:
        model = Reward
        fields = ("id", "rank", "amount", "submission_id", "user", "transaction_id", "awarded_at")
        read_only_fields = fields


class BadgeOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Badge
        fields = ("slug", "name", "description", "icon", "rule")
        read_only_fields = fields


class UserBadgeOutputSerializer(serializers.ModelSerializer):
    badge = BadgeOutputSerializer(read_only=True)

    class Meta:
        model = UserBadge
        fields = ("badge", "awarded_at", "reason")
        read_only_fields = fields


class UserBadgeStaffOutputSerializer(serializers.ModelSerializer):
    badge = BadgeOutputSerializer(read_only=True)
    user = UserRefSerializer(read_only=True)

    class Meta:
        model = UserBadge
        fields = ("id", "badge", "user", "awarded_at", "reason", "revoked_at", "revoke_reason")
        read_only_fields = fields


class BadgeActionInputSerializer(StrictInputSerializer):
    user_id = serializers.IntegerField(min_value=1)
    reason = serializers.CharField(max_length=300)
