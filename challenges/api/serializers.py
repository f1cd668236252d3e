"""Serializers of the challenges and badges API. Amounts travel as decimal strings."""

from __future__ import annotations

from rest_framework import serializers

from challenges.models import (
    Badge,
    Challenge,
    ChallengePhase,
    Reward,
    Submission,
    SubmissionStatus,
    UserBadge,
    Visibility,
)
from core.serializers import StrictInputSerializer
from wallets.models import AMOUNT_DECIMAL_PLACES, AMOUNT_MAX_DIGITS


def Amount(**kwargs) -> serializers.DecimalField:  # noqa: N802 - reads like a field class
    return serializers.DecimalField(
        max_digits=AMOUNT_MAX_DIGITS, decimal_places=AMOUNT_DECIMAL_PLACES, coerce_to_string=True, **kwargs
    )


class UserRefSerializer(serializers.Serializer):
    """Public identity only: never the email."""

    id = serializers.IntegerField()
    name = serializers.CharField(source="public_name")


class ChallengeOutputSerializer(serializers.ModelSerializer):
    phase = serializers.CharField(read_only=True)
    is_open = serializers.BooleanField(read_only=True)
    entry_fee = Amount(read_only=True)
    prize_pool = Amount(read_only=True)
    prize_paid = Amount(read_only=True)
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
            "prize_pool",
            "prize_split",
            "prize_paid",
            "max_submissions_per_user",
            "created_at",
        )
        read_only_fields = fields


class ChallengeFilterSerializer(StrictInputSerializer):
    status = serializers.ChoiceField(choices=ChallengePhase.choices, required=False, help_text="The phase.")
    category = serializers.CharField(required=False, max_length=40)
    tag = serializers.CharField(required=False, max_length=40)
    open = serializers.BooleanField(required=False)
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1)


class ChallengeCreateInputSerializer(StrictInputSerializer):
    slug = serializers.SlugField(max_length=80)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField()
    rules = serializers.CharField(required=False, allow_blank=True, default="")
    category = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False, default=list)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    entry_fee = Amount(required=False, default="0", min_value=0)
    prize_pool = Amount(required=False, default="0", min_value=0)
    prize_split = serializers.ListField(child=Amount(), required=False, default=list)
    max_submissions_per_user = serializers.IntegerField(required=False, default=1, min_value=1)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False, default=Visibility.PUBLIC)
    status = serializers.ChoiceField(choices=[("draft", "Draft"), ("scheduled", "Scheduled")], default="draft")


class SubmissionOutputSerializer(serializers.ModelSerializer):
    user = UserRefSerializer(read_only=True)
    challenge = serializers.SlugRelatedField(slug_field="slug", read_only=True)

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


class SubmissionFilterSerializer(StrictInputSerializer):
    status = serializers.ChoiceField(choices=SubmissionStatus.choices, required=False)
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1)


class SubmissionCreateInputSerializer(StrictInputSerializer):
    title = serializers.CharField(max_length=200)
    content = serializers.CharField(required=False, allow_blank=True, default="")
    link = serializers.URLField(required=False, allow_blank=True, default="", max_length=500)


class SubmissionUpdateInputSerializer(StrictInputSerializer):
    title = serializers.CharField(max_length=200, required=False)
    content = serializers.CharField(required=False, allow_blank=True)
    link = serializers.URLField(required=False, allow_blank=True, max_length=500)


class ReviewInputSerializer(StrictInputSerializer):
    status = serializers.ChoiceField(choices=[("accepted", "Accepted"), ("rejected", "Rejected")])
    score = serializers.DecimalField(max_digits=12, decimal_places=4, min_value=0, required=False, allow_null=True)
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
    amount = Amount(read_only=True)
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
