"""Input and output shapes of the subscription API. Prices travel as decimal strings."""

from __future__ import annotations

from rest_framework import serializers

from core.amounts import AmountSerializerField
from core.serializers import StrictInputSerializer
from subscriptions.models import Plan, Subscription
from subscriptions.services import grace_period


class PlanOutputSerializer(serializers.ModelSerializer):
    price = AmountSerializerField()
    features = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Plan
        fields = ("code", "name", "description", "price", "period_days", "trial_days", "features")


class SubscriptionOutputSerializer(serializers.ModelSerializer):
    plan = PlanOutputSerializer()
    scheduled_plan = serializers.SlugRelatedField(slug_field="code", read_only=True)
    grants_access = serializers.SerializerMethodField()
    will_renew = serializers.BooleanField(read_only=True)
    grace_ends_at = serializers.SerializerMethodField()

    class Meta:
        model = Subscription
        fields = (
            "id",
            "plan",
            "scheduled_plan",
            "status",
            "current_period_start",
            "current_period_end",
            "trial_end",
            "cancel_at_period_end",
            "canceled_at",
            "ended_at",
            "auto_renew",
            "will_renew",
            "past_due_since",
            "grace_ends_at",
            "grants_access",
        )

    def get_grants_access(self, obj: Subscription) -> bool:
        return obj.grants_access()

    def get_grace_ends_at(self, obj: Subscription) -> str | None:
        if obj.past_due_since is None:
            return None
        return serializers.DateTimeField().to_representation(obj.past_due_since + grace_period())


class SubscribeOutputSerializer(SubscriptionOutputSerializer):
    action = serializers.CharField(help_text="started, upgraded, downgrade_scheduled or downgrade_unscheduled")

    class Meta(SubscriptionOutputSerializer.Meta):
        fields = (*SubscriptionOutputSerializer.Meta.fields, "action")


class SubscribeInputSerializer(StrictInputSerializer):
    plan = serializers.SlugField(max_length=40, help_text="The plan's code.")
    auto_renew = serializers.BooleanField(required=False, default=True)


class CancelInputSerializer(StrictInputSerializer):
    at_period_end = serializers.BooleanField(required=False, default=True)


class EmptyInputSerializer(StrictInputSerializer):
    pass
